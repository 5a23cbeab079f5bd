"""The invoice screens: finalising through the route (with a proposal provider patched in), the
month's list, an invoice with its days, the credit note form, actions and exports; finance edits,
the director reads, query counts that do not grow with the number of invoices."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from core.models.job import Job
from plugins.facturatie.models import Invoice, InvoiceKind, PaymentState
from plugins.facturatie.services import finalise as fin
from tests.conftest import QueryCounter, login
from tests.plugins.facturatie.draft_builders import (
    blocking_warning,
    draft_invoice,
    families_with_children,
    proposal,
)


@pytest.fixture
def provider(monkeypatch, factory, org, location):
    """The proposal the route finalises: ``state["proposal"]`` (fact-engine's compute_proposal in the merge)."""
    state = {"calls": 0}

    def compute(ctx, year, month):
        state["calls"] += 1
        return state["proposal"]

    monkeypatch.setattr(fin, "default_provider", lambda: compute)
    pairs = families_with_children(factory, org, location, 3)
    state["proposal"] = proposal(2026, 10, [draft_invoice(f, [c.id], name=f"Gezin {n}")
                                            for n, (f, c) in zip("ABC", pairs, strict=True)])
    state["pairs"] = pairs
    return state


def _url(org, path):
    return f"/o/{org.slug}/facturatie{path}"


def test_finance_finalises_and_sees_the_month(client, session, org, finance, provider, frozen_today):
    login(client, finance)
    response = client.post(_url(org, "/2026/10/finalise"))
    assert response.status_code == 303, response.get_data(as_text=True)[:300]
    assert "/invoices?year=2026&month=10" in response.headers["Location"]
    assert session.scalar(select(func.count()).select_from(Invoice).where(Invoice.organisation_id == org.id)) == 3
    assert session.scalar(select(func.count()).select_from(Job).where(Job.kind == "facturatie.render_pdfs")) == 1
    page = client.get(_url(org, "/invoices?year=2026&month=10")).get_data(as_text=True)
    assert "2026-000001" in page and "Gezin A" in page and "Gezin C" in page
    assert "Facturen versturen" in page and "Export Excel" in page
    again = client.post(_url(org, "/2026/10/finalise"), follow_redirects=True)
    assert "al opgemaakt" in again.get_data(as_text=True)
    assert session.scalar(select(func.count()).select_from(Invoice).where(Invoice.organisation_id == org.id)) == 3
    json = client.post(_url(org, "/2026/10/finalise"), headers={"Accept": "application/json"})
    assert json.status_code == 409 and json.get_json()["error"]["code"] == "facturatie.already_finalised"


def test_blocking_warnings_are_shown_and_nothing_is_finalised(client, session, org, finance, provider, frozen_today):
    provider["proposal"] = proposal(2026, 10, provider["proposal"].invoices, [blocking_warning(1)])
    login(client, finance)
    page = client.post(_url(org, "/2026/10/finalise"), follow_redirects=True).get_data(as_text=True)
    assert "waarschuwing" in page
    assert session.scalar(select(func.count()).select_from(Invoice).where(Invoice.organisation_id == org.id)) == 0


def test_a_future_month_is_refused_in_french(client, session, org, finance, provider, frozen_today):
    login(client, finance)
    response = client.post(_url(org, "/2027/1/finalise"), headers={"Accept": "application/json",
                                                                    "Accept-Language": "fr"})
    assert response.status_code == 409 and response.get_json()["error"]["code"] == "facturatie.month_future"
    assert provider["calls"] == 0


def test_the_director_reads_but_does_not_act(client, session, org, director, provider, frozen_today):
    fin.finalise_month(__import__("core.context", fromlist=["x"]).build_context(session, org), 2026, 10)
    session.commit()
    invoice = session.scalar(select(Invoice).where(Invoice.organisation_id == org.id, Invoice.number == 1))
    login(client, director)
    page = client.get(_url(org, "/invoices?year=2026&month=10")).get_data(as_text=True)
    assert "2026-000001" in page and "Facturen versturen" not in page
    detail = client.get(_url(org, f"/invoices/{invoice.id}")).get_data(as_text=True)
    assert "07:45-16:50" in detail and "Creditnota maken" not in detail  # the days of the line
    assert client.get(_url(org, f"/invoices/{invoice.id}/credit")).status_code == 403
    assert client.post(_url(org, "/2026/10/finalise")).status_code == 403
    assert client.post(_url(org, "/2026/10/send")).status_code == 403
    assert client.get(_url(org, "/2026/10/export.csv")).status_code == 200


def test_credit_note_form(client, session, org, finance, provider, frozen_today):
    from core.context import build_context

    fin.finalise_month(build_context(session, org), 2026, 10)
    session.commit()
    invoice = session.scalar(select(Invoice).where(Invoice.organisation_id == org.id, Invoice.number == 1))
    login(client, finance)
    url = _url(org, f"/invoices/{invoice.id}/credit")
    assert "Nog te crediteren" in client.get(url).get_data(as_text=True)
    bad = client.post(url, data={"reason": "", "mode": "full"})
    assert bad.status_code == 422 and "Geef een reden" in bad.get_data(as_text=True)
    bad = client.post(url, data={"reason": "x", "mode": "part", "amount_1": "abc"})
    assert bad.status_code == 422 and "Lijn 1" in bad.get_data(as_text=True)
    too_much = client.post(url, data={"reason": "x", "mode": "part", "amount_1": "999"})
    assert too_much.status_code == 422 and "60,00" in too_much.get_data(as_text=True)
    ok = client.post(url, data={"reason": "Eén dag te veel", "mode": "part", "amount_1": "20,00"})
    assert ok.status_code == 303
    note = session.scalar(select(Invoice).where(Invoice.organisation_id == org.id,
                                                Invoice.kind == InvoiceKind.CREDIT_NOTE))
    assert note.total == -20 and note.reason == "Eén dag te veel"
    full = client.post(url, data={"reason": "Alles", "mode": "full"})
    assert full.status_code == 303
    session.expire_all()
    assert session.get(Invoice, invoice.id).payment_state == PaymentState.CREDITED


def test_search_filter_and_paging_in_sql(app, client, session, org, finance, provider, frozen_today):
    from core.context import build_context

    app.config["KOEPEL_PAGE_SIZE"] = 2
    fin.finalise_month(build_context(session, org), 2026, 10)
    session.commit()
    login(client, finance)
    first = client.get(_url(org, "/invoices?year=2026&month=10")).get_data(as_text=True)
    assert "Gezin A" in first and "Gezin C" not in first and "pagina 1 van 2" in first
    found = client.get(_url(org, "/invoices?year=2026&month=10&q=gezin+c")).get_data(as_text=True)
    assert "Gezin C" in found and "Gezin A" not in found
    failed = client.get(_url(org, "/invoices?year=2026&month=10&state=pdf_failed")).get_data(as_text=True)
    assert "Geen facturen voor deze maand" in failed
    assert client.get(_url(org, "/invoices?year=abc&month=99")).status_code == 200


def test_the_list_queries_do_not_grow_with_the_invoices(app, client, session, factory, org, location, finance,
                                                         frozen_today):
    from core.context import build_context

    ctx = build_context(session, org)
    pairs = families_with_children(factory, org, location, 12)
    fin.finalise(ctx, proposal(2026, 9, [draft_invoice(f, [c.id], month=9) for f, c in pairs[:2]]))
    fin.finalise(ctx, proposal(2026, 10, [draft_invoice(f, [c.id]) for f, c in pairs]))
    session.commit()
    login(client, finance)
    counts = []
    for month in (9, 10):
        with QueryCounter(session.connection()) as q:
            assert client.get(_url(org, f"/invoices?year=2026&month={month}")).status_code == 200
        counts.append(q.count)
    assert counts[0] == counts[1], counts


def test_send_refused_before_pdfs_and_exports_download(client, session, org, finance, provider, frozen_today):
    from core.context import build_context

    fin.finalise_month(build_context(session, org), 2026, 10)
    session.commit()
    login(client, finance)
    page = client.post(_url(org, "/2026/10/send"), follow_redirects=True).get_data(as_text=True)
    assert "Nog niet alle pdf" in page
    assert client.post(_url(org, "/2026/10/pdfs")).status_code == 303
    xlsx = client.get(_url(org, "/2026/10/export.xlsx"))
    assert xlsx.status_code == 200 and xlsx.data[:2] == b"PK"
    csv = client.get(_url(org, "/2026/10/export.csv"))
    assert csv.status_code == 200 and "2026-000001" in csv.get_data(as_text=True)
    assert client.get(_url(org, "/2026/10/export.pdf")).status_code == 404
