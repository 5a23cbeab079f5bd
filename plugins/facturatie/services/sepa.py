"""SEPA direct debit (domain-rules §6.3): bank details checked with schwifty and python-stdnum,
mandates with their amendments, the TARGET2 calendar (``holidays``' XECB) for collection dates,
and pain.008 files written by sepaxml (versions 001.001.02 and 001.001.08, a setting per
organisation for its bank).

Sequence types: the first collection under a mandate is FRST, later ones RCUR. A mandate not used
for 36 months has expired (EPC rulebook) and is left out with a warning.

Amendments (EPC SDD Core implementation guidelines, AT-24): the first file after a collection that
follows a change of the mandate reference or of the debtor's account says so in the debit's
``MndtRltdInf``: ``AmdmntInd`` true and ``AmdmntInfDtls`` with the original reference
(``OrgnlMndtId``), the original IBAN when the account changed at the same bank
(``OrgnlDbtrAcct``), or ``OrgnlDbtrAgt`` ``Othr/Id`` "SMNDA" when the debtor changed bank, and
then the debit is FRST again. sepaxml cannot write these elements: they are added to its XML with
lxml, in the schema's order, before the XSD check. A mandate never collected carries no
amendment (its bank has not seen the old data)."""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from functools import lru_cache

from lxml import etree
from schwifty import BIC, IBAN
from schwifty.exceptions import SchwiftyException
from sqlalchemy import select, update
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
from .bulk import in_values, insert_rows
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
    if _reference_taken(ctx, reference):
        raise BillingError("facturatie.mandate_reference_taken", "reference", reference=reference)
    mandate = SepaMandate(organisation_id=ctx.org.id, family_id=family_id, contact_id=data.contact_id,
                          reference=reference, debtor_name=name, iban=iban, bic=bic, signed_on=data.signed_on,
                          needs_first=True)
    ctx.session.add(mandate)
    _profile(ctx, family_id).payment_method = PaymentMethod.DIRECT_DEBIT
    ctx.session.flush()
    return mandate


def other_bank(old_iban: str, old_bic: str, iban: str, bic: str) -> bool:
    """Whether two accounts are at different banks: the IBANs' country and bank code, or the
    BICs' institution and country when both are known."""
    old, new = IBAN(old_iban), IBAN(iban)
    if (old.country_code, old.bank_code) != (new.country_code, new.bank_code):
        return True
    return bool(old_bic and bic and old_bic[:6] != bic[:6])


def amend_mandate(ctx, mandate: SepaMandate, data: MandateInput, reason: str = "") -> SepaMandate:
    """A change of reference, account, bank or holder: the old values are kept as an amendment,
    which the next file after a collection reports to the debtor's bank. Another bank makes the
    next debit FRST again, also in a draft batch built before the change."""
    if mandate.state != MandateState.ACTIVE:
        raise BillingError("facturatie.mandate_revoked")
    reference = (data.reference or mandate.reference).strip()
    if not REFERENCE_RE.fullmatch(reference):
        raise BillingError("facturatie.mandate_reference_invalid", "reference")
    iban, bic, name = _checked(ctx, MandateInput(reference, data.debtor_name, data.iban, data.bic,
                                                 data.signed_on or mandate.signed_on, data.contact_id))
    if (reference, iban, bic, name) == (mandate.reference, mandate.iban, mandate.bic, mandate.debtor_name):
        return mandate
    if reference != mandate.reference and _reference_taken(ctx, reference):
        raise BillingError("facturatie.mandate_reference_taken", "reference", reference=reference)
    ctx.session.add(SepaMandateAmendment(organisation_id=ctx.org.id, mandate_id=mandate.id, changed_on=ctx.today(),
                                         old_debtor_name=mandate.debtor_name, old_iban=mandate.iban,
                                         old_bic=mandate.bic, old_reference=mandate.reference, reason=reason[:200]))
    if other_bank(mandate.iban, mandate.bic, iban, bic):
        mandate.needs_first = True  # another bank: FRST again, with SMNDA when it was collected before
        drafts = select(DirectDebitBatch.id).where(DirectDebitBatch.organisation_id == ctx.org.id,
                                                   DirectDebitBatch.state == BatchState.DRAFT)
        ctx.session.execute(update(DirectDebitItem).where(
            DirectDebitItem.mandate_id == mandate.id, DirectDebitItem.batch_id.in_(drafts)).values(
            sequence_type="FRST").execution_options(synchronize_session="fetch"))
    mandate.reference, mandate.iban, mandate.bic, mandate.debtor_name = reference, iban, bic, name
    ctx.session.flush()
    return mandate


