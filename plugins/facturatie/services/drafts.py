"""What a month's proposal hands to finalising: plain frozen values, no database rows.

The proposal (``services/proposal.py``) computes one :class:`DraftInvoice` per debtor from
planning's reservations and aanwezigheden's billable days; finalising (``services/finalise.py``)
turns each into an :class:`~plugins.facturatie.models.Invoice` with a number, its lines and, per
line, the days that explain it. Amounts are ``Decimal`` rounded to cents on lines and days."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from ..models import LineKind, PaymentMethod


@dataclass(frozen=True, slots=True)
class DraftDay:
    """One day a care line covers, as priced."""

    child_id: int
    day: date
    category: str  # half | full | flex | third | hours
    rule: str  # e.g. ikt.full, ikt.half, free.hour, no_attest.maximum
    fraction: Decimal  # 0.6 for a half day under IKT, 1 for a full day, hours for an hour tariff
    day_price: Decimal  # the tariff in force that day
    amount: Decimal
    detail: dict[str, Any] = field(default_factory=dict)  # reserved, registered, absence, care_plan_id...


@dataclass(frozen=True)
class DraftLine:
    kind: LineKind
    child_id: int | None
    description: str  # in the debtor's language
    rule: str
    quantity: Decimal
    unit_price: Decimal
    amount: Decimal
    days: tuple[DraftDay, ...] = ()
    summary: dict[str, Any] = field(default_factory=dict)  # days per category, respijt used/left, absences
    corrects_invoice_id: int | None = None  # a correction of an earlier month's invoice


@dataclass(frozen=True)
class DraftInvoice:
    """One debtor's invoice for one month, before it has a number."""

    family_id: int
    debtor_contact_id: int | None
    debtor_name: str
    debtor_street: str
    debtor_postcode: str
    debtor_municipality: str
    debtor_email: str
    language: str
    payment_method: PaymentMethod
    lines: tuple[DraftLine, ...]

    @property
    def total(self) -> Decimal:
        return sum((line.amount for line in self.lines), Decimal("0"))


@dataclass(frozen=True)
class ProposalWarning:
    """Something finance staff must decide before finalising (blocking until accepted with a
    reason), e.g. a child without attest, a stay without departure, a family without address."""

    key: str  # stable: "<code>:<entity>:<id>", the key of an acceptance
    code: str  # a DomainError-style code with a translated message
    params: dict[str, Any] = field(default_factory=dict)
    family_id: int | None = None
    child_id: int | None = None
    blocking: bool = True
    accepted: bool = False
    accepted_reason: str = ""


@dataclass(frozen=True)
class Proposal:
    year: int
    month: int
    invoices: tuple[DraftInvoice, ...]
    warnings: tuple[ProposalWarning, ...] = ()

    @property
    def blocking(self) -> tuple[ProposalWarning, ...]:
        return tuple(w for w in self.warnings if w.blocking and not w.accepted)
