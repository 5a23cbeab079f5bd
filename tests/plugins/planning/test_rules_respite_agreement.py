"""Respijtdagen to the letter of the rules (domain-rules §2.4 and §2.7, Opgroeien model agreement
[P8]): used only on days the agreement reserves and that are not closing days, counted and used
per agreement (co-parenting: per household), per calendar year."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import func, select

from core.context import build_context, context_for
from core.models import ChildFamily, PriceRegime
from core.settings import set_setting
from plugins.planning import api
from plugins.planning.models import RespiteUse
from tests.plugins.planning.conftest import full_week


def _uses(session) -> int:
    return session.scalar(select(func.count()).select_from(RespiteUse))


def _plan(session, org, child, location, days, start=date(2026, 1, 1), **kw):
    return api.create_care_plan(context_for(session, org), child_id=child.id, location_id=location.id, start_date=start,
                                days=full_week(days), **kw)


def _free_price(session, org, days_full_time):
    org.price_regime = PriceRegime.VRIJE_PRIJS
    set_setting(session, org, "planning.respite_days_full_time", days_full_time)
    session.flush()


def test_respite_only_on_a_day_the_agreement_reserves(session, org, location, child):
    """§2.4: a respijtdag excuses a reserved day ("bestellen is betalen"); a day the agreement does
    not reserve costs nothing, so nothing is used and the outcome says so."""
    plan = _plan(session, org, child, location, [0, 1, 2])  # Mon-Wed
    ctx = build_context(session, org)
    thursday = api.book_respite_day(ctx, child.id, date(2026, 3, 5))
    assert (thursday.booked, thursday.reason) == (False, "not_reserved")
    assert "geen opvang gereserveerd" in thursday.message and _uses(session) == 0
    monday = api.book_respite_day(ctx, child.id, date(2026, 3, 2))
    assert (monday.booked, monday.reason, monday.care_plan_id) == (True, "booked", plan)
    again = api.book_respite_day(ctx, child.id, date(2026, 3, 2))
    assert (again.booked, again.reason) == (True, "already_booked") and _uses(session) == 1


def test_no_respite_on_closing_days_collective_closure_or_public_holiday(session, org, location, child):
    """§2.7 and §2.4 [P8]: reserved days on closing days are not charged, so no respijtdag is used
    on them: a collective closure, and a public holiday (11 November 2026, a Wednesday)."""
    _plan(session, org, child, location, range(5))
    api.add_closing_period(context_for(session, org), start_date=date(2026, 7, 20), end_date=date(2026, 7, 31),
                           reason="Zomersluiting")
    ctx = build_context(session, org)
    closure = api.book_respite_day(ctx, child.id, date(2026, 7, 21))
    assert (closure.booked, closure.reason) == (False, "closing_day") and "Zomersluiting" in closure.message
    holiday = api.book_respite_day(ctx, child.id, date(2026, 11, 11))
    assert (holiday.booked, holiday.reason) == (False, "closing_day")
    assert api.use_respite_day(context_for(session, org), child.id, date(2026, 11, 11)) is False  # the old entry point too
    assert _uses(session) == 0


def test_co_parenting_each_household_uses_only_its_own_agreement(session, factory, org, location, family, child):
    """§2.1 and §2.4 [P8]: co-parenting gives two agreements; the number of respijtdagen is stated
    per agreement, so one household never uses the other's days. Free price, 5 days a year for
    full time: Mon-Tue (household A) and Thu-Fri (household B) each get 5 × 2/5 = 2."""
    _free_price(session, org, 5)
    other = factory.family(org)
    session.add(ChildFamily(organisation_id=org.id, child_id=child.id, family_id=other.id))
    a = _plan(session, org, child, location, [0, 1], family_id=family.id)
    b = _plan(session, org, child, location, [3, 4], family_id=other.id)
    ctx = build_context(session, org)
    assert api.book_respite_day(ctx, child.id, date(2026, 3, 2)).care_plan_id == a  # Monday: A
    assert api.book_respite_day(ctx, child.id, date(2026, 3, 3)).booked  # Tuesday: A
    third = api.book_respite_day(ctx, child.id, date(2026, 3, 9))  # A is out of days
    assert (third.booked, third.reason, third.care_plan_id) == (False, "exhausted", a)
    thursday = api.book_respite_day(ctx, child.id, date(2026, 3, 5))  # B still has its own two
    assert (thursday.booked, thursday.care_plan_id) == (True, b)
    balances = {x.care_plan_id: x for x in api.respite_per_agreement(ctx, child.id, 2026)}
    assert (balances[a].family_id, balances[a].entitled, balances[a].used, balances[a].balance) == (
        family.id, Decimal(2), Decimal(2), Decimal(0))
    assert (balances[b].family_id, balances[b].used, balances[b].balance) == (other.id, Decimal(1), Decimal(1))
    assert api.respite_balance(context_for(session, org), child.id, 2026) == Decimal(1)  # the child's total still adds up


def test_year_end_each_calendar_year_its_own_balance(session, org, location, child):
    """§2.2 point 5 [P8]: the number is per calendar year. 31 December uses the old year's days,
    4 January 2027 the new year's, even when the old year is exhausted. Christmas is a closing day."""
    _free_price(session, org, 5)
    _plan(session, org, child, location, range(5))
    ctx = build_context(session, org)
    for day in (date(2026, 12, 21), date(2026, 12, 22), date(2026, 12, 23), date(2026, 12, 24)):
        assert api.book_respite_day(ctx, child.id, day).booked
    assert api.book_respite_day(ctx, child.id, date(2026, 12, 25)).reason == "closing_day"
    assert api.book_respite_day(ctx, child.id, date(2026, 12, 31)).booked  # the fifth of 2026
    assert api.book_respite_day(ctx, child.id, date(2026, 12, 30)).reason == "exhausted"
    new_year = api.book_respite_day(ctx, child.id, date(2027, 1, 4))
    assert new_year.booked
    assert session.scalar(select(RespiteUse.year).where(RespiteUse.day == date(2027, 1, 4))) == 2027
    assert session.scalar(select(RespiteUse.year).where(RespiteUse.day == date(2026, 12, 31))) == 2026


