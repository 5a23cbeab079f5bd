"""The dashboard card counts today's expected children per location with ``peaks.children_on``
(the day's weekday and week letter per version) instead of expanding every plan for the day with
``iter_reserved``: both give the same children on every day, on the random partners of
``test_equivalence_rule_warnings`` (alternating weeks, second versions, extra days, custom
schedules, two plans of a child, closing periods, weekdays without opening hours)."""
from __future__ import annotations

import random
from collections import defaultdict
from datetime import date, datetime, timedelta

import pytest

from core.clock import BRUSSELS, app_clock
from core.context import context_for
from plugins.planning import api
from plugins.planning.api import DayPlan, ScheduledDay
from plugins.planning.services.bulk_plans import load_location_plans
from plugins.planning.services.closing_days import closing_calendar
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
