"""Bank statements in CODA 2.x (domain-rules §6.4), parsed by febelfin-coda (Tryton), and the
automatic matching of what came in.

* A credit movement with a valid structured communication (or, for a direct debit, the
  end-to-end id, which is the invoice's OGM) is matched to the invoice with that OGM *of this
  organisation*: a :class:`Payment` allocated to it (``allocation``); a partial payment
  leaves the invoice partly paid, an over-payment stays on the family as ``unallocated``.
* A debit movement that returns or refuses one of our direct debits (an R-transaction, or the
  direct-debit family 05 with our end-to-end id) reopens the invoice with the reason.
* Everything else is kept as an unmatched movement, listed with suggestions for a manual match.

Every movement has an external key (account, year, statement, sequence, detail): importing the
same file (or an overlapping one) again records nothing twice. A file is imported in the
request's one transaction: a failure leaves nothing half-imported, and a restarted import skips
what an earlier, committed one recorded."""
from __future__ import annotations

import hashlib
import io
import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from schwifty import IBAN
from sqlalchemy import (
    bindparam,
    select,
    text,
    update,
)

from core.clock import clock
from core.models import Organisation

from ..models import (
    BankMovement,
    CodaImport,
    DebitState,
    DirectDebitItem,
    Invoice,
    MovementState,
    Payment,
    PaymentAllocation,
    PaymentMethod,
    PaymentState,
)
from . import allocation
from .bulk import in_values, insert_rows
from .errors import BillingError

HEADER_RE = re.compile(r"^0{5}\d{9}05[ D] {7}")
OGM_RE = re.compile(r"(?:[+*]{3}\s*)?(\d{3})\s*/?\s*(\d{4})\s*/?\s*(\d{5})(?:\s*[+*]{3})?")
CHUNK = 5000  # IN-list size: 10,000 movements take two lookups per kind

#: SEPA reason codes of returned / refused direct debits (ISO 20022 ExternalReturnReason), as shown.
RETURN_REASONS = {
    "AC01": _l("rekeningnummer onjuist"),
    "AC04": _l("rekening afgesloten"),
    "AC06": _l("rekening geblokkeerd"),
    "AG01": _l("domiciliëring niet toegestaan op deze rekening"),
    "AM04": _l("onvoldoende saldo"),
    "MD01": _l("geen geldig mandaat"),
    "MD06": _l("terugbetaling gevraagd door de schuldenaar"),
    "MD07": _l("schuldenaar overleden"),
    "MS02": _l("geweigerd door de schuldenaar"),
    "MS03": _l("geen reden opgegeven"),
    "SL01": _l("dienst van de bank van de schuldenaar"),
}


def reason_text(code: str) -> str:
    code = (code or "").strip()
    text = RETURN_REASONS.get(code)
    return f"{code} {text}" if text else (code or str(_l("teruggestort")))


def valid_ogm(digits: str) -> bool:
    """12 digits whose last two are the first ten mod 97 (0 → 97): the rule of python-stdnum's
    ``be.ogm_vcs`` (a test compares them), inlined because the import checks every movement."""
    return len(digits) == 12 and digits.isdigit() and (int(digits[:10]) % 97 or 97) == int(digits[10:])


def normalise_ogm(text: str | None) -> str:
    """The 12 digits of a valid structured communication found in ``text`` (``+++123/4567/89012+++``,
    ``***...***`` or the bare digits), or ``""``. Own small normaliser: checked with
    ``valid_ogm``."""
    if not text:
        return ""
    for match in OGM_RE.finditer(text):
        digits = "".join(match.groups())
        if valid_ogm(digits):
            return digits
    return ""


@dataclass(frozen=True)
class Movement:
    key: str
    entry_date: date
    amount: Decimal
    communication: str
    ogm: str
    name: str
    iban: str
    reference: str  # the customer reference: a direct debit's end-to-end id
    returned: bool
    reason: str


@dataclass(frozen=True)
class ParsedFile:
    name: str
    account: str
    statements: tuple[str, ...]
    movements: tuple[Movement, ...]


def _counterparty_iban(value: str | None) -> str:
    token = (value or "").split(" ")[0].strip()
    return token[:34]


