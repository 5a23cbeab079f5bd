"""The schriftelijke overeenkomst (domain-rules §2.1, §2.2, §2.6), one per care plan: under
co-parenting each household's plan gets its own. Generated from the care plan and the
organisation's data following the Opgroeien model (15/04/2025), with the house-rules version in
force and the deposit that billing reads (``deposit_for``). Accepted by the parent's signed link
(time, IP and version recorded) or by a scanned signed copy.
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import func, or_, select, update

from core.models import Child, PriceRegime

from ..models import CareAgreement, CarePlan
from .house_rules import current_house_rules
from .types import PlanningError

TOKEN_SALT = "planning.agreement.accept"
MAX_SCAN_BYTES = 8 * 1024 * 1024
SCAN_TYPES = {  # magic bytes -> (mime type, allowed extensions)
    b"%PDF-": ("application/pdf", (".pdf",)),
    b"\x89PNG\r\n\x1a\n": ("image/png", (".png",)),
    b"\xff\xd8\xff": ("image/jpeg", (".jpg", ".jpeg")),
}
LANGUAGES = ("nl", "fr", "en")


@dataclass(frozen=True)
class DepositRule:
    """What the agreement fixes for billing: the amount and the cap it was checked against."""

    amount: Decimal
    cap: Decimal | None
    low_income: bool


def deposit_cap(ctx, low_income: bool) -> Decimal | None:
    """The legal maximum under the income-related tariff (settings, default 250 / 50 euro); free
    price has none (the agreement must still state the sum and its purpose)."""
    if ctx.org.price_regime == PriceRegime.VRIJE_PRIJS:
        return None
    key = "planning.deposit_max_low_income" if low_income else "planning.deposit_max"
    return Decimal(int(ctx.setting(key)))


def _deposit(ctx, amount, low_income: bool) -> DepositRule:
    try:
        value = Decimal(str(amount if amount not in (None, "") else 0)).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError):
        raise PlanningError("planning.deposit_invalid", "deposit_amount") from None
    if value < 0:
        raise PlanningError("planning.deposit_negative", "deposit_amount")
    cap = deposit_cap(ctx, low_income)
    if cap is not None and value > cap:
        raise PlanningError("planning.deposit_above_cap", "deposit_amount", cap=cap)
    return DepositRule(value, cap, low_income)


def running_plans(ctx, child_id: int) -> list[CarePlan]:
    """The child's care plans that have not ended (one per household under co-parenting)."""
    return list(ctx.session.scalars(select(CarePlan).where(
        CarePlan.organisation_id == ctx.org.id, CarePlan.child_id == child_id,
        or_(CarePlan.end_date.is_(None), CarePlan.end_date >= ctx.today())).order_by(CarePlan.start_date, CarePlan.id)))


def generate_agreements(ctx, child_id: int, *, deposit_amount=0, low_income: bool = False,
                        language: str = "nl") -> list[CareAgreement]:
    """One new agreement per running care plan of the child, referring to the house rules in
    force. Refused, writing nothing, for a child without care plan or without house rules, or a
    deposit above the cap."""
    child = ctx.session.scalar(select(Child).where(Child.organisation_id == ctx.org.id, Child.id == child_id))
    if child is None:
        raise PlanningError("planning.child_unknown", "child_id")
    if language not in LANGUAGES:
        raise PlanningError("planning.language_unknown", "language")
    plans = [p for p in running_plans(ctx, child_id) if not p.own_child]
    if not plans:
        raise PlanningError("planning.agreement_without_plan", "child_id")
    rules = current_house_rules(ctx)
    if rules is None:
        raise PlanningError("planning.house_rules_missing",
                            "house_rules")
    deposit = _deposit(ctx, deposit_amount, low_income)
    created = []
    for plan in plans:
        # the plan row is locked so that two requests never give the same number to two agreements
        ctx.session.scalar(select(CarePlan.id).where(CarePlan.id == plan.id).with_for_update())
        number = (ctx.session.scalar(select(func.max(CareAgreement.number))
                                     .where(CareAgreement.care_plan_id == plan.id)) or 0) + 1
        agreement = CareAgreement(
            organisation_id=ctx.org.id, care_plan_id=plan.id, number=number, child_id=child_id,
            family_id=plan.family_id, house_rules_id=rules.id, language=language,
            deposit_amount=deposit.amount, deposit_cap=deposit.cap, low_income=deposit.low_income,
            created_by_id=getattr(ctx.user, "id", None))
        ctx.session.add(agreement)
        created.append(agreement)
    ctx.session.flush()
    return created


def child_agreements(ctx, child_id: int) -> list[CareAgreement]:
    return list(ctx.session.scalars(select(CareAgreement).where(
        CareAgreement.organisation_id == ctx.org.id, CareAgreement.child_id == child_id)
        .order_by(CareAgreement.care_plan_id, CareAgreement.number.desc())))


def get_agreement(ctx, agreement_id: int) -> CareAgreement:
    agreement = ctx.session.scalar(select(CareAgreement).where(
        CareAgreement.organisation_id == ctx.org.id, CareAgreement.id == agreement_id))
    if agreement is None:
        raise PlanningError("planning.agreement_unknown", "agreement_id")
    return agreement


