"""The director's pages: overview, register (screen and PDF), child codes, devices."""
from __future__ import annotations

from datetime import date, datetime, time
from io import BytesIO

from pypdf import PdfReader
from sqlalchemy import select

from core.clock import BRUSSELS, app_clock
from plugins.aanwezigheden.models import ChildCode, Confirmation
from tests.conftest import QueryCounter, login
from tests.plugins.aanwezigheden.conftest import db_org
from tests.plugins.aanwezigheden.test_api import stay

DAY = date(2026, 11, 18)


def month(session, factory, org, location, n=2):
    o = db_org(session, org)
    kids = []
    for i in range(n):
        kid = factory.child(o, location=location, first_name=f"Registerkind{i}")
        stay(session, o, kid, location, DAY, time(8), time(18, 45) if i == 0 else time(16))
        kids.append(kid)
    session.add(ChildCode(organisation_id=o.id, child_id=kids[0].id, own_child=True))
    session.add(Confirmation(organisation_id=o.id, client_id=f"cf-{kids[0].id}", child_id=kids[0].id, location_id=location.id,
                             start_day=DAY, end_day=DAY, kind="pickup", confirmed_by="Mama Register",
                             at=datetime(2026, 11, 18, 18, 45, tzinfo=BRUSSELS)))
    session.commit()
    return kids


def test_register_screen(client, session, factory, org, location, director, planning):
    app_clock().freeze(datetime(2026, 11, 30, 9, 0, tzinfo=BRUSSELS))
    month(session, factory, org, location)
    login(client, director)
    page = client.get(f"/o/{org.slug}/aanwezigheden/register/{location.id}?month=2026-11")
    body = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "08:00–18:45" in body and "Mama Register" in body and "eigen kind" in body
    assert f"/aanwezigheden/register/{location.id}/day?date=2026-11-18" in body  # directors correct from here
    assert client.get(f"/o/{org.slug}/aanwezigheden/register/{location.id}?month=2026-13").status_code == 400


def test_register_query_count_does_not_grow(client, app, session, factory, org, location, director, planning):
    app_clock().freeze(datetime(2026, 11, 30, 9, 0, tzinfo=BRUSSELS))
    month(session, factory, org, location, n=2)
    login(client, director)
    url = f"/o/{org.slug}/aanwezigheden/register/{location.id}?month=2026-11"
    engine = session.connection()  # requests and the test share this connection (not the app engine)
    with QueryCounter(engine) as small:
        assert client.get(url).status_code == 200
    month(session, factory, org, location, n=15)
    with QueryCounter(engine) as large:
        assert client.get(url).status_code == 200
    assert 0 < large.count == small.count


def test_register_pdf(client, session, factory, org, location, director, planning):
    app_clock().freeze(datetime(2026, 11, 30, 9, 0, tzinfo=BRUSSELS))
    month(session, factory, org, location)
    login(client, director)
    response = client.get(f"/o/{org.slug}/aanwezigheden/register/{location.id}.pdf?month=2026-11")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    text = "".join(p.extract_text() for p in PdfReader(BytesIO(response.data)).pages)
    assert "Aanwezigheidsregister" in text and "Registerkind0" in text and "Mama Register" in text


def test_caregiver_sees_only_own_locations(client, session, factory, org, location, caregiver, planning):
    other = factory.location(db_org(session, org), name="Andere Locatie Uil")
    session.commit()
    login(client, caregiver)
    page = client.get(f"/o/{org.slug}/aanwezigheden/").get_data(as_text=True)
    assert location.name in page and "Andere Locatie Uil" not in page
    assert client.get(f"/o/{org.slug}/aanwezigheden/register/{other.id}").status_code == 404


def test_child_code_form_and_panel(client, session, factory, org, location, director):
    kid = factory.child(db_org(session, org), location=location, first_name="Codekind")
    kid_id = kid.id
    session.commit()
    login(client, director)
    url = f"/o/{org.slug}/aanwezigheden/children/{kid_id}/code"
    bad = client.post(url, data={"kindcode": "12-34", "sex": "X", "school_start": "volgend jaar"})
    assert bad.status_code == 422
    body = bad.get_data(as_text=True)
    assert "11 cijfers" in body and "M of V" in body and "JJJJ-MM-DD" in body
    assert session.scalar(select(ChildCode).where(ChildCode.child_id == kid_id)) is None
    ok = client.post(url, data={"kindcode": "250301-010-02", "sex": "V", "own_child": "1"})
    assert ok.status_code == 302
    row = session.scalar(select(ChildCode).where(ChildCode.child_id == kid_id))
    assert (row.kindcode, row.sex, row.own_child) == ("250301-010-02", "V", True)
    detail = client.get(f"/o/{org.slug}/children/{kid_id}").get_data(as_text=True)
    assert "250301-010-02" in detail and "eigen kind van de onthaalouder" in detail


def test_devices_page_lists_and_revokes(client, session, factory, org, location, director):
    login(client, director)
    page = client.get(f"/o/{org.slug}/aanwezigheden/devices")
    assert page.status_code == 200 and "Nog geen tablets gekoppeld" in page.get_data(as_text=True)
    assert client.post(f"/o/{org.slug}/aanwezigheden/devices/999999/revoke").status_code == 404


def test_overview_offers_the_pin_link_only_to_who_may_set_one(client, factory, org, location, caregiver, planning):
    from core.models import Role

    login(client, caregiver)
    assert "/aanwezigheden/pin" in client.get(f"/o/{org.slug}/aanwezigheden/").get_data(as_text=True)
    client.post("/logout")
    login(client, factory.user(org, Role.FINANCE))
    page = client.get(f"/o/{org.slug}/aanwezigheden/")
    assert page.status_code == 200 and "/aanwezigheden/pin" not in page.get_data(as_text=True)