def _movement(account: str, statement, move) -> Movement:
    structured = move.communication_type in {"101", "102"}
    communication = (move.communication or "").strip() if move._communication else ""
    ogm = communication if structured and valid_ogm(communication or "") else normalise_ogm(communication)
    year = (statement.new_balance_date or statement.creation_date).year
    returned = bool((move.r_transaction or "").strip()) or (
        move.amount < 0 and move.transaction_family == "05")
    return Movement(key=f"{account}/{year}/{statement.new_sequence}/{move.sequence}/{move.detail_sequence}",
                    entry_date=move.entry_date, amount=move.amount, communication=communication[:140], ogm=ogm,
                    name=(move.counterparty_name or "")[:200], iban=_counterparty_iban(move.counterparty_account),
                    reference=(move.customer_reference or "").strip(), returned=returned,
                    reason=(move.r_reason or "").strip())


def parse(name: str, data: bytes) -> ParsedFile:
    """One CODA file as plain movements (a globalised movement as its details), or a
    BillingError: not CODA, another version, truncated."""
    from coda import CODA

    text = data.decode("windows-1252", errors="replace")
    if not HEADER_RE.match(text):
        raise BillingError("facturatie.coda_not_coda", "files", name=name)
    version = text[127:128] if len(text) >= 128 else "?"
    if version != "2":
        raise BillingError("facturatie.coda_version", "files", name=name, version=version.strip() or "1")
    try:
        statements = CODA(io.StringIO(text)).statements
    except ValueError as exc:
        if "version" in str(exc).lower():
            raise BillingError("facturatie.coda_version", "files", name=name, version="?") from exc
        raise BillingError("facturatie.coda_truncated", "files", name=name, detail=str(exc)[:80]) from exc
    except (AssertionError, IndexError, KeyError, TypeError, AttributeError, ArithmeticError) as exc:
        raise BillingError("facturatie.coda_truncated", "files", name=name,
                           detail=type(exc).__name__) from exc
    if not statements or any(s.number_records is None for s in statements):
        raise BillingError("facturatie.coda_truncated", "files", name=name, detail=_l("geen afsluitrecord"))
    accounts = {s.account for s in statements}
    movements: list[Movement] = []
    for statement in statements:
        for move in statement.moves:
            details = [m for m in move.moves if m.transaction_type in {"5", "6", "7", "8"}]
            for item in (details if details and move.transaction_type in {"1", "2"} else [move]):
                movements.append(_movement(statement.account, statement, item))
    return ParsedFile(name=name, account=sorted(accounts)[0], movements=tuple(movements),
                      statements=tuple(f"{(s.new_balance_date or s.creation_date).year}/{s.new_sequence}"
                                       for s in statements))


def _same_account(coda_account: str, org_iban: str | None) -> bool:
    if not org_iban:
        return False
    own = IBAN(org_iban).compact
    account = coda_account.replace(" ", "").upper()
    return account == own or (account.isdigit() and own.startswith("BE") and own[4:] == account)


@dataclass(frozen=True)
class ImportResult:
    import_id: int
    filename: str
    already: bool
    movements: int
    matched: int
    returned: int
    unmatched: int
    skipped: int


def _chunks(values: list, size: int = CHUNK):
    for start in range(0, len(values), size):
        yield values[start:start + size]



def lock_organisation(ctx) -> None:
    """Serialise imports and manual matches of one organisation (docs/concurrency.md)."""
    ctx.session.execute(select(Organisation.id).where(Organisation.id == ctx.org.id).with_for_update())


