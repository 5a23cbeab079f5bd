"""The whole billing chain as finance staff use it, on the real modules: care plans (planning),
registrations and absences (aanwezigheden), attests and tariff plans (facturatie) → last month's
proposal through the routes → a blocking warning accepted with a reason → finalised through the
route → the PDF and sending jobs run by core's job worker → export → a registration of the
finalised month changed → next month's correction line → a credit note in part. The director
reads everything and changes nothing."""
from __future__ import annotations

import csv
import email
import hashlib
import io
from datetime import date, datetime, time
from decimal import Decimal

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader
from sqlalchemy import func, select

from core.clock import BRUSSELS
from core.db import get_db
from core.jobs import run_pending
from core.mail import outbox_dir
from core.models import PriceRegime, Role
from core.models.document import Document
from core.models.family import Language
from core.models.job import Job, JobStatus
from plugins.aanwezigheden.models import Absence, AttendanceEvent, EventKind, EventStatus
from plugins.aanwezigheden.services import registrations
from plugins.aanwezigheden.services.absences import confirm, record_absence, remove_absence
from plugins.facturatie import api
from plugins.facturatie.models import (
    BillingRun,
    DeliveryState,
    Invoice,
    InvoiceKind,
    InvoiceLine,
    InvoiceLineDay,
    LineKind,
    RunState,
    WarningAcceptance,
)
from plugins.facturatie.services import documents, sending, tariffs
from plugins.planning import api as planning
from plugins.planning.models import RespiteUse
from tests.conftest import login
from tests.plugins.facturatie.engine_helpers import ctx_of, freeze, money, plan, stay, weekdays_of

NOV = (2026, 11)
ILL = date(2026, 11, 5)          # a justified absence: not billed
UNRECORDED = date(2026, 11, 12)  # reserved, nobody came, nobody reported: a respijtdag, booked at finalising
CORRECTED = date(2026, 11, 20)   # an hour later after finalising: still the reserved full day, no correction


def _url(org, path: str) -> str:
    return f"/o/{org.slug}/facturatie{path}"


def _family(session, factory, org, location, name, *, language=Language.NL, mail=True):
    family = factory.family(org, name=name)
    family.street, family.postcode, family.municipality = "Kerkstraat 1", "9000", "Gent"
    contact = family.contacts[0]
    contact.language = language
    if not mail:
        contact.email = None
    session.commit()
    return family


def _month_present(session, org, child, location, skip=()):
    for d in weekdays_of(*NOV):
        if d >= date(2026, 11, 2) and d not in skip:
            stay(session, org, child, location, d, time(8), time(16))
    _confirm_weeks(session, org, child, location)


def _confirm_weeks(session, org, child, location):
    """The parents confirm the register every week (else billing blocks on it)."""
    for monday in (d for d in weekdays_of(*NOV) if d.weekday() == 0):
        confirm(ctx_of(session, org), None, client_id=f"week-{child.id}-{monday}", child_id=child.id,
                location_id=location.id, kind="week", day=monday, confirmed_by="ouder")


@pytest.fixture
def ikt_month(session, factory, org, location):
    """De Bolle (IKT): Emma with an attest (one justified absence, one unrecorded day) and Louis of
    a French-speaking family without attest (a blocking warning)."""
    freeze()
    peeters = _family(session, factory, org, location, "Gezin Peeters")
    dubois = _family(session, factory, org, location, "Famille Dubois", language=Language.FR)
    emma = factory.child(org, family=peeters, location=location, first_name="Emma")
    louis = factory.child(org, family=dubois, location=location, first_name="Louis")
    for kid in (emma, louis):
        plan(session, org, kid, location)
    tariffs.add_attest(ctx_of(session, org), child_id=emma.id, kindcode="250301-012-01", day_price="20",
                       valid_from=date(2026, 1, 1))
    _month_present(session, org, emma, location, skip={ILL, UNRECORDED})
    _month_present(session, org, louis, location)
    record_absence(ctx_of(session, org), child_id=emma.id, location_id=location.id, day=ILL,
                   kind="gerechtvaardigd", reason="ziekte")
    session.commit()
    return {"peeters": peeters, "dubois": dubois, "emma": emma, "louis": louis}


