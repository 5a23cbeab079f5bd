"""SEPA direct debit (domain-rules §6.3): bank details checked with schwifty and python-stdnum,
mandates with their amendments, the TARGET2 calendar (``holidays``' XECB) for collection dates,
and pain.008 files written by sepaxml (versions 001.001.02 and 001.001.08, a setting per
organisation for its bank).

Sequence types: the first collection under a mandate is FRST, later ones RCUR. An amendment to an
account at another bank makes the next one FRST again (sepaxml cannot write the SMNDA amendment
details, and FRST is what the EPC rules ask without them). A mandate not used for 36 months has
expired (EPC rulebook) and is left out with a warning."""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from functools import lru_cache

from lxml import etree
from schwifty import BIC, IBAN
from schwifty.exceptions import SchwiftyException
from sqlalchemy import select
from stdnum.be import vat as kbo
from stdnum.eu import at_02

from core.models import Role

from ..models import (
    BatchState,
    BillingProfile,
    DebitState,
    DirectDebitBatch,
    DirectDebitItem,
    Invoice,
    InvoiceKind,
    MandateState,
    PaymentMethod,
    PaymentState,
    SepaMandate,
    SepaMandateAmendment,
)
from .errors import BillingError

PAIN_VERSIONS = ("pain.008.001.02", "pain.008.001.08")
REFERENCE_RE = re.compile(r"^[A-Za-z0-9/\-?:().,'+ ]{1,35}$")
OPEN_STATES = (PaymentState.OPEN, PaymentState.PARTIAL)
EXPIRY_MONTHS = 36
READERS = frozenset({Role.FINANCE, Role.DIRECTOR})  # who may download the stored files


# --- bank details --------------------------------------------------------------------------------


def clean_iban(value: str, field: str = "iban") -> IBAN:
    """A valid IBAN (any SEPA country) or a BillingError saying what is wrong."""
    try:
        return IBAN(value or "")
    except SchwiftyException as exc:
        raise BillingError("facturatie.iban_invalid", field, iban=value, reason=str(exc)) from exc


def clean_bic(value: str, iban: IBAN | None = None, field: str = "bic") -> str:
    """The BIC given, or the one schwifty knows for the IBAN's bank; validated."""
    value = (value or "").strip().upper().replace(" ", "")
    if not value and iban is not None:
        try:
            bic = iban.bic
        except SchwiftyException:
            bic = None
        if bic is None:
            return ""
        return str(bic)
    if not value:
        return ""
    try:
        return str(BIC(value))
    except SchwiftyException as exc:
        raise BillingError("facturatie.bic_invalid", field, bic=value) from exc


def clean_creditor_id(value: str, field: str = "sepa_creditor_id") -> str:
    """The Belgian SEPA creditor identifier: ``BE`` + 2 check digits (ISO 7064 mod 97-10, the
    EPC's AT-02 rule, checked by python-stdnum) + ``ZZZ`` + the 10-digit KBO number (itself
    mod-97 checked)."""
    compact = (value or "").replace(" ", "").upper()
    if not re.fullmatch(r"BE\d{2}ZZZ\d{10}", compact) or not at_02.is_valid(compact) \
            or not kbo.is_valid(compact[7:]):
        raise BillingError("facturatie.creditor_id_invalid", field, value=value)
    return compact


# --- TARGET2 calendar ----------------------------------------------------------------------------


@lru_cache(maxsize=32)
def _target2_holidays(year: int) -> frozenset[date]:
    import holidays

    return frozenset(holidays.financial_holidays("XECB", years=year))


def is_business_day(day: date) -> bool:
    """A TARGET2 business day: not a weekend, not a TARGET2 closing day."""
    return day.weekday() < 5 and day not in _target2_holidays(day.year)


def add_business_days(day: date, count: int) -> date:
    while count > 0:
        day += timedelta(days=1)
        if is_business_day(day):
            count -= 1
    return day


def earliest_collection_date(ctx) -> date:
    """The next TARGET2 business day after today plus the organisation's lead time (business days)."""
    return add_business_days(ctx.today(), 1 + int(ctx.setting("facturatie.sepa_lead_days")))


def check_collection_date(ctx, day: date | None) -> date:
    if day is None or day < ctx.today():
        raise BillingError("facturatie.collection_date_past", "collection_date", day=day or "?")
    if not is_business_day(day):
        raise BillingError("facturatie.collection_date_closed", "collection_date", day=day)
    earliest = earliest_collection_date(ctx)
    if day < earliest:
        raise BillingError("facturatie.collection_date_too_soon", "collection_date", earliest=earliest,
                           lead=int(ctx.setting("facturatie.sepa_lead_days")))
    return day