def import_file(ctx, name: str, data: bytes, *, parsed: ParsedFile | None = None) -> ImportResult:
    """Import one CODA file: record and match its new movements. The same file again changes
    nothing; statements for another account are refused."""
    parsed = parsed or parse(name, data)
    if not _same_account(parsed.account, ctx.org.iban):
        raise BillingError("facturatie.coda_account", "files", name=name, account=parsed.account,
                           own=ctx.org.iban or "-")
    session, org_id = ctx.session, ctx.org.id
    lock_organisation(ctx)
    sha = hashlib.sha256(data).hexdigest()
    existing = session.scalar(select(CodaImport).where(CodaImport.organisation_id == org_id,
                                                       CodaImport.sha256 == sha))
    if existing is not None:
        return ImportResult(existing.id, existing.filename, True, 0, 0, 0, 0, len(parsed.movements))
    keys = [m.key for m in parsed.movements]
    seen: set[str] = set()
    for chunk in _chunks(keys):
        seen.update(session.scalars(select(BankMovement.external_key).where(
            BankMovement.organisation_id == org_id, in_values(session, BankMovement.external_key, chunk))))
    new = [m for m in parsed.movements if m.key not in seen]
    refs = sorted({m.ogm for m in new if m.ogm} | {m.reference for m in new if m.reference})
    invoices: dict[str, _Open] = {}
    items: dict[str, DirectDebitItem] = {}
    for chunk in _chunks(refs):
        for row in session.execute(select(Invoice.id, Invoice.ogm, Invoice.family_id, Invoice.total,
                                          Invoice.paid_amount, Invoice.payment_state)
                                   .where(Invoice.organisation_id == org_id, in_values(session, Invoice.ogm, chunk))):
            invoices[row.ogm] = _Open(row.id, row.family_id, row.total, row.paid_amount, row.payment_state)
        for item in session.scalars(select(DirectDebitItem).where(
                DirectDebitItem.organisation_id == org_id, in_values(session, DirectDebitItem.end_to_end_id, chunk),
                DirectDebitItem.state != DebitState.RETURNED).order_by(DirectDebitItem.id)):
            items[item.end_to_end_id] = item  # the latest batch's
    lumps = _lump_sums(ctx, [m for m in new if m.amount > 0 and m.ogm not in invoices
                             and m.reference not in invoices], invoices, items)
    record = CodaImport(organisation_id=org_id, sha256=sha, filename=name[:200], account=parsed.account[:34],
                        statements=", ".join(parsed.statements)[:200], movements=len(new),
                        imported_by_id=ctx.user.id if ctx.user else None)
    session.add(record)
    session.flush()
    user_id = ctx.user.id if ctx.user else None
    payments: list[dict] = []
    parts: list[tuple[int, Decimal]] = []  # per payment: (invoice id, amount allocated)
    movements: list[dict] = []
    returns: list[tuple[Movement, DirectDebitItem]] = []
    touched: dict[int, tuple[Decimal, PaymentState]] = {}
    matched = unmatched = 0
    for m in new:
        row = {"organisation_id": org_id, "import_id": record.id, "external_key": m.key, "entry_date": m.entry_date,
               "amount": m.amount, "communication": m.communication, "ogm": m.ogm, "counterparty_name": m.name,
               "counterparty_iban": m.iban, "state": MovementState.UNMATCHED, "note": "", "payment": None}
        ref = m.ogm if m.ogm in invoices else (m.reference if m.reference in invoices else "")
        if m.key in lumps:  # a direct-debit batch credited as one sum: every debit of it is paid
            batch, batch_items = lumps[m.key]
            row["payment"] = len(payments)
            for item in batch_items:
                inv = invoices[item.end_to_end_id]
                used = allocation.allocatable(inv.total, inv.paid, item.amount)
                touched.setdefault(inv.id, (inv.paid, inv.state))
                inv.paid += used
                inv.state = allocation.state_for(inv.total, inv.paid)
                payments.append({"organisation_id": org_id, "family_id": inv.family_id, "received_on": m.entry_date,
                                 "amount": item.amount, "method": PaymentMethod.DIRECT_DEBIT, "source": "coda",
                                 "reference": item.end_to_end_id, "counterparty_name": m.name,
                                 "counterparty_iban": m.iban, "external_key": f"{m.key}/{item.id}"[:120],
                                 "unallocated": item.amount - used, "recorded_by_id": user_id})
                parts.append((inv.id, used))
                item.state = DebitState.COLLECTED
            row["state"] = MovementState.MATCHED
            row["note"] = f"{batch.message_id} ({len(batch_items)})"[:200]
            matched += 1
        elif m.amount > 0 and ref:
            inv = invoices[ref]
            item = items.get(ref)
            used = allocation.allocatable(inv.total, inv.paid, m.amount)
            touched.setdefault(inv.id, (inv.paid, inv.state))
            inv.paid += used
            inv.state = allocation.state_for(inv.total, inv.paid)
            payments.append({"organisation_id": org_id, "family_id": inv.family_id, "received_on": m.entry_date,
                             "amount": m.amount,
                             "method": PaymentMethod.DIRECT_DEBIT if item else PaymentMethod.TRANSFER,
                             "source": "coda", "reference": (m.communication or m.reference)[:140],
                             "counterparty_name": m.name, "counterparty_iban": m.iban, "external_key": m.key,
                             "unallocated": m.amount - used, "recorded_by_id": user_id})
            parts.append((inv.id, used))
            row["payment"] = len(payments) - 1
            row["state"] = MovementState.MATCHED
            if item is not None and item.state == DebitState.PENDING:
                item.state = DebitState.COLLECTED
            matched += 1
        elif m.amount < 0 and m.returned and (items.get(m.reference) or items.get(m.ogm)):
            returns.append((m, items.get(m.reference) or items[m.ogm]))
            continue
        elif m.amount < 0:
            row["state"] = MovementState.IGNORED
        else:
            unmatched += 1
        movements.append(row)
    _write_bulk(ctx, record, payments, parts, movements, invoices, touched)
    for m, item in returns:  # after the credits are written: a return reads the invoice as it is now
        row = BankMovement(organisation_id=org_id, import_id=record.id, external_key=m.key, entry_date=m.entry_date,
                           amount=m.amount, communication=m.communication, ogm=m.ogm, counterparty_name=m.name,
                           counterparty_iban=m.iban, state=MovementState.UNMATCHED)
        session.add(row)
        _return(ctx, row, m, item, session.get(Invoice, item.invoice_id, populate_existing=True))
    record.matched = matched
    session.flush()
    return ImportResult(record.id, record.filename, False, len(new), matched, len(returns), unmatched,
                        len(parsed.movements) - len(new))


