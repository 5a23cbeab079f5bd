"""Overdue invoices and payment reminders on the organisation's schedule
(``facturatie.reminder_days``, e.g. ``14,30``: the first reminder 14 days after the due date, the
second after 30). A reminder goes through the mail outbox in the invoice's language, once per
invoice and level (the mail key and the ``Reminder`` row); a family whose reminders are stopped
(``BillingProfile.reminders_stopped``) gets none. When a level is due while an earlier one was
never sent, only the highest is sent. A family without an e-mail address gets the same reminder as
a letter: the day's letters are gathered in one PDF to print (as ``sending`` does for invoices),
downloadable from the overdue page. The daily job ``facturatie.reminders`` runs it per
organisation and schedules itself for the next morning."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from sqlalchemy import select

from ..models import BillingProfile, Invoice, InvoiceKind, PaymentState, Reminder
from .errors import BillingError

JOB_KIND = "facturatie.reminders"
PRINT_KIND = "facturatie.reminder_print"


def schedule_days(ctx) -> list[int]:
    raw = str(ctx.setting("facturatie.reminder_days") or "").strip()
    if not raw:
        return []
    try:
        days = sorted({int(part) for part in raw.replace(";", ",").split(",") if part.strip()})
    except ValueError:
        raise BillingError("facturatie.reminder_schedule_invalid") from None
    if any(d < 1 or d > 365 for d in days):
        raise BillingError("facturatie.reminder_schedule_invalid")
    return days


@dataclass(frozen=True)
class Overdue:
    invoice_id: int
    display_number: str
    family_id: int | None
    debtor_name: str
    email: str
    due_date: date
    days_late: int
    due: Decimal
    levels_sent: tuple[int, ...]
    stopped: bool


def overdue(ctx) -> list[Overdue]:
    """Open or partly paid invoices past their due date, oldest first (three statements)."""
    session, org_id, today = ctx.session, ctx.org.id, ctx.today()
    invoices = session.scalars(select(Invoice).where(
        Invoice.organisation_id == org_id, Invoice.kind == InvoiceKind.INVOICE,
        Invoice.payment_state.in_((PaymentState.OPEN, PaymentState.PARTIAL)), Invoice.due_date < today)
        .order_by(Invoice.due_date, Invoice.id)).all()
    ids = [i.id for i in invoices]
    sent: dict[int, list[int]] = {}
    if ids:
        for invoice_id, level in session.execute(select(Reminder.invoice_id, Reminder.level).where(
                Reminder.organisation_id == org_id, Reminder.invoice_id.in_(ids))):
            sent.setdefault(invoice_id, []).append(level)
    profiles = {p.family_id: p for p in session.scalars(select(BillingProfile).where(
        BillingProfile.organisation_id == org_id))}
    out = []
    for inv in invoices:
        profile = profiles.get(inv.family_id)
        email = (profile.invoice_email if profile and profile.invoice_email else inv.debtor_email) or ""
        out.append(Overdue(inv.id, inv.display_number, inv.family_id, inv.debtor_name, email, inv.due_date,
                           (today - inv.due_date).days, inv.total - inv.paid_amount,
                           tuple(sorted(sent.get(inv.id, []))), bool(profile and profile.reminders_stopped)))
    return out


def send_due(ctx) -> list[Reminder]:
    """Queue every reminder that is due today; returns the reminders recorded."""
    from core.mail import queue_templated_mail

    days = schedule_days(ctx)
    if not days:
        return []
    session = ctx.session
    invoices = {}
    made = []
    letters = []
    for row in overdue(ctx):
        if row.stopped:
            continue
        level = sum(1 for d in days if row.days_late >= d)
        if level == 0 or (row.levels_sent and max(row.levels_sent) >= level):
            continue
        invoices.setdefault(row.invoice_id, session.get(Invoice, row.invoice_id))
        inv = invoices[row.invoice_id]
        reminder = Reminder(organisation_id=ctx.org.id, invoice_id=inv.id, level=level, sent_on=ctx.today(),
                            email=row.email, amount_due=row.due)
        session.add(reminder)
        made.append(reminder)
        if not row.email:
            letters.append((inv, level, row.due))
            continue
        queue_templated_mail(session, to=row.email, template="facturatie/mail/reminder", language=inv.language,
                             key=f"facturatie:reminder:{inv.id}:{level}", organisation_id=ctx.org.id,
                             org_name=ctx.org.name, org_iban=ctx.org.iban or "", invoice=inv, level=level,
                             due=row.due, ogm=_ogm_display(inv.ogm))
    if letters:
        make_letters(ctx, letters)
    session.flush()
    return made


def make_letters(ctx, letters: list[tuple[Invoice, int, Decimal]]):
    """One PDF with a reminder letter per invoice (the mail's text, each in its debtor's language,
    each on its own pages), stored as the day's print run. Returns the stored document."""
    from flask import render_template
    from flask_babel import force_locale
    from markupsafe import Markup

    from core import documents
    from core.pdf import html_to_pdf

    from .documents import ROLES, organisation_data

    org = organisation_data(ctx)
    fragments = []
    for inv, level, due in letters:
        with force_locale(inv.language or "nl"):
            letter = {"debtor_name": inv.debtor_name, "debtor_street": inv.debtor_street,
                      "debtor_postcode": inv.debtor_postcode, "debtor_municipality": inv.debtor_municipality,
                      "today": ctx.today().strftime("%d/%m/%Y"), "level": level, "number": inv.display_number,
                      "issue_date": inv.issue_date.strftime("%d/%m/%Y"), "due_date": inv.due_date.strftime("%d/%m/%Y"),
                      "due": f"{due:.2f}", "ogm": _ogm_display(inv.ogm)}
            fragments.append(Markup(render_template("facturatie/pdf/reminder_letter.html", letter=letter, org=org)))
    html = render_template("facturatie/pdf/batch.html", fragments=fragments, title=ctx.org.name,
                           footer=ctx.org.name)
    data = html_to_pdf(html).write_pdf()
    return documents.store(ctx.session, ctx.org, data, filename=f"herinneringen-{ctx.today().isoformat()}.pdf",
                           content_type="application/pdf", kind=PRINT_KIND, module="facturatie",
                           created_by_id=ctx.user.id if ctx.user else None, roles=ROLES, reuse=False)


def letters_document(ctx):
    """The latest print run of reminder letters, or None."""
    from core.models.document import Document

    return ctx.session.scalar(select(Document).where(
        Document.organisation_id == ctx.org.id, Document.kind == PRINT_KIND).order_by(Document.id.desc()).limit(1))


def _ogm_display(ogm: str) -> str:
    return f"+++{ogm[:3]}/{ogm[3:7]}/{ogm[7:]}+++" if len(ogm) == 12 else ogm


def schedule(session, org_id: int, day: date):
    """The organisation's next reminder run, at 08:00 Brussels time on ``day`` (coalesced)."""
    from core.clock import BRUSSELS
    from core.jobs import enqueue

    return enqueue(session, JOB_KIND, {}, organisation_id=org_id, key=f"{JOB_KIND}:{org_id}",
                   lock_key=f"{JOB_KIND}:{org_id}", run_at=datetime.combine(day, time(8, 0), tzinfo=BRUSSELS))


def reminder_job(session, job) -> None:
    """The daily run for one organisation; schedules tomorrow's."""
    from core.context import context_for_org_id

    ctx = context_for_org_id(session, job.organisation_id)
    send_due(ctx)
    schedule(session, job.organisation_id, ctx.today() + timedelta(days=1))
