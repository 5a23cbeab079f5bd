"""The koepel-wide bulk path of occupancy and free places gives exactly what the code before it
gave (``reference_occupancy``, main 441fda4), on random partners: several organisations with group
care (age-limited living groups), family daycare homes (the 2027 cap) and out-of-school care, random
weekly / alternating / hours patterns, second versions, extra days, children with two plans,
closing periods and different start months. Both the per-organisation API and the
``*_of_partners`` calls are compared. Free places come as one row per run of months and age bands
with the same number: read per month and band (``api.per_month``) they are the reference's rows."""
from __future__ import annotations

import random
from datetime import date, time, timedelta

import pytest

from core.context import context_for
from core.models import CareType
from core.settings import set_setting
from core.values import Period
from plugins.planning import api
from plugins.planning.api import DayPlan, ScheduledDay
from tests.conftest import QueryCounter
from tests.plugins.planning import reference_occupancy as reference

PARTS = ("full", "full", "morning", "afternoon", "hours")


def monthly(rows) -> list[tuple]:
    """The free-place rows per month and age band, in one order (the reference gives them per
    month, the API per run of months)."""
    return sorted(tuple(v) for v in api.per_month(rows))


def reference_free(ctx, **kw) -> list[tuple]:
    return sorted(tuple(v) for v in reference.free_places(ctx, **kw))


def assert_collapsed(rows) -> None:
    """No month and band twice, and no row that could have run on into the next: a row with the
    same location, bands, pattern and places does not start the month after another ends."""
    flat = [(v.location_id, v.period, v.age_band, v.day_parts, v.last_minute) for v in api.per_month(rows)]
    assert len(flat) == len(set(flat))
    starts = {(v.location_id, v.age_bands, v.day_parts, v.free_places, v.period) for v in rows if not v.last_minute}
    assert not any((v.location_id, v.age_bands, v.day_parts, v.free_places, v.until.next()) in starts
                   for v in rows if not v.last_minute)
    assert all(v.free_places > 0 and v.age_bands and v.period <= v.until for v in rows)
    assert all(v.until == v.period for v in rows if v.last_minute)


def _days(rng: random.Random) -> list[DayPlan]:
    weekdays = sorted(rng.sample(range(5), rng.randint(1, 5)))
    week = rng.choice([None, None, None, "A", "B"])
    out = []
    for w in weekdays:
        part = rng.choice(PARTS)
        if part == "hours":
            start = rng.choice([7, 8, 9, 12, 13])
            out.append(DayPlan(w, "hours", time(start), time(min(start + rng.randint(2, 6), 18)), week))
        else:
            out.append(DayPlan(w, part, week=week))
    if week is not None:  # the other week too, sometimes
        other = "B" if week == "A" else "A"
        out += [DayPlan(w, "full", week=other) for w in sorted(rng.sample(range(5), rng.randint(0, 3)))]
    return out


def _partner(session, factory, rng: random.Random):
    org = factory.org(modules={"planning"})
    ctx = context_for(session, org)
    group = factory.location(org, places=rng.choice([10, 14, 18]), groups=2)
    babies, toddlers = group.living_groups
    babies.min_age_months, babies.max_age_months, babies.capacity = 0, 14, rng.randint(3, 8)
    toddlers.min_age_months, toddlers.max_age_months, toddlers.capacity = 15, 42, rng.randint(4, 10)
    home = factory.location(org, care_type=CareType.GEZINSOPVANG, places=8)
    school = factory.location(org, care_type=CareType.BUITENSCHOOLSE_OPVANG, places=rng.choice([20, 30]),
                              weekdays=range(rng.choice([5, 6])))
    session.flush()
    for _ in range(rng.randint(8, 16)):
        location = rng.choice([group, group, home, school])
        born = date(2026, 1, 1) + timedelta(days=rng.randint(-900, 330))
        if location is school:
            born -= timedelta(days=1100)
        child = factory.child(org, location=location, born=born)
        start = max(born + timedelta(days=90), date(2026, 9, 1) + timedelta(days=rng.randint(0, 200)))
        end = start + timedelta(days=rng.randint(60, 500)) if rng.random() < 0.4 else None
        try:
            plan = api.create_care_plan(ctx, child_id=child.id, location_id=location.id, start_date=start,
                                        end_date=end, days=_days(rng),
                                        living_group_id=rng.choice([None, None, toddlers.id]) if location is group
                                        else None)
            if rng.random() < 0.3:
                api.new_care_plan_version(ctx, plan, effective_date=start + timedelta(days=rng.randint(20, 120)),
                                          days=_days(rng))
            if rng.random() < 0.2:
                extra = start + timedelta(days=rng.randint(1, 60))
                if extra.weekday() < 5:
                    api.add_extra_day(ctx, plan, ScheduledDay(extra, rng.choice(["full", "morning"])))
            if rng.random() < 0.1:  # a second plan of the same child at the same location
                api.create_care_plan(ctx, child_id=child.id, location_id=location.id,
                                     start_date=start + timedelta(days=rng.randint(1, 90)), days=_days(rng))
        except api.PlanningError:
            continue  # the rules refused this one (over capacity, overlapping): fine, random data
    day = date(2026, 10, 1) + timedelta(days=rng.randint(0, 300))
    api.add_closing_period(ctx, start_date=day, end_date=day + timedelta(days=rng.randint(0, 10)), reason="zomer")
    day = date(2026, 12, 1) + timedelta(days=rng.randint(0, 200))
    api.add_closing_period(ctx, start_date=day, reason="brug", location_id=rng.choice([group, home]).id, kind="bridge")
    session.flush()
    return org