def _lump_sums(ctx, credits: list[Movement], invoices: dict, items: dict) -> dict[str, tuple]:
    """Credits that are a whole frozen direct-debit batch booked as one sum (no detail records):
    the amount is the batch's control sum and the communication or reference names its message
    id. Returns movement key -> (batch, its pending debits), and adds the debits' invoices to
    ``invoices`` and the debits to ``items``. Two statements, only when such a credit exists."""
    from ..models import BatchState, DirectDebitBatch

    session, org_id = ctx.session, ctx.org.id
    amounts = sorted({m.amount for m in credits if m.communication or m.reference})
    if not amounts:
        return {}
    batches = session.scalars(select(DirectDebitBatch).where(
        DirectDebitBatch.organisation_id == org_id, DirectDebitBatch.state == BatchState.FROZEN,
        DirectDebitBatch.message_id != "", in_values(session, DirectDebitBatch.control_sum, amounts))
        .order_by(DirectDebitBatch.id)).all()
    found: dict[str, DirectDebitBatch] = {}
    taken: set[int] = set()
    for m in credits:
        for batch in batches:
            if (batch.id not in taken and batch.control_sum == m.amount
                    and batch.message_id in f"{m.communication} {m.reference}"):
                found[m.key] = batch
                taken.add(batch.id)
                break
    if not found:
        return {}
    pending = session.scalars(select(DirectDebitItem).where(
        DirectDebitItem.batch_id.in_(taken), DirectDebitItem.state == DebitState.PENDING)
        .order_by(DirectDebitItem.id)).all()
    per_batch: dict[int, list[DirectDebitItem]] = {}
    for item in pending:
        per_batch.setdefault(item.batch_id, []).append(item)
        items[item.end_to_end_id] = item
    rows = session.execute(select(Invoice.id, Invoice.ogm, Invoice.family_id, Invoice.total, Invoice.paid_amount,
                                  Invoice.payment_state).where(Invoice.organisation_id == org_id,
                                                               Invoice.id.in_([i.invoice_id for i in pending])))
    for row in rows:
        invoices.setdefault(row.ogm, _Open(row.id, row.family_id, row.total, row.paid_amount, row.payment_state))
    return {key: (batch, [i for i in per_batch.get(batch.id, []) if i.end_to_end_id in invoices])
            for key, batch in found.items() if per_batch.get(batch.id)}


@dataclass
class _Open:
    """An invoice a movement may pay, as plain values (bulk import)."""

    id: int
    family_id: int | None
    total: Decimal
    paid: Decimal
    state: PaymentState