def _finalise_through_the_routes(client, session, org, month):
    page = client.get(_url(org, "/2026/11/"))
    body = page.get_data(as_text=True)
    assert page.status_code == 200 and "Gezin Peeters" in body and "Famille Dubois" in body
    key = f"no_attest:child:{month['louis'].id}"
    refused = client.post(_url(org, "/2026/11/finalise"), follow_redirects=True)
    assert refused.status_code == 200 and session.scalar(select(func.count()).select_from(Invoice)) == 0
    accepted = client.post(_url(org, "/2026/11/accept"),
                           data={"key": key, "reason": "Attest aangevraagd bij Opgroeien"})
    assert accepted.status_code == 302, accepted.get_data(as_text=True)[:400]
    assert session.scalar(select(func.count()).select_from(WarningAcceptance)) == 1
    done = client.post(_url(org, "/2026/11/finalise"))
    assert done.status_code == 303 and "/invoices" in done.headers["Location"], \
        client.get(done.headers["Location"]).get_data(as_text=True)
    session.expire_all()
    invoices = session.scalars(select(Invoice).where(Invoice.organisation_id == org.id)
                               .order_by(Invoice.number)).all()
    return {inv.family_id: inv for inv in invoices}


def test_the_month_from_registrations_to_credit_note(app, client, session, factory, org, location, finance,
                                                      ikt_month):
    month = ikt_month
    ctx = ctx_of(session, org)
    assert planning.respite_used(ctx, month["emma"].id, 2026) == 0
    login(client, finance)
    by_family = _finalise_through_the_routes(client, session, org, month)

    # numbers gapless, lines and days stored, respijt booked
    peeters, dubois = by_family[month["peeters"].id], by_family[month["dubois"].id]
    assert sorted(i.number for i in by_family.values()) == [1, 2]
    assert {i.display_number for i in by_family.values()} == {"2026-000001", "2026-000002"}
    assert session.get(BillingRun, session.scalar(select(BillingRun.id).where(
        BillingRun.organisation_id == org.id, BillingRun.year == 2026, BillingRun.month == 11))).state \
        == RunState.FINALISED
    care = next(line for line in peeters.lines if line.kind == LineKind.CARE and line.amount > 0)
    days = {d.day: d for line in peeters.lines for d in line.days}
    assert days[ILL].amount == 0 and days[UNRECORDED].rule == "not_billed.respijt"
    assert days[CORRECTED].amount == money(20) and care.unit_price == Decimal("20.0000")
    assert peeters.total == money(20 * 19)
    assert dubois.total == money(Decimal("32.18") * 21)
    assert session.scalar(select(func.count()).select_from(InvoiceLineDay)) == 21 + 21
    assert planning.respite_used(ctx_of(session, org), month["emma"].id, 2026) == 1
    assert len(peeters.ogm) == 12 and peeters.ogm != dubois.ogm

    # the PDF job through core's job worker
    assert session.scalar(select(func.count()).select_from(Job).where(Job.kind == documents.JOB_KIND)) == 1
    session.commit()
    report = run_pending(get_db(), kinds=[documents.JOB_KIND])
    assert (report.done, report.failed, report.retried) == (1, 0, 0)
    session.expire_all()
    for inv in (peeters, dubois):
        session.refresh(inv)
        stored = session.get(Document, inv.pdf_document_id)
        assert inv.pdf_state == DeliveryState.DONE and stored.content.startswith(b"%PDF")
        assert inv.pdf_sha256 == hashlib.sha256(stored.content).hexdigest()

    # the list shows the month; an invoice opens with its days
    listing = client.get(_url(org, "/invoices?year=2026&month=11")).get_data(as_text=True)
    assert "2026-000001" in listing and "2026-000002" in listing
    detail = client.get(_url(org, f"/invoices/{peeters.id}"))
    assert detail.status_code == 200 and peeters.display_number in detail.get_data(as_text=True)

    # sending: the job queues one mail per invoice, the outbox attaches the PDF, in the family's language
    assert client.post(_url(org, "/2026/11/send")).status_code in (302, 303)
    session.commit()
    assert run_pending(get_db(), kinds=[sending.JOB_KIND]).done == 1
    assert run_pending(get_db(), kinds=["mail.send"]).done == 2
    session.expire_all()
    sent = [email.message_from_bytes(p.read_bytes()) for p in sorted(outbox_dir().glob("*.eml"))]
    subjects = {str(m["Subject"]): m for m in sent}
    french = next(m for s, m in subjects.items() if s.startswith(f"Facture {dubois.display_number}"))
    dutch = next(m for s, m in subjects.items() if s.startswith(f"Factuur {peeters.display_number}"))
    for message, inv in ((french, dubois), (dutch, peeters)):
        attachment = next(part for part in message.walk() if part.get_filename())
        assert attachment.get_filename() == f"{inv.display_number}.pdf"
        assert attachment.get_payload(decode=True) == session.get(Document, inv.pdf_document_id).content
    assert sending.refresh_send_states(ctx_of(session, org), 2026, 11) == 2

    # export for the bookkeeper
    xlsx = client.get(_url(org, "/2026/11/export.xlsx"))
    assert xlsx.status_code == 200
    book = load_workbook(io.BytesIO(xlsx.data))
    cells = {str(c) for row in book.worksheets[0].iter_rows(min_row=2, values_only=True) for c in row}
    assert {"2026-000001", "2026-000002"} <= cells and len(book.worksheets) == 2
    rows = list(csv.reader(io.StringIO(client.get(_url(org, "/2026/11/export.csv")).data.decode("utf-8-sig")),
                           delimiter=";"))
    assert any("2026-000001" in row for row in rows) and any("2026-000002" in row for row in rows)

    # a credit note in part on Louis' invoice
    first_line = dubois.lines[0]
    note = client.post(_url(org, f"/invoices/{dubois.id}/credit"),
                       data={"mode": "part", "reason": "Twee dagen te veel aangerekend",
                             f"amount_{first_line.position}": "64,36"})
    assert note.status_code == 303, note.get_data(as_text=True)[:600]
    credit = session.scalar(select(Invoice).where(Invoice.kind == InvoiceKind.CREDIT_NOTE))
    assert credit.display_number == "CN2026-000001" and credit.total == -money("64.36")
    session.refresh(dubois)
    assert dubois.payment_state != "credited"
    assert client.get(_url(org, f"/invoices/{credit.id}")).status_code == 200
    session.commit()
    assert run_pending(get_db(), kinds=[documents.JOB_KIND]).done == 1  # the credit note's PDF
    session.expire_all()
    credit = session.get(Invoice, credit.id)
    assert credit.pdf_state == DeliveryState.DONE and credit.pdf_sha256
    assert "CN2026-000001" in PdfReader(io.BytesIO(session.get(Document, credit.pdf_document_id).content)) \
        .pages[0].extract_text()
    # sent with the month's "Facturen versturen" again: only the credit note is new
    assert client.post(_url(org, "/2026/11/send")).status_code in (302, 303)
    session.commit()
    assert run_pending(get_db(), kinds=[sending.JOB_KIND]).done == 1
    assert run_pending(get_db(), kinds=["mail.send"]).done == 1
    mails = session.scalars(select(Job).where(Job.kind == "mail.send").order_by(Job.id)).all()
    assert len(mails) == 3 and mails[-1].payload["attachments"] == [{"document_id": credit.pdf_document_id}]

    # the register of finalised days is changed: a departure an hour later (still the reserved full
    # day: nothing to correct) and the "ill" day: Emma came after all (the absence removed, the stay added)
    departure = session.scalar(select(AttendanceEvent).where(
        AttendanceEvent.child_id == month["emma"].id, AttendanceEvent.day == CORRECTED,
        AttendanceEvent.kind == EventKind.DEPARTURE, AttendanceEvent.status == EventStatus.ACCEPTED))
    registrations.correct(ctx_of(session, org), departure.id,
                          new_at=datetime.combine(CORRECTED, time(17), tzinfo=BRUSSELS),
                          reason="Later opgehaald dan geregistreerd", actor_id=finance.id)
    ill = session.scalar(select(Absence).where(Absence.child_id == month["emma"].id, Absence.day == ILL))
    remove_absence(ctx_of(session, org), ill.id)
    for kind, hour in (("arrival", 8), ("departure", 16)):
        registrations.add_manual(ctx_of(session, org), child_id=month["emma"].id, location_id=location.id, kind=kind,
                                 at=datetime.combine(ILL, time(hour), tzinfo=BRUSSELS),
                                 reason="Toch gekomen: de ziekmelding was fout", actor_id=finance.id)
    session.commit()
    freeze(2027, 1, 6)
    december_page = client.get(_url(org, "/2026/12/"))
    assert december_page.status_code == 200
    december = api.compute_proposal(ctx_of(session, org), 2026, 12)
    [draft] = [i for i in december.invoices if i.family_id == month["peeters"].id]
    [correction] = [line for line in draft.lines if line.corrects_invoice_id]
    assert correction.corrects_invoice_id == peeters.id and correction.amount == money(20)
    [day] = correction.days
    assert day.day == ILL and day.detail["was"] in ("0", "0.00") and day.detail["now"] == "20.00"
    assert not any(line.corrects_invoice_id for i in december.invoices if i.family_id == month["dubois"].id
                   for line in i.lines)
    explained = client.get(_url(org, f"/2026/12/families/{month['peeters'].id}"))
    assert explained.status_code == 200
    assert f"(factuur {peeters.display_number})" in explained.get_data(as_text=True)


