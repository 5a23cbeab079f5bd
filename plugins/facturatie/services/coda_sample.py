"""CODA 2.6 files written from scratch, for tests, the benchmark and the demo: one statement of
the organisation's account with the credits (and returned debits) asked for. Record layout of the
Febelfin standard (128 characters a record: 0 header, 1 old balance, 21/22/23 movement, 8 new
balance, 9 trailer); febelfin-coda reads them back."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from schwifty import IBAN
from sqlalchemy import select

from ..models import Invoice, InvoiceKind, PaymentState


@dataclass(frozen=True)
class SampleEntry:
    amount: Decimal  # negative: a debit
    ogm: str = ""  # 12 digits: a structured communication
    text: str = ""  # a free communication (when there is no OGM)
    name: str = ""
    iban: str = ""
    reference: str = ""  # customer reference (a direct debit's end-to-end id)
    return_reason: str = ""  # an R-transaction: e.g. AM04


def _d(day: date) -> str:
    return day.strftime("%d%m%y")


def _amount(value: Decimal, width: int) -> str:
    sign = "1" if value < 0 else "0"
    return sign + f"{int(abs(value) * 1000):0{width - 1}d}"


def _rec(text: str) -> str:
    assert len(text) <= 128, (len(text), text)
    return text.ljust(128)


def _fit(value: str, width: int) -> str:
    return value[:width].ljust(width)


def write_coda(*, iban: str, holder: str, bic: str, day: date, entries: list[SampleEntry], statement: int = 1,
               old_balance: Decimal = Decimal("0"), version: str = "2") -> bytes:
    account = IBAN(iban).compact
    lines = [_rec("0" + "0000" + _d(day) + "725" + "05" + " " + " " * 7 + _fit("KOEPEL", 10) + _fit(holder, 26)
                  + _fit(bic, 11) + "00000000000" + " " + "00000" + " " * 16 + " " + " " * 15 + " " * 7 + version)]
    seq = f"{statement:03d}"
    account_field = account.ljust(34) + "EUR"
    lines.append(_rec("1" + "2" + seq + account_field + _amount(old_balance, 16) + _d(day) + _fit(holder, 26)
                      + _fit("Zichtrekening", 35) + seq))
    records = 1
    credit = debit = Decimal("0")
    for n, e in enumerate(entries, start=1):
        sq = f"{n:04d}"
        if e.amount < 0:
            debit -= e.amount
            code = "10503000" if e.return_reason else "00113000"
        else:
            credit += e.amount
            code = "00150000"
        if e.ogm:
            communication = "1101" + e.ogm + " " * 38
        else:
            communication = "0" + _fit(e.text, 53)
        lines.append(_rec("21" + sq + "0000" + _fit(f"REF{statement:03d}{n:07d}", 21) + _amount(e.amount, 16)
                          + _d(day) + code + _fit(communication, 54) + _d(day) + seq + "0" + "1" + " " + "0"))
        lines.append(_rec("22" + sq + "0000" + " " * 53 + _fit(e.reference, 35) + _fit("GKCCBEBB", 11) + " " * 3
                          + ("2" if e.return_reason else " ") + _fit(e.return_reason, 4) + " " * 8 + "1" + " " + "0"))
        lines.append(_rec("23" + sq + "0000" + _fit(e.iban, 34) + "EUR" + _fit(e.name, 35) + " " * 43 + "0" + " "
                          + "0"))
        records += 3
    new_balance = old_balance + credit - debit
    lines.append(_rec("8" + seq + account_field + _amount(new_balance, 16) + _d(day)))
    records += 1
    lines.append(_rec("9" + " " * 15 + f"{records:06d}" + _amount(debit, 15) + _amount(credit, 15) + " " * 75 + "2"))
    return ("\r\n".join(lines) + "\r\n").encode("windows-1252")


def sample_from_open_invoices(ctx, day: date, *, statement: int = 1, limit: int | None = None) -> bytes:
    """A statement paying the organisation's open invoices the way families do: most with the
    OGM, every seventh 10 € short, every eleventh 5 € too much, every thirteenth with a free
    communication (left for a manual match)."""
    invoices = ctx.session.scalars(select(Invoice).where(
        Invoice.organisation_id == ctx.org.id, Invoice.kind == InvoiceKind.INVOICE,
        Invoice.payment_state.in_((PaymentState.OPEN, PaymentState.PARTIAL))).order_by(Invoice.id).limit(limit)).all()
    entries = []
    for n, inv in enumerate(invoices, start=1):
        due = inv.total - inv.paid_amount
        if due <= 0:
            continue
        amount = due - 10 if n % 7 == 0 and due > 10 else due + 5 if n % 11 == 0 else due
        iban = _demo_iban(inv.family_id or n)
        if n % 13 == 0:
            entries.append(SampleEntry(amount, text=f"opvang {inv.period_month}/{inv.period_year}",
                                       name=inv.debtor_name, iban=iban))
        else:
            entries.append(SampleEntry(amount, ogm=inv.ogm, name=inv.debtor_name, iban=iban))
    per = 9000  # a statement numbers its movements with 4 digits: a large file holds several statements
    return b"".join(write_coda(iban=ctx.org.iban, holder=ctx.org.name, bic=ctx.org.bic or "GKCCBEBB", day=day,
                               entries=entries[i:i + per], statement=statement + i // per)
                    for i in range(0, max(len(entries), 1), per))


def _demo_iban(seed: int) -> str:
    """A valid Belgian IBAN derived from ``seed`` (bank code 063, check digits computed)."""
    return str(IBAN.generate("BE", bank_code="063", account_code=f"{seed % 10_000_000:07d}").compact)
