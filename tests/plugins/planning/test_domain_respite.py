"""Respijtdagen (domain-rules §2.4): 18 for full time, pro rata, rounding per setting, usage."""
from datetime import date
from decimal import Decimal

import pytest

from core.context import context_for
from core.models import ChildFamily, PriceRegime
from core.settings import set_setting
from plugins.planning import api
from tests.plugins.planning.conftest import full_week

YEAR_START = date(2026, 1, 1)


def _plan(session, org, child, location, days, start=YEAR_START, **kw):
    return api.create_care_plan(context_for(session, org), child_id=child.id, location_id=location.id, start_date=start,
                                days=full_week(days), **kw)


def test_full_time_full_year_is_18(session, org, location, child):
    _plan(session, org, child, location, range(5))
    assert api.respite_entitlement(context_for(session, org), child.id, 2026) == Decimal(18)
    assert api.respite_entitlement(context_for(session, org), child.id, 2025) == Decimal(0)


@pytest.mark.parametrize(("rounding", "expected"), [
    ("up_half", Decimal("11")), ("down_half", Decimal("10.5")), ("nearest", Decimal("11")),
    ("none", Decimal("10.80")),
])
def test_three_days_a_week_is_18_times_3_fifths_rounded_by_setting(session, org, location, child, rounding,
                                                                  expected):
    set_setting(session, org, "planning.respite_rounding", rounding)
    _plan(session, org, child, location, [0, 1, 3])
    assert api.respite_entitlement(context_for(session, org), child.id, 2026) == expected


def test_partial_year_and_half_days_count_as_days(session, org, location, child):
    _plan(session, org, child, location, range(5), start=date(2026, 7, 1))  # 184 of 365 days
    assert api.respite_entitlement(context_for(session, org), child.id, 2026) == Decimal("9.5")  # 9.07 up to the half day
    assert api.respite_entitlement(context_for(session, org), child.id, 2027) == Decimal(18)


def test_versions_are_weighted_by_the_part_of_the_year_they_cover(session, org, location, child):
    set_setting(session, org, "planning.respite_rounding", "none")
    plan = _plan(session, org, child, location, range(5))
    api.new_care_plan_version(context_for(session, org), plan, effective_date=date(2026, 7, 2), days=full_week([0, 1]))
    # 18 × (182/365 × 5/5 + 183/365 × 2/5) = 12.585…
    assert api.respite_entitlement(context_for(session, org), child.id, 2026) == Decimal("12.59")


def _free_price(session, org):
    org.price_regime = PriceRegime.VRIJE_PRIJS
    session.flush()


def test_free_price_organisation_can_switch_off_or_set_its_own_number(session, org, location, child):
    _free_price(session, org)
    _plan(session, org, child, location, range(5))
    set_setting(session, org, "planning.respite_days_full_time", 24)
    assert api.respite_entitlement(context_for(session, org), child.id, 2026) == Decimal(24)
    set_setting(session, org, "planning.respite_days_full_time", 10)
    assert api.respite_entitlement(context_for(session, org), child.id, 2026) == Decimal(10)
    set_setting(session, org, "planning.respite_enabled", False)
    assert api.respite_entitlement(context_for(session, org), child.id, 2026) == Decimal(0)
    assert api.use_respite_day(context_for(session, org), child.id, date(2026, 3, 2)) is False
    assert api.respite_used(context_for(session, org), child.id, 2026) == 0


def test_income_related_tariff_keeps_at_least_18_and_cannot_switch_off(session, org, location, child):
    assert org.price_regime == PriceRegime.INKOMENSTARIEF
    _plan(session, org, child, location, range(5))
    set_setting(session, org, "planning.respite_days_full_time", 10)  # below the legal minimum: 18 still
    assert api.respite_entitlement(context_for(session, org), child.id, 2026) == Decimal(18)
    set_setting(session, org, "planning.respite_enabled", False)
    assert api.respite_entitlement(context_for(session, org), child.id, 2026) == Decimal(18)
    assert api.use_respite_day(context_for(session, org), child.id, date(2026, 3, 2)) is True
    set_setting(session, org, "planning.respite_days_full_time", 20)  # more is allowed
    assert api.respite_entitlement(context_for(session, org), child.id, 2026) == Decimal(20)


def test_co_parenting_agreements_each_get_their_share(session, factory, org, location, child, family):
    other = factory.family(org)
    session.add(ChildFamily(organisation_id=org.id, child_id=child.id, family_id=other.id))
    session.flush()
    first = _plan(session, org, child, location, [0, 1], family_id=family.id)  # 7.2 -> 7.5
    second = _plan(session, org, child, location, [3, 4], family_id=other.id, start=date(2026, 7, 1))
    # 18 x 2/5 x 184/365 = 3.63 -> 4 (each agreement rounded on its own)
    assert api.respite_entitlements(context_for(session, org), child.id, 2026) == {first: Decimal("7.5"), second: Decimal(4)}
    assert api.respite_entitlement(context_for(session, org), child.id, 2026) == Decimal("11.5")
    assert api.respite_entitlements(context_for(session, org), child.id, 2025) == {}


def test_use_until_exhausted_then_release(session, org, location, child):
    _free_price(session, org)  # a small own number keeps the test short
    set_setting(session, org, "planning.respite_days_full_time", 2)
    _plan(session, org, child, location, range(5))
    assert api.respite_balance(context_for(session, org), child.id, 2026) == 2
    assert api.use_respite_day(context_for(session, org), child.id, date(2026, 3, 2))
    assert api.use_respite_day(context_for(session, org), child.id, date(2026, 3, 2))  # idempotent
    assert api.use_respite_day(context_for(session, org), child.id, date(2026, 3, 3), Decimal("0.5"))
    assert api.respite_balance(context_for(session, org), child.id, 2026) == Decimal("0.5")
    assert api.use_respite_day(context_for(session, org), child.id, date(2026, 3, 4)) is False
    assert api.use_respite_day(context_for(session, org), child.id, date(2026, 3, 4), Decimal("0.5"))
    assert api.respite_balance(context_for(session, org), child.id, 2026) == 0
    api.release_respite_day(context_for(session, org), child.id, date(2026, 3, 2))
    api.release_respite_day(context_for(session, org), child.id, date(2026, 3, 9))  # nothing booked: no-op
    assert api.respite_balance(context_for(session, org), child.id, 2026) == 1
    assert api.respite_balance(context_for(session, org), child.id, 2027) == 2  # a new year, a new entitlement
    with pytest.raises(api.PlanningError, match="halve dag"):
        api.use_respite_day(context_for(session, org), child.id, date(2026, 3, 5), Decimal("0.3"))
