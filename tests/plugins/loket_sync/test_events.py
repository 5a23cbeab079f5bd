"""What the loket hears about its own requests: offer, answer, placement (with the child's first
name and initial), and nothing about requests that did not come from it."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from core.context import context_for
from plugins.loket_sync.models import SyncEvent
from plugins.loket_sync.services import inbound
from plugins.loket_sync.services.outbox import location_ref
from plugins.wachtlijst.models import CareRequest
from plugins.wachtlijst.services import offers, placing
from tests.plugins.wachtlijst.helpers import make_request

from .test_inbound import loket_request


@pytest.fixture
def slot(location):
    return placing.Slot(location.id, 2027, 1, "0-12m", "ma-vr volle dag", free=1)


@pytest.fixture
def fixed_vacancies(monkeypatch, slot):
    def fake(ctx, *, start, months=12, location_ids=None):
        return [placing.Slot(slot.location_id, slot.year, slot.month, slot.age_band, slot.day_parts, 1)]

    monkeypatch.setattr(placing, "vacancies", fake)


def _events(session, org, event_type):
    return list(session.scalars(select(SyncEvent).where(SyncEvent.organisation_id == org.id,
                                                        SyncEvent.type == event_type).order_by(SyncEvent.id)))


def test_loket_request_offer_and_placement(ctx, session, org, location, slot, fixed_vacancies, frozen_today):
    inbound.apply(ctx, loket_request(location_ref(location), days=[{"day": d, "part": "full"}
                                                                   for d in ("mon", "tue", "wed", "thu", "fri")]))
    req = session.scalar(select(CareRequest).where(CareRequest.external_id == "LK-1"))
    offer = offers.make_offer(context_for(session, org), req, slot, actor=None)
    offers.accept(context_for(session, org), offer)
    statuses = [(e.aggregate_id, e.data["status"], e.sequence) for e in _events(session, org, "request.status")]
    assert statuses == [("LK-1", "offer_made", 1), ("LK-1", "accepted", 2), ("LK-1", "placed", 3)]
    first = _events(session, org, "request.status")[0]
    assert first.data["location"]["ref"] == location_ref(location) and first.data["start_date"]
    [placement] = _events(session, org, "placement.started")
    assert placement.data["loket_request_id"] == "LK-1"
    assert placement.data["child"] == {"first_name": "Lena", "initial": "P"}  # no last name, no birth date
    assert "Peeters" not in str([e.data for e in session.scalars(select(SyncEvent))])


def test_own_request_is_not_reported_and_its_child_stays_anonymous(ctx, session, org, location, slot,
                                                                   fixed_vacancies, frozen_today):
    req, _ = make_request(session, org, [location.id])
    offer = offers.make_offer(context_for(session, org), req, slot, actor=None)
    offers.accept(context_for(session, org), offer)
    assert _events(session, org, "request.status") == []
    [placement] = _events(session, org, "placement.started")
    assert placement.data["child"] is None and placement.data["loket_request_id"] is None


def test_ended_care_plan_is_a_placement_ended(ctx, session, org, location, factory, frozen_today):
    from datetime import date

    from plugins.planning.api import DayPlan, create_care_plan, end_care_plan

    child = factory.child(org, location=location, born=date(2025, 3, 1))
    plan_id = create_care_plan(ctx, child_id=child.id, location_id=location.id, start_date=date(2026, 12, 1),
                               days=[DayPlan(weekday=0, day_part="full")])
    end_care_plan(ctx, plan_id, end_date=date(2027, 3, 31))
    [ended] = _events(session, org, "placement.ended")
    assert ended.aggregate_id == str(plan_id) and ended.data["end_date"] == "2027-03-31" and ended.sequence == 2