def _reference_taken(ctx, reference: str) -> bool:
    """A reference is never reused: neither a mandate's nor one a mandate had before."""
    return bool(ctx.session.scalar(select(SepaMandate.id).where(
        SepaMandate.organisation_id == ctx.org.id, SepaMandate.reference == reference))) or bool(
        ctx.session.scalar(select(SepaMandateAmendment.id).where(
            SepaMandateAmendment.organisation_id == ctx.org.id, SepaMandateAmendment.old_reference == reference)))


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
    replaced; a frozen batch never changes. A fixed number of statements whatever the number of
    debits: plain rows read, the debits written with one bulk insert."""
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
    debiting = select(SepaMandate.id, SepaMandate.family_id, SepaMandate.reference, SepaMandate.needs_first,
                      SepaMandate.last_collection_on).join(
        BillingProfile, (BillingProfile.family_id == SepaMandate.family_id)
        & (BillingProfile.organisation_id == SepaMandate.organisation_id)).where(
        SepaMandate.organisation_id == org.id, SepaMandate.state == MandateState.ACTIVE,
        BillingProfile.payment_method == PaymentMethod.DIRECT_DEBIT)
    mandates = {}
    for mandate in session.execute(debiting.order_by(SepaMandate.signed_on, SepaMandate.id)):
        mandates[mandate.family_id] = mandate  # the latest signed wins
    in_collection = select(DirectDebitItem.invoice_id).join(DirectDebitBatch).where(
        DirectDebitItem.organisation_id == org.id, DirectDebitItem.state == DebitState.PENDING,
        DirectDebitBatch.state == BatchState.FROZEN)
    invoices = session.execute(select(Invoice.id, Invoice.family_id, Invoice.total, Invoice.paid_amount,
                                      Invoice.ogm).where(
        Invoice.organisation_id == org.id, Invoice.kind == InvoiceKind.INVOICE,
        Invoice.payment_state.in_(OPEN_STATES),
        Invoice.family_id.in_(debiting.with_only_columns(SepaMandate.family_id)),
        Invoice.id.not_in(in_collection)).order_by(Invoice.family_id, Invoice.id)).all()
    warnings = []
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
    batch = DirectDebitBatch(organisation_id=org.id, collection_date=collection_date,
                             schema=str(ctx.setting("facturatie.sepa_pain_version")), count=len(items),
                             control_sum=sum((item["amount"] for item in items), Decimal("0")))
    session.add(batch)
    session.flush()
    _insert_items(ctx, batch, items)
    return BatchResult(batch, tuple(warnings))


def _insert_items(ctx, batch: DirectDebitBatch, items: list[dict]) -> None:
    """The batch's debits in one bulk insert, and one audit entry for the batch naming every debit
    (its invoice, mandate, amount and sequence type): the same facts as one entry per debit, as a
    CODA import or finalising a month is logged, without thousands of audit rows a month."""
    from core.audit import current_actor_id
    from core.models import AuditEntry

    for item in items:
        item["batch_id"] = batch.id
    ids = insert_rows(ctx.session, DirectDebitItem.__table__, items, ids=True)
    ctx.session.add(AuditEntry(
        organisation_id=ctx.org.id, user_id=current_actor_id(), at=ctx.now(), action="update",
        entity=DirectDebitBatch.__tablename__, entity_id=batch.id, summary=str(batch.collection_date),
        changes={"items": [None, [[item_id, item["invoice_id"], item["mandate_id"], str(item["amount"]),
                                   item["sequence_type"]] for item_id, item in zip(ids, items, strict=True)]]}))
    ctx.session.flush()
    ctx.session.expire(batch, ["items"])


@dataclass(frozen=True)
class Amendment:
    """What a debit tells the debtor's bank about a mandate changed since its last collection."""

    original_reference: str = ""  # OrgnlMndtId: the creditor gave the mandate a new reference
    original_iban: str = ""  # OrgnlDbtrAcct: another account at the same bank
    new_bank: bool = False  # OrgnlDbtrAgt Othr/Id SMNDA: the debtor changed bank (the debit is FRST)

    def __bool__(self) -> bool:
        return bool(self.original_reference or self.original_iban or self.new_bank)