def deposit_for(ctx, care_plan_id: int) -> DepositRule | None:
    """For billing: the deposit of the care plan's latest agreement (None without agreement)."""
    agreement = ctx.session.scalar(select(CareAgreement).where(
        CareAgreement.organisation_id == ctx.org.id, CareAgreement.care_plan_id == care_plan_id)
        .order_by(CareAgreement.number.desc()).limit(1))
    if agreement is None:
        return None
    return DepositRule(agreement.deposit_amount, agreement.deposit_cap, agreement.low_income)


def deposits_for(ctx, care_plan_ids) -> dict[int, DepositRule]:
    """:func:`deposit_for` for many care plans in one query (billing's monthly proposal)."""
    ids = sorted(set(care_plan_ids))
    result: dict[int, DepositRule] = {}
    if not ids:
        return result
    for agreement in ctx.session.scalars(select(CareAgreement).where(
            CareAgreement.organisation_id == ctx.org.id, CareAgreement.care_plan_id.in_(ids))
            .order_by(CareAgreement.care_plan_id, CareAgreement.number)):
        result[agreement.care_plan_id] = DepositRule(agreement.deposit_amount, agreement.deposit_cap,
                                                     agreement.low_income)  # the latest number wins
    return result


# --- acceptance -------------------------------------------------------------------------------

def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.secret_key, salt=TOKEN_SALT)


def acceptance_token(ctx, agreement: CareAgreement) -> str:
    """A signed, timed token naming the organisation, the agreement and its house-rules version."""
    return _serializer().dumps([ctx.org.id, agreement.id, agreement.house_rules_id])


def agreement_by_token(ctx, token: str) -> CareAgreement:
    """The agreement a link names, or PlanningError (bad signature, expired, other organisation)."""
    max_age = int(ctx.setting("planning.agreement_link_days")) * 86400
    try:
        org_id, agreement_id, rules_id = _serializer().loads(token, max_age=max_age)
    except SignatureExpired:
        raise PlanningError("planning.link_expired", "token") from None
    except (BadSignature, ValueError, TypeError):
        raise PlanningError("planning.link_invalid", "token") from None
    agreement = ctx.session.scalar(select(CareAgreement).where(
        CareAgreement.organisation_id == ctx.org.id, CareAgreement.id == agreement_id))
    if org_id != ctx.org.id or agreement is None or agreement.house_rules_id != rules_id:
        raise PlanningError("planning.link_invalid", "token")
    return agreement


def accept_by_link(ctx, agreement: CareAgreement, ip: str | None) -> bool:
    """Record the parent's acceptance once (time, IP; the row names the house-rules version).
    A conditional UPDATE, so two clicks at once record one acceptance. False when already done."""
    result = ctx.session.execute(
        update(CareAgreement).where(CareAgreement.id == agreement.id, CareAgreement.accepted_at.is_(None))
        .values(accepted_at=ctx.now(), accepted_via="link", accepted_ip=(ip or "")[:45])
        .execution_options(synchronize_session=False))
    ctx.session.refresh(agreement)
    return result.rowcount == 1


def scan_type(ctx, filename: str, data: bytes) -> str:
    """The mime type of an allowed scan (PDF, PNG, JPEG; content and extension must agree)."""
    if not data:
        raise PlanningError("planning.file_missing", "scan")
    if len(data) > MAX_SCAN_BYTES:
        raise PlanningError("planning.file_too_large",
                            "scan", mb=MAX_SCAN_BYTES // 2 ** 20)
    name = (filename or "").lower()
    for magic, (mime, extensions) in SCAN_TYPES.items():
        if data.startswith(magic) and name.endswith(extensions):
            return mime
    raise PlanningError("planning.scan_type", "scan")


def attach_signed_copy(ctx, agreement: CareAgreement, filename: str, data: bytes) -> None:
    """Staff attach the scanned signed copy; it counts as the acceptance unless the link came first."""
    mime = scan_type(ctx, filename, data)
    agreement.signed_copy, agreement.signed_copy_type = data, mime
    agreement.signed_copy_name = (filename or "")[-200:]
    if agreement.accepted_at is None:
        agreement.accepted_at, agreement.accepted_via = ctx.now(), "scan"
    ctx.session.flush()


def send_acceptance_links(ctx, made: list[CareAgreement], link_for) -> int:
    """Mail each household's contacts the link to their own agreement, through the outbox in the
    same transaction (idempotent per agreement and address). ``link_for(agreement)`` builds the
    absolute URL (the view knows the host). Returns the number of mails queued."""
    from flask_babel import force_locale, gettext

    from core.mail import queue_mail
    from core.models import ContactPerson

    queued = 0
    for agreement in made:
        if agreement.family_id is None:
            continue
        contacts = ctx.session.scalars(select(ContactPerson).where(
            ContactPerson.organisation_id == ctx.org.id, ContactPerson.family_id == agreement.family_id,
            ContactPerson.email.is_not(None)))
        for contact in contacts:
            with force_locale(agreement.language):
                subject = gettext("Schriftelijke overeenkomst met %(org)s", org=ctx.org.name)
                body = gettext("Beste ouder,\n\nU vindt de schriftelijke overeenkomst en het huishoudelijk reglement "
                               "via deze link, waar u ze ook kunt aanvaarden:\n%(link)s\n\nMet vriendelijke "
                               "groeten,\n%(org)s", org=ctx.org.name, link=link_for(agreement))
            queue_mail(ctx.session, to=contact.email, subject=subject, body=body, language=agreement.language,
                       key=f"planning-agreement:{agreement.id}:{contact.email.lower()}", organisation_id=ctx.org.id)
            queued += 1
    return queued

