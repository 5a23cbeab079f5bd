"""check_plan_change: warnings before saving (capacity, ratio vs planned staff, living group, closing day)."""
from datetime import date, time

from core.context import context_for
from plugins.planning import api
from plugins.planning.services.profile import add_staff_shift
from tests.plugins.planning.conftest import full_week

MON = date(2026, 1, 5)


def _fill(session, factory, org, location, n, group=None, days=None):
    ids = []
    for _ in range(n):
        child = factory.child(org, location=location)
        ids.append(api.create_care_plan(context_for(session, org), child_id=child.id, location_id=location.id, start_date=MON,
                                        days=days or full_week(), living_group_id=group))
    return ids


def test_no_warnings_when_there_is_room(session, org, location, child):
    assert api.check_plan_change(context_for(session, org), location_id=location.id, start_date=MON, days=full_week(),
                                 child_id=child.id) == []


def test_capacity_exceeded_lists_dates_and_half_hours(session, factory, org):
    location = factory.location(org, places=2)
    _fill(session, factory, org, location, 2, days=full_week([0, 1]))
    warnings = api.check_plan_change(context_for(session, org), location_id=location.id, start_date=MON,
                                     days=[api.DayPlan(0, "morning"), api.DayPlan(2, "full")], horizon_days=14)
    assert [w.code for w in warnings] == ["capacity", "day_part_full"]  # the morning 07:00-13:00 lasts 6 h
    assert warnings[0].dates == (MON, date(2026, 1, 12))
    assert warnings[0].slots[0] == "07:00" and "12:30" in warnings[0].slots and "13:00" not in warnings[0].slots
    assert "2 vergunde plaatsen" in warnings[0].message and "05/01/2026" in warnings[0].message


def test_changing_a_plan_does_not_count_it_twice(session, factory, org):
    location = factory.location(org, places=1)
    (plan_id,) = _fill(session, factory, org, location, 1)
    assert api.check_plan_change(context_for(session, org), location_id=location.id, start_date=date(2026, 2, 2),
                                 days=full_week([0, 1]), care_plan_id=plan_id) == []


def test_ratio_needs_more_staff_than_planned(session, factory, org, location):
    for weekday in range(5):
        add_staff_shift(context_for(session, org), location_id=location.id, weekday=weekday, start=time(7), end=time(18, 30),
                        caregivers=1)
    _fill(session, factory, org, location, 8, days=[api.DayPlan(0, "hours", time(9), time(16))])
    warnings = api.check_plan_change(context_for(session, org), location_id=location.id, start_date=MON,
                                     days=[api.DayPlan(0, "hours", time(8), time(10))], horizon_days=7)
    assert [(w.code, w.dates, w.slots) for w in warnings] == [("ratio", (MON,), ("09:00", "09:30"))]
    half_hours = api.half_hour_profile(context_for(session, org), location.id, MON)
    assert {(s.start, s.children, s.staff_needed, s.staff_planned) for s in half_hours if s.start == time(9)} == {
        (time(9), 8, 1, 1)}


def test_living_group_over_18(session, factory, org):
    location = factory.location(org, places=40)
    group = location.living_groups[0]
    group.capacity = None
    session.flush()
    _fill(session, factory, org, location, 18, group=group.id)
    warnings = api.check_plan_change(context_for(session, org), location_id=location.id, start_date=MON, days=full_week([0]),
                                     living_group_id=group.id, horizon_days=7)
    assert [w.code for w in warnings] == ["living_group"]
    assert "meer dan 18 kinderen" in warnings[0].message


def test_start_on_a_closing_day_warns(session, org, location, child):
    warnings = api.check_plan_change(context_for(session, org), location_id=location.id, start_date=date(2026, 11, 11),
                                     days=full_week(), child_id=child.id)
    assert [w.code for w in warnings] == ["closing_day"]
    assert "Wapenstilstand" in warnings[0].message
    plan_id = api.create_care_plan(context_for(session, org), child_id=child.id, location_id=location.id, start_date=MON,
                                   days=full_week())
    # a new version may take effect on a closing day (e.g. a monthly shift schedule from 1 January)
    assert api.check_plan_change(context_for(session, org), location_id=location.id, start_date=date(2027, 1, 1),
                                 days=full_week([0]), child_id=child.id, care_plan_id=plan_id) == []


def test_family_daycare_max_8_then_7_from_2027(session, factory, org):
    from core.models import CareType

    home = factory.location(org, care_type=CareType.GEZINSOPVANG, places=8)
    _fill(session, factory, org, home, 7)
    ok = api.check_plan_change(context_for(session, org), location_id=home.id, start_date=date(2026, 12, 28),
                               days=full_week([0]), horizon_days=7)
    assert ok == []
    later = api.check_plan_change(context_for(session, org), location_id=home.id, start_date=date(2027, 1, 4),
                                  days=full_week([0]), horizon_days=7)
    assert [w.code for w in later] == ["capacity"] and "7 kinderen tegelijk" in later[0].message
