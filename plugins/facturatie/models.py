"""Tables of the facturatie module (prefix ``facturatie_``).

The shape every part of billing shares (domain-rules §6):

* a :class:`BillingProfile` per family: who pays (the paying contact), how (transfer with OGM,
  direct debit, cash) and in which language; under co-parenting each household is its own family
  with its own profile, so each gets its own invoice;
* a month's proposal is computed on demand and never stored as invoices; what is stored of it is
  a :class:`BillingRun` (the last computed totals, for the diff) and the accepted warnings;
* finalising writes one :class:`Invoice` per debtor with a gapless number from
  :class:`NumberCounter` (per organisation, series and year), its typed :class:`InvoiceLine` rows
  and, per line, the :class:`InvoiceLineDay` rows that explain it; from then on an invoice never
  changes except its delivery and payment state; a mistake is fixed by a credit note (an invoice
  of kind ``credit_note`` pointing at the invoice it cancels) or by a correction line next month
  that points at the original invoice and day;
* money that comes in is a :class:`Payment`, allocated to invoices by :class:`PaymentAllocation`
  (one row per payment and invoice; the split over the invoice's lines follows from their order,
  ``services/allocation.py``: the tax certificate counts what was received for care lines only).
"""
from __future__ import annotations

import enum
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
    false,
    true,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.db import Base, UTCDateTime
from core.models.base import TenantMixin, TimestampMixin, str_enum

MONEY = Numeric(10, 2)
PRICE = Numeric(10, 4)  # unit prices keep sub-cent precision (60 % of a day price, hour prices)


class PaymentMethod(enum.StrEnum):
    TRANSFER = "transfer"  # bank transfer with the structured communication (default)
    DIRECT_DEBIT = "direct_debit"  # SEPA direct debit; never imposed (domain-rules §6.1)
    CASH = "cash"  # cash with a receipt


class InvoiceKind(enum.StrEnum):
    INVOICE = "invoice"
    CREDIT_NOTE = "credit_note"


class LineKind(enum.StrEnum):
    """What a line charges; the tax certificate (281.86) counts ``care`` only."""

    CARE = "care"  # reserved/present days, extra days, hours (incl. corrections of care)
    MEALS = "meals"  # meals charged separately (not on the tax certificate)
    EXTRA = "extra"  # other items of the extras catalogue (nappies, care products, ...)
    FINE = "fine"  # late pick-up and other fees
    ABSENCE_FEE = "absence_fee"  # unjustified absence after the respijtdagen (never above the maximum)
    DEPOSIT = "deposit"  # waarborg; a refund is a negative deposit line


class DeliveryState(enum.StrEnum):
    PENDING = "pending"
    DONE = "done"
    FAILED = "failed"
    PRINT = "print"  # no e-mail address: in the combined PDF to print


class PaymentState(enum.StrEnum):
    OPEN = "open"
    PARTIAL = "partial"
    PAID = "paid"
    COLLECTING = "collecting"  # in a direct-debit batch sent to the bank
    CREDITED = "credited"  # cancelled in full by a credit note
    SETTLED = "settled"  # a credit note, or an invoice of 0,00


class RunState(enum.StrEnum):
    DRAFT = "draft"  # proposal only
    FINALISED = "finalised"  # invoices exist (numbers given)


PAYMENT_METHOD_LABELS = {"transfer": _l("overschrijving"), "direct_debit": _l("domiciliëring"), "cash": _l("contant")}
PAYMENT_STATE_LABELS = {"open": _l("open"), "partial": _l("deels betaald"), "paid": _l("betaald"),
                        "collecting": _l("wordt geïnd"), "credited": _l("gecrediteerd"), "settled": _l("afgehandeld")}
DELIVERY_STATE_LABELS = {"pending": _l("wacht"), "done": _l("klaar"), "failed": _l("mislukt"),
                         "print": _l("af te drukken")}


def _named(enum_type, name: str):
    """``enum_type`` with another name (the name of its CHECK constraint)."""
    enum_type.name = name
    return enum_type