@pytest.mark.parametrize("seed", range(6))
def test_bulk_forecasts_equal_the_reference_on_random_partners(session, factory, frozen_today, seed):
    rng = random.Random(seed)
    orgs = [_partner(session, factory, rng) for _ in range(3)]
    contexts = [context_for(session, o) for o in orgs]
    for start in (Period(2026, 11), Period(2026, 12), Period(2027, rng.randint(1, 6))):
        months = rng.choice([1, 3, 12])
        many_cells = api.occupancy_of_partners(contexts, start=start, months=months)
        many_free = api.free_places_of_partners(contexts, start=start, months=months)
        for org, ctx in zip(orgs, contexts, strict=True):
            want_cells = reference.occupancy(ctx, start=start, months=months)
            want_free = reference_free(ctx, start=start, months=months)
            assert api.occupancy(ctx, start=start, months=months) == want_cells
            assert many_cells[org.id] == want_cells
            got = api.free_places(ctx, start=start, months=months)
            assert monthly(got) == want_free and want_free
            assert many_free[org.id] == got
            assert_collapsed(got)
            if months == 12:
                assert len(got) < len(want_free)  # the point of the rows: fewer than one per month and band
        one = [orgs[0].locations[0].id]
        assert (monthly(api.free_places(contexts[0], start=start, months=months, location_ids=one))
                == reference_free(contexts[0], start=start, months=months, location_ids=one))
        assert (monthly(api.free_places(contexts[0], start=start.first_day + timedelta(days=9), months=months))
                == reference_free(contexts[0], start=start.first_day + timedelta(days=9), months=months))


def test_a_koepel_wide_forecast_costs_the_same_statements_for_one_partner_as_for_four(session, factory,
                                                                                      frozen_today):
    rng = random.Random(7)
    orgs = [_partner(session, factory, rng) for _ in range(4)]
    counts = []
    for n in (1, 4):
        contexts = [context_for(session, o) for o in orgs[:n]]
        for ctx in contexts:
            ctx.settings  # noqa: B018 - read once, as a request's context holds them
        with QueryCounter(session.connection()) as q:
            api.occupancy_of_partners(contexts, start=Period(2026, 12), months=12)
            api.free_places_of_partners(contexts, start=Period(2026, 12), months=12)
        counts.append(q.count)
    assert counts[0] == counts[1]
    assert api.occupancy_of_partners([], start=Period(2026, 12)) == {}


def test_partners_of_a_koepel_wide_forecast_never_see_each_others_locations(session, factory, frozen_today):
    rng = random.Random(3)
    a, b = _partner(session, factory, rng), _partner(session, factory, rng)
    cells = api.occupancy_of_partners([context_for(session, a), context_for(session, b)], start=Period(2026, 12))
    assert {c.location_id for c in cells[a.id]} == {loc.id for loc in a.locations}
    assert {c.location_id for c in cells[b.id]} == {loc.id for loc in b.locations}


def test_last_minute_window_across_the_2027_family_cap_equals_the_reference(app, session, factory):
    """Today 20/12/2026: the last-minute weeks run into 2027, where a home takes at most 7 children
    instead of 8 (the capacity is the least over the window's open days, one rule set per stretch)."""
    from datetime import datetime

    from core.clock import BRUSSELS, app_clock

    app_clock().freeze(datetime(2026, 12, 21, 10, 0, tzinfo=BRUSSELS))
    try:
        rng = random.Random(11)
        orgs = [_partner(session, factory, rng) for _ in range(2)]
        for org in orgs:
            ctx = context_for(session, org)
            got = api.free_places(ctx, start=Period(2026, 12), months=2)
            assert monthly(got) == reference_free(ctx, start=Period(2026, 12), months=2)
            assert_collapsed(got)
            homes = {loc.id for loc in org.locations if loc.care_type == CareType.GEZINSOPVANG}
            last_minute = [v for v in got if v.last_minute and v.location_id in homes]
            assert last_minute and max(v.free_places for v in last_minute) <= 7
    finally:
        app_clock().freeze(None)


def test_partners_with_their_own_settings_counted_together_equal_the_reference(session, factory, frozen_today):
    """A koepel-wide call counts the partners with the same windows in one array: each keeps its
    own day-part split, age limit, ratio rule set and last-minute weeks (which gives it other
    windows, counted apart)."""
    rng = random.Random(11)
    orgs = [_partner(session, factory, rng) for _ in range(4)]
    for org, split, max_age, rules, weeks in zip(orgs, ("13:00", "09:00", "13:00", "16:30"), (36, 48, 30, 36),
                                                 ("auto", "kindratio_2015", "kindratio_2027", "auto"),
                                                 (4, 4, 4, 6), strict=True):
        set_setting(session, org, "planning.day_part_split", split)
        set_setting(session, org, "planning.max_age_months", max_age)
        set_setting(session, org, "planning.ratio_rule_set", rules)
        set_setting(session, org, "planning.last_minute_weeks", weeks)
    session.flush()
    contexts = [context_for(session, o) for o in orgs]
    many_cells = api.occupancy_of_partners(contexts, start=Period(2026, 12), months=12)
    many_free = api.free_places_of_partners(contexts, start=Period(2026, 12), months=12)
    for org, ctx in zip(orgs, contexts, strict=True):
        assert many_cells[org.id] == reference.occupancy(ctx, start=Period(2026, 12), months=12)
        want = reference_free(ctx, start=Period(2026, 12), months=12)
        assert monthly(many_free[org.id]) == want and want
