"""The tax certificate for childcare costs, form 281.86 (domain-rules §7), per calendar year,
child and debtor.

What counts: the money *received in the year* (``Payment.received_on``) and allocated to *care*
lines (``LineKind.CARE``): never invoices, meals, extras, fines, absence fees or unpaid amounts.
A partial payment of a line is spread over its days in proportion to their amounts
(``InvoiceLineDay``). Days on or after the child's 14th birthday (21st with a severe handicap,
``ChildFiscalInfo``) do not count. The debtor is the invoice's debtor: under co-parenting each
household is its own family with its own invoices, so each parent gets a certificate for what
they paid.

Lines: when any day's tariff is above the year's maximum (setting ``facturatie.fiscal_day_maximum``;
a year without a maximum is treated as above), every distinct day tariff gets its own line
(period, days, tariff, amount); otherwise one line for the year with the average tariff. The
Belcotax record has room for four lines; tariffs at or below the maximum are then merged.

A certificate needs the debtor's and the child's national number (or bis number); the ones that
cannot be made are listed with the reason. Issued certificates keep their serial number and the
content printed; a reprint is a "duplicaat"."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from stdnum.be import bis, nn

from core.models import Child, ContactPerson

from ..models import (
    ChildFiscalInfo,
    FiscalCertificate,
    Invoice,
    InvoiceLine,
    InvoiceLineDay,
    LineKind,
)
from . import allocation
from .bulk import in_values, insert_rows
from .errors import BillingError

CENT = Decimal("0.01")
MAX_LINES = 4


def money(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def valid_national_number(value: str | None) -> bool:
    value = (value or "").strip()
    return bool(value) and (nn.is_valid(value) or bis.is_valid(value))


def day_maximum(ctx, year: int) -> Decimal | None:
    """The maximum per day and child for payments in ``year`` (``2024:16.40,...``), or None."""
    raw = str(ctx.setting("facturatie.fiscal_day_maximum") or "")
    for part in raw.replace(";", ",").split(","):
        if ":" not in part:
            continue
        key, _, value = part.partition(":")
        try:
            if int(key.strip()) == year:
                return Decimal(value.strip())
        except (ValueError, ArithmeticError):
            raise BillingError("facturatie.fiscal_maximum_invalid") from None
    return None


def check_year(ctx, year: int) -> int:
    if not 2000 <= year <= 2100:
        raise BillingError("facturatie.certificate_year_invalid", "year")
    if year >= ctx.today().year:
        raise BillingError("facturatie.certificate_year_future", "year", year=year, next=year + 1)
    return year


@dataclass(frozen=True)
class CertificateLine:
    start: date
    end: date
    days: int
    tariff: Decimal
    amount: Decimal


@dataclass
class Draft:
    child_id: int
    debtor_id: int
    amount: Decimal = Decimal("0")
    lines: list[CertificateLine] = field(default_factory=list)


@dataclass(frozen=True)
class Problem:
    child_id: int
    child_name: str
    debtor_id: int | None
    debtor_name: str
    reason: str


def _age_limit_day(child: Child, handicap: bool) -> date | None:
    born = child.date_of_birth
    if born is None:
        return None
    years = 21 if handicap else 14
    try:
        return born.replace(year=born.year + years)
    except ValueError:  # 29 February
        return date(born.year + years, 3, 1)


def _lines(days: list[tuple[date, Decimal, Decimal]], maximum: Decimal | None) -> list[CertificateLine] | None:
    """Days as (day, tariff, share received) into certificate lines; None: more than four tariffs
    above the maximum."""
    days = [d for d in days if d[2] != 0]
    if not days:
        return []
    total = money(sum(d[2] for d in days))
    above = maximum is None or any(t > maximum for _, t, _ in days)
    if not above:
        count = len({d for d, _, _ in days})
        return [CertificateLine(min(d for d, _, _ in days), max(d for d, _, _ in days), count,
                                money(total / count) if count else total, total)]
    per_tariff: dict[Decimal, list] = defaultdict(list)
    for d in days:
        per_tariff[d[1]].append(d)
    groups = sorted(per_tariff.items())
    if len(groups) > MAX_LINES and maximum is not None:
        low = [d for t, ds in groups if t <= maximum for d in ds]
        high = [(t, ds) for t, ds in groups if t > maximum]
        if low and len(high) < MAX_LINES:
            merged = _lines(low, Decimal("1e9"))
            return merged + [_line(ds, t) for t, ds in high]
    if len(groups) > MAX_LINES:
        return None
    return [_line(ds, t) for t, ds in groups]


def _line(days, tariff: Decimal) -> CertificateLine:
    return CertificateLine(min(d for d, _, _ in days), max(d for d, _, _ in days), len({d for d, _, _ in days}),
                           money(tariff), money(sum(d[2] for d in days)))


def _people(session, child_ids: set[int], debtor_ids: set[int]) -> tuple[dict, dict]:
    """The children and debtors a certificate names, as plain rows (only what it needs: each
    national number is decrypted once), in two statements."""
    children = {c.id: c for c in session.execute(select(
        Child.id, Child.first_name, Child.last_name, Child.date_of_birth, Child.national_number).where(
        in_values(session, Child.id, child_ids)))} if child_ids else {}
    debtors = {c.id: c for c in session.execute(select(
        ContactPerson.id, ContactPerson.first_name, ContactPerson.last_name, ContactPerson.national_number).where(
        in_values(session, ContactPerson.id, debtor_ids)))} if debtor_ids else {}
    return children, debtors


def compute(ctx, year: int) -> tuple[list[Draft], list[Problem]]:
    """Every certificate of ``year`` that can be made, and the ones that cannot (with why). A
    fixed number of statements whatever the number of families."""
    check_year(ctx, year)
    session, org_id = ctx.session, ctx.org.id
    maximum = day_maximum(ctx, year)
    received = allocation.received_per_line(org_id, kind=LineKind.CARE, received_from=date(year, 1, 1),
                                            received_to=date(year, 12, 31))
    rows = session.execute(select(InvoiceLine.id, InvoiceLine.child_id, InvoiceLine.amount, Invoice.debtor_contact_id,
                                  Invoice.debtor_name, received.c.received)
                           .join(received, received.c.line_id == InvoiceLine.id)
                           .join(Invoice, Invoice.id == InvoiceLine.invoice_id)).all()
    line_ids = select(received.c.line_id)
    days_of: dict[int, list[tuple[date, Decimal]]] = defaultdict(list)
    for line_id, day, amount in session.execute(select(InvoiceLineDay.line_id, InvoiceLineDay.day,
                                                       InvoiceLineDay.amount)
                                                .where(InvoiceLineDay.line_id.in_(line_ids))):
        days_of[line_id].append((day, Decimal(amount)))
    children, debtors = _people(session, {r.child_id for r in rows if r.child_id},
                                {r.debtor_contact_id for r in rows if r.debtor_contact_id})
    handicap = set(session.scalars(select(ChildFiscalInfo.child_id).where(
        ChildFiscalInfo.organisation_id == org_id, ChildFiscalInfo.severe_handicap.is_(True))))

    groups: dict[tuple[int, int | None], list] = defaultdict(list)
    names: dict[tuple[int, int | None], str] = {}
    for r in rows:
        if r.child_id is None:
            continue
        key = (r.child_id, r.debtor_contact_id)
        names[key] = r.debtor_name
        share_base = Decimal(r.amount)
        got = Decimal(r.received)
        days = days_of.get(r.id) or []
        if not days or share_base == 0:
            groups[key].append((None, Decimal("0"), got))
            continue
        for day, amount in days:
            groups[key].append((day, amount, got * amount / share_base))

    drafts: list[Draft] = []
    problems: list[Problem] = []
    for (child_id, debtor_id), entries in sorted(groups.items(), key=lambda kv: (kv[0][0], kv[0][1] or 0)):
        child = children.get(child_id)
        child_name = f"{child.first_name} {child.last_name}" if child else str(child_id)
        debtor = debtors.get(debtor_id) if debtor_id else None
        debtor_name = f"{debtor.first_name} {debtor.last_name}" if debtor else names.get((child_id, debtor_id), "")

        def problem(reason, _c=child_id, _cn=child_name, _d=debtor_id, _dn=debtor_name):
            problems.append(Problem(_c, _cn, _d, _dn, str(reason)))

        if debtor is None:
            problem(_l("de schuldenaar van de factuur is onbekend"))
            continue
        if not valid_national_number(debtor.national_number):
            problem(_l("rijksregisternummer van de schuldenaar ontbreekt of is ongeldig"))
            continue
        if child is None or child.date_of_birth is None:
            problem(_l("geboortedatum van het kind ontbreekt"))
            continue
        if not valid_national_number(child.national_number):
            problem(_l("rijksregisternummer van het kind ontbreekt of is ongeldig"))
            continue
        limit = _age_limit_day(child, child_id in handicap)
        dated = [(d, t, s) for d, t, s in entries if d is not None and d < limit]
        undated = sum((s for d, t, s in entries if d is None), Decimal("0"))
        if undated and dated:  # a care line without days (a correction): spread over the days
            total_days = sum(s for _, _, s in dated) or Decimal("1")
            dated = [(d, t, s + undated * s / total_days) for d, t, s in dated]
        lines = _lines(dated, maximum)
        if lines is None:
            problem(_l("meer dan vier verschillende dagprijzen boven het maximum"))
            continue
        total = sum((line.amount for line in lines), Decimal("0"))
        if total <= 0:
            continue
        drafts.append(Draft(child_id, debtor_id, total, lines))
    return drafts, problems


def _content(draft: Draft) -> dict:
    return {"lines": [{"start": ln.start.isoformat(), "end": ln.end.isoformat(), "days": ln.days,
                       "tariff": str(ln.tariff), "amount": str(ln.amount)} for ln in draft.lines]}


def issue(ctx, year: int) -> tuple[list[FiscalCertificate], list[Problem]]:
    """Store the year's certificates: new ones get the next serial number, existing ones keep
    theirs and get the current content (a late payment or return changes the amount). New ones
    are written with one bulk insert and one audit entry naming each (its number, child, debtor
    and amount): the same facts as an entry per certificate, as finalising a month or a CODA
    import is logged. A fixed number of statements whatever the number of certificates."""
    from core.audit import current_actor_id
    from core.models import AuditEntry

    drafts, problems = compute(ctx, year)
    session, org_id = ctx.session, ctx.org.id
    existing = {(c.child_id, c.debtor_contact_id): c for c in session.scalars(select(FiscalCertificate).where(
        FiscalCertificate.organisation_id == org_id, FiscalCertificate.year == year))}
    number = max((c.number for c in existing.values()), default=0)
    now = ctx.now()
    rows = []
    for draft in drafts:
        cert = existing.get((draft.child_id, draft.debtor_id))
        content = _content(draft)
        if cert is None:
            number += 1
            rows.append({"organisation_id": org_id, "year": year, "number": number, "child_id": draft.child_id,
                         "debtor_contact_id": draft.debtor_id, "amount": draft.amount, "content": content,
                         "prints": 0, "created_at": now, "updated_at": now})
        elif cert.amount != draft.amount or cert.content != content:
            cert.amount, cert.content = draft.amount, content
    if rows:
        ids = insert_rows(session, FiscalCertificate.__table__, rows, ids=True)
        session.add(AuditEntry(
            organisation_id=org_id, user_id=current_actor_id(), at=now, action="create",
            entity=FiscalCertificate.__tablename__, entity_id=None, summary=f"{year}: {len(rows)}",
            changes={"year": [None, year],
                     "certificates": [None, [[cert_id, row["number"], row["child_id"], row["debtor_contact_id"],
                                              str(row["amount"])] for cert_id, row in zip(ids, rows, strict=True)]]}))
    session.flush()
    out = session.scalars(select(FiscalCertificate).where(
        FiscalCertificate.organisation_id == org_id, FiscalCertificate.year == year)
        .order_by(FiscalCertificate.number)).all()
    wanted = {(d.child_id, d.debtor_id) for d in drafts}
    return [c for c in out if (c.child_id, c.debtor_contact_id) in wanted], problems


def certificate_lines(cert: FiscalCertificate) -> list[CertificateLine]:
    return [CertificateLine(date.fromisoformat(x["start"]), date.fromisoformat(x["end"]), int(x["days"]),
                            Decimal(x["tariff"]), Decimal(x["amount"])) for x in cert.content.get("lines", [])]
