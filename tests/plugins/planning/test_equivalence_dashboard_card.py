"""What the dashboard card computes in a shorter way gives what the longer way gave, on the random
partners of ``test_equivalence_rule_warnings`` (alternating weeks, second versions, extra days,
custom schedules, two plans of a child, closing periods, weekdays without opening hours):

* today's expected children per location with ``peaks.children_on`` (the day's weekday and week
  letter per version) instead of expanding every plan for the day with ``iter_reserved``;
* the next closing day with ``closing_days.next_closing_day`` instead of the first day of the
  closing calendars of all locations over a year."""
from __future__ import annotations

import random
from collections import defaultdict
from datetime import date, datetime, timedelta

import pytest

from core.clock import BRUSSELS, app_clock
from core.context import context_for
from core.settings import set_setting
from plugins.planning import api
from plugins.planning.api import DayPlan, ScheduledDay
from plugins.planning.services.bulk_plans import load_location_plans
from plugins.planning.services.closing_days import (
    calendar_of,
    closing_calendar,
    closing_periods,
    next_closing_day,
)
from plugins.planning.services.peaks import children_on
from plugins.planning.services.reservations import iter_reserved, opening_hours
from tests.plugins.planning.test_equivalence_rule_warnings import _partner


def _expanded(plans, day, hours, closed) -> dict[int, set[int]]:
    out: dict[int, set[int]] = defaultdict(set)
    for plan, _day, _block, _extra in iter_reserved(plans, day, day, hours, closed):
        out[plan.location_id].add(plan.child_id)
    return dict(out)


@pytest.mark.parametrize("seed", range(4))
def test_children_on_equals_the_expansion_on_random_partners(app, session, factory, seed):
    rng = random.Random(seed)
    try:
        app_clock().freeze(datetime(2026, 11, 18, 10, 0, tzinfo=BRUSSELS))
        org = _partner(session, factory, rng)
        ctx = context_for(session, org)
        ids = [loc.id for loc in org.locations]
        first, last = date(2026, 9, 1), date(2027, 8, 31)
        plans = load_location_plans(session, org, first, last, ids)
        hours = opening_hours(ctx, ids)
        closed = closing_calendar(ctx, ids, first, last)
        counted = 0
        day = first
        while day <= last:
            want = _expanded(plans, day, hours, closed)
            assert dict(children_on(plans, day, hours, closed)) == want, day
            counted += sum(len(c) for c in want.values())
            day += timedelta(days=1)
        assert counted  # the partner has children on many days
        assert any(v.kind == "custom" for p in plans for v in p.versions)  # shift work is in it
        assert any(p.extras for p in plans)
    finally:
        app_clock().freeze(None)


def test_alternating_weeks_extra_day_and_closed_weekday(app, session, factory):
    """Week A on Monday, week B on Tuesday; an extra Wednesday; nobody on a closing day or on a
    weekday the location does not open."""
    try:
        app_clock().freeze(datetime(2026, 11, 18, 10, 0, tzinfo=BRUSSELS))
        org = factory.org(modules={"planning"})
        home = factory.location(org, places=8)
        ctx = context_for(session, org)
        kid = factory.child(org, location=home, born=date(2025, 6, 1))
        plan = api.create_care_plan(ctx, child_id=kid.id, location_id=home.id, start_date=date(2026, 11, 30),
                                    days=[DayPlan(0, "full", week="A"), DayPlan(1, "full", week="B")])
        api.add_extra_day(ctx, plan, ScheduledDay(date(2026, 12, 2), "morning"))
        api.add_closing_period(ctx, start_date=date(2026, 12, 8), reason="brug", location_id=home.id, kind="bridge")
        session.flush()
        plans = load_location_plans(session, org, date(2026, 11, 30), date(2026, 12, 13), [home.id])
        hours = opening_hours(ctx, [home.id])
        closed = closing_calendar(ctx, [home.id], date(2026, 11, 30), date(2026, 12, 13))
        days = [date(2026, 11, 30) + timedelta(days=i) for i in range(14)]

        def present(hours, closed):
            return [d for d in days if children_on(plans, d, hours, closed).get(home.id)]

        assert present(hours, closed) == [date(2026, 11, 30), date(2026, 12, 2)]  # Mon A, the extra Wednesday
        assert present(hours, {}) == [date(2026, 11, 30), date(2026, 12, 2), date(2026, 12, 8)]  # Tue B
        del hours[home.id][0]  # closed on Mondays: week A's Monday is not counted
        assert present(hours, closed) == [date(2026, 12, 2)]
    finally:
        app_clock().freeze(None)


def _first_of_calendars(ctx, ids, today: date):
    """What the card did before: the first (day, reason) of every location's calendar of a year."""
    year = today + timedelta(days=366)
    return min({(d, c.reason) for per in closing_calendar(ctx, ids, today, year).values() for d, c in per.items()},
               default=None)


@pytest.mark.parametrize("seed", range(3))
def test_next_closing_day_equals_the_first_of_the_calendars(app, session, factory, seed):
    rng = random.Random(seed)
    try:
        app_clock().freeze(datetime(2026, 11, 18, 10, 0, tzinfo=BRUSSELS))
        org = _partner(session, factory, rng)
        ctx = context_for(session, org)
        ids = [loc.id for loc in org.locations]
        # a location's own closure on the day of an organisation-wide one, with another reason
        shared = date(2027, 3, 1) + timedelta(days=rng.randint(0, 20))
        api.add_closing_period(ctx, start_date=shared, end_date=shared + timedelta(days=2), reason="zz team")
        api.add_closing_period(ctx, start_date=shared, reason="aa verbouwing", location_id=ids[0])
        session.flush()
        for holidays in (True, False):
            set_setting(session, org, "planning.public_holidays_closed", holidays)
            ctx = context_for(session, org)
            assert bool(ctx.setting("planning.public_holidays_closed")) is holidays
            for today in [date(2026, 11, 18), date(2026, 12, 24), shared - timedelta(days=1), shared,
                          shared + timedelta(days=1), date(2027, 12, 31)]:
                year = today + timedelta(days=366)
                periods = closing_periods(ctx, ids, today, year)
                got = next_closing_day(periods, holidays, ids, today, year)
                assert got == _first_of_calendars(ctx, ids, today), (holidays, today)
                assert calendar_of(periods, holidays, ids, today, year) == closing_calendar(ctx, ids, today, year)
                for scope in ([ids[0]], ids[1:]):  # one location's own reason, or only the organisation's
                    assert next_closing_day(closing_periods(ctx, scope, today, year), holidays, scope, today,
                                            year) == _first_of_calendars(ctx, scope, today)
        ctx = context_for(session, org)
        today = shared
        year = today + timedelta(days=366)
        assert next_closing_day(closing_periods(ctx, ids, today, year), False, ids, today, year) \
            == (shared, "aa verbouwing")
        assert next_closing_day(closing_periods(ctx, ids[1:], today, year), False, ids[1:], today, year) \
            == (shared, "zz team")
    finally:
        app_clock().freeze(None)


def test_no_closing_day_within_the_range(app, session, factory, org, location):
    ctx = context_for(session, org)
    day = date(2027, 5, 3)
    assert next_closing_day([], False, [location.id], day, day + timedelta(days=10)) is None
    # the next public holiday after 3 May 2027 is Ascension day, 6 May
    assert next_closing_day([], True, [location.id], day, day + timedelta(days=10))[0] == date(2027, 5, 6)
    assert next_closing_day([], True, [location.id], day, day + timedelta(days=2)) is None
    assert next_closing_day(closing_periods(ctx, [location.id], day, day), True, [], day, day) is None