def test_free_price_organisation_month(app, client, session, factory, location):
    """A free-price organisation: a day plan with indexed prices and meals, finalised through the route;
    its numbers are its own series."""
    freeze()
    other = factory.org(name="Kinderopvang De Pagadder", modules={"planning", "aanwezigheden", "facturatie"},
                        price_regime=PriceRegime.VRIJE_PRIJS)
    site = factory.location(other, name="De Pagadder", places=14)
    staff = factory.user(other, Role.FINANCE)
    ctx = ctx_of(session, other)
    day_plan = tariffs.save_plan(ctx, name="Standaard", mode="day", is_default=True)
    tariffs.add_plan_price(ctx, day_plan, valid_from=date(2026, 1, 1), full_day="40", half_day="25")
    meal = tariffs.save_extra(ctx, name="Warme maaltijd", kind="meals", price="3.5")
    family = _family(session, factory, other, site, "Gezin Wouters")
    child = factory.child(other, family=family, location=site, first_name="Mila")
    plan(session, other, child, site, weekdays=[0, 2])
    days = [d for d in weekdays_of(*NOV) if d.weekday() in (0, 2) and d >= date(2026, 11, 2)]
    for d in days:
        stay(session, other, child, site, d, time(8), time(16))
    _confirm_weeks(session, other, child, site)
    tariffs.record_extra(ctx_of(session, other), child_id=child.id, item_id=meal.id, day=days[0], quantity=1)
    session.commit()
    login(client, staff)
    assert client.get(_url(other, "/2026/11/")).status_code == 200
    done = client.post(_url(other, "/2026/11/finalise"))
    assert done.status_code == 303, done.get_data(as_text=True)[:400]
    session.expire_all()
    [inv] = session.scalars(select(Invoice).where(Invoice.organisation_id == other.id)).all()
    assert inv.display_number == "2026-000001"
    assert inv.total == money(40 * len(days) + Decimal("3.5"))
    kinds = sorted(line.kind for line in inv.lines)
    assert kinds == sorted([LineKind.CARE, LineKind.MEALS])
    assert session.scalar(select(func.count()).select_from(InvoiceLine).where(
        InvoiceLine.organisation_id == other.id)) == 2
    session.commit()
    assert run_pending(get_db(), kinds=[documents.JOB_KIND]).done == 1
    session.expire_all()
    pdf = session.get(Document, session.get(Invoice, inv.id).pdf_document_id).content
    text = PdfReader(io.BytesIO(pdf)).pages[0].extract_text()
    assert "2026-000001" in text and "Warme maaltijd" in text and "Kinderopvang De Pagadder" in text


