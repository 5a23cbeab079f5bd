"""Property tests of the pure pricing rules (domain-rules §1.4, §1.6, §2.4): IKT day parts from the
minutes, never above the maximum for an absence, never billed respijt/justified/closing/own
children, free-price plans per started hour or half hour."""
from __future__ import annotations

import math
from datetime import date, time
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from plugins.aanwezigheden.api import AbsenceKind, BillableDay, category_for
from plugins.facturatie.models import LineKind, PlanMode
from plugins.facturatie.services.pricing import PlanPrice, Rules, price_day

DAY = date(2026, 11, 16)
PRICES = st.decimals(min_value=Decimal("0"), max_value=Decimal("60"), places=2)
MINUTES = st.integers(min_value=1, max_value=14 * 60)


def bday(*, minutes=0, reserved_minutes=0, present=True, absence=None, billable=True, own_child=False,
         uncounted=0, late=0, recorded=True) -> BillableDay:
    reg = category_for(minutes, out_of_school=False) if present else None
    res = category_for(reserved_minutes, out_of_school=False) if reserved_minutes else None
    return BillableDay(child_id=1, location_id=1, day=DAY, reserved=bool(reserved_minutes), present=present,
                       category=reg or res, counted_minutes=minutes if present else 0, uncounted_minutes=uncounted,
                       absence=absence, absence_reason="", absence_recorded=recorded, own_child=own_child,
                       out_of_school=False, late_pickup_minutes=late, open_stay=False, offline=False,
                       fo_bucket=None, billable=billable and not own_child, care_plan_id=1, family_id=1,
                       reserved_day_part="hours" if reserved_minutes else None,
                       reserved_start=time(8) if reserved_minutes else None, reserved_end=None,
                       reserved_minutes=reserved_minutes, reserved_category=res, registered_category=reg)


@given(minutes=MINUTES, price=PRICES)
def test_ikt_day_part_follows_the_hours(minutes, price):
    [priced] = price_day(bday(minutes=minutes), rules=Rules(ikt=True), attest_price=price)
    expected = Decimal("0.6") if minutes < 300 else Decimal("1")
    assert priced.kind == LineKind.CARE
    assert priced.day.fraction == expected
    assert priced.day.amount == (price * expected).quantize(Decimal("0.01"))
    assert priced.day.rule == ("ikt.half" if minutes < 300 else "ikt.full" if minutes < 660 else "ikt.flex")


@given(minutes=MINUTES, reserved=MINUTES, price=PRICES)
def test_ikt_bills_at_least_what_was_reserved(minutes, reserved, price):
    [priced] = price_day(bday(minutes=minutes, reserved_minutes=reserved), rules=Rules(ikt=True), attest_price=price)
    longest = max(minutes, reserved)
    assert priced.day.fraction == (Decimal("0.6") if longest < 300 else Decimal("1"))


@given(minutes=MINUTES, uncounted=st.integers(min_value=0, max_value=600), price=PRICES,
       hour_price=st.decimals(min_value=Decimal("0.01"), max_value=Decimal("20"), places=2),
       flex=st.booleans())
def test_outside_hours_only_without_flex_subsidy(minutes, uncounted, price, hour_price, flex):
    rules = Rules(ikt=True, outside_hours_price=hour_price)
    priced = price_day(bday(minutes=minutes, uncounted=uncounted), rules=rules, attest_price=price, flex_location=flex)
    extra = [p for p in priced if p.day.rule == "ikt.outside_hours"]
    beyond = uncounted + max(0, minutes - 660)
    if flex or beyond == 0:
        assert extra == []  # a flex location may charge no surcharge (§1.4)
    else:
        [e] = extra
        assert e.day.fraction == math.ceil(beyond / 60)


@given(price=PRICES, maximum=st.decimals(min_value=Decimal("1"), max_value=Decimal("40"), places=2),
       fee=st.decimals(min_value=Decimal("0"), max_value=Decimal("200"), places=2),
       mode=st.sampled_from(["day_price", "fixed", "none"]), reserved=MINUTES)
def test_absence_fee_never_above_the_maximum_under_ikt(price, maximum, fee, mode, reserved):
    rules = Rules(ikt=True, maximum=maximum, absence_fee_mode=mode, absence_fee=fee)
    [priced] = price_day(bday(present=False, reserved_minutes=reserved, absence=AbsenceKind.ONGERECHTVAARDIGD),
                         rules=rules, attest_price=price)
    assert priced.kind == LineKind.ABSENCE_FEE
    assert Decimal(0) <= priced.day.amount <= maximum


@given(kind=st.sampled_from([AbsenceKind.RESPIJT, AbsenceKind.GERECHTVAARDIGD, AbsenceKind.SLUITING]),
       price=PRICES, reserved=MINUTES)
def test_respijt_justified_and_closing_never_billed(kind, price, reserved):
    [priced] = price_day(bday(present=False, reserved_minutes=reserved, absence=kind, billable=False),
                         rules=Rules(ikt=True), attest_price=price)
    assert priced.day.amount == 0 and priced.day.rule == f"not_billed.{kind.value}"


@given(minutes=MINUTES, price=PRICES)
def test_own_child_never_billed(minutes, price):
    assert price_day(bday(minutes=minutes, own_child=True), rules=Rules(ikt=True), attest_price=price) == []


@given(minutes=MINUTES)
def test_no_attest_bills_the_maximum_with_its_rule(minutes):
    [priced] = price_day(bday(minutes=minutes), rules=Rules(ikt=True, maximum=Decimal("30")), attest_price=None)
    assert priced.day.rule == "no_attest.maximum" and priced.day.day_price == Decimal("30")


@given(minutes=MINUTES, price=st.decimals(min_value=Decimal("0.5"), max_value=Decimal("15"), places=2),
       mode=st.sampled_from([PlanMode.HOUR, PlanMode.HALF_HOUR]))
def test_free_price_per_started_hour_or_half_hour(minutes, price, mode):
    plan = PlanPrice(mode, hour=price)
    [priced] = price_day(bday(minutes=minutes), rules=Rules(ikt=False), plan=plan)
    unit = 60 if mode == PlanMode.HOUR else 30
    assert priced.day.fraction == math.ceil(minutes / unit)
    assert priced.day.amount == (price * math.ceil(minutes / unit)).quantize(Decimal("0.01"))


@given(late=st.integers(min_value=1, max_value=240), period=st.integers(min_value=1, max_value=60),
       fee=st.decimals(min_value=Decimal("0.01"), max_value=Decimal("20"), places=2))
def test_late_pickup_fee_per_started_period(late, period, fee):
    priced = price_day(bday(minutes=400, late=late), rules=Rules(ikt=True, late_fee=fee, late_period=period),
                       attest_price=Decimal("10"))
    [fine] = [p for p in priced if p.kind == LineKind.FINE]
    assert fine.day.fraction == math.ceil(late / period)