def test_leap_year_pro_rata_counts_366_days_and_29_february_is_usable(session, org, location, child):
    """§2.4: pro rata for partial years, each calendar year by its own length. A plan from
    1 July 2027 to 30 June 2028: 18 × 184/365 = 9.07 in 2027, 18 × 182/366 = 8.95 in 2028 (a
    leap year); the next plan from 1 July 2028: 18 × 184/366 = 9.05. 29 February 2028 (a
    Tuesday) is an ordinary reserved day of the first agreement."""
    set_setting(session, org, "planning.respite_rounding", "none")
    first = _plan(session, org, child, location, range(5), start=date(2027, 7, 1), end_date=date(2028, 6, 30))
    second = _plan(session, org, child, location, range(5), start=date(2028, 7, 1))
    assert api.respite_entitlement(context_for(session, org), child.id, 2027) == Decimal("9.07")
    ctx = build_context(session, org)
    leap = api.book_respite_day(ctx, child.id, date(2028, 2, 29))
    assert (leap.booked, leap.care_plan_id) == (True, first)
    per = {x.care_plan_id: (x.entitled, x.used) for x in api.respite_per_agreement(ctx, child.id, 2028)}
    assert per == {first: (Decimal("8.95"), Decimal(1)), second: (Decimal("9.05"), Decimal(0))}


def test_care_plan_version_changing_mid_month(session, org, location, child):
    """§2.2 point 6: an addendum changes the plan from its date; a Thursday reserved before the
    change takes a respijtdag, a Thursday after it (no longer reserved) does not."""
    plan = _plan(session, org, child, location, range(5))
    api.new_care_plan_version(context_for(session, org), plan, effective_date=date(2026, 3, 16), days=full_week([0, 1, 2]))
    ctx = build_context(session, org)
    assert api.book_respite_day(ctx, child.id, date(2026, 3, 12)).booked
    after = api.book_respite_day(ctx, child.id, date(2026, 3, 19))
    assert (after.booked, after.reason) == (False, "not_reserved")
    assert _uses(session) == 1


def test_half_day_or_whole_day_only(session, org, location, child):
    """Bad input: a respijtdag is a whole or a half day; nothing is written."""
    import pytest

    _plan(session, org, child, location, range(5))
    with pytest.raises(api.PlanningError, match="hele of een halve dag"):
        api.book_respite_day(build_context(session, org), child.id, date(2026, 3, 2), amount=Decimal("0.3"))
    assert _uses(session) == 0
