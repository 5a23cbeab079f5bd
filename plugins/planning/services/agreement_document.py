"""The agreement as a PDF: the plain data of the Opgroeien model's rubrics (domain-rules §2.2,
points 1-15) gathered from the care plan, the child's file and the organisation, then rendered
by WeasyPrint in the agreement's language (NL/FR/EN) with the care plan as annex."""
from __future__ import annotations

from flask_babel import force_locale
from flask_babel import gettext as _

from core.clock import to_local
from core.models import Child, Family, Location, PriceRegime
from core.pdf import render_pdf

from ..models import CareAgreement, CarePlan
from . import respite

WEEKDAYS = ("maandag", "dinsdag", "woensdag", "donderdag", "vrijdag", "zaterdag", "zondag")
PARTS = {"morning": "voormiddag", "afternoon": "namiddag", "full": "volledige dag", "hours": "uren"}


def _d(day) -> str:
    return day.strftime("%d/%m/%Y") if day else ""


def _address(row) -> str:
    return ", ".join(p for p in (row.street, f"{row.postcode} {row.municipality}".strip()) if p)


def _annex(plan: CarePlan) -> list[dict]:
    """The care plan's versions, each with its days (translated in the caller's locale)."""
    rows = []
    for version in plan.versions:
        days = []
        for day in version.days:
            hours = f" {day.start_time:%H:%M}-{day.end_time:%H:%M}" if day.start_time and day.end_time else ""
            week = f" ({_('week')} {day.week})" if day.week else ""
            days.append(f"{_(WEEKDAYS[day.weekday])}{week}: {_(PARTS[day.day_part])}{hours}")
        for day in version.schedule:
            days.append(f"{_d(day.day)}: {_(PARTS[day.day_part])}")
        rows.append({"start": _d(version.start_date), "end": _d(version.end_date), "days": days})
    return rows


def agreement_data(ctx, agreement: CareAgreement) -> dict:
    """Every rubric's text, as plain data (core/pdf.py refuses ORM objects)."""
    session, org = ctx.session, ctx.org
    plan = session.get(CarePlan, agreement.care_plan_id)
    child = session.get(Child, agreement.child_id)
    location = session.get(Location, plan.location_id)
    family = session.get(Family, agreement.family_id) if agreement.family_id else None
    holder = next(iter(family.contacts), None) if family else None
    rules = agreement.house_rules
    year = max(plan.start_date.year, ctx.today().year)
    entitled = respite.entitlements(ctx, child.id, year).get(plan.id)
    ikt = org.price_regime != PriceRegime.VRIJE_PRIJS
    return {
        "lang": agreement.language,
        "number": agreement.number,
        "org": {"name": org.name, "legal_form": org.legal_form or "", "kbo": org.enterprise_number or "",
                "address": _address(org)},
        "location": {"name": location.name, "address": _address(location)},
        "holder": {"name": holder.full_name if holder else (family.name if family else ""),
                   "address": _address(holder) or (_address(family) if family else "")} if family else None,
        "child": {"name": f"{child.first_name} {child.last_name}", "birth": _d(child.date_of_birth),
                  "address": _address(family) if family else ""},
        "start": _d(plan.start_date), "end": _d(plan.end_date), "end_description": plan.end_description or "",
        "settling_in_until": _d(plan.settling_in_until),
        "ikt": ikt, "respite_days": str(entitled) if entitled is not None else "", "respite_year": year,
        "deposit": f"{agreement.deposit_amount:.2f}",
        "deposit_cap": f"{agreement.deposit_cap:.2f}" if agreement.deposit_cap is not None else "",
        "low_income": agreement.low_income,
        "house_rules": {"title": rules.title, "date": _d(rules.effective_date)},
        "accepted": _d(to_local(agreement.accepted_at).date()) if agreement.accepted_at else "",  # the day in Brussels
        "plan": plan,  # replaced below by the annex rows (translated)
    }


def render_agreement_pdf(ctx, agreement: CareAgreement, language: str | None = None) -> bytes:
    """The PDF in ``language`` (default: the agreement's), the care plan as annex."""
    lang = language if language in ("nl", "fr", "en") else agreement.language
    data = agreement_data(ctx, agreement)
    with force_locale(lang):
        data["plan"] = _annex(data.pop("plan"))
        data["lang"] = lang
        return render_pdf("planning/agreement_pdf.html", data)