class BillingProfile(Base, TenantMixin, TimestampMixin):
    """How one family (household) is billed. Absent: the family's first contact pays by transfer,
    in that contact's language."""

    __tablename__ = "facturatie_billing_profile"
    __audit_label__ = _l("Facturatiegegevens")
    __audit_values__ = {"payment_method": PAYMENT_METHOD_LABELS}
    __audit_fields__ = {
        "paying_contact_id": _l("Betaler"),
        "payment_method": _l("Betaalwijze"),
        "invoice_email": _l("E-mailadres voor facturen"),
        "reminders_stopped": _l("Geen herinneringen"),
        "is_company": _l("Factuur aan een bedrijf"),
        "company_name": _l("Naam van het bedrijf"),
        "company_kbo": _l("Ondernemingsnummer"),
        "company_vat": _l("Btw-nummer"),
    }
    __audited__ = True
    __table_args__ = (UniqueConstraint("family_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    family_id: Mapped[int] = mapped_column(ForeignKey("family.id", ondelete="CASCADE"), index=True)
    paying_contact_id: Mapped[int | None] = mapped_column(ForeignKey("contact_person.id", ondelete="SET NULL"))
    payment_method: Mapped[PaymentMethod] = mapped_column(str_enum(PaymentMethod, 16), default=PaymentMethod.TRANSFER)
    # an invoice address other than the contact's (e.g. an employer or OCMW); empty: the contact's
    invoice_email: Mapped[str] = mapped_column(String(254), default="", server_default="")
    reminders_stopped: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    notes: Mapped[str] = mapped_column(Text, default="", server_default="")
    # an employer reserving places for its employees' children: billed as a company (Peppol BIS 3.0
    # export with the KBO number as endpoint, EAS 0208; domain-rules §6.7)
    is_company: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    company_name: Mapped[str] = mapped_column(String(200), default="", server_default="")
    company_kbo: Mapped[str] = mapped_column(String(10), default="", server_default="")  # 10 digits, compact
    company_vat: Mapped[str] = mapped_column(String(12), default="", server_default="")  # BE + 10 digits or empty


class NumberCounter(Base, TenantMixin):
    """The last number given in one series (``invoice`` or ``credit_note``) of one year. Locked
    (``SELECT ... FOR UPDATE``) in the finalising transaction, so numbers are gapless and unique."""

    __tablename__ = "facturatie_number_counter"
    __table_args__ = (UniqueConstraint("organisation_id", "series", "year"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    series: Mapped[InvoiceKind] = mapped_column(str_enum(InvoiceKind, 16))
    year: Mapped[int] = mapped_column(Integer)
    last_number: Mapped[int] = mapped_column(Integer, default=0)


class BillingRun(Base, TenantMixin, TimestampMixin):
    """One organisation's month: the last proposal's totals (for the diff after a change) and,
    once finalised, who finalised it and when."""

    __tablename__ = "facturatie_run"
    __audit_label__ = _l("Facturatiemaand")
    __audit_values__ = {"state": {"draft": _l("voorstel"), "finalised": _l("opgemaakt")}}
    __audit_fields__ = {
        "state": _l("Toestand"),
        "invoices": _l("Facturen"),
        "credit_notes": _l("Creditnota's"),
        "numbers": _l("Nummers"),
        "total": _l("Totaal"),
    }
    __table_args__ = (UniqueConstraint("organisation_id", "year", "month"),
                      CheckConstraint("month BETWEEN 1 AND 12", name="month_valid"))

    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int] = mapped_column(Integer)
    month: Mapped[int] = mapped_column(Integer)
    state: Mapped[RunState] = mapped_column(str_enum(RunState, 16), default=RunState.DRAFT)
    computed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # {"<debtor key>": {"total": "12.34", "lines": {...}}}: what the previous computation gave
    snapshot: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    previous_snapshot: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    finalised_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finalised_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))


class WarningAcceptance(Base, TenantMixin):
    """A warning of a month's proposal that finance staff accepted with a reason (it then no
    longer blocks finalising). ``key`` identifies the warning, e.g. ``no_attest:child:12``."""

    __tablename__ = "facturatie_warning_acceptance"
    __audit_label__ = _l("Aanvaarde waarschuwing")
    __audit_fields__ = {
        "accepted_by_id": _l("Aanvaard door"),
        "accepted_at": _l("Aanvaard op"),
    }
    __audited__ = True
    __table_args__ = (UniqueConstraint("organisation_id", "year", "month", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int] = mapped_column(Integer)
    month: Mapped[int] = mapped_column(Integer)
    key: Mapped[str] = mapped_column(String(120))
    reason: Mapped[str] = mapped_column(String(500))
    accepted_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    accepted_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Invoice(Base, TenantMixin, TimestampMixin):
    """A finalised invoice or credit note. The debtor's name, address, e-mail and language are
    copied at finalisation: the document stays what was sent even when the family moves."""

    __tablename__ = "facturatie_invoice"
    __audit_label__ = _l("Factuur")
    __audit_name__ = ("display_number",)
    __audit_values__ = {"payment_method": PAYMENT_METHOD_LABELS, "payment_state": PAYMENT_STATE_LABELS,
                        "pdf_state": DELIVERY_STATE_LABELS, "send_state": DELIVERY_STATE_LABELS,
                        "kind": {"invoice": _l("factuur"), "credit_note": _l("creditnota")}}
    __audit_fields__ = {
        "display_number": _l("Factuurnummer"),
        "period_year": _l("Jaar"),
        "period_month": _l("Maand"),
        "debtor_contact_id": _l("Schuldenaar"),
        "debtor_name": _l("Naam van de schuldenaar"),
        "debtor_street": _l("Straat en nummer"),
        "debtor_postcode": _l("Postcode"),
        "debtor_municipality": _l("Gemeente"),
        "debtor_email": _l("E-mailadres"),
        "payment_method": _l("Betaalwijze"),
        "issue_date": _l("Factuurdatum"),
        "due_date": _l("Vervaldatum"),
        "total": _l("Totaal"),
        "ogm": _l("Gestructureerde mededeling"),
        "credited_invoice_id": _l("Gecrediteerde factuur"),
        "pdf_document_id": _l("PDF-bestand"),
        "pdf_sha256": _l("Controlegetal van de PDF"),
        "pdf_state": _l("PDF"),
        "pdf_error": _l("Fout bij de PDF"),
        "send_state": _l("Verzending"),
        "sent_at": _l("Verstuurd op"),
        "send_error": _l("Fout bij het versturen"),
        "paid_amount": _l("Betaald"),
        "payment_state": _l("Betaaltoestand"),
        "finalised_by_id": _l("Opgemaakt door"),
    }
    __audited__ = True
    __table_args__ = (
        UniqueConstraint("organisation_id", "kind", "year", "number"),
        UniqueConstraint("organisation_id", "ogm"),
        CheckConstraint("period_month BETWEEN 1 AND 12", name="month_valid"),
        CheckConstraint("number > 0", name="number_positive"),
        CheckConstraint("kind = 'invoice' OR credited_invoice_id IS NOT NULL", name="credit_note_refers"),
        Index("ix_facturatie_invoice_period", "organisation_id", "period_year", "period_month"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[InvoiceKind] = mapped_column(str_enum(InvoiceKind, 16), default=InvoiceKind.INVOICE)
    year: Mapped[int] = mapped_column(Integer)  # of the number series
    number: Mapped[int] = mapped_column(Integer)
    display_number: Mapped[str] = mapped_column(String(30))  # e.g. 2026-000123, CN2026-000004
    period_year: Mapped[int] = mapped_column(Integer)  # the month of care billed
    period_month: Mapped[int] = mapped_column(Integer)
    family_id: Mapped[int | None] = mapped_column(ForeignKey("family.id", ondelete="RESTRICT"), index=True)
    debtor_contact_id: Mapped[int | None] = mapped_column(ForeignKey("contact_person.id", ondelete="SET NULL"))
    debtor_name: Mapped[str] = mapped_column(String(300))
    debtor_street: Mapped[str] = mapped_column(String(200), default="")
    debtor_postcode: Mapped[str] = mapped_column(String(10), default="")
    debtor_municipality: Mapped[str] = mapped_column(String(100), default="")
    debtor_email: Mapped[str] = mapped_column(String(254), default="")
    language: Mapped[str] = mapped_column(String(2), default="nl")
    payment_method: Mapped[PaymentMethod] = mapped_column(str_enum(PaymentMethod, 16), default=PaymentMethod.TRANSFER)
    issue_date: Mapped[date] = mapped_column(Date)
    due_date: Mapped[date] = mapped_column(Date)
    total: Mapped[Decimal] = mapped_column(MONEY)  # negative for a credit note
    ogm: Mapped[str] = mapped_column(String(12))  # the 12 digits, without +++ and slashes
    credited_invoice_id: Mapped[int | None] = mapped_column(ForeignKey("facturatie_invoice.id", ondelete="RESTRICT"),
                                                            index=True)
    reason: Mapped[str] = mapped_column(String(500), default="")  # of a credit note
    # the stored document: once made, never made again (bytes + sha256 in core's document store)
    pdf_document_id: Mapped[int | None] = mapped_column(ForeignKey("document.id", ondelete="SET NULL"))
    pdf_sha256: Mapped[str | None] = mapped_column(String(64))
    pdf_state: Mapped[DeliveryState] = mapped_column(str_enum(DeliveryState, 16), default=DeliveryState.PENDING)
    pdf_error: Mapped[str] = mapped_column(String(500), default="")
    # its own CHECK constraint name: two "deliverystate" constraints in one table clash on PostgreSQL
    send_state: Mapped[DeliveryState] = mapped_column(_named(str_enum(DeliveryState, 16), "sendstate"),
                                                      default=DeliveryState.PENDING)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    send_error: Mapped[str] = mapped_column(String(500), default="")
    # payments (filled by the payments part): what was received and allocated to this invoice
    paid_amount: Mapped[Decimal] = mapped_column(MONEY, default=Decimal("0"))
    payment_state: Mapped[PaymentState] = mapped_column(str_enum(PaymentState, 16), default=PaymentState.OPEN,
                                                        index=True)
    finalised_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))

    lines: Mapped[list[InvoiceLine]] = relationship(back_populates="invoice", order_by="InvoiceLine.position",
                                                    cascade="all, delete-orphan",
                                                    foreign_keys="InvoiceLine.invoice_id")


class InvoiceLine(Base, TenantMixin):
    """One typed line. ``rule`` names what priced it (e.g. ``ikt.full``, ``free.hour``,
    ``no_attest.maximum``); corrections of an earlier month point at the invoice they correct."""

    __tablename__ = "facturatie_invoice_line"
    __table_args__ = (UniqueConstraint("invoice_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    invoice_id: Mapped[int] = mapped_column(ForeignKey("facturatie_invoice.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    kind: Mapped[LineKind] = mapped_column(str_enum(LineKind, 16))
    child_id: Mapped[int | None] = mapped_column(ForeignKey("child.id", ondelete="SET NULL"), index=True)
    description: Mapped[str] = mapped_column(String(500))  # in the debtor's language, frozen
    rule: Mapped[str] = mapped_column(String(60), default="")
    quantity: Mapped[Decimal] = mapped_column(Numeric(10, 3), default=Decimal("1"))
    unit_price: Mapped[Decimal] = mapped_column(PRICE)
    amount: Mapped[Decimal] = mapped_column(MONEY)
    vat_rate: Mapped[Decimal] = mapped_column(Numeric(5, 2), default=Decimal("0"))  # childcare: exempt (art. 44)
    corrects_invoice_id: Mapped[int | None] = mapped_column(ForeignKey("facturatie_invoice.id", ondelete="RESTRICT"))
    credited_line_id: Mapped[int | None] = mapped_column(ForeignKey("facturatie_invoice_line.id",
                                                                    ondelete="RESTRICT"))
    # the explanation's summary for the PDF: {"days": {"full": 12, "half": 2}, "respijt_used": 3, ...}
    summary: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)

    invoice: Mapped[Invoice] = relationship(back_populates="lines", foreign_keys=[invoice_id])
    days: Mapped[list[InvoiceLineDay]] = relationship(back_populates="line", order_by="InvoiceLineDay.day",
                                                      cascade="all, delete-orphan")


class InvoiceLineDay(Base, TenantMixin):
    """One day a care line covers, as it was priced: what was reserved, what was registered, the
    category, the rule and the price (stored at finalisation: the explanation never changes)."""

    __tablename__ = "facturatie_invoice_line_day"
    __table_args__ = (Index("ix_facturatie_line_day_child_day", "organisation_id", "child_id", "day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    line_id: Mapped[int] = mapped_column(ForeignKey("facturatie_invoice_line.id", ondelete="CASCADE"), index=True)
    child_id: Mapped[int] = mapped_column(ForeignKey("child.id", ondelete="CASCADE"))
    day: Mapped[date] = mapped_column(Date)
    category: Mapped[str] = mapped_column(String(16), default="")  # half | full | flex | third | hours
    rule: Mapped[str] = mapped_column(String(60), default="")
    fraction: Mapped[Decimal] = mapped_column(Numeric(6, 3), default=Decimal("1"))  # 0.6, 1, hours...
    day_price: Mapped[Decimal] = mapped_column(PRICE)  # the tariff in force that day (before the fraction)
    amount: Mapped[Decimal] = mapped_column(MONEY)
    # {"reserved": "07:30-17:00 full", "registered": "07:42-16:55", "absence": null, "care_plan_id": 3, ...}
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)

    line: Mapped[InvoiceLine] = relationship(back_populates="days")


class Payment(Base, TenantMixin, TimestampMixin):
    """Money received (or returned: a negative amount), from a bank statement, a direct-debit
    batch or a cash receipt. ``unallocated`` is kept as the family's balance."""

    __tablename__ = "facturatie_payment"
    __audit_label__ = _l("Betaling")
    __audit_values__ = {"method": PAYMENT_METHOD_LABELS}
    __audit_fields__ = {
        "received_on": _l("Ontvangen op"),
        "method": _l("Betaalwijze"),
        "source": _l("Bron"),
        "reference": _l("Referentie"),
        "counterparty_name": _l("Naam van de tegenpartij"),
        "counterparty_iban": _l("Rekening van de tegenpartij"),
        "external_key": _l("Referentie van de bank"),
        "unallocated": _l("Niet toegewezen"),
        "recorded_by_id": _l("Geregistreerd door"),
    }
    __audited__ = True
    __table_args__ = (UniqueConstraint("organisation_id", "external_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    family_id: Mapped[int | None] = mapped_column(ForeignKey("family.id", ondelete="RESTRICT"), index=True)
    received_on: Mapped[date] = mapped_column(Date, index=True)
    amount: Mapped[Decimal] = mapped_column(MONEY)
    method: Mapped[PaymentMethod] = mapped_column(str_enum(PaymentMethod, 16))
    source: Mapped[str] = mapped_column(String(16), default="manual")  # manual | coda | sepa | cash
    reference: Mapped[str] = mapped_column(String(140), default="")  # OGM or free communication
    counterparty_name: Mapped[str] = mapped_column(String(200), default="")
    counterparty_iban: Mapped[str] = mapped_column(String(34), default="")
    # an imported movement's unique key (file + sequence): importing twice records it once
    external_key: Mapped[str | None] = mapped_column(String(120))
    unallocated: Mapped[Decimal] = mapped_column(MONEY, default=Decimal("0"))
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))

    allocations: Mapped[list[PaymentAllocation]] = relationship(back_populates="payment",
                                                                cascade="all, delete-orphan")


class PaymentAllocation(Base, TenantMixin):
    """Part of a payment assigned to one invoice (negative: a returned debit undoing it). Its split
    over the invoice's lines is derived, not stored (``allocation.received_per_line``, read by
    the tax certificate)."""

    __tablename__ = "facturatie_payment_allocation"

    id: Mapped[int] = mapped_column(primary_key=True)
    payment_id: Mapped[int] = mapped_column(ForeignKey("facturatie_payment.id", ondelete="CASCADE"), index=True)
    invoice_id: Mapped[int] = mapped_column(ForeignKey("facturatie_invoice.id", ondelete="RESTRICT"), index=True)
    amount: Mapped[Decimal] = mapped_column(MONEY)

    payment: Mapped[Payment] = relationship(back_populates="allocations")


# --- tariffs (the engine: attests, tariff plans, extras, cost shares) -------------------------------


class PlanMode(enum.StrEnum):
    """How a free-price tariff plan charges a care day (domain-rules §1.7)."""

    DAY = "day"  # a full-day price and a half-day price (< 5 h)
    HOUR = "hour"  # per started hour
    HALF_HOUR = "half_hour"  # per started half hour
    MONTH = "month"  # a flat fee per month of care


class IncomeTariffAttest(Base, TenantMixin, TimestampMixin):
    """An attest inkomenstarief (domain-rules §1.2): the IKT day price Opgroeien set for one child,
    for one household (``family_id``; None: every household of the child) from ``valid_from`` to
    ``valid_to`` (None: open). The one home of the kindcode: FO-SU-05 reads it from here when
    facturatie is on. History is kept: a new attest closes the open one, never rewrites it."""

    __tablename__ = "facturatie_attest"
    __audit_label__ = _l("Attest inkomenstarief")
    __audit_fields__ = {
        "kindcode": _l("Kindcode"),
        "day_price": _l("Dagprijs"),
        "valid_from": _l("Geldig vanaf"),
        "valid_to": _l("Geldig tot"),
        "ivt": _l("Individueel verminderd tarief"),
    }
    __audited__ = True
    __table_args__ = (
        CheckConstraint("day_price >= 0", name="price_not_negative"),
        CheckConstraint("valid_to IS NULL OR valid_to >= valid_from", name="period_valid"),
        Index("ix_facturatie_attest_child", "organisation_id", "child_id", "valid_from"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    child_id: Mapped[int] = mapped_column(ForeignKey("child.id", ondelete="CASCADE"))
    family_id: Mapped[int | None] = mapped_column(ForeignKey("family.id", ondelete="CASCADE"))
    kindcode: Mapped[str] = mapped_column(String(13))
    day_price: Mapped[Decimal] = mapped_column(PRICE)
    valid_from: Mapped[date] = mapped_column(Date)
    valid_to: Mapped[date | None] = mapped_column(Date)
    ivt: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())  # individueel verminderd
    notes: Mapped[str] = mapped_column(String(500), default="", server_default="")


class TariffPlan(Base, TenantMixin, TimestampMixin):
    """A free-price tariff plan of the organisation; its prices are :class:`TariffPlanPrice` rows
    valid from a date (indexation). ``is_default``: the plan of every child without override."""

    __tablename__ = "facturatie_tariff_plan"
    __audit_label__ = _l("Tariefplan")
    __audit_name__ = ("name",)
    __audit_values__ = {"mode": {"day": _l("dag"), "hour": _l("uur"), "half_hour": _l("half uur"), "month": _l("maand")}}
    __audit_fields__ = {
        "mode": _l("Aanrekenen per"),
        "is_default": _l("Standaard"),
        "sibling_reduction_pct": _l("Korting voor broers en zussen (%)"),
    }
    __audited__ = True
    __table_args__ = (
        UniqueConstraint("organisation_id", "name"),
        CheckConstraint("sibling_reduction_pct >= 0 AND sibling_reduction_pct <= 100", name="sibling_pct_valid"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    mode: Mapped[PlanMode] = mapped_column(str_enum(PlanMode, 16), default=PlanMode.DAY)
    is_default: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # the reduction on the care of the 2nd and further child of one household in the month (a rule)
    sibling_reduction_pct: Mapped[Decimal] = mapped_column(Numeric(5, 2), default=Decimal("0"),
                                                           server_default="0")

    prices: Mapped[list[TariffPlanPrice]] = relationship(back_populates="plan", order_by="TariffPlanPrice.valid_from",
                                                         cascade="all, delete-orphan")


class TariffPlanPrice(Base, TenantMixin):
    """The prices of a plan from ``valid_from`` on (until the next row): indexation per date."""

    __tablename__ = "facturatie_tariff_price"
    __audit_label__ = _l("Tariefprijs")
    __audit_fields__ = {
        "plan_id": _l("Tariefplan"),
        "valid_from": _l("Geldig vanaf"),
        "full_day": _l("Volle dag"),
        "half_day": _l("Halve dag"),
        "hour": _l("Per uur"),
        "month_fee": _l("Per maand"),
    }
    __audited__ = True
    __table_args__ = (
        UniqueConstraint("plan_id", "valid_from"),
        CheckConstraint("full_day >= 0 AND half_day >= 0 AND hour >= 0 AND month_fee >= 0",
                        name="prices_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("facturatie_tariff_plan.id", ondelete="CASCADE"), index=True)
    valid_from: Mapped[date] = mapped_column(Date)
    full_day: Mapped[Decimal] = mapped_column(PRICE, default=Decimal("0"))
    half_day: Mapped[Decimal] = mapped_column(PRICE, default=Decimal("0"))
    hour: Mapped[Decimal] = mapped_column(PRICE, default=Decimal("0"))  # per hour or per half hour (mode)
    month_fee: Mapped[Decimal] = mapped_column(PRICE, default=Decimal("0"))

    plan: Mapped[TariffPlan] = relationship(back_populates="prices")


class ChildBilling(Base, TenantMixin, TimestampMixin):
    """Per child: a tariff plan other than the organisation's default (free price)."""

    __tablename__ = "facturatie_child_billing"
    __audit_label__ = _l("Tariefplan van een kind")
    __audit_fields__ = {
        "tariff_plan_id": _l("Tariefplan"),
    }
    __audited__ = True
    __table_args__ = (UniqueConstraint("child_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    child_id: Mapped[int] = mapped_column(ForeignKey("child.id", ondelete="CASCADE"))
    tariff_plan_id: Mapped[int | None] = mapped_column(ForeignKey("facturatie_tariff_plan.id", ondelete="SET NULL"))


class CostShare(Base, TenantMixin):
    """Co-parenting when the care plan does not split the days: each household pays ``percent`` of
    every day of the child (the shares of one child add up to 100)."""

    __tablename__ = "facturatie_cost_share"
    __audit_label__ = _l("Kostenverdeling co-ouderschap")
    __audit_fields__ = {
        "percent": _l("Aandeel (%)"),
    }
    __audited__ = True
    __table_args__ = (UniqueConstraint("child_id", "family_id"),
                      CheckConstraint("percent > 0 AND percent <= 100", name="percent_valid"))

    id: Mapped[int] = mapped_column(primary_key=True)
    child_id: Mapped[int] = mapped_column(ForeignKey("child.id", ondelete="CASCADE"), index=True)
    family_id: Mapped[int] = mapped_column(ForeignKey("family.id", ondelete="CASCADE"))
    percent: Mapped[Decimal] = mapped_column(Numeric(5, 2))


class ExtraItem(Base, TenantMixin, TimestampMixin):
    """An item of the extras catalogue (meals, nappies, ...): a ``meals`` or ``extra`` line.
    ``per_present_day``: charged automatically on every day the child was present."""

    __tablename__ = "facturatie_extra_item"
    __audit_label__ = _l("Extra (catalogus)")
    __audit_name__ = ("name",)
    __audit_values__ = {"kind": {"care": _l("opvang"), "meals": _l("maaltijden"), "extra": _l("extra"),
                                 "fine": _l("boete"), "absence_fee": _l("vergoeding voor afwezigheid"),
                                 "deposit": _l("waarborg")}}
    __audit_fields__ = {
        "price": _l("Prijs"),
        "per_present_day": _l("Per aanwezige dag"),
    }
    __audited__ = True
    __table_args__ = (UniqueConstraint("organisation_id", "name"),
                      CheckConstraint("price >= 0", name="price_not_negative"),
                      CheckConstraint("kind IN ('meals', 'extra')", name="kind_extra"))

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    kind: Mapped[LineKind] = mapped_column(str_enum(LineKind, 16), default=LineKind.EXTRA)
    price: Mapped[Decimal] = mapped_column(PRICE)
    per_present_day: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    active: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())


class ExtraUse(Base, TenantMixin):
    """An extra recorded for one child on one day (the price in force when it was recorded)."""

    __tablename__ = "facturatie_extra_use"
    __audit_label__ = _l("Extra van een kind")
    __audit_fields__ = {
        "item_id": _l("Extra"),
        "quantity": _l("Aantal"),
        "unit_price": _l("Eenheidsprijs"),
    }
    __audited__ = True
    __table_args__ = (UniqueConstraint("child_id", "day", "item_id"),
                      CheckConstraint("quantity > 0", name="quantity_positive"),
                      Index("ix_facturatie_extra_use_day", "organisation_id", "day"))

    id: Mapped[int] = mapped_column(primary_key=True)
    child_id: Mapped[int] = mapped_column(ForeignKey("child.id", ondelete="CASCADE"))
    item_id: Mapped[int] = mapped_column(ForeignKey("facturatie_extra_item.id", ondelete="RESTRICT"), index=True)
    day: Mapped[date] = mapped_column(Date)
    quantity: Mapped[int] = mapped_column(Integer, default=1)
    unit_price: Mapped[Decimal] = mapped_column(PRICE)


# --- payments (fact-pay): mandates, direct-debit batches, bank statements, reminders, 281.86 -------


class MandateState(enum.StrEnum):
    ACTIVE = "active"
    REVOKED = "revoked"


class SepaMandate(Base, TenantMixin, TimestampMixin):
    """A signed SEPA Core mandate of one debtor of a family (domain-rules §6.3). The reference is
    unique per organisation and never reused; a change of account or name is an amendment
    (:class:`SepaMandateAmendment` keeps what it was)."""

    __tablename__ = "facturatie_sepa_mandate"
    __audit_label__ = _l("SEPA-mandaat")
    __audit_name__ = ("reference",)
    __audit_values__ = {"state": {"active": _l("actief"), "revoked": _l("ingetrokken")}}
    __audit_fields__ = {
        "contact_id": _l("Schuldenaar"),
        "reference": _l("Referentie"),
        "debtor_name": _l("Naam van de schuldenaar"),
        "signed_on": _l("Ondertekend op"),
        "state": _l("Toestand"),
        "revoked_on": _l("Ingetrokken op"),
        "last_collection_on": _l("Laatste inning op"),
        "needs_first": _l("Eerste inning nodig"),
    }
    __audited__ = True
    __table_args__ = (UniqueConstraint("organisation_id", "reference"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    family_id: Mapped[int] = mapped_column(ForeignKey("family.id", ondelete="RESTRICT"), index=True)
    contact_id: Mapped[int | None] = mapped_column(ForeignKey("contact_person.id", ondelete="SET NULL"))
    reference: Mapped[str] = mapped_column(String(35))
    debtor_name: Mapped[str] = mapped_column(String(70))
    iban: Mapped[str] = mapped_column(String(34))
    bic: Mapped[str] = mapped_column(String(11), default="")
    signed_on: Mapped[date] = mapped_column(Date)
    state: Mapped[MandateState] = mapped_column(str_enum(MandateState, 16), default=MandateState.ACTIVE)
    revoked_on: Mapped[date | None] = mapped_column(Date)
    # the last collection sent with this mandate; none (or an amendment to another bank): FRST
    last_collection_on: Mapped[date | None] = mapped_column(Date)
    needs_first: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())


class SepaMandateAmendment(Base, TenantMixin):
    """What a mandate was before a change (reference, account, bank, name), kept for the bank and
    the audit. The next pain.008 file after a collection tells the debtor's bank what changed
    (``AmdmntInfDtls``); ``sent_batch_id`` is the frozen batch whose file did (None: not yet)."""

    __tablename__ = "facturatie_sepa_mandate_amendment"
    __audit_label__ = _l("Wijziging SEPA-mandaat")
    __audit_fields__ = {
        "mandate_id": _l("SEPA-mandaat"),
        "changed_on": _l("Gewijzigd op"),
        "old_debtor_name": _l("Vorige naam van de schuldenaar"),
        "old_iban": _l("Vorige IBAN"),
        "old_bic": _l("Vorige BIC"),
        "old_reference": _l("Vorige referentie"),
        "sent_batch_id": _l("Meegestuurd in"),
    }
    __audited__ = True

    id: Mapped[int] = mapped_column(primary_key=True)
    mandate_id: Mapped[int] = mapped_column(ForeignKey("facturatie_sepa_mandate.id", ondelete="CASCADE"), index=True)
    changed_on: Mapped[date] = mapped_column(Date)
    old_debtor_name: Mapped[str] = mapped_column(String(70))
    old_iban: Mapped[str] = mapped_column(String(34))
    old_bic: Mapped[str] = mapped_column(String(11), default="")
    old_reference: Mapped[str] = mapped_column(String(35), default="", server_default="")
    reason: Mapped[str] = mapped_column(String(200), default="")
    sent_batch_id: Mapped[int | None] = mapped_column(ForeignKey("facturatie_dd_batch.id", ondelete="SET NULL"))


class BatchState(enum.StrEnum):
    DRAFT = "draft"  # computed, may be recomputed
    FROZEN = "frozen"  # downloaded: the file never changes, its invoices are being collected


class DirectDebitBatch(Base, TenantMixin, TimestampMixin):
    """One pain.008 file for one collection date. Frozen at the first download."""

    __tablename__ = "facturatie_dd_batch"
    __audit_label__ = _l("Domiciliëringsbestand")
    __audit_values__ = {"state": {"draft": _l("voorstel"), "frozen": _l("vastgelegd")}}
    __audit_fields__ = {
        "collection_date": _l("Inningsdatum"),
        "schema": _l("Schema"),
        "state": _l("Toestand"),
        "message_id": _l("Berichtnummer"),
        "count": _l("Aantal"),
        "control_sum": _l("Controletotaal"),
        "document_id": _l("Bestand"),
        "frozen_at": _l("Vastgelegd op"),
        "frozen_by_id": _l("Vastgelegd door"),
        "items": _l("Inningen"),
        "invoices": _l("Facturen"),
        "mandates": _l("Mandaten"),
    }
    __audited__ = True

    id: Mapped[int] = mapped_column(primary_key=True)
    collection_date: Mapped[date] = mapped_column(Date)
    schema: Mapped[str] = mapped_column(String(20))  # pain.008.001.02 | pain.008.001.08
    state: Mapped[BatchState] = mapped_column(str_enum(BatchState, 16), default=BatchState.DRAFT)
    message_id: Mapped[str] = mapped_column(String(35), default="")
    count: Mapped[int] = mapped_column(Integer, default=0)
    control_sum: Mapped[Decimal] = mapped_column(MONEY, default=Decimal("0"))
    document_id: Mapped[int | None] = mapped_column(ForeignKey("document.id", ondelete="SET NULL"))
    frozen_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    frozen_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))

    items: Mapped[list[DirectDebitItem]] = relationship(back_populates="batch", cascade="all, delete-orphan",
                                                        order_by="DirectDebitItem.id")


class DebitState(enum.StrEnum):
    PENDING = "pending"  # in a batch
    COLLECTED = "collected"  # the bank statement shows the money
    RETURNED = "returned"  # rejected, returned or refunded: the invoice is open again


class DirectDebitItem(Base, TenantMixin):
    """One invoice collected in a batch. The end-to-end id is the invoice's OGM: it comes back on
    the bank statement with the collection or its return."""

    __tablename__ = "facturatie_dd_item"
    __audit_label__ = _l("Domiciliëring")
    __audit_values__ = {"state": {"pending": _l("wacht"), "collected": _l("geïnd"), "returned": _l("teruggeboekt")}}
    __audit_fields__ = {
        "batch_id": _l("Domiciliëringsbestand"),
        "invoice_id": _l("Factuur"),
        "mandate_id": _l("SEPA-mandaat"),
        "sequence_type": _l("Soort inning"),
        "end_to_end_id": _l("Referentie van de inning"),
        "state": _l("Toestand"),
        "return_reason": _l("Reden van terugboeking"),
        "returned_on": _l("Teruggeboekt op"),
    }
    __audited__ = True
    __table_args__ = (Index("ix_facturatie_dd_item_e2e", "organisation_id", "end_to_end_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("facturatie_dd_batch.id", ondelete="CASCADE"), index=True)
    invoice_id: Mapped[int] = mapped_column(ForeignKey("facturatie_invoice.id", ondelete="RESTRICT"), index=True)
    mandate_id: Mapped[int] = mapped_column(ForeignKey("facturatie_sepa_mandate.id", ondelete="RESTRICT"))
    amount: Mapped[Decimal] = mapped_column(MONEY)
    sequence_type: Mapped[str] = mapped_column(String(4))  # FRST | RCUR
    end_to_end_id: Mapped[str] = mapped_column(String(35))
    state: Mapped[DebitState] = mapped_column(str_enum(DebitState, 16), default=DebitState.PENDING)
    return_reason: Mapped[str] = mapped_column(String(200), default="")
    returned_on: Mapped[date | None] = mapped_column(Date)

    batch: Mapped[DirectDebitBatch] = relationship(back_populates="items")


class CodaImport(Base, TenantMixin, TimestampMixin):
    """One uploaded CODA file (by its SHA-256: the same file twice is one import)."""

    __tablename__ = "facturatie_coda_import"
    __audit_label__ = _l("Bankafschrift")
    __audit_fields__ = {
        "sha256": _l("Controlegetal van het bestand"),
        "filename": _l("Bestandsnaam"),
        "account": _l("Rekening"),
        "statements": _l("Uittreksels"),
        "movements": _l("Bewegingen"),
        "matched": _l("Gekoppeld"),
        "imported_by_id": _l("Ingelezen door"),
        "payments": _l("Betalingen"),
        "invoices": _l("Facturen"),
    }
    __audited__ = True
    __table_args__ = (UniqueConstraint("organisation_id", "sha256"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64))
    filename: Mapped[str] = mapped_column(String(200), default="")
    account: Mapped[str] = mapped_column(String(34), default="")
    statements: Mapped[str] = mapped_column(String(200), default="")  # "2026/012, 2026/013"
    movements: Mapped[int] = mapped_column(Integer, default=0)
    matched: Mapped[int] = mapped_column(Integer, default=0)
    imported_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))


class MovementState(enum.StrEnum):
    MATCHED = "matched"  # by its structured communication
    MANUAL = "manual"  # matched by hand
    UNMATCHED = "unmatched"  # listed with suggestions
    RETURNED = "returned"  # a returned or refused direct debit
    IGNORED = "ignored"  # a debit that is not ours (bank costs, ...)


class BankMovement(Base, TenantMixin):
    """One movement of a bank statement; ``external_key`` (account, statement, sequence) makes
    every movement recorded exactly once, whatever file it came in and however often."""

    __tablename__ = "facturatie_bank_movement"
    __audit_label__ = _l("Bankbeweging")
    __audit_values__ = {"state": {"matched": _l("gekoppeld"), "manual": _l("met de hand gekoppeld"),
                                  "unmatched": _l("niet gekoppeld"), "returned": _l("teruggeboekt"),
                                  "ignored": _l("genegeerd")}}
    __audit_fields__ = {
        "import_id": _l("CODA-bestand"),
        "external_key": _l("Referentie van de bank"),
        "entry_date": _l("Boekingsdatum"),
        "communication": _l("Mededeling"),
        "ogm": _l("Gestructureerde mededeling"),
        "counterparty_name": _l("Naam van de tegenpartij"),
        "counterparty_iban": _l("Rekening van de tegenpartij"),
        "state": _l("Toestand"),
        "payment_id": _l("Betaling"),
    }
    __audited__ = True
    __table_args__ = (UniqueConstraint("organisation_id", "external_key"),
                      Index("ix_facturatie_movement_state", "organisation_id", "state"))

    id: Mapped[int] = mapped_column(primary_key=True)
    import_id: Mapped[int | None] = mapped_column(ForeignKey("facturatie_coda_import.id", ondelete="SET NULL"),
                                                  index=True)
    external_key: Mapped[str] = mapped_column(String(120))
    entry_date: Mapped[date] = mapped_column(Date)
    amount: Mapped[Decimal] = mapped_column(MONEY)
    communication: Mapped[str] = mapped_column(String(140), default="")
    ogm: Mapped[str] = mapped_column(String(12), default="")  # a valid structured communication
    counterparty_name: Mapped[str] = mapped_column(String(200), default="")
    counterparty_iban: Mapped[str] = mapped_column(String(34), default="")
    state: Mapped[MovementState] = mapped_column(str_enum(MovementState, 16))
    note: Mapped[str] = mapped_column(String(200), default="")  # e.g. the return reason
    payment_id: Mapped[int | None] = mapped_column(ForeignKey("facturatie_payment.id", ondelete="SET NULL"))


class Reminder(Base, TenantMixin):
    """A payment reminder sent for an invoice (level 1, 2, ... of the organisation's schedule)."""

    __tablename__ = "facturatie_reminder"
    __audit_label__ = _l("Betalingsherinnering")
    __audit_fields__ = {
        "invoice_id": _l("Factuur"),
        "level": _l("Herinnering nr."),
        "sent_on": _l("Verstuurd op"),
        "amount_due": _l("Verschuldigd bedrag"),
    }
    __audited__ = True
    __table_args__ = (UniqueConstraint("invoice_id", "level"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    invoice_id: Mapped[int] = mapped_column(ForeignKey("facturatie_invoice.id", ondelete="CASCADE"), index=True)
    level: Mapped[int] = mapped_column(Integer)
    sent_on: Mapped[date] = mapped_column(Date)
    email: Mapped[str] = mapped_column(String(254), default="")
    amount_due: Mapped[Decimal] = mapped_column(MONEY)


class ChildFiscalInfo(Base, TenantMixin):
    """What the tax certificate needs about a child beyond core's data: a severe handicap raises
    the age limit from 14 to 21 (domain-rules §7)."""

    __tablename__ = "facturatie_child_fiscal"
    __audit_label__ = _l("Fiscale gegevens kind")
    __audit_fields__ = {
        "severe_handicap": _l("Zware handicap"),
    }
    __audited__ = True
    __table_args__ = (UniqueConstraint("child_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    child_id: Mapped[int] = mapped_column(ForeignKey("child.id", ondelete="CASCADE"))
    severe_handicap: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())


class FiscalCertificate(Base, TenantMixin, TimestampMixin):
    """A 281.86 certificate as issued: its serial number and frozen content (the paper copy must
    equal the Belcotax data); ``prints`` > 1 prints it as "duplicaat"."""

    __tablename__ = "facturatie_fiscal_certificate"
    __audit_label__ = _l("Fiscaal attest")
    __audit_fields__ = {
        "debtor_contact_id": _l("Schuldenaar"),
        "content": _l("Inhoud"),
        "prints": _l("Afgedrukt"),
        "certificates": _l("Attesten"),
    }
    __audited__ = True
    __table_args__ = (UniqueConstraint("organisation_id", "year", "child_id", "debtor_contact_id"),
                      UniqueConstraint("organisation_id", "year", "number"))

    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int] = mapped_column(Integer)
    number: Mapped[int] = mapped_column(Integer)
    child_id: Mapped[int] = mapped_column(ForeignKey("child.id", ondelete="RESTRICT"), index=True)
    debtor_contact_id: Mapped[int] = mapped_column(ForeignKey("contact_person.id", ondelete="RESTRICT"))
    amount: Mapped[Decimal] = mapped_column(MONEY)
    # {"debtor": {...}, "child": {...}, "lines": [{"start", "end", "days", "day_price", "amount"}]}
    content: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    prints: Mapped[int] = mapped_column(Integer, default=0)
