from datetime import date

from core.context import context_for
from plugins.planning import api
from tests.plugins.planning.conftest import full_week


def test_create_and_reserve(session, org, location, child, family):
    plan_id = api.create_care_plan(context_for(session, org), child_id=child.id, location_id=location.id,
                                   start_date=date(2026, 1, 5), days=full_week(), family_id=family.id)
    days = api.reserved_days(context_for(session, org), start=date(2026, 1, 1), end=date(2026, 1, 31))
    assert {d.care_plan_id for d in days} == {plan_id}
    assert len(days) == 20
    assert api.respite_entitlement(context_for(session, org), child.id, 2026) > 0
    assert api.expected_children(context_for(session, org), location.id, date(2026, 1, 6))[0].child_id == child.id
    assert api.occupancy(context_for(session, org), start=api.Period(2026, 1), months=2)
    assert api.free_places(context_for(session, org), start=date(2026, 1, 1), months=2)
    assert api.half_hour_profile(context_for(session, org), location.id, date(2026, 1, 6))
    assert api.check_plan_change(context_for(session, org), location_id=location.id, start_date=date(2026, 1, 1),
                                 days=full_week())
