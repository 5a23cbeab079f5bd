"""Hypothesis properties of the fast paths of commit e9e0314 against plain reference code:
``age_in_months`` (no relativedelta) against relativedelta, ``weekly_dates`` (cached yearly rrule
series with a week parity counted from EPOCH_MONDAY) against a day-by-day walk with the old anchor
semantics (week A = the ISO week of the anchor), and the occupancy bit masks against the reserved
days of ``reserved_days``."""
from datetime import date, time, timedelta

from dateutil.relativedelta import relativedelta
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from core.context import context_for
from plugins.planning.services.care_plans import age_in_months
from plugins.planning.services.expansion import EPOCH_MONDAY, monday, weekly_dates

# month ends, leap days and year ends are where a month count can go wrong
EDGES = [date(y, m, d) for y in (2023, 2024, 2025, 2027, 2028) for m, d in
         ((1, 28), (1, 29), (1, 30), (1, 31), (2, 28), (3, 30), (3, 31), (4, 30), (5, 31), (12, 31))] + [
    date(2024, 2, 29), date(2028, 2, 29), date(2000, 2, 29), date(2100, 2, 28)]
edge_days = st.one_of(st.sampled_from(EDGES),
                      st.sampled_from(EDGES).flatmap(lambda d: st.integers(-3, 3).map(lambda n: d + timedelta(n))),
                      st.dates(date(1995, 1, 1), date(2105, 12, 31)))


def reference_age(birth: date, day: date) -> int:
    delta = relativedelta(day, birth)
    return delta.years * 12 + delta.months


@given(edge_days, st.one_of(st.integers(0, 400), st.integers(0, 2200)))
@example(date(2025, 1, 31), 28)   # 31/1 -> 28/2: one month (the month end clips)
@example(date(2025, 1, 31), 58)   # 31/1 -> 30/3: still one month
@example(date(2024, 2, 29), 365)  # 29/2/2024 -> 28/2/2025: twelve months
@example(date(2024, 2, 29), 366)  # 29/2/2024 -> 1/3/2025
@example(date(2024, 3, 31), 30)   # 31/3 -> 30/4
@example(date(2023, 12, 31), 60)  # across a year end into a leap February
def test_age_in_months_agrees_with_relativedelta(birth, offset):
    day = birth + timedelta(offset)
    assert age_in_months(birth, day) == reference_age(birth, day)


@given(edge_days, edge_days)
def test_age_in_months_on_edge_pairs(a, b):
    birth, day = min(a, b), max(a, b)
    assert age_in_months(birth, day) == reference_age(birth, day)


