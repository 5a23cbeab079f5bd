"""The pure counting rules behind the billing contract (no database)."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta

from hypothesis import given
from hypothesis import strategies as st

from core.clock import BRUSSELS
from plugins.aanwezigheden.models import AbsenceKind
from plugins.aanwezigheden.services.rules import (
    DayCategory,
    Interval,
    Reservation,
    category_for,
    compute_day,
    counted_minutes,
    fo_bucket,
    is_out_of_school,
    merge,
)

DAY = date(2026, 11, 18)


def at(h, m=0, day=DAY):
    return datetime.combine(day, time(h, m), tzinfo=BRUSSELS)


def day(**kw):
    base = dict(child_id=1, location_id=1, day=DAY, intervals=[], reservation=None, absence=None, own_child=False,
                flex_location=False, out_of_school=False, closes=time(18, 30))
    base.update(kw)
    return compute_day(**base)


def test_category_boundaries():
    assert category_for(0, out_of_school=False) is None
    assert category_for(299, out_of_school=False) == DayCategory.HALF
    assert category_for(300, out_of_school=False) == DayCategory.FULL
    assert category_for(659, out_of_school=False) == DayCategory.FULL
    assert category_for(660, out_of_school=False) == DayCategory.FLEX
    assert category_for(179, out_of_school=False) == DayCategory.HALF  # 1/3 day only for out-of-school care
    assert category_for(179, out_of_school=True) == DayCategory.THIRD
    assert category_for(180, out_of_school=True) == DayCategory.HALF


def test_only_06_to_20_counts_without_flex():
    counted, outside = counted_minutes([(at(5, 0), at(21, 0))], DAY, flex=False)
    assert (counted, outside) == (14 * 60, 120)
    counted, outside = counted_minutes([(at(5, 0), at(21, 0))], DAY, flex=True)
    assert (counted, outside) == (16 * 60, 0)


def test_overlapping_stays_are_not_counted_twice():
    assert merge([(at(8), at(12)), (at(11), at(13)), (at(14), at(15))]) == [(at(8), at(13)), (at(14), at(15))]
    assert counted_minutes([(at(8), at(12)), (at(11), at(13))], DAY, flex=False) == (300, 0)


def test_fo_bucket_without_flex_reports_full_day():
    assert fo_bucket(DayCategory.FLEX, flex_location=False) == "min11u"
    assert fo_bucket(DayCategory.FLEX, flex_location=True) == "min11uFlex"
    assert fo_bucket(DayCategory.HALF, flex_location=False) == "min5u"
    assert fo_bucket(DayCategory.THIRD, flex_location=False) == "min3u"


def test_out_of_school_from_school_start_or_three_and_a_half():
    kw = dict(bo_location=True, school_start=None, day=DAY)
    assert is_out_of_school(birth_date=date(2023, 5, 18), **kw)  # exactly 42 months
    assert not is_out_of_school(birth_date=date(2023, 5, 19), **kw)
    assert is_out_of_school(birth_date=date(2024, 1, 1), bo_location=True, school_start=date(2026, 9, 1), day=DAY)
    assert not is_out_of_school(birth_date=date(2020, 1, 1), bo_location=False, school_start=None, day=DAY)


def test_present_half_day_is_billable_at_60_percent():
    row = day(intervals=[Interval(at(8), at(12, 59))], reservation=Reservation("full", time(8), time(17)))
    assert row.present and row.billable and row.category == DayCategory.HALF
    assert row.counted_minutes == 299 and str(row.ikt_fraction) == "0.60"
    assert row.fo_bucket == "min5u" and not row.late_pickup


def test_eleven_hours_is_flex_with_night_hours_uncounted():
    row = day(intervals=[Interval(at(5, 30), at(18, 0))])
    assert row.category == DayCategory.FLEX and row.counted_minutes == 720 and row.uncounted_minutes == 30
    assert row.fo_bucket == "min11u"  # no flex subsidy
    assert not row.reserved and row.billable  # an extra day


def test_late_pickup_after_closing_with_grace():
    row = day(intervals=[Interval(at(8), at(18, 45))], closes=time(18, 30))
    assert row.late_pickup_minutes == 15
    row = day(intervals=[Interval(at(8), at(18, 45))], closes=time(18, 30), late_grace_minutes=15)
    assert row.late_pickup_minutes == 0
    row = day(intervals=[Interval(at(8), at(18, 46))], closes=time(18, 30), late_grace_minutes=15)
    assert row.late_pickup_minutes == 16


def test_open_stay_runs_to_closing_and_is_flagged():
    row = day(intervals=[Interval(at(8), None)], closes=time(18, 30))
    assert row.open_stay and row.counted_minutes == 630 and row.category == DayCategory.FULL


def test_absences_by_kind():
    res = Reservation("full", time(8), time(17))
    assert day(reservation=res, absence=(AbsenceKind.RESPIJT, "")).billable is False
    assert day(reservation=res, absence=(AbsenceKind.GERECHTVAARDIGD, "ziekte")).absence_reason == "ziekte"
    unjust = day(reservation=res, absence=(AbsenceKind.ONGERECHTVAARDIGD, ""))
    assert unjust.billable and unjust.category == DayCategory.FULL and unjust.fo_bucket == "min11u"
    unrecorded = day(reservation=res)
    assert unrecorded.absence == AbsenceKind.ONGERECHTVAARDIGD and not unrecorded.absence_recorded
    assert day(reservation=Reservation("morning"), absence=(AbsenceKind.RESPIJT, "")).category == DayCategory.HALF
    assert day(reservation=res, absence=(AbsenceKind.SLUITING, "")).billable is False
    assert day() is None  # neither reserved, present nor absent


def test_own_child_counts_but_is_never_billed():
    row = day(intervals=[Interval(at(8), at(17))], own_child=True)
    assert row.present and not row.billable
    assert day(reservation=Reservation("full"), own_child=True).billable is False


minutes = st.integers(min_value=0, max_value=23 * 60)


@given(start=minutes, length=st.integers(min_value=1, max_value=16 * 60), flex=st.booleans())
def test_counted_never_exceeds_presence_and_splits_it(start, length, flex):
    begin = at(0) + timedelta(minutes=start)
    end = begin + timedelta(minutes=length)
    counted, outside = counted_minutes([(begin, end)], DAY, flex=flex)
    assert counted + outside == length
    assert 0 <= counted <= (length if flex else min(length, 14 * 60))


@given(a=minutes, b=minutes, bo=st.booleans())
def test_category_is_monotonic(a, b, bo):
    order = [None, DayCategory.THIRD, DayCategory.HALF, DayCategory.FULL, DayCategory.FLEX]
    lo, hi = sorted((a, b))
    assert order.index(category_for(lo, out_of_school=bo)) <= order.index(category_for(hi, out_of_school=bo))