def pending_amendments(session, mandates) -> dict[int, Amendment]:
    """Per mandate (rows with id, reference, iban, bic, last_collection_on) collected before: the
    difference between what its bank last saw (the oldest amendment not yet reported) and what
    it is now. One statement."""
    collected = {m.id: m for m in mandates if m.last_collection_on is not None}
    if not collected:
        return {}
    first: dict[int, SepaMandateAmendment] = {}
    for amendment in session.scalars(select(SepaMandateAmendment).where(
            in_values(session, SepaMandateAmendment.mandate_id, collected),
            SepaMandateAmendment.sent_batch_id.is_(None)).order_by(SepaMandateAmendment.id)):
        first.setdefault(amendment.mandate_id, amendment)
    out = {}
    for mandate_id, was in first.items():
        now = collected[mandate_id]
        reference = was.old_reference if was.old_reference and was.old_reference != now.reference else ""
        new_bank = was.old_iban != now.iban and other_bank(was.old_iban, was.old_bic, now.iban, now.bic)
        iban = was.old_iban if was.old_iban != now.iban and not new_bank else ""
        amendment = Amendment(reference, iban, new_bank)
        if amendment:
            out[mandate_id] = amendment
    return out


def render_batch(ctx, batch: DirectDebitBatch) -> bytes:
    """The pain.008 XML of a batch, written by sepaxml, with the amendment details added and the
    whole checked against the ISO XSD. Reads the debits with their mandates and invoices in one
    statement and the mandates' amendments in one more, whatever the batch's size."""
    from sepaxml import SepaDD

    org = ctx.org
    session = ctx.session
    schema = batch.schema if batch.schema in PAIN_VERSIONS else PAIN_VERSIONS[0]
    config = {"name": org.name[:70], "IBAN": IBAN(org.iban).compact, "batch": True,
              "creditor_id": clean_creditor_id(org.sepa_creditor_id), "currency": "EUR", "instrument": "CORE"}
    if org.bic:
        config["BIC"] = org.bic
    elif schema == "pain.008.001.02":
        config["BIC"] = clean_bic("", IBAN(org.iban)) or "NOTPROVIDED"
    sepa = SepaDD(config, schema=schema, clean=True)
    rows = session.execute(select(
        DirectDebitItem.amount, DirectDebitItem.sequence_type, DirectDebitItem.end_to_end_id,
        DirectDebitItem.mandate_id, SepaMandate.reference, SepaMandate.debtor_name, SepaMandate.iban,
        SepaMandate.bic, SepaMandate.signed_on, SepaMandate.last_collection_on, Invoice.display_number, Invoice.ogm)
        .join(SepaMandate, SepaMandate.id == DirectDebitItem.mandate_id)
        .join(Invoice, Invoice.id == DirectDebitItem.invoice_id)
        .where(DirectDebitItem.batch_id == batch.id).order_by(DirectDebitItem.id)).all()
    mandates = {row.mandate_id: row for row in rows}
    amendments = pending_amendments(session, [_MandateView(r.mandate_id, r.reference, r.iban, r.bic,
                                                           r.last_collection_on) for r in mandates.values()])
    amended: dict[str, Amendment] = {}
    for row in rows:
        payment = {"name": row.debtor_name, "IBAN": row.iban, "amount": int(row.amount * 100),
                   "type": row.sequence_type, "collection_date": batch.collection_date,
                   "mandate_id": row.reference, "mandate_date": row.signed_on,
                   "description": f"{row.display_number} +++{_ogm_display(row.ogm)}+++",
                   "endtoend_id": row.end_to_end_id}
        if row.bic:
            payment["BIC"] = row.bic
        sepa.add_payment(payment)
        if row.mandate_id in amendments:
            amended[row.end_to_end_id] = amendments[row.mandate_id]
    data = sepa.export(validate=False)
    root = etree.fromstring(data)
    if amended:
        _add_amendments(root, amended)
        data = etree.tostring(root, xml_declaration=True, encoding="UTF-8")
    _schema(schema).assertValid(root)  # the ISO XSD, with lxml (xmlschema is slow)
    return data


@dataclass(frozen=True)
class _MandateView:
    id: int
    reference: str
    iban: str
    bic: str
    last_collection_on: date | None


