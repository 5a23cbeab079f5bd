"""The sync page: the director sets it up (the secret is write-only) and sees what was sent, waits
and failed; the coordinator sees the state, not the payloads; others get nothing."""
from __future__ import annotations

import io

from sqlalchemy import select

from core.jobs import Job
from core.models import Role
from plugins.loket_sync.models import Connection, EventStatus, InboundRequest
from plugins.loket_sync.services import connection, outbox
from tests.conftest import QueryCounter, login

SECRET = "a-very-secret-value-123"


def test_director_connects_and_the_secret_is_never_shown(client, director, org, session, ctx):
    login(client, director)
    page = client.get(f"/o/{org.slug}/loket_sync/")
    assert page.status_code == 200 and "Nog niet verbonden" in page.text
    answer = client.post(f"/o/{org.slug}/loket_sync/settings", data={
        "adapter": "http", "base_url": "http://127.0.0.1:5050", "key_id": "k-1", "secret": SECRET})
    assert answer.status_code == 302
    conn = session.scalar(select(Connection).where(Connection.organisation_id == org.id))
    assert conn.base_url == "http://127.0.0.1:5050" and conn.partner_id == org.slug
    page = client.get(f"/o/{org.slug}/loket_sync/")
    assert SECRET not in page.text and "Een geheim is bewaard" in page.text
    # saving again without a secret keeps it
    client.post(f"/o/{org.slug}/loket_sync/settings", data={
        "adapter": "http", "base_url": "http://127.0.0.1:5050", "key_id": "k-1", "secret": ""})
    assert connection.signing(ctx).secret == SECRET.encode()


def test_bad_settings_are_refused_in_dutch(client, director, org, session):
    login(client, director)
    answer = client.post(f"/o/{org.slug}/loket_sync/settings", data={
        "adapter": "http", "base_url": "http://loket.example.org", "key_id": "k", "secret": SECRET})
    assert answer.status_code == 422 and "https-adres" in answer.text
    answer = client.post(f"/o/{org.slug}/loket_sync/settings", data={
        "adapter": "http", "base_url": "https://loket.example.org", "key_id": "k", "secret": "kort"})
    assert answer.status_code == 422 and "16 tot 500" in answer.text
    answer = client.post(f"/o/{org.slug}/loket_sync/settings", data={
        "adapter": "http", "base_url": "https://loket.example.org", "key_id": "k", "secret": SECRET,
        "partner_id": "Met Spaties"})
    assert answer.status_code == 422
    assert session.scalar(select(Connection).where(Connection.organisation_id == org.id)) is None


def test_page_shows_failures_and_unmapped_with_constant_queries(client, director, org, session, ctx):
    login(client, director)
    event = outbox.emit(ctx, "vacancy.published", "vacancy", "A|1", {})
    event.status, event.last_error = EventStatus.FAILED, "422: ongeldige gegevens"
    session.add(InboundRequest(organisation_id=org.id, loket_request_id="LK-9", version=1, status="active",
                               unmapped_reason="geen gekende locatie van deze partner (X)", payload={}))
    session.commit()
    with QueryCounter(session.get_bind()) as few:
        page = client.get(f"/o/{org.slug}/loket_sync/")
    assert "422: ongeldige gegevens" in page.text and "LK-9" in page.text and "geen gekende locatie" in page.text
    for i in range(40):
        outbox.emit(ctx, "vacancy.published", "vacancy", f"B|{i}", {})
    session.commit()
    with QueryCounter(session.get_bind()) as many:
        client.get(f"/o/{org.slug}/loket_sync/")
    assert many.count == few.count


def test_coordinator_sees_state_not_payloads(client, factory, org, session, ctx):
    outbox.emit(ctx, "request.status", "request", "LK-5", {"loket_request_id": "LK-5", "status": "placed"})
    session.add(InboundRequest(organisation_id=org.id, loket_request_id="LK-6", version=1, status="active",
                               unmapped_reason="geen gegevens over het kind", payload={}))
    session.commit()
    coordinator = factory.user(None, Role.COORDINATOR)
    login(client, coordinator)
    page = client.get(f"/o/{org.slug}/loket_sync/")
    assert page.status_code == 200 and "Wacht" in page.text
    assert "LK-5" not in page.text and "LK-6" not in page.text and "Verbinding" not in page.text
    assert client.post(f"/o/{org.slug}/loket_sync/resync").status_code == 403


def test_caregiver_gets_nothing(client, factory, org):
    login(client, factory.user(org, Role.CAREGIVER))
    assert client.get(f"/o/{org.slug}/loket_sync/").status_code == 403


def test_resync_and_excel_export(client, director, org, location, session, frozen_today):
    from openpyxl import load_workbook

    from core.context import context_for
    from plugins.loket_sync.services import vacancies

    login(client, director)
    assert client.post(f"/o/{org.slug}/loket_sync/resync").status_code == 302
    assert session.scalar(select(Job).where(Job.kind == "loket_sync.resync", Job.organisation_id == org.id))
    vacancies.recompute(context_for(session, org), location.id, "2027-01")
    session.commit()
    answer = client.get(f"/o/{org.slug}/loket_sync/export.xlsx")
    assert answer.status_code == 200
    book = load_workbook(io.BytesIO(answer.data))
    rows = list(book["Vrije plaatsen"].iter_rows(values_only=True))
    assert rows[0][0] == "Partner" and len(rows) > 1 and rows[1][4] == "2027-01"
    assert book["Plaatsingen"].max_row == 1  # header only: no care plans yet


def test_koepel_overview_shows_every_partner_state_not_payloads(client, factory, org, session, ctx):
    other = factory.org(name="Tweede partner", modules={"planning", "wachtlijst", "loket_sync"})
    factory.org(name="Zonder loket", modules={"planning"})
    outbox.emit(ctx, "request.status", "request", "LK-77", {"loket_request_id": "LK-77", "status": "placed"})
    session.commit()
    coordinator = factory.user(None, Role.COORDINATOR)
    login(client, coordinator)
    with QueryCounter(session.get_bind()) as counter:
        page = client.get("/koepel/loket_sync/")
    assert page.status_code == 200
    assert org.name in page.text and other.name in page.text and "Zonder loket" not in page.text
    assert "LK-77" not in page.text
    few = counter.count
    for i in range(3):
        factory.org(name=f"Extra {i}", modules={"planning", "wachtlijst", "loket_sync"})
    with QueryCounter(session.get_bind()) as counter:
        client.get("/koepel/loket_sync/")
    assert counter.count == few


def test_koepel_overview_is_for_the_coordinator_only(client, director):
    login(client, director)
    assert client.get("/koepel/loket_sync/").status_code in (403, 404)
