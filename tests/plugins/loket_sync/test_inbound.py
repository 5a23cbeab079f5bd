"""Requests from the loket become wachtlijst requests once, changes and withdrawals follow, and
what cannot be mapped is kept for the director."""
from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

import plugins.wachtlijst.api as wachtlijst
from plugins.loket_sync.models import InboundRequest
from plugins.loket_sync.services import inbound
from plugins.loket_sync.services.adapters import RequestPage
from plugins.loket_sync.services.outbox import location_ref


def loket_request(ref, **over):
    item = {
        "loket_request_id": "LK-1", "version": 1, "status": "active", "filed_at": "2026-11-10T10:00:00Z",
        "applicant": {"first_name": "Sofie", "last_name": "Peeters", "email": "sofie@example.org",
                      "phone": "+32470123456", "street": "Bondgenotenlaan 1", "postcode": "3000",
                      "municipality": "Leuven", "language": "nl"},
        "child": {"first_name": "Lena", "last_name": "Peeters", "date_of_birth": "2026-06-01",
                  "expected_birth_date": None},
        "preferences": [{"location_ref": "ELDERS-1", "rank": 1}, {"location_ref": ref, "rank": 2}],
        "desired_start": "2027-01-04", "days": [{"day": "mon", "part": "full"}, {"day": "thu", "part": "morning"}],
        "priority": {"flags": ["work", "single_parent"]}, "urgency": {"urgent": True, "reason": "werk hervat"},
    }
    item.update(over)
    return item


class Pages:
    """A loket that serves the given pages, one per fetch."""

    name = "fake"

    def __init__(self, *pages):
        self.pages = list(pages)
        self.cursors = []

    def fetch_requests(self, cursor, limit):
        self.cursors.append(cursor)
        return self.pages.pop(0) if self.pages else RequestPage([], None)


def _loket_requests(ctx):
    return [r for r in wachtlijst.list_requests(ctx) if r.external_source == "loket"]


def test_new_request_is_mapped_once(ctx, location, frozen_today):
    item = loket_request(location_ref(location))
    assert inbound.apply(ctx, item) == "created"
    [req] = _loket_requests(ctx)
    assert req.external_id == "LK-1" and req.location_ids == (location.id,)
    assert req.days == ((0, "full"), (3, "morning")) and req.desired_start == date(2027, 1, 4)
    assert req.status == "confirmed"
    assert inbound.apply(ctx, item) == "stale"  # the same version again: nothing
    assert len(_loket_requests(ctx)) == 1


def test_change_and_withdrawal_follow(ctx, location, factory, org, frozen_today):
    other = factory.location(org, name="Tweede")
    inbound.apply(ctx, loket_request(location_ref(location)))
    changed = loket_request(location_ref(other), version=2, desired_start="2027-02-01",
                            preferences=[{"location_ref": location_ref(other), "rank": 1},
                                         {"location_ref": location_ref(location), "rank": 3}])
    assert inbound.apply(ctx, changed) == "changed"
    [req] = _loket_requests(ctx)
    assert req.location_ids == (other.id, location.id) and req.desired_start == date(2027, 2, 1)
    assert inbound.apply(ctx, loket_request(location_ref(location), version=3, status="placed_elsewhere")) == "withdrawn"
    [req] = _loket_requests(ctx)
    assert req.status == "withdrawn"
    assert inbound.apply(ctx, loket_request(location_ref(location), version=4, status="withdrawn")) == "unchanged"


@pytest.mark.parametrize("change, reason", [
    ({"preferences": [{"location_ref": "ELDERS-1", "rank": 1}]}, "geen gekende locatie"),
    ({"child": None}, "geen gegevens over het kind"),
    ({"child": {"first_name": "X", "last_name": "Y", "date_of_birth": None, "expected_birth_date": None}},
     "geboortedatum"),
    ({"desired_start": "morgen"}, "geen datum"),
    ({"applicant": {"first_name": "A", "last_name": "B", "email": "geen-adres", "phone": "", "street": "",
                    "postcode": "", "municipality": "", "language": "nl"}}, "geweigerd door de wachtlijst"),
])
def test_unmappable_request_is_kept_with_its_reason(ctx, location, change, reason, frozen_today):
    assert inbound.apply(ctx, loket_request(location_ref(location), **change)) == "unmapped"
    row = ctx.session.scalar(select(InboundRequest).where(InboundRequest.organisation_id == ctx.org.id))
    assert reason in inbound.reason_text(row.unmapped_reason) and row.payload["loket_request_id"] == "LK-1"
    assert _loket_requests(ctx) == []
    # a later, mappable version is applied
    assert inbound.apply(ctx, loket_request(location_ref(location), version=2)) == "created"
    assert ctx.session.get(InboundRequest, row.id).unmapped_reason is None


def test_request_of_another_partners_location_is_not_mapped_here(ctx, factory, location, frozen_today):
    other_org = factory.org(modules={"planning", "wachtlijst", "loket_sync"})
    foreign = factory.location(other_org)
    assert inbound.apply(ctx, loket_request(location_ref(foreign), preferences=[
        {"location_ref": location_ref(foreign), "rank": 1}])) == "unmapped"
    assert _loket_requests(ctx) == []


def test_pull_follows_the_cursor(ctx, location, frozen_today):
    from plugins.loket_sync.services import connection

    a = loket_request(location_ref(location))
    b = loket_request(location_ref(location), loket_request_id="LK-2",
                      child={"first_name": "Mats", "last_name": "Janssens", "date_of_birth": "2026-05-01",
                             "expected_birth_date": None})
    fake = Pages(RequestPage([a], "c1", True), RequestPage([b], "c2", False))
    assert inbound.pull(ctx, fake) == {"created": 2}
    assert fake.cursors == [None, "c1"] and connection.get(ctx).cursor == "c2"
    assert inbound.pull(ctx, Pages(RequestPage([], "c2", False))) == {}
    assert {r.external_id for r in _loket_requests(ctx)} == {"LK-1", "LK-2"}


def test_request_without_id_is_skipped_and_logged(ctx, location, frozen_today):
    bad = loket_request(location_ref(location), loket_request_id="")
    assert inbound.pull(ctx, Pages(RequestPage([bad], "c1", False))) == {"invalid": 1}
