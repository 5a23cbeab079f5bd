"""Dated versions of the huishoudelijk reglement (domain-rules §2.3, §2.5).

A version is kept with its effective date and never rewritten: an agreement names the version
the family signed. A change to the families' detriment may apply at the earliest two months
after the written notice; the families with a care plan running on that date are listed and
each contact with an e-mail address gets the notice through the job outbox, in the same
transaction as the new version (a refused change leaves neither the version nor a mail).
"""
from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date

from flask_babel import force_locale, gettext
from sqlalchemy import or_, select, union

from core.models import ChildFamily, Family

from ..models import CarePlan, HouseRules
from .types import PlanningError

NOTICE_MONTHS = 2  # decree: written notice at least two months ahead (§2.5); a law, not a setting
MAX_PDF_BYTES = 10 * 1024 * 1024


def add_months(day: date, months: int) -> date:
    """The same day ``months`` later, clamped to the month's last day (31/12 + 2 -> 28 or 29/2)."""
    month0 = day.month - 1 + months
    year, month = day.year + month0 // 12, month0 % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def earliest_detrimental_date(ctx) -> date:
    return add_months(ctx.today(), NOTICE_MONTHS)


@dataclass(frozen=True)
class ConcernedFamily:
    family_id: int
    name: str
    emails: tuple[tuple[str, str], ...]  # (address, language)


def families_concerned(ctx, effective_date: date) -> list[ConcernedFamily]:
    """Households with a care plan still running on ``effective_date`` (the ones the change hits)."""
    running = (CarePlan.organisation_id == ctx.org.id, CarePlan.own_child.is_(False),
               or_(CarePlan.end_date.is_(None), CarePlan.end_date >= effective_date))
    # the plan's household; a plan without one concerns every household of the child
    family_ids = union(
        select(CarePlan.family_id).where(*running, CarePlan.family_id.is_not(None)),
        select(ChildFamily.family_id).join(CarePlan, CarePlan.child_id == ChildFamily.child_id)
        .where(*running, CarePlan.family_id.is_(None)))
    families = ctx.session.scalars(select(Family).where(Family.organisation_id == ctx.org.id,
                                                        Family.id.in_(family_ids)).order_by(Family.name, Family.id))
    result = []
    for family in families:
        emails = tuple((c.email, str(getattr(c.language, "value", c.language) or "nl"))
                       for c in family.contacts if c.email)
        result.append(ConcernedFamily(family.id, family.name, emails))
    return result


def current_house_rules(ctx, on: date | None = None) -> HouseRules | None:
    """The version in force on ``on`` (default today); None before the first one."""
    on = on or ctx.today()
    return ctx.session.scalar(select(HouseRules).where(
        HouseRules.organisation_id == ctx.org.id, HouseRules.effective_date <= on)
        .order_by(HouseRules.effective_date.desc()).limit(1))


def list_house_rules(ctx) -> list[HouseRules]:
    return list(ctx.session.scalars(select(HouseRules).where(HouseRules.organisation_id == ctx.org.id)
                                    .order_by(HouseRules.effective_date.desc())))


def _check_pdf(ctx, data: bytes | None, name: str) -> None:
    if data is None:
        return
    if not data.startswith(b"%PDF-") or not name.lower().endswith(".pdf"):
        raise PlanningError("planning.house_rules_not_pdf", "pdf")
    if len(data) > MAX_PDF_BYTES:
        raise PlanningError("planning.file_too_large", "pdf", mb=MAX_PDF_BYTES // 2 ** 20)


def add_house_rules(ctx, *, effective_date: date, title: str, text: str = "", pdf: bytes | None = None,
                    pdf_name: str = "", to_detriment: bool = False) -> tuple[HouseRules, list[ConcernedFamily]]:
    """Keep a new version. Refused (nothing written) without text or PDF, on a date already
    taken, or, for a change to the families' detriment, dated less than two months ahead."""
    title, text = (title or "").strip(), (text or "").strip()
    if not title:
        raise PlanningError("planning.house_rules_title_missing", "title")
    if not text and pdf is None:
        raise PlanningError("planning.house_rules_empty", "text")
    _check_pdf(ctx, pdf, pdf_name)
    if to_detriment and effective_date < (earliest := earliest_detrimental_date(ctx)):
        raise PlanningError("planning.house_rules_notice", "effective_date",
                            day=earliest.strftime("%d/%m/%Y"))
    if not to_detriment and effective_date < ctx.today():
        raise PlanningError("planning.house_rules_in_past", "effective_date")
    taken = ctx.session.scalar(select(HouseRules.id).where(HouseRules.organisation_id == ctx.org.id,
                                                           HouseRules.effective_date == effective_date))
    if taken:
        raise PlanningError("planning.house_rules_date_taken", "effective_date")
    rules = HouseRules(organisation_id=ctx.org.id, effective_date=effective_date, title=title, text=text,
                       pdf=pdf, pdf_name=pdf_name if pdf is not None else "", to_detriment=to_detriment,
                       created_by_id=getattr(ctx.user, "id", None))
    ctx.session.add(rules)
    ctx.session.flush()
    concerned = families_concerned(ctx, effective_date) if to_detriment else []
    rules.families_notified = _notify(ctx, rules, concerned)
    return rules, concerned


def _notify(ctx, rules: HouseRules, families: list[ConcernedFamily]) -> int:
    """One notice per contact address through the outbox (idempotent per version and address)."""
    from core.mail import queue_mail

    sent = 0
    for family in families:
        for address, language in family.emails:
            with force_locale(language if language in ("nl", "fr", "en") else "nl"):
                subject = gettext("Wijziging van het huishoudelijk reglement van %(org)s", org=ctx.org.name)
                body = gettext(
                    "Beste ouder,\n\nHet huishoudelijk reglement van %(org)s wijzigt vanaf %(day)s (\"%(title)s\"). "
                    "Deze wijziging is in uw nadeel: u kunt de overeenkomst binnen twee maanden na deze "
                    "kennisgeving zonder opzegvergoeding beëindigen.\n\nMet vriendelijke groeten,\n%(org)s",
                    org=ctx.org.name, day=rules.effective_date.strftime("%d/%m/%Y"), title=rules.title)
            queue_mail(ctx.session, to=address, subject=subject, body=body, language=language,
                       key=f"planning-house-rules:{rules.id}:{family.family_id}:{address.lower()}",
                       organisation_id=ctx.org.id)
            sent += 1
    return sent
