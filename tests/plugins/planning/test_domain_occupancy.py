"""Occupancy, free places (age bands that move as children age, last minute) and query counts."""
import dataclasses
from datetime import date, datetime, time

import pytest

from core.clock import BRUSSELS, app_clock
from core.context import context_for
from core.values import Period
from plugins.planning import api
from plugins.planning.api import DayPlan
from tests.conftest import QueryCounter
from tests.plugins.planning.conftest import full_week


def _plan(session, org, child, location, days, start=date(2026, 1, 5), **kw):
    return api.create_care_plan(context_for(session, org), child_id=child.id, location_id=location.id, start_date=start,
                                days=days, **kw)


def test_occupancy_counts_day_parts_against_places_open_days_and_closing_days(session, factory, org, location):
    _plan(session, org, factory.child(org, location=location), location, full_week())
    _plan(session, org, factory.child(org, location=location), location, [DayPlan(0, "morning")])
    _plan(session, org, factory.child(org, location=location), location,
          [DayPlan(2, "hours", time(8), time(12)), DayPlan(4, "hours", time(11), time(15))])
    jan, feb = api.occupancy(context_for(session, org), start=Period(2026, 1), months=2)
    # January 2026: 22 weekdays, 1/1 is a holiday -> 21 open days; 18 places x 2 day parts x 21
    assert jan.available_day_parts == 18 * 2 * 21
    # child 1: 20 full days from 5/1 = 40; child 2: 4 Monday mornings; child 3: 4 Wednesdays x 1 + 4 Fridays x 2
    assert jan.reserved_day_parts == 40 + 4 + 4 + 8
    assert jan.rate == jan.reserved_day_parts / jan.available_day_parts
    assert (feb.period, feb.available_day_parts) == (Period(2026, 2), 18 * 2 * 20)


def test_free_places_per_pattern_and_month(session, factory, org, location, frozen_today):
    _plan(session, org, factory.child(org, location=location), location, full_week(), start=date(2026, 12, 1))
    _plan(session, org, factory.child(org, location=location), location, [DayPlan(0, "morning")],
          start=date(2026, 12, 1))
    rows = api.per_month(api.free_places(context_for(session, org), start=Period(2026, 12), months=2))
    dec = {(v.age_band, v.day_parts): v.free_places for v in rows if v.period == Period(2026, 12)
           and not v.last_minute}
    assert dec[("0-12m", "ma-vr volle dag")] == 16  # Monday mornings: 2 of 18 taken
    assert dec[("0-12m", "ma-vr namiddag")] == 17
    assert dec[("12-24m", "di volle dag")] == 17
    assert {band for band, _ in dec} == {"0-12m", "12-24m", "24-36m", "36-48m"}
    jan = {(v.age_band, v.day_parts): v.free_places for v in rows if v.period == Period(2027, 1)}
    assert jan[("0-12m", "ma-vr volle dag")] == 16
    last = [v for v in rows if v.last_minute]
    assert last and {v.period for v in last} == {Period(2026, 11)}
    assert {(v.age_band, v.day_parts, v.free_places) for v in last} >= {("0-12m", "ma-vr volle dag", 16)}


def test_free_place_rows_keep_their_field_names_and_stay_immutable(session, factory, org, location, frozen_today):
    """The consumers (wachtlijst, reports, loket_sync) read the rows by field name: a named tuple
    keeps those names, compares and hashes by value and cannot be changed. One row stands for the
    months and age bands with the same free places; ``per_month`` gives one per month and band."""
    _plan(session, org, factory.child(org, location=location), location, full_week(), start=date(2026, 12, 1))
    rows = api.free_places(context_for(session, org), start=Period(2026, 12), months=3, location_ids=[location.id])
    row = next(v for v in rows if not v.last_minute)
    bands = ("0-12m", "12-24m", "24-36m", "36-48m")
    assert (row.location_id, row.period, row.until, row.age_bands, row.day_parts, row.free_places,
            row.last_minute) == (location.id, Period(2026, 12), Period(2027, 2), bands, "ma-vr volle dag", 17, False)
    assert row == api.Vacancy(location.id, Period(2026, 12), Period(2027, 2), bands, "ma-vr volle dag", 17, False)
    assert len({row, api.Vacancy(*row)}) == 1
    assert row.months() == [Period(2026, 12), Period(2027, 1), Period(2027, 2)]
    with pytest.raises(AttributeError):
        row.free_places = 3
    assert not dataclasses.is_dataclass(row) and row._fields == (
        "location_id", "period", "until", "age_bands", "day_parts", "free_places", "last_minute")
    monthly = [v for v in api.per_month(rows) if v.day_parts == "ma-vr volle dag" and not v.last_minute]
    assert [(v.period, v.age_band) for v in monthly] == [(p, b) for p in row.months() for b in bands]
    assert monthly[0] == api.MonthVacancy(location.id, Period(2026, 12), "0-12m", "ma-vr volle dag", 17, False)
    assert monthly[0]._fields == ("location_id", "period", "age_band", "day_parts", "free_places", "last_minute")


def test_a_month_with_other_free_places_starts_a_new_row(session, factory, org, location, frozen_today):
    """A plan from February on: December and January share a row, February has its own."""
    _plan(session, org, factory.child(org, location=location), location, full_week(), start=date(2027, 2, 1))
    rows = [v for v in api.free_places(context_for(session, org), start=Period(2026, 12), months=3,
                                       location_ids=[location.id])
            if v.day_parts == "ma-vr volle dag" and not v.last_minute]
    assert [(v.period, v.until, v.free_places) for v in rows] == [
        (Period(2026, 12), Period(2027, 1), 18), (Period(2027, 2), Period(2027, 2), 17)]
    assert api.per_month([]) == []