def _update_invoices(session, rows: list[tuple[int, Decimal, PaymentState]]) -> None:
    """PostgreSQL: the new states are copied into a temporary table and applied by one
    ``UPDATE ... FROM`` (an executemany sends one UPDATE per invoice over the network, and a
    multi-row VALUES costs as much in building the SQL text). SQLite (in-process): an executemany."""
    table = Invoice.__table__
    ids = {row[0] for row in rows}
    for obj in list(session.identity_map.values()):  # loaded invoices must not keep the old state
        if isinstance(obj, Invoice) and obj.id in ids:
            session.expire(obj, ["paid_amount", "payment_state"])
    if session.get_bind().dialect.name != "postgresql":
        if rows:
            session.execute(update(table).where(table.c.id == bindparam("b_id")).values(
                paid_amount=bindparam("b_paid"), payment_state=bindparam("b_state")),
                [{"b_id": i, "b_paid": p, "b_state": st.value} for i, p, st in rows])
        return
    session.execute(text("CREATE TEMPORARY TABLE IF NOT EXISTS facturatie_paid_now "
                         "(id INTEGER PRIMARY KEY, paid NUMERIC(10, 2), state VARCHAR(16)) ON COMMIT DELETE ROWS"))
    driver = session.connection().connection.driver_connection
    with driver.cursor() as cursor, cursor.copy("COPY facturatie_paid_now (id, paid, state) FROM STDIN") as copy:
        for inv_id, paid, state in rows:
            copy.write_row((inv_id, paid, state.value))
    session.execute(text("UPDATE facturatie_invoice SET paid_amount = p.paid, payment_state = p.state, "
                         "updated_at = :now FROM facturatie_paid_now p WHERE facturatie_invoice.id = p.id"),
                    {"now": clock.now()})
    session.execute(text("DELETE FROM facturatie_paid_now"))


def _write_bulk(ctx, record, payments, parts, movements, invoices, touched) -> None:
    """The matched payments, their allocations, the movements, the invoices' new payment state and
    one audit entry for the import listing them: a handful of multi-row statements."""
    from core.audit import current_actor_id
    from core.models import AuditEntry

    session = ctx.session
    now = ctx.now()
    for payment in payments:
        payment["created_at"] = payment["updated_at"] = now
    payment_ids = insert_rows(session, Payment.__table__, payments, ids=True)
    insert_rows(session, PaymentAllocation.__table__, [
        {"organisation_id": ctx.org.id, "payment_id": pid, "invoice_id": inv_id, "amount": used}
        for pid, (inv_id, used) in zip(payment_ids, parts, strict=True) if used > 0])
    indexes = [row.pop("payment") for row in movements]
    for row, index in zip(movements, indexes, strict=True):
        row["payment_id"] = payment_ids[index] if index is not None else None
    movement_ids = insert_rows(session, BankMovement.__table__, movements, ids=True)
    by_id = {inv.id: inv for inv in invoices.values()}
    _update_invoices(session, [(inv_id, by_id[inv_id].paid, by_id[inv_id].state) for inv_id in touched])
    if not movements:
        return
    # One audit entry for the whole import, naming every payment, every movement (its state and
    # payment) and every invoice's change of paid amount and state (the allocations are rows of
    # their payments): the same facts as one entry per row, as finalising a month logs the run and
    # not each invoice, without 3 audit rows per movement.
    session.add(AuditEntry(
        organisation_id=ctx.org.id, user_id=current_actor_id(), at=now, action="update",
        entity=CodaImport.__tablename__, entity_id=record.id, summary=record.filename,
        changes={"payments": [None, [[pid, pay["family_id"], str(pay["amount"]), str(pay["unallocated"]),
                                      pay["external_key"]] for pid, pay in zip(payment_ids, payments, strict=True)]],
                 "movements": [None, [[mid, m["external_key"], m["state"].value, m["payment_id"]]
                                      for mid, m in zip(movement_ids, movements, strict=True)]],
                 "invoices": [None, [[inv_id, str(old_paid), str(by_id[inv_id].paid), _plain(old_state),
                                      by_id[inv_id].state.value]
                                     for inv_id, (old_paid, old_state) in touched.items()]]}))


def _plain(value):
    return getattr(value, "value", value)


def _payment(ctx, family_id, m: Movement, method: PaymentMethod) -> Payment:
    payment = Payment(organisation_id=ctx.org.id, family_id=family_id, received_on=m.entry_date, amount=m.amount,
                      method=method, source="coda", reference=(m.communication or m.reference)[:140],
                      counterparty_name=m.name, counterparty_iban=m.iban, external_key=m.key,
                      unallocated=Decimal("0"), recorded_by_id=ctx.user.id if ctx.user else None)
    ctx.session.add(payment)
    return payment


