"""Hypothesis properties of the respijtdagen pro-rata rule (services.respite.pro_rata)."""
from datetime import date, timedelta
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from plugins.planning.services.expansion import Block, PatternEntry, VersionSpec
from plugins.planning.services.respite import pro_rata, round_days

RULES = ["up_half", "down_half", "nearest", "none"]


def spec(start, end, n_days):
    return VersionSpec(start, end, "weekly", None, tuple(PatternEntry(w, None, Block("full")) for w in range(n_days)))


@given(st.integers(2020, 2030), st.sampled_from(RULES))
def test_full_time_full_year_is_exactly_18(year, rule):
    assert pro_rata(18, [spec(date(year, 1, 1), None, 5)], date(year, 1, 1), None, year, rule) == 18


@given(st.integers(2020, 2030), st.integers(0, 4), st.sampled_from(RULES), st.integers(0, 364), st.integers(0, 400))
def test_monotone_in_days_per_week(year, fewer, rule, offset, length):
    start = date(year, 1, 1) + timedelta(offset)
    end = start + timedelta(length)
    low = pro_rata(18, [spec(start, end, fewer)], start, end, year, rule)
    high = pro_rata(18, [spec(start, end, fewer + 1)], start, end, year, rule)
    assert low <= high


@given(st.integers(2020, 2030), st.integers(1, 5), st.sampled_from(RULES), st.integers(1, 12), st.integers(0, 11))
def test_monotone_in_months(year, n_days, rule, start_month, extra):
    start = date(year, start_month, 1)
    shorter = date(year, min(12, start_month + extra), 28)
    longer = date(year, 12, 31)
    a = pro_rata(18, [spec(start, shorter, n_days)], start, shorter, year, rule)
    b = pro_rata(18, [spec(start, longer, n_days)], start, longer, year, rule)
    assert a <= b <= 18


@given(st.decimals(min_value=0, max_value=40, places=4))
def test_rounding_rules(value):
    up, down = round_days(value, "up_half"), round_days(value, "down_half")
    nearest, none = round_days(value, "nearest"), round_days(value, "none")
    assert down <= value <= up and up - down <= Decimal("0.5")
    assert (up * 2) % 1 == 0 and (down * 2) % 1 == 0
    assert nearest % 1 == 0 and abs(nearest - value) <= Decimal("0.5")
    assert abs(none - value) <= Decimal("0.005")


@given(st.integers(2020, 2030), st.integers(1, 5), st.sampled_from(RULES))
def test_pro_rata_is_days_over_five_times_18(year, n_days, rule):
    value = pro_rata(18, [spec(date(year, 1, 1), None, n_days)], date(year, 1, 1), None, year, rule)
    assert value == round_days(Decimal(18) * n_days / 5, rule)
