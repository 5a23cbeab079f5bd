"""Hypothesis properties of pattern expansion: the rrule-based expansion agrees with a day-by-day
brute force over leap years and DST change dates, alternating weeks keep their parity, and plan
versions that meet (also at month boundaries) neither lose nor double a day."""
from datetime import date, timedelta

from dateutil.relativedelta import relativedelta
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.context import context_for
from plugins.planning import api
from plugins.planning.services.expansion import (
    Block,
    PatternEntry,
    VersionSpec,
    expand,
    monday,
    week_letter,
)
from tests.plugins.planning.conftest import full_week

FULL = Block("full")
# around the leap days of 2024 and 2028 and the DST changes (last Sundays of March and October)
INTERESTING = [date(2024, 2, 28), date(2024, 3, 31), date(2024, 10, 27), date(2026, 3, 29), date(2026, 10, 25),
               date(2028, 2, 29), date(2028, 3, 26)]
days_st = st.one_of(st.dates(date(2023, 1, 1), date(2029, 12, 31)),
                    st.sampled_from(INTERESTING).flatmap(lambda d: st.integers(-10, 10).map(lambda n: d + timedelta(n))))
weekdays_st = st.sets(st.integers(0, 6), min_size=1, max_size=7)


def brute(lo, hi, keep):
    return [lo + timedelta(n) for n in range((hi - lo).days + 1) if keep(lo + timedelta(n))]


@given(days_st, st.integers(0, 120), weekdays_st)
def test_weekly_expansion_matches_brute_force(lo, length, weekdays):
    hi = lo + timedelta(length)
    spec = VersionSpec(lo, None, "weekly", None, tuple(PatternEntry(w, None, FULL) for w in sorted(weekdays)))
    assert [d for d, _ in expand(spec, lo, hi)] == brute(lo, hi, lambda d: d.weekday() in weekdays)


@given(days_st, st.integers(0, 120), weekdays_st, weekdays_st, days_st)
def test_alternating_weeks_keep_their_parity(lo, length, week_a, week_b, reference):
    hi = lo + timedelta(length)
    entries = tuple([PatternEntry(w, "A", FULL) for w in week_a] + [PatternEntry(w, "B", Block("morning"))
                                                                   for w in week_b])
    spec = VersionSpec(lo, None, "alternating", reference, entries)
    got = sorted((d, b.day_part) for d, b in expand(spec, lo, hi))
    want = sorted([(d, "full") for d in brute(lo, hi, lambda d: d.weekday() in week_a
                                              and week_letter(d, reference) == "A")]
                  + [(d, "morning") for d in brute(lo, hi, lambda d: d.weekday() in week_b
                                                   and week_letter(d, reference) == "B")])
    assert got == want
    for d, part in got:  # week A is the week of the reference date, weeks alternate
        assert ((monday(d) - monday(reference)).days // 7) % 2 == (0 if part == "full" else 1)


@given(days_st, st.lists(st.integers(1, 80), min_size=1, max_size=5), weekdays_st, st.booleans())
def test_versions_that_meet_neither_lose_nor_double_a_day(start, gaps, weekdays, at_month_start):
    cuts, moment = [], start
    for gap in gaps:
        moment = moment + timedelta(gap)
        if at_month_start:
            moment = moment.replace(day=1) + relativedelta(months=1)
        if moment > (cuts[-1] if cuts else start):
            cuts.append(moment)
    end = (cuts[-1] if cuts else start) + timedelta(40)
    bounds = [start, *cuts]
    entries = tuple(PatternEntry(w, None, FULL) for w in sorted(weekdays))
    versions = [VersionSpec(b, (bounds[i + 1] - timedelta(1)) if i + 1 < len(bounds) else None, "weekly", None,
                            entries) for i, b in enumerate(bounds)]
    days = [d for spec in versions for d, _ in expand(spec, start, end)]
    assert len(days) == len(set(days))
    assert sorted(days) == brute(start, end, lambda d: d.weekday() in weekdays)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.dates(date(2026, 1, 1), date(2028, 12, 1)), st.integers(1, 14), weekdays_st.map(lambda s: s - {5, 6})
       .filter(bool))
def test_stored_plan_versions_at_a_month_boundary_reserve_every_day_once(session, factory, org, location, start,
                                                                          months, weekdays):
    child = factory.child(org, location=location, born=start - timedelta(days=200))
    plan = api.create_care_plan(context_for(session, org), child_id=child.id, location_id=location.id, start_date=start,
                                days=full_week(sorted(weekdays)))
    boundary = start.replace(day=1) + relativedelta(months=months)
    api.new_care_plan_version(context_for(session, org), plan, effective_date=boundary, days=full_week(sorted(weekdays)))
    end = boundary + relativedelta(months=2)
    rows = api.reserved_days(context_for(session, org), start=start, end=end, child_ids=[child.id])
    closed = api.closing_days(context_for(session, org), location.id, start, end)
    days = [r.day for r in rows]
    assert len(days) == len(set(days))
    assert days == brute(start, end, lambda d: d.weekday() in weekdays and d not in closed)