# --- mandates ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MandateInput:
    reference: str
    debtor_name: str
    iban: str
    bic: str = ""
    signed_on: date | None = None
    contact_id: int | None = None


def _checked(ctx, data: MandateInput) -> tuple[str, str, str]:
    if not data.debtor_name.strip():
        raise BillingError("facturatie.mandate_name_missing", "debtor_name")
    if data.signed_on is None:
        raise BillingError("facturatie.mandate_signed_missing", "signed_on")
    if data.signed_on > ctx.today():
        raise BillingError("facturatie.mandate_signed_future", "signed_on", day=data.signed_on)
    iban = clean_iban(data.iban)
    bic = clean_bic(data.bic, iban)
    return iban.compact, bic, data.debtor_name.strip()[:70]


def _profile(ctx, family_id: int) -> BillingProfile:
    profile = ctx.session.scalar(select(BillingProfile).where(BillingProfile.organisation_id == ctx.org.id,
                                                              BillingProfile.family_id == family_id))
    if profile is None:
        profile = BillingProfile(organisation_id=ctx.org.id, family_id=family_id)
        ctx.session.add(profile)
    return profile


def record_mandate(ctx, family_id: int, data: MandateInput) -> SepaMandate:
    """A newly signed mandate; the family then pays by direct debit (it chose to sign)."""
    reference = data.reference.strip()
    if not REFERENCE_RE.fullmatch(reference):
        raise BillingError("facturatie.mandate_reference_invalid", "reference")
    iban, bic, name = _checked(ctx, data)
    taken = ctx.session.scalar(select(SepaMandate.id).where(SepaMandate.organisation_id == ctx.org.id,
                                                            SepaMandate.reference == reference))
    if taken:
        raise BillingError("facturatie.mandate_reference_taken", "reference", reference=reference)
    mandate = SepaMandate(organisation_id=ctx.org.id, family_id=family_id, contact_id=data.contact_id,
                          reference=reference, debtor_name=name, iban=iban, bic=bic, signed_on=data.signed_on,
                          needs_first=True)
    ctx.session.add(mandate)
    _profile(ctx, family_id).payment_method = PaymentMethod.DIRECT_DEBIT
    ctx.session.flush()
    return mandate


def amend_mandate(ctx, mandate: SepaMandate, data: MandateInput, reason: str = "") -> SepaMandate:
    """A change of account, bank or holder: the old values are kept as an amendment."""
    if mandate.state != MandateState.ACTIVE:
        raise BillingError("facturatie.mandate_revoked")
    iban, bic, name = _checked(ctx, MandateInput(mandate.reference, data.debtor_name, data.iban, data.bic,
                                                 data.signed_on or mandate.signed_on, data.contact_id))
    if (iban, bic, name) == (mandate.iban, mandate.bic, mandate.debtor_name):
        return mandate
    ctx.session.add(SepaMandateAmendment(organisation_id=ctx.org.id, mandate_id=mandate.id, changed_on=ctx.today(),
                                         old_debtor_name=mandate.debtor_name, old_iban=mandate.iban,
                                         old_bic=mandate.bic, reason=reason[:200]))
    if iban[4:7] != mandate.iban[4:7] or (bic and mandate.bic and bic[:4] != mandate.bic[:4]):
        mandate.needs_first = True  # another bank: FRST again (no SMNDA details in the file)
    mandate.iban, mandate.bic, mandate.debtor_name = iban, bic, name
    ctx.session.flush()
    return mandate


def revoke_mandate(ctx, mandate: SepaMandate) -> None:
    """The debtor withdrew the mandate: no more collections; the family pays by transfer."""
    if mandate.state == MandateState.REVOKED:
        return
    mandate.state = MandateState.REVOKED
    mandate.revoked_on = ctx.today()
    others = ctx.session.scalar(select(SepaMandate.id).where(
        SepaMandate.organisation_id == ctx.org.id, SepaMandate.family_id == mandate.family_id,
        SepaMandate.state == MandateState.ACTIVE, SepaMandate.id != mandate.id))
    if not others:
        _profile(ctx, mandate.family_id).payment_method = PaymentMethod.TRANSFER
    ctx.session.flush()