def _post_routes(app):
    return sorted((rule.rule, rule.arguments) for rule in app.url_map.iter_rules()
                  if rule.endpoint.startswith("facturatie.") and "POST" in (rule.methods or ()))


def test_the_director_reads_everything_and_changes_nothing(app, client, session, factory, org, location,
                                                           finance, director, ikt_month):
    login(client, finance)
    by_family = _finalise_through_the_routes(client, session, org, ikt_month)
    invoice = next(iter(by_family.values()))
    client = app.test_client()
    login(client, director)
    for path in ("/", "/2026/11/", f"/2026/11/families/{ikt_month['peeters'].id}?line=0",
                 "/invoices?year=2026&month=11", f"/invoices/{invoice.id}", "/2026/11/export.xlsx",
                 "/2026/11/export.csv"):
        assert client.get(_url(org, path)).status_code == 200, path
    values = {"org": org.slug, "year": "2026", "month": "11", "invoice_id": str(invoice.id),
              "family_id": str(ikt_month["peeters"].id), "child_id": str(ikt_month["emma"].id)}
    before = session.scalar(select(func.count()).select_from(Invoice))
    routes = _post_routes(app)
    assert len(routes) >= 6
    for rule, arguments in routes:
        path = rule
        for arg in arguments:
            path = path.replace(f"<int:{arg}>", values.get(arg, "1")).replace(f"<{arg}>", values.get(arg, "1"))
        response = client.post(path, data={"reason": "een reden van de directeur", "mode": "full",
                                           "key": f"no_attest:child:{ikt_month['louis'].id}"})
        assert response.status_code == 403, (rule, response.status_code)
    session.expire_all()
    assert session.scalar(select(func.count()).select_from(Invoice)) == before
    assert session.scalar(select(func.count()).select_from(Job).where(Job.status == JobStatus.FAILED)) == 0