def _return(ctx, row: BankMovement, m: Movement, item: DirectDebitItem, invoice: Invoice) -> None:
    """A returned or refused debit: the invoice is open again, with the reason on the debit."""
    if item.state == DebitState.COLLECTED:
        payment = _payment(ctx, invoice.family_id, m, PaymentMethod.DIRECT_DEBIT)
        allocation.reverse(ctx.session, payment, invoice, -m.amount)
        row.payment = payment
    item.state = DebitState.RETURNED
    item.return_reason = reason_text(m.reason)[:200]
    item.returned_on = m.entry_date
    if invoice.payment_state == PaymentState.COLLECTING:
        invoice.payment_state = allocation.state_after(invoice)
    row.state = MovementState.RETURNED
    row.note = item.return_reason


def manual_match(ctx, movement_id: int, invoice_id: int) -> Payment:
    """Match an unmatched credit movement to an invoice of this organisation by hand."""
    lock_organisation(ctx)
    session = ctx.session
    row = session.scalar(select(BankMovement).where(BankMovement.organisation_id == ctx.org.id,
                                                    BankMovement.id == movement_id))
    if row is None or row.state != MovementState.UNMATCHED or row.amount <= 0:
        raise BillingError("facturatie.movement_done")
    invoice = session.scalar(select(Invoice).where(Invoice.organisation_id == ctx.org.id, Invoice.id == invoice_id))
    if invoice is None:
        raise BillingError("facturatie.invoice_unknown", "invoice_id")
    m = Movement(row.external_key, row.entry_date, row.amount, row.communication, row.ogm, row.counterparty_name,
                 row.counterparty_iban, "", False, "")
    payment = _payment(ctx, invoice.family_id, m, PaymentMethod.TRANSFER)
    payment.unallocated = row.amount - allocation.allocate(payment, invoice, row.amount)
    row.payment = payment
    row.state = MovementState.MANUAL
    session.flush()
    return payment


@dataclass(frozen=True)
class Suggestion:
    invoice_id: int
    display_number: str
    debtor_name: str
    due: Decimal
    why: str


def suggestions(ctx, movements: list[BankMovement], limit: int = 3) -> dict[int, list[Suggestion]]:
    """Per unmatched movement: open invoices with the same amount due, of a family that paid from
    the same IBAN before (or has a mandate on it), or whose debtor's name matches. Three
    statements whatever the number of movements."""
    from ..models import SepaMandate

    session, org_id = ctx.session, ctx.org.id
    open_invoices = session.scalars(select(Invoice).where(
        Invoice.organisation_id == org_id,
        Invoice.payment_state.in_((PaymentState.OPEN, PaymentState.PARTIAL, PaymentState.COLLECTING)))
        .order_by(Invoice.due_date, Invoice.id)).all()
    ibans = sorted({m.counterparty_iban for m in movements if m.counterparty_iban})
    families_by_iban: dict[str, set[int]] = {}
    if ibans:
        for iban, family_id in session.execute(select(Payment.counterparty_iban, Payment.family_id).where(
                Payment.organisation_id == org_id, Payment.counterparty_iban.in_(ibans),
                Payment.family_id.is_not(None)).distinct()):
            families_by_iban.setdefault(iban, set()).add(family_id)
        for iban, family_id in session.execute(select(SepaMandate.iban, SepaMandate.family_id).where(
                SepaMandate.organisation_id == org_id, SepaMandate.iban.in_(ibans))):
            families_by_iban.setdefault(iban, set()).add(family_id)
    out: dict[int, list[Suggestion]] = {}
    for m in movements:
        words = {w for w in re.split(r"\W+", m.counterparty_name.lower()) if len(w) > 2}
        found: list[tuple[int, Suggestion]] = []
        for inv in open_invoices:
            due = inv.total - inv.paid_amount
            reasons = []
            score = 0
            if due == m.amount:
                reasons.append(str(_l("zelfde bedrag")))
                score += 2
            if inv.family_id in families_by_iban.get(m.counterparty_iban, ()):
                reasons.append(str(_l("rekening eerder gezien")))
                score += 3
            if words and words & {w for w in re.split(r"\W+", inv.debtor_name.lower()) if len(w) > 2}:
                reasons.append(str(_l("naam")))
                score += 1
            if score:
                found.append((score, Suggestion(inv.id, inv.display_number, inv.debtor_name, due, ", ".join(reasons))))
        found.sort(key=lambda pair: -pair[0])
        out[m.id] = [s for _, s in found[:limit]]
    return out
