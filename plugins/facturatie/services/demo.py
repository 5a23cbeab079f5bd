"""Synthetic billing demo data for ``koepel demo`` (never real people): under the income-related
tariff an attest inkomenstarief for most children (a few without, to show the warning; some with
IVT); under free price two tariff plans with a January indexation, a sibling reduction and an
extras catalogue with meals charged per present day; billing profiles for some families. At the
free-price partner an employer reserves a place for an employee's child: that family is billed to
the company (name, KBO and VAT number) and Peppol is on, so its invoice of a finalised month can
be downloaded as UBL. Idempotent: an organisation with attests or plans gets nothing added."""
from __future__ import annotations

import random
from datetime import date
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from core.context import context_for
from core.models import Child, ChildFamily, Family, PriceRegime

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
    company = _company(session, org, rng) if org.price_regime == PriceRegime.VRIJE_PRIJS else None
    for family in families:
        if family.id != company and family.contacts and rng.random() < 0.3:
            session.add(BillingProfile(organisation_id=org.id, family_id=family.id,
                                       paying_contact_id=family.contacts[-1].id,
                                       payment_method=rng.choice([PaymentMethod.TRANSFER, PaymentMethod.DIRECT_DEBIT,
                                                                  PaymentMethod.CASH])))
    session.flush()
    return made


#: A made-up employer (never a real company): the KBO number is drawn like the demo's partners'.
COMPANY_NAME = "Voorbeeldbedrijf Zonnewijzer NV (demo)"


def _company(session, org, rng: random.Random) -> int | None:
    """The first family with a placed child is billed to an employer that reserves its place, and
    Peppol is switched on for the partner. Returns the family's id."""
    from core.demo import synthetic_enterprise_number
    from core.settings import set_setting

    family_id = session.scalar(select(ChildFamily.family_id).join(Child, Child.id == ChildFamily.child_id).where(
        ChildFamily.organisation_id == org.id, Child.location_id.is_not(None)).order_by(ChildFamily.family_id))
    if family_id is None:
        return None
    kbo = synthetic_enterprise_number(rng)
    session.add(BillingProfile(organisation_id=org.id, family_id=family_id, payment_method=PaymentMethod.TRANSFER,
                               is_company=True, company_name=COMPANY_NAME, company_kbo=kbo, company_vat=f"BE{kbo}",
                               invoice_email="facturen@zonnewijzer.example"))
    set_setting(session, org, "facturatie.peppol_enabled", True)
    return family_id


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