def reference_weekly(lo: date, hi: date, weekdays, interval: int, anchor: date | None) -> list[date]:
    """The old semantics, day by day: every ``interval``-th week counted from the week of the
    anchor (week A), weeks starting on Monday."""
    base = monday(anchor or lo)
    out, day = [], lo
    while day <= hi:
        if day.weekday() in weekdays and ((monday(day) - base).days // 7) % interval == 0:
            out.append(day)
        day += timedelta(1)
    return out


# around year ends (week 53 years 2020 and 2026, a year starting on a Monday 2024) and far from the epoch
YEAR_ENDS = [date(y, 12, 31) for y in (1999, 2000, 2019, 2020, 2023, 2024, 2025, 2026, 2027, 2031)]
range_start = st.one_of(st.dates(date(1998, 1, 1), date(2035, 12, 31)),
                        st.sampled_from(YEAR_ENDS).flatmap(lambda d: st.integers(-20, 20).map(lambda n: d + timedelta(n))))
anchors = st.one_of(st.none(), st.dates(date(1990, 1, 1), date(2040, 12, 31)),
                    st.sampled_from(YEAR_ENDS).flatmap(lambda d: st.integers(-10, 10).map(lambda n: d + timedelta(n))))


@settings(max_examples=300)
@given(range_start, st.integers(0, 800), st.sets(st.integers(0, 6), min_size=1), st.sampled_from([1, 2]), anchors)
@example(date(2026, 12, 20), 30, {0, 4}, 2, date(2026, 12, 28))  # week 53 of 2026 is week A
@example(date(2020, 12, 25), 20, {3}, 2, date(2021, 1, 1))       # anchor on a Friday of the straddling week
@example(date(2000, 12, 25), 14, {0}, 2, date(1999, 12, 27))     # anchor before EPOCH_MONDAY
def test_weekly_dates_match_the_anchor_semantics_across_year_ends(lo, length, weekdays, interval, anchor):
    hi = lo + timedelta(length)
    expected = reference_weekly(lo, hi, weekdays, interval, anchor)
    assert weekly_dates(lo, hi, tuple(sorted(weekdays)), interval, anchor) == expected


@given(st.dates(date(1990, 1, 1), date(2040, 12, 31)))
def test_epoch_is_a_monday_and_parity_is_a_property_of_the_week(anchor):
    assert EPOCH_MONDAY.weekday() == 0
    same_week = [monday(anchor) + timedelta(n) for n in range(7)]
    hi = monday(anchor) + timedelta(27)
    results = {tuple(weekly_dates(monday(anchor), hi, (0, 1, 2, 3, 4, 5, 6), 2, a)) for a in same_week}
    assert len(results) == 1  # any day of the anchor's week gives the same week A


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.dates(date(2025, 12, 1), date(2027, 1, 31)), st.lists(
    st.tuples(st.integers(0, 4), st.sampled_from(["morning", "afternoon", "full", "h1", "h2"]),
              st.sampled_from([None, "A", "B"])), min_size=1, max_size=6))
def test_occupancy_masks_count_the_same_day_parts_as_reserved_days(session, factory, org, location, start, raw):
    """The bit-mask occupancy against a count straight from reserved_days (one child, one plan)."""
    from core.values import Period
    from plugins.planning import api
    from plugins.planning.services.expansion import Block, halves

    hours = {"h1": (time(8), time(12, 30)), "h2": (time(12, 30), time(17))}
    days, seen = [], set()
    for weekday, part, week in raw:  # one entry per weekday (a weekday of week A, B or every week)
        if weekday in seen:
            continue
        seen.add(weekday)
        s, e = hours.get(part, (None, None))
        days.append(api.DayPlan(weekday, "hours" if part in hours else part, s, e, week))
    child = factory.child(org, location=location, born=start - timedelta(days=300))
    api.create_care_plan(context_for(session, org), child_id=child.id, location_id=location.id, start_date=start, days=days)
    first = Period.of(start)
    cells = api.occupancy(context_for(session, org), start=first, months=3, location_ids=[location.id])
    rows = api.reserved_days(context_for(session, org), start=first.first_day, end=cells[-1].period.last_day,
                             location_id=location.id)  # every child so far: examples share the session
    union: dict[tuple[int, date], set] = {}
    for r in rows:
        union.setdefault((r.child_id, r.day), set()).update(halves(Block(r.day_part, r.start, r.end), time(13)))
    per_month: dict[tuple[int, int], int] = {}
    for (_child, day), parts in union.items():
        per_month[(day.year, day.month)] = per_month.get((day.year, day.month), 0) + len(parts)
    assert [c.reserved_day_parts for c in cells] == [per_month.get((c.period.year, c.period.month), 0)
                                                     for c in cells]


@settings(max_examples=50)
@given(range_start, st.integers(0, 120), anchors)
def test_alternating_sundays_do_not_depend_on_the_calendar_first_weekday(lo, length, anchor):
    """rrule counts weeks from its ``wkst``, by default calendar.firstweekday(): weeks must start
    on Monday even when a process sets Sunday as the first weekday."""
    import calendar

    from plugins.planning.services.expansion import _year_series

    hi = lo + timedelta(length)
    previous = calendar.firstweekday()
    calendar.setfirstweekday(calendar.SUNDAY)
    _year_series.cache_clear()
    try:
        got = weekly_dates(lo, hi, (0, 6), 2, anchor)
    finally:
        calendar.setfirstweekday(previous)
        _year_series.cache_clear()
    assert got == reference_weekly(lo, hi, {0, 6}, 2, anchor)
