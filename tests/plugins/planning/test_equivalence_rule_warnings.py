"""The per-pattern counting of the 2027 family daycare warnings (``upcoming_rule_warnings``, and
the dashboard card that loads the same data with today's plans) gives exactly what the day-by-day
sweep before it gave (``reference_rule_warnings``, main b0bc80a), on random homes: opening hours
that differ per weekday (a day part's times follow them, one Wednesday opening after the
morning/afternoon split), licences of 3, 4, 8 or none, full days, half days and hours that overlap or
touch, alternating weeks, second versions, extra days, custom schedules, two plans of one child,
own children, homes of the same name, closing periods and several "today"s and horizons."""
from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta

import pytest

from core.clock import BRUSSELS, app_clock
from core.context import context_for
from core.models import CareType
from plugins.planning import api
from plugins.planning.api import DayPlan, ScheduledDay
from plugins.planning.services.bulk_plans import load_location_plans
from plugins.planning.services.capacity import rule_horizon, rule_warnings
from plugins.planning.services.closing_days import closing_calendar
from plugins.planning.services.settings import day_part_split
from tests.plugins.planning import reference_rule_warnings as reference

PARTS = ("full", "full", "morning", "afternoon", "hours", "hours")


def _days(rng: random.Random) -> list[DayPlan]:
    weekdays = sorted(rng.sample(range(5), rng.randint(1, 5)))
    week = rng.choice([None, None, None, "A", "B"])
    out = []
    for w in weekdays:
        part = rng.choice(PARTS)
        if part == "hours":
            start = rng.choice([7, 8, 9, 12, 13, 14])
            out.append(DayPlan(w, "hours", time(start, rng.choice([0, 30])), time(min(start + rng.randint(1, 6), 18)),
                               week))
        else:
            out.append(DayPlan(w, part, week=week))
    if week is not None:
        other = "B" if week == "A" else "A"
        out += [DayPlan(w, rng.choice(["full", "afternoon"]), week=other)
                for w in sorted(rng.sample(range(5), rng.randint(0, 3)))]
    return out


def _home(factory, org, rng: random.Random, name: str):
    home = factory.location(org, name=name, care_type=CareType.GEZINSOPVANG, places=rng.choice([3, 4, 8, None]),
                            opens=time(rng.choice([6, 7]), rng.choice([0, 30])), closes=time(18, 0))
    for hours in home.opening_hours:
        if hours.weekday == 2 and rng.random() < 0.5:  # Wednesday: from noon, or only after the split
            hours.opens = rng.choice([time(12, 0), time(13, 30)])
        if hours.weekday == 4 and rng.random() < 0.5:
            hours.closes = time(16, 0)
    return home


def _partner(session, factory, rng: random.Random):
    org = factory.org(modules={"planning"})
    ctx = context_for(session, org)
    homes = [_home(factory, org, rng, name) for name in ("Onthaal Anna", "Onthaal Bart", "Onthaal Bart")]
    group = factory.location(org, places=18)  # group care is never listed
    session.flush()
    for _ in range(rng.randint(30, 44)):
        location = rng.choice([*homes, *homes, *homes, group])
        child = factory.child(org, location=location, born=date(2025, 1, 1) + timedelta(days=rng.randint(0, 500)))
        start = date(2026, 9, 1) + timedelta(days=rng.randint(0, 240))
        end = start + timedelta(days=rng.randint(20, 300)) if rng.random() < 0.4 else None
        try:
            if rng.random() < 0.08:  # shift work
                schedule = [ScheduledDay(start + timedelta(days=i), rng.choice(["full", "morning"]))
                            for i in range(0, 60, rng.choice([1, 2, 3])) if (start + timedelta(days=i)).weekday() < 2]
                api.create_care_plan(ctx, child_id=child.id, location_id=location.id, start_date=start, days=[],
                                     schedule=schedule, end_date=start + timedelta(days=70))
                continue
            plan = api.create_care_plan(ctx, child_id=child.id, location_id=location.id, start_date=start,
                                        end_date=end, days=_days(rng), own_child=rng.random() < 0.1)
            if rng.random() < 0.3:
                api.new_care_plan_version(ctx, plan, effective_date=start + timedelta(days=rng.randint(10, 150)),
                                          days=_days(rng))
            if rng.random() < 0.25:
                extra = start + timedelta(days=rng.randint(1, 120))
                if extra.weekday() < 5:
                    api.add_extra_day(ctx, plan, ScheduledDay(extra, rng.choice(["full", "morning", "afternoon"])))
            if rng.random() < 0.1:  # a second plan of the same child at the same home
                api.create_care_plan(ctx, child_id=child.id, location_id=location.id,
                                     start_date=start + timedelta(days=rng.randint(1, 90)), days=_days(rng))
        except api.PlanningError:
            continue  # refused by the rules (hours outside opening hours, overlap): fine, random data
    day = date(2027, 1, 1) + timedelta(days=rng.randint(0, 150))
    api.add_closing_period(ctx, start_date=day, end_date=day + timedelta(days=rng.randint(0, 10)), reason="zomer")
    day = date(2027, 1, 1) + timedelta(days=rng.randint(0, 150))
    api.add_closing_period(ctx, start_date=day, reason="brug", location_id=rng.choice(homes).id, kind="bridge")
    session.flush()
    return org


