"""Property: whatever order tablets synchronise in, the same arrival counts (the earliest)."""
from __future__ import annotations

from datetime import datetime, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from core.clock import BRUSSELS, app_clock
from core.context import context_for
from core.models import Child, Location
from plugins.aanwezigheden.models import AttendanceEvent, EventStatus
from plugins.aanwezigheden.services.devices import pair_device
from plugins.aanwezigheden.services.registrations import register
from tests.plugins.aanwezigheden.conftest import db_org

BASE = datetime(2026, 11, 18, 7, 30, tzinfo=BRUSSELS)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(offsets=st.lists(st.integers(min_value=0, max_value=25), min_size=2, max_size=4),
       order=st.randoms(use_true_random=False))
def test_earliest_arrival_counts_in_any_sync_order(session, factory, org, location, planning, offsets, order):
    app_clock().freeze(BASE + timedelta(hours=2))
    o = db_org(session, org)
    savepoint = session.begin_nested()
    try:
        kid = Child(organisation_id=o.id, first_name="Prop", last_name="Kind", date_of_birth=BASE.date().replace(year=2025),
                    location_id=location.id)
        session.add(kid)
        session.flush()
        devices = [pair_device(context_for(session, o), session.get(Location, location.id), f"T{i}", actor_id=None)[0]
                   for i in range(len(offsets))]
        items = [(f"c{i}-{kid.id}", devices[i], BASE + timedelta(minutes=m)) for i, m in enumerate(offsets)]
        shuffled = list(items)
        order.shuffle(shuffled)
        for client_id, device, at in shuffled:
            register(context_for(session, o), device, client_id=client_id, child_id=kid.id, kind="arrival", client_at=at,
                     offline=True, keep_rejected=True)
        session.expire_all()
        accepted = list(session.scalars(select(AttendanceEvent).where(
            AttendanceEvent.child_id == kid.id, AttendanceEvent.status == EventStatus.ACCEPTED)))
        expected = min(items, key=lambda x: (x[2], x[0]))
        assert [e.client_id for e in accepted] == [expected[0]]
        others = session.scalars(select(AttendanceEvent.status).where(AttendanceEvent.child_id == kid.id,
                                                                      AttendanceEvent.client_id != expected[0]))
        assert set(others) <= {EventStatus.DUPLICATE}
    finally:
        savepoint.rollback()