def test_a_respijtdag_is_given_back_when_the_child_came_after_all(client, session, org, location, finance,
                                                                   ikt_month):
    """The unrecorded day of November was booked as a respijtdag at finalising; a late registration
    shows Emma came: December's correction charges the day and finalising gives the respijtdag back
    (a day is never both billed and used as respijt). Another correction without respijt changes
    nothing in the balance."""
    emma = ikt_month["emma"]
    login(client, finance)
    _finalise_through_the_routes(client, session, org, ikt_month)
    assert planning.respite_used(ctx_of(session, org), emma.id, 2026) == 1
    for kind, hour in (("arrival", 8), ("departure", 16)):
        registrations.add_manual(ctx_of(session, org), child_id=emma.id, location_id=location.id, kind=kind,
                                 at=datetime.combine(UNRECORDED, time(hour), tzinfo=BRUSSELS),
                                 reason="Registratie vergeten op de tablet", actor_id=finance.id)
    session.commit()
    freeze(2027, 1, 6)
    december = api.compute_proposal(ctx_of(session, org), 2026, 12)
    [draft] = [i for i in december.invoices if i.family_id == ikt_month["peeters"].id]
    [correction] = [line for line in draft.lines if line.corrects_invoice_id]
    [day] = correction.days
    assert day.day == UNRECORDED and day.detail["was_rule"] == "not_billed.respijt"
    assert correction.amount == money(20)
    assert planning.respite_used(ctx_of(session, org), emma.id, 2026) == 1  # computing books nothing
    to_book = [d for i in december.invoices for line in i.lines for d in line.days if d.detail.get("book_respite")]
    december_respijt = [d for d in to_book if d.child_id == emma.id]
    assert all(d.day.month == 12 for d in to_book)  # December's own unrecorded days
    assert api.book_respite_days(ctx_of(session, org), december) == len(to_book)
    session.flush()
    used_days = set(session.scalars(select(RespiteUse.day).where(RespiteUse.child_id == emma.id)))
    assert UNRECORDED not in used_days and used_days == {d.day for d in december_respijt}
    assert planning.respite_used(ctx_of(session, org), emma.id, 2026) == len(december_respijt)
