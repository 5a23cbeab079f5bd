"""Synthetic billing demo data for ``koepel demo`` (never real people): under the income-related
tariff an attest inkomenstarief for most children (a few without, to show the warning; some with
IVT); under free price two tariff plans with a January indexation, a sibling reduction and an
extras catalogue with meals charged per present day; billing profiles for some families.
Idempotent: an organisation with attests or plans gets nothing added."""
from __future__ import annotations

import random
from datetime import date
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from core.context import context_for
from core.models import Child, Family, PriceRegime

from ..models import (
    BillingProfile,
    ChildBilling,
    ExtraItem,
    IncomeTariffAttest,
    LineKind,
    PaymentMethod,
    PlanMode,
    TariffPlan,
    TariffPlanPrice,
)


def populate(session, org, seed: int) -> int:
    """Returns the number of attests or plan assignments made."""
    if session.scalar(select(func.count(IncomeTariffAttest.id)).where(IncomeTariffAttest.organisation_id == org.id)) \
            or session.scalar(select(func.count(TariffPlan.id)).where(TariffPlan.organisation_id == org.id)):
        return 0
    rng = random.Random(seed)
    ctx = context_for(session, org)
    year = ctx.today().year
    children = session.scalars(select(Child).where(Child.organisation_id == org.id).order_by(Child.id)).all()
    made = 0
    if org.price_regime == PriceRegime.VRIJE_PRIJS:
        made = _free_price(session, org, rng, year, children)
    else:
        maximum = Decimal(str(ctx.setting("facturatie.maximum_tariff")))
        for n, child in enumerate(children):
            if rng.random() < 0.08:
                continue  # no attest yet: the proposal warns and bills the maximum tariff
            born = child.date_of_birth or child.expected_birth_date or date(year - 1, 1, 1)
            ivt = rng.random() < 0.05
            price = Decimal(rng.randint(250 if ivt else 599, int(maximum * 100))) / 100
            session.add(IncomeTariffAttest(
                organisation_id=org.id, child_id=child.id, kindcode=f"{born:%y%m%d}-{n % 1000:03d}-01",
                day_price=price, valid_from=date(year - 1, 1, 1), valid_to=date(year - 1, 12, 31), ivt=ivt))
            session.add(IncomeTariffAttest(
                organisation_id=org.id, child_id=child.id, kindcode=f"{born:%y%m%d}-{n % 1000:03d}-02",
                day_price=min(maximum, (price * Decimal("1.02")).quantize(Decimal("0.01"))),
                valid_from=date(year, 1, 1), ivt=ivt))
            made += 1
    families = session.scalars(select(Family).where(Family.organisation_id == org.id)
                               .options(selectinload(Family.contacts)).order_by(Family.id)).all()
    for family in families:
        if family.contacts and rng.random() < 0.3:
            session.add(BillingProfile(organisation_id=org.id, family_id=family.id,
                                       paying_contact_id=family.contacts[-1].id,
                                       payment_method=rng.choice([PaymentMethod.TRANSFER, PaymentMethod.DIRECT_DEBIT,
                                                                  PaymentMethod.CASH])))
    session.flush()
    return made


def _free_price(session, org, rng: random.Random, year: int, children) -> int:
    day = TariffPlan(organisation_id=org.id, name="Dagprijs", mode=PlanMode.DAY, is_default=True,
                     sibling_reduction_pct=Decimal("10"))
    day.prices = [TariffPlanPrice(organisation_id=org.id, valid_from=date(year - 1, 1, 1), full_day=Decimal("41.00"),
                                  half_day=Decimal("26.00")),
                  TariffPlanPrice(organisation_id=org.id, valid_from=date(year, 1, 1), full_day=Decimal("42.50"),
                                  half_day=Decimal("27.00"))]
    hour = TariffPlan(organisation_id=org.id, name="Per begonnen uur", mode=PlanMode.HOUR)
    hour.prices = [TariffPlanPrice(organisation_id=org.id, valid_from=date(year - 1, 1, 1), hour=Decimal("6.50"))]
    session.add_all([day, hour])
    session.add_all([
        ExtraItem(organisation_id=org.id, name="Warme maaltijd", kind=LineKind.MEALS, price=Decimal("3.20"),
                  per_present_day=True),
        ExtraItem(organisation_id=org.id, name="Luiers", kind=LineKind.EXTRA, price=Decimal("1.10")),
    ])
    session.flush()
    made = 0
    for child in children:
        if rng.random() < 0.2:
            session.add(ChildBilling(organisation_id=org.id, child_id=child.id, tariff_plan_id=hour.id))
            made += 1
    return made
