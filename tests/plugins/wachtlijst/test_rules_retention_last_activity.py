"""A waiting-list request's retention counts from its last activity, not its submission (issue 10
item 8; decree art. 24, domain rules §3.2: request data are kept 5 years)."""
from __future__ import annotations

from datetime import date, datetime, timedelta

from core.clock import BRUSSELS, app_clock
from core.context import context_for
from plugins.wachtlijst.models import StatusChange
from plugins.wachtlijst.services import privacy
from tests.plugins.wachtlijst.helpers import make_request


def freeze(day: date):
    app_clock().freeze(datetime.combine(day, datetime.min.time(), tzinfo=BRUSSELS) + timedelta(hours=10))


def test_period_counts_from_the_last_activity(session, org, location):
    """Three requests submitted on 29 February 2020 (leap day): one untouched, one edited on
    3 March 2023, one with a status change on 10 January 2024. On 2 March 2026 only the untouched
    one is past 5 years; the edited one goes on 4 March 2028, the other on 11 January 2029."""
    freeze(date(2020, 2, 29))
    quiet, _ = make_request(session, org, [location.id], email="stil@example.be", desired_start=date(2020, 9, 1),
                            child_birth_date=date(2020, 1, 1))
    edited, _ = make_request(session, org, [location.id], email="bewerkt@example.be",
                             desired_start=date(2020, 9, 1), child_birth_date=date(2020, 1, 2))
    moved, _ = make_request(session, org, [location.id], email="status@example.be", desired_start=date(2020, 9, 1),
                            child_birth_date=date(2020, 1, 3))
    freeze(date(2023, 3, 3))
    edited.notes = "telefonisch bevestigd"
    session.flush()
    freeze(date(2024, 1, 10))
    session.add(StatusChange(organisation_id=org.id, request_id=moved.id, old_status=moved.status.value,
                             new_status=moved.status.value, actor_label="systeem", reason="herbevestigd"))
    session.flush()

    freeze(date(2026, 3, 2))
    assert privacy.anonymise(context_for(session, org), dry_run=True) == [quiet.id]
    freeze(date(2028, 3, 3))
    assert privacy.anonymise(context_for(session, org), dry_run=True) == [quiet.id]
    freeze(date(2028, 3, 4))
    assert privacy.anonymise(context_for(session, org), dry_run=True) == [quiet.id, edited.id]
    freeze(date(2029, 1, 11))
    assert privacy.anonymise(context_for(session, org), dry_run=True) == [quiet.id, edited.id, moved.id]