def next_reference(ctx) -> str:
    """A proposal for a new mandate reference: organisation slug-free, ``MDT-<year>-<n>``."""
    count = len(ctx.session.scalars(select(SepaMandate.id).where(SepaMandate.organisation_id == ctx.org.id)).all())
    return f"MDT-{ctx.today().year}-{count + 1:05d}"


def _months_between(a: date, b: date) -> int:
    return (b.year - a.year) * 12 + b.month - a.month


# --- batches -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class BatchResult:
    batch: DirectDebitBatch
    warnings: tuple[str, ...]


def build_batch(ctx, collection_date: date | None) -> BatchResult:
    """The draft batch for a collection date: every open invoice of a family that pays by direct
    debit with an active mandate, not yet in a batch being collected. A draft for the same date is
    replaced; a frozen batch never changes."""
    collection_date = check_collection_date(ctx, collection_date)
    org = ctx.org
    if not (org.sepa_creditor_id or "").strip():
        raise BillingError("facturatie.creditor_id_missing")
    clean_creditor_id(org.sepa_creditor_id)
    session = ctx.session
    for old in session.scalars(select(DirectDebitBatch).where(
            DirectDebitBatch.organisation_id == org.id, DirectDebitBatch.state == BatchState.DRAFT,
            DirectDebitBatch.collection_date == collection_date)):
        session.delete(old)
    session.flush()
    mandates: dict[int, SepaMandate] = {}
    for mandate in session.scalars(select(SepaMandate).join(
            BillingProfile, (BillingProfile.family_id == SepaMandate.family_id)
            & (BillingProfile.organisation_id == SepaMandate.organisation_id)).where(
            SepaMandate.organisation_id == org.id, SepaMandate.state == MandateState.ACTIVE,
            BillingProfile.payment_method == PaymentMethod.DIRECT_DEBIT).order_by(SepaMandate.signed_on)):
        mandates[mandate.family_id] = mandate  # the latest signed wins
    in_collection = select(DirectDebitItem.invoice_id).join(DirectDebitBatch).where(
        DirectDebitItem.organisation_id == org.id, DirectDebitItem.state == DebitState.PENDING,
        DirectDebitBatch.state == BatchState.FROZEN)
    invoices = session.scalars(select(Invoice).where(
        Invoice.organisation_id == org.id, Invoice.kind == InvoiceKind.INVOICE,
        Invoice.payment_state.in_(OPEN_STATES), Invoice.family_id.in_(list(mandates) or [-1]),
        Invoice.id.not_in(in_collection)).order_by(Invoice.family_id, Invoice.id)).all()
    warnings = []
    batch = DirectDebitBatch(organisation_id=org.id, collection_date=collection_date,
                             schema=str(ctx.setting("facturatie.sepa_pain_version")))
    items: list[dict] = []
    for invoice in invoices:
        due = invoice.total - invoice.paid_amount
        if due <= 0:
            continue
        mandate = mandates[invoice.family_id]
        if mandate.last_collection_on and _months_between(mandate.last_collection_on,
                                                          collection_date) >= EXPIRY_MONTHS:
            warnings.append(f"{mandate.reference}: expired")
            continue
        # every debit of a mandate's first batch is FRST (several open invoices of one family)
        sequence = "FRST" if mandate.needs_first else "RCUR"
        items.append({"organisation_id": org.id, "invoice_id": invoice.id, "mandate_id": mandate.id, "amount": due,
                      "sequence_type": sequence, "end_to_end_id": invoice.ogm, "state": DebitState.PENDING,
                      "return_reason": ""})
    if not items:
        raise BillingError("facturatie.batch_empty", "collection_date")
    batch.count = len(items)
    batch.control_sum = sum((item["amount"] for item in items), Decimal("0"))
    session.add(batch)
    session.flush()
    _insert_items(ctx, batch, items)
    return BatchResult(batch, tuple(warnings))


def _insert_items(ctx, batch: DirectDebitBatch, items: list[dict]) -> None:
    """The batch's debits in one multi-row statement, with one audit entry each (a month's batch
    holds thousands)."""
    from sqlalchemy import insert

    from core.audit import current_actor_id
    from core.models import AuditEntry

    table = DirectDebitItem.__table__
    for item in items:
        item["batch_id"] = batch.id
    ids = list(ctx.session.scalars(insert(table).returning(table.c.id, sort_by_parameter_order=True), items))
    now, actor = ctx.now(), current_actor_id()
    ctx.session.execute(insert(AuditEntry.__table__), [
        {"organisation_id": ctx.org.id, "user_id": actor, "at": now, "action": "create",
         "entity": DirectDebitItem.__tablename__, "entity_id": item_id, "summary": "",
         "changes": {"batch_id": [None, batch.id], "invoice_id": [None, item["invoice_id"]],
                     "mandate_id": [None, item["mandate_id"]], "amount": [None, str(item["amount"])],
                     "sequence_type": [None, item["sequence_type"]]}}
        for item_id, item in zip(ids, items, strict=True)])
    ctx.session.expire(batch, ["items"])