def _dashboard_path(ctx, today: date, months: int):
    """What the dashboard card does: the scope's locations, plans from today loaded once."""
    horizon = rule_horizon(ctx, today, months)
    if horizon is None:
        return []
    locations = ctx.org.locations
    ids = [loc.id for loc in locations]
    plans = load_location_plans(ctx.session, ctx.org, today, horizon.last, ids)
    hours = {loc.id: {h.weekday: (h.opens, h.closes) for h in loc.opening_hours} for loc in locations}
    return rule_warnings(horizon, [loc for loc in locations if loc.care_type == CareType.GEZINSOPVANG], plans,
                         hours, closing_calendar(ctx, ids, today, horizon.last), day_part_split(ctx))


@pytest.mark.parametrize("seed", range(6))
def test_rule_warnings_equal_the_reference_on_random_homes(app, session, factory, seed):
    rng = random.Random(seed)
    try:
        app_clock().freeze(datetime(2026, 11, 18, 10, 0, tzinfo=BRUSSELS))
        orgs = [_partner(session, factory, rng) for _ in range(2)]
        found = 0
        for moment in (datetime(2026, 11, 18, 10, 0), datetime(2026, 12, 21, 9, 0), datetime(2026, 12, 31, 9, 0)):
            app_clock().freeze(moment.replace(tzinfo=BRUSSELS))
            for org in orgs:
                ctx = context_for(session, org)
                today = ctx.today()
                for months in (0, 1, 2, 6, 12):
                    want = reference.upcoming_rule_warnings(ctx, today, months)
                    assert api.upcoming_rule_warnings(ctx, months=months) == want
                    assert _dashboard_path(ctx, today, months) == want
                    found += len(want)
        assert found  # the data do break the 2027 cap
    finally:
        app_clock().freeze(None)


def test_touching_and_degenerate_blocks_follow_the_sweep(app, session, factory):
    """A child leaving at 13:00 and one arriving at 13:00 are not at the same time; a morning on a
    Wednesday opening at 13:30 (after the split) counts as the sweep counts it."""
    try:
        app_clock().freeze(datetime(2026, 11, 18, 10, 0, tzinfo=BRUSSELS))
        org = factory.org(modules={"planning"})
        home = factory.location(org, name="Onthaal Lies", care_type=CareType.GEZINSOPVANG, places=8)
        ctx = context_for(session, org)
        for part in ["morning"] * 4 + ["afternoon"] * 4 + ["full"] * 4:
            kid = factory.child(org, location=home, born=date(2025, 6, 1))
            api.create_care_plan(ctx, child_id=kid.id, location_id=home.id, start_date=date(2026, 12, 1),
                                 days=[DayPlan(d, part) for d in range(5)])
        want = reference.upcoming_rule_warnings(ctx, ctx.today(), 3)
        got = api.upcoming_rule_warnings(ctx, months=3)
        assert got == want and {w.children for w in got} == {8}
        for hours in home.opening_hours:
            if hours.weekday == 2:
                hours.opens = time(13, 30)
        session.flush()
        want = reference.upcoming_rule_warnings(ctx, ctx.today(), 3)
        assert api.upcoming_rule_warnings(ctx, months=3) == want
        # the four mornings end (13:00) before they start (13:30): the sweep takes them off, then on
        assert {w.children for w in want if w.day.weekday() == 2} == {8}
    finally:
        app_clock().freeze(None)
