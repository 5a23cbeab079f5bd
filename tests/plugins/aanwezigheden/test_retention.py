"""Retention: attendance is use of the location (5 years); a child with a tap or an absence on or
after the cutoff is held, and an erased child's taps and rejected offline items go with it."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import func, select

from core.clock import BRUSSELS, app_clock
from core.context import context_for
from core.models import AuditEntry, Child
from core.retention import erase, plan
from plugins.aanwezigheden.models import (
    Absence,
    AbsenceKind,
    AttendanceEvent,
    EventKind,
    RejectedItem,
)

WRITTEN = datetime(2019, 6, 3, 10, 0, tzinfo=BRUSSELS)
TODAY = datetime(2026, 11, 18, 10, 0, tzinfo=BRUSSELS)  # cutoff 18/11/2021 with 5 years


def _tap(org, location, child, day, n):
    at = datetime(day.year, day.month, day.day, 8, 0, tzinfo=BRUSSELS)
    return AttendanceEvent(organisation_id=org.id, client_id=f"tap-{child.id}-{n}", location_id=location.id,
                           child_id=child.id, day=day, kind=EventKind.ARRIVAL, at=at, received_at=at)


def test_recent_attendance_holds_and_old_taps_go_with_the_child(factory, session, org, location):
    app_clock().freeze(WRITTEN)
    try:
        old = factory.child(org, location=location, born=date(2017, 9, 1), first_name="Vroeger")
        old_absence = Absence(organisation_id=org.id, child_id=old.id, location_id=location.id, day=date(2019, 6, 4),
                              kind=AbsenceKind.GERECHTVAARDIGD, note="koorts")
        tapped = factory.child(org, location=location, born=date(2017, 9, 1), first_name="Getikt")
        absent = factory.child(org, location=location, born=date(2017, 9, 1), first_name="Afwezig")
        session.add_all([
            _tap(org, location, old, date(2019, 6, 3), 1), old_absence,
            _tap(org, location, tapped, date(2019, 6, 3), 1),
            _tap(org, location, tapped, date(2022, 1, 10), 2),  # after the cutoff
            Absence(organisation_id=org.id, child_id=absent.id, location_id=location.id, day=date(2023, 5, 2),
                    kind=AbsenceKind.GERECHTVAARDIGD),
            RejectedItem(organisation_id=org.id, client_id="rej-1", location_id=location.id,
                         item_type="absence", payload={"child_id": old.id, "day": "2019-06-04"},
                         message="kind niet ingeschreven", received_at=WRITTEN),
        ])
        session.commit()
        app_clock().freeze(TODAY)
        planned = plan(context_for(session, org))
        assert old.id in planned.child_ids
        assert tapped.id not in planned.child_ids and absent.id not in planned.child_ids
        assert planned.held_children.get("aanwezigheden") == 2

        erase(context_for(session, org), planned)
        session.flush()
        children = set(session.scalars(select(Child.id).where(Child.organisation_id == org.id)))
        assert old.id not in children and {tapped.id, absent.id} <= children
        taps = session.execute(select(AttendanceEvent.child_id, func.count()).where(
            AttendanceEvent.organisation_id == org.id).group_by(AttendanceEvent.child_id)).all()
        assert dict(taps) == {tapped.id: 2}  # no orphaned tap of the erased child is left
        assert session.scalar(select(func.count(RejectedItem.id)).where(RejectedItem.organisation_id == org.id)) == 0
        [entry] = session.scalars(select(AuditEntry).where(AuditEntry.entity == "aanwezigheden_absence",
                                                           AuditEntry.entity_id == old_absence.id)).all()
        assert entry.changes is None and "koorts" not in entry.summary
    finally:
        app_clock().freeze(None)
