"""``Period``'s month arithmetic without relativedelta (forecasts ask it hundreds of times a call)
gives what relativedelta gives."""
from __future__ import annotations

from datetime import date

from dateutil.relativedelta import relativedelta
from hypothesis import given
from hypothesis import strategies as st

from core.values import Period


@given(st.dates(date(1900, 1, 1), date(2200, 11, 30)))
def test_last_day_and_next_month_are_relativedeltas(day):
    period = Period.of(day)
    assert period.last_day == period.first_day + relativedelta(months=1, days=-1)
    assert period.next() == Period.of(period.first_day + relativedelta(months=1))


def test_through_lists_the_months_up_to_and_including_the_last():
    assert Period(2026, 11).through(Period(2027, 2)) == [Period(2026, 11), Period(2026, 12), Period(2027, 1),
                                                          Period(2027, 2)]
    assert Period(2026, 11).through(Period(2026, 11)) == [Period(2026, 11)]
    assert Period(2026, 11).through(Period(2026, 10)) == []