def _add_amendments(root, amended: dict[str, Amendment]) -> None:
    """``AmdmntInd`` and ``AmdmntInfDtls`` after ``DtOfSgntr`` in the ``MndtRltdInf`` of each
    amended debit (found by its end-to-end id), children in the order both schema versions
    share: OrgnlMndtId, OrgnlDbtrAcct, OrgnlDbtrAgt."""
    ns = root.nsmap[None]

    def sub(parent, tag, text=None):
        element = etree.SubElement(parent, f"{{{ns}}}{tag}")
        if text is not None:
            element.text = text
        return element

    for tx in root.iter(f"{{{ns}}}DrctDbtTxInf"):
        amendment = amended.get(tx.findtext(f"{{{ns}}}PmtId/{{{ns}}}EndToEndId"))
        if not amendment:
            continue
        info = tx.find(f"{{{ns}}}DrctDbtTx/{{{ns}}}MndtRltdInf")
        signed = info.find(f"{{{ns}}}DtOfSgntr")
        indicator = etree.Element(f"{{{ns}}}AmdmntInd")
        indicator.text = "true"
        details = etree.Element(f"{{{ns}}}AmdmntInfDtls")
        if amendment.original_reference:
            sub(details, "OrgnlMndtId", amendment.original_reference)
        if amendment.original_iban:
            sub(sub(sub(details, "OrgnlDbtrAcct"), "Id"), "IBAN", amendment.original_iban)
        if amendment.new_bank:
            sub(sub(sub(sub(details, "OrgnlDbtrAgt"), "FinInstnId"), "Othr"), "Id", "SMNDA")
        position = info.index(signed) + 1
        info.insert(position, indicator)
        info.insert(position + 1, details)


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
    collected and the mandates move on to RCUR. Returns the stored document. A fixed number of
    statements whatever the batch's size: the invoices and mandates are updated with one
    statement each, and one audit entry on the batch names each invoice's and mandate's change
    (as building the batch logs its debits)."""
    from core import documents
    from core.audit import current_actor_id
    from core.models import AuditEntry

    session = ctx.session
    if batch.state == BatchState.FROZEN:
        return documents.get(session, ctx.org, batch.document_id)
    data = render_batch(ctx, batch)
    root = etree.fromstring(data)
    msg = root.find(".//{*}GrpHdr/{*}MsgId")
    batch.message_id = (msg.text or "")[:35] if msg is not None else ""
    doc = documents.store(session, ctx.org, data, filename=f"domiciliering-{batch.collection_date}-{batch.id}.xml",
                          content_type="application/xml", kind="facturatie.pain008", module="facturatie",
                          created_by_id=ctx.user.id if ctx.user else None, roles=READERS)
    now = ctx.now()
    batch.document_id = doc.id
    batch.state = BatchState.FROZEN
    batch.frozen_at = now
    batch.frozen_by_id = ctx.user.id if ctx.user else None
    in_batch = select(DirectDebitItem.invoice_id).where(DirectDebitItem.batch_id == batch.id)
    of_batch = select(DirectDebitItem.mandate_id).where(DirectDebitItem.batch_id == batch.id)
    invoices = session.execute(select(Invoice.id, Invoice.payment_state).where(
        Invoice.id.in_(in_batch)).order_by(Invoice.id)).all()
    mandates = session.execute(select(SepaMandate.id, SepaMandate.needs_first, SepaMandate.last_collection_on)
                               .where(SepaMandate.id.in_(of_batch)).order_by(SepaMandate.id)).all()
    session.execute(update(Invoice).where(Invoice.id.in_(in_batch)).values(
        payment_state=PaymentState.COLLECTING, updated_at=now).execution_options(synchronize_session=False))
    session.execute(update(SepaMandate).where(SepaMandate.id.in_(of_batch)).values(
        needs_first=False, last_collection_on=batch.collection_date, updated_at=now)
        .execution_options(synchronize_session=False))
    changed = {Invoice: {i.id for i in invoices}, SepaMandate: {m.id for m in mandates}}
    for obj in list(session.identity_map.values()):  # the few loaded here read the new values
        if obj.id in changed.get(type(obj), ()):
            session.expire(obj, ["payment_state", "updated_at"] if isinstance(obj, Invoice)
                           else ["needs_first", "last_collection_on", "updated_at"])
    # the file told the banks what changed (or, for a first collection, showed the data as it is)
    session.execute(update(SepaMandateAmendment).where(
        SepaMandateAmendment.mandate_id.in_(of_batch), SepaMandateAmendment.sent_batch_id.is_(None))
        .values(sent_batch_id=batch.id).execution_options(synchronize_session=False))
    session.add(AuditEntry(
        organisation_id=ctx.org.id, user_id=current_actor_id(), at=now, action="update",
        entity=DirectDebitBatch.__tablename__, entity_id=batch.id, summary=str(batch.collection_date),
        changes={"invoices": [None, [[i.id, _plain(i.payment_state), PaymentState.COLLECTING.value]
                                     for i in invoices]],
                 "mandates": [None, [[m.id, m.needs_first, m.last_collection_on and m.last_collection_on.isoformat(),
                                      batch.collection_date.isoformat()] for m in mandates]]}))
    session.flush()
    return doc


def _plain(value):
    return getattr(value, "value", value)