def test_free_places_by_age_follow_children_as_they_grow(session, factory, org, frozen_today):
    location = factory.location(org, places=10, groups=2)
    babies, toddlers = location.living_groups
    babies.min_age_months, babies.max_age_months, babies.capacity = 0, 12, 4
    toddlers.min_age_months, toddlers.max_age_months, toddlers.capacity = 12, 42, 6
    session.flush()
    baby = factory.child(org, location=location, born=date(2026, 6, 10))
    _plan(session, org, baby, location, full_week(), start=date(2026, 12, 1))
    rows = api.per_month(api.free_places(context_for(session, org), start=Period(2026, 12), months=7))

    def free(period, band):
        return next((v.free_places for v in rows if v.period == period and v.age_band == band
                     and v.day_parts == "ma-vr volle dag" and not v.last_minute), 0)

    assert free(Period(2026, 12), "0-12m") == 3 and free(Period(2026, 12), "12-24m") == 6
    # born 10/6/2026: 12 months until 9/7/2027 -> still a baby; from August 2027 a toddler
    assert free(Period(2027, 6), "0-12m") == 3
    rows = api.per_month(api.free_places(context_for(session, org), start=Period(2027, 8), months=1))
    assert free(Period(2027, 8), "0-12m") == 4 and free(Period(2027, 8), "12-24m") == 5


def _make_children(session, factory, org, location, n):
    for i in range(n):
        child = factory.child(org, location=location)
        days = full_week() if i % 2 else [DayPlan(0, "morning", week="A"), DayPlan(3, "full", week="B")]
        _plan(session, org, child, location, days)


def _count(session, fn):
    with QueryCounter(session.connection()) as counter:
        result = fn()
    return counter.count, result


def test_query_counts_do_not_grow_with_the_number_of_children(session, factory, org, location):
    other = factory.location(org, places=30)
    _make_children(session, factory, org, location, 3)
    _make_children(session, factory, org, other, 2)
    calls = {
        "reserved_days": lambda: api.reserved_days(context_for(session, org), start=date(2026, 1, 1), end=date(2026, 12, 31)),
        "occupancy": lambda: api.occupancy(context_for(session, org), start=Period(2026, 1)),
        "free_places": lambda: api.free_places(context_for(session, org), start=Period(2026, 1)),
        "expected_children": lambda: api.expected_children(context_for(session, org), other.id, date(2026, 1, 8)),
        "half_hour_profile": lambda: api.half_hour_profile(context_for(session, org), other.id, date(2026, 1, 8)),
    }
    session.expire_all()
    small = {name: _count(session, fn) for name, fn in calls.items()}
    _make_children(session, factory, org, other, 25)
    session.expire_all()
    large = {name: _count(session, fn) for name, fn in calls.items()}
    for name in calls:
        assert large[name][0] == small[name][0], name
        assert len(large[name][1]) >= len(small[name][1]), name
    assert len(large["reserved_days"][1]) > len(small["reserved_days"][1])
    assert small["occupancy"][0] <= 12


def test_last_minute_window_is_a_setting(session, factory, org, location):
    from core.settings import set_setting

    app_clock().freeze(datetime(2026, 11, 30, 9, 0, tzinfo=BRUSSELS))
    try:
        set_setting(session, org, "planning.last_minute_weeks", 6)
        rows = [v for v in api.free_places(context_for(session, org), start=Period(2026, 12), months=1) if v.last_minute]
        assert rows and rows[0].period == Period(2026, 11)
    finally:
        app_clock().freeze(None)


def test_a_child_that_changes_living_group_counts_in_each_group_for_its_own_plan(session, factory, org,
                                                                                 frozen_today):
    location = factory.location(org, places=10, groups=2)
    babies, toddlers = location.living_groups
    babies.min_age_months, babies.max_age_months, babies.capacity = 0, 12, 4
    toddlers.min_age_months, toddlers.max_age_months, toddlers.capacity = 12, 42, 6
    session.flush()
    child = factory.child(org, location=location, born=date(2026, 2, 1))
    _plan(session, org, child, location, full_week(), start=date(2026, 12, 1), end_date=date(2027, 2, 28),
          living_group_id=babies.id)
    _plan(session, org, child, location, full_week(), start=date(2027, 3, 1), living_group_id=toddlers.id)
    rows = api.per_month(api.free_places(context_for(session, org), start=Period(2026, 12), months=4))

    def free(period, band):
        return next(v.free_places for v in rows if v.period == period and v.age_band == band
                    and v.day_parts == "ma-vr volle dag" and not v.last_minute)

    assert (free(Period(2026, 12), "0-12m"), free(Period(2026, 12), "12-24m")) == (3, 6)  # in the babies' group
    assert (free(Period(2027, 3), "0-12m"), free(Period(2027, 3), "12-24m")) == (4, 5)   # moved to the toddlers


def test_last_minute_places_cover_the_next_four_weeks_by_default(session, factory, org, frozen_today):
    """Today is 18/11/2026: the window runs to 15/12/2026 inclusive (4 weeks)."""
    location = factory.location(org, places=1)
    child = factory.child(org, location=location)
    _plan(session, org, child, location, full_week(), start=date(2026, 12, 16))
    last = [v for v in api.free_places(context_for(session, org), start=Period(2026, 11), months=1) if v.last_minute]
    assert {(v.day_parts, v.free_places) for v in last} >= {("ma-vr volle dag", 1)}
    session.rollback()
    child = factory.child(org, location=location)
    _plan(session, org, child, location, [DayPlan(1, "full")], start=date(2026, 12, 15))  # the window's last day
    last = {v.day_parts for v in api.free_places(context_for(session, org), start=Period(2026, 11), months=1) if v.last_minute}
    assert "ma-vr volle dag" not in last and "di volle dag" not in last and "ma volle dag" in last