def render_batch(ctx, batch: DirectDebitBatch) -> bytes:
    """The pain.008 XML of a batch, written and schema-checked by sepaxml. Loads the batch's
    mandates and invoices in two statements, whatever its size."""
    from sepaxml import SepaDD

    org = ctx.org
    schema = batch.schema if batch.schema in PAIN_VERSIONS else PAIN_VERSIONS[0]
    config = {"name": org.name[:70], "IBAN": IBAN(org.iban).compact, "batch": True,
              "creditor_id": clean_creditor_id(org.sepa_creditor_id), "currency": "EUR", "instrument": "CORE"}
    if org.bic:
        config["BIC"] = org.bic
    elif schema == "pain.008.001.02":
        config["BIC"] = clean_bic("", IBAN(org.iban)) or "NOTPROVIDED"
    sepa = SepaDD(config, schema=schema, clean=True)
    items = batch.items
    mandates = {m.id: m for m in ctx.session.scalars(select(SepaMandate).where(
        SepaMandate.id.in_({i.mandate_id for i in items})))}
    invoices = {i.id: i for i in ctx.session.scalars(select(Invoice).where(
        Invoice.id.in_({i.invoice_id for i in items})))}
    for item in items:
        mandate, invoice = mandates[item.mandate_id], invoices[item.invoice_id]
        payment = {"name": mandate.debtor_name, "IBAN": mandate.iban, "amount": int(item.amount * 100),
                   "type": item.sequence_type, "collection_date": batch.collection_date,
                   "mandate_id": mandate.reference, "mandate_date": mandate.signed_on,
                   "description": f"{invoice.display_number} +++{_ogm_display(invoice.ogm)}+++",
                   "endtoend_id": item.end_to_end_id}
        if mandate.bic:
            payment["BIC"] = mandate.bic
        sepa.add_payment(payment)
    data = sepa.export(validate=False)
    _schema(schema).assertValid(etree.fromstring(data))  # the ISO XSD, with lxml (xmlschema is slow)
    return data


@lru_cache(maxsize=4)
def _schema(version: str):
    """The ISO 20022 XSD of ``version`` as shipped by sepaxml, parsed once."""
    from pathlib import Path

    import sepaxml

    return etree.XMLSchema(etree.parse(str(Path(sepaxml.__file__).parent / "schemas" / f"{version}.xsd")))


def _ogm_display(ogm: str) -> str:
    return f"{ogm[:3]}/{ogm[3:7]}/{ogm[7:]}" if len(ogm) == 12 else ogm


def freeze_batch(ctx, batch: DirectDebitBatch):
    """The first download: the file is stored and never made again, the invoices are being
    collected and the mandates move on to RCUR. Returns the stored document."""
    from core import documents

    if batch.state == BatchState.FROZEN:
        return documents.get(ctx.session, ctx.org, batch.document_id)
    data = render_batch(ctx, batch)
    root = etree.fromstring(data)
    msg = root.find(".//{*}GrpHdr/{*}MsgId")
    batch.message_id = (msg.text or "")[:35] if msg is not None else ""
    doc = documents.store(ctx.session, ctx.org, data, filename=f"domiciliering-{batch.collection_date}-{batch.id}.xml",
                          content_type="application/xml", kind="facturatie.pain008", module="facturatie",
                          created_by_id=ctx.user.id if ctx.user else None, roles=READERS)
    batch.document_id = doc.id
    batch.state = BatchState.FROZEN
    batch.frozen_at = ctx.now()
    batch.frozen_by_id = ctx.user.id if ctx.user else None
    items = batch.items
    invoices = ctx.session.scalars(select(Invoice).where(Invoice.id.in_({i.invoice_id for i in items}))).all()
    for invoice in invoices:
        invoice.payment_state = PaymentState.COLLECTING
    mandates = ctx.session.scalars(select(SepaMandate).where(SepaMandate.id.in_({i.mandate_id for i in items})))
    for mandate in mandates:
        mandate.needs_first = False
        mandate.last_collection_on = batch.collection_date
    ctx.session.flush()
    return doc
