"""The billing engine's screens: finance staff edit, the director reads; every form refuses bad
input with a Dutch message and writes nothing; the proposal page's statements do not grow with
the number of families; finance lands on the facturatie page."""
from __future__ import annotations

import io
import re
from datetime import date, time

import pytest
from sqlalchemy import func, select

from plugins.facturatie.models import (
    BillingProfile,
    ExtraItem,
    IncomeTariffAttest,
    TariffPlan,
    WarningAcceptance,
)
from plugins.facturatie.services import tariffs
from tests.conftest import QueryCounter, login
from tests.plugins.facturatie.engine_helpers import ctx_of, freeze, plan, stay, weekdays_of


def _count(session, model) -> int:
    return session.scalar(select(func.count()).select_from(model))


def _family_with_month(session, factory, org, location, name="Gezin Janssens", attest=True):
    family = factory.family(org, name=name)
    child = factory.child(org, family=family, location=location, first_name="Lotte")
    plan(session, org, child, location)
    for d in list(weekdays_of(2026, 11))[1:6]:
        stay(session, org, child, location, d, time(8), time(16))
    if attest:
        tariffs.add_attest(ctx_of(session, org), child_id=child.id, kindcode="250301-012-01", day_price="20",
                           valid_from=date(2026, 1, 1))
    session.commit()
    return family, child


def test_finance_lands_on_facturatie(client, session, org, finance):
    freeze()
    response = login(client, finance)
    start = client.get(response.headers["Location"], follow_redirects=False)
    assert start.status_code == 302 and "/facturatie/" in start.headers["Location"]
    page = client.get(start.headers["Location"])
    assert page.status_code == 200 and "november 2026" in page.get_data(as_text=True)


def test_proposal_page_and_explanation(client, session, factory, org, location, finance):
    freeze()
    family, child = _family_with_month(session, factory, org, location)
    login(client, finance)
    page = client.get(f"/o/{org.slug}/facturatie/2026/11/")
    body = page.get_data(as_text=True)
    assert page.status_code == 200 and "Gezin Janssens" in body and "geen adres" in body
    draft = client.get(f"/o/{org.slug}/facturatie/2026/11/families/{family.id}?line=0")
    text = draft.get_data(as_text=True)
    assert draft.status_code == 200 and "IKT 100 %" in text and "Uitleg" in text
    assert client.get(f"/o/{org.slug}/facturatie/2026/11/families/{family.id}?line=99").status_code == 404
    future = client.get(f"/o/{org.slug}/facturatie/2027/3/")
    assert future.status_code == 422 and "nog niet" in future.get_data(as_text=True)
    assert client.get(f"/o/{org.slug}/facturatie/2026/13/").status_code == 422


def test_accept_warning_needs_a_reason_and_recompute_records(client, session, factory, org, location, finance):
    freeze()
    family, child = _family_with_month(session, factory, org, location, attest=False)
    login(client, finance)
    key = f"no_attest:child:{child.id}"
    bad = client.post(f"/o/{org.slug}/facturatie/2026/11/accept", data={"key": key, "reason": "ok"})
    assert bad.status_code == 422 and "reden" in bad.get_data(as_text=True)
    unknown = client.post(f"/o/{org.slug}/facturatie/2026/11/accept",
                          data={"key": "no_attest:child:999999", "reason": "een goede reden"})
    assert unknown.status_code == 422
    assert _count(session, WarningAcceptance) == 0
    ok = client.post(f"/o/{org.slug}/facturatie/2026/11/accept", data={"key": key, "reason": "Attest gevraagd"})
    assert ok.status_code == 302 and _count(session, WarningAcceptance) == 1
    from core.models.audit import AuditEntry

    assert session.scalar(select(func.count()).select_from(AuditEntry).where(
        AuditEntry.entity == "facturatie_warning_acceptance")) >= 1
    assert client.post(f"/o/{org.slug}/facturatie/2026/11/recompute").status_code == 302
    page = client.get(f"/o/{org.slug}/facturatie/2026/11/").get_data(as_text=True)
    assert "Attest gevraagd" in page


def test_several_warnings_are_accepted_at_once_or_not_at_all(client, session, factory, org, location, finance):
    freeze()
    _family, first = _family_with_month(session, factory, org, location, attest=False)
    _family, second = _family_with_month(session, factory, org, location, name="Gezin Peeters", attest=False)
    login(client, finance)
    url = f"/o/{org.slug}/facturatie/2026/11/accept"
    page = client.get(f"/o/{org.slug}/facturatie/2026/11/").get_data(as_text=True)
    form = page[:page.index('id="reason-all"')]
    keys = re.findall(r'name="key" value="([^"]+)">', form[form.rindex("<form"):])
    assert {f"no_attest:child:{first.id}", f"no_attest:child:{second.id}"} <= set(keys)
    assert f"Alle {len(keys)} aanvaarden met deze reden" in page
    half = client.post(url, data={"key": keys + ["no_attest:child:999999"], "reason": "Attesten gevraagd"})
    assert half.status_code == 422 and _count(session, WarningAcceptance) == 0  # one unknown: none accepted
    both = client.post(url, data={"key": keys, "reason": "Attesten gevraagd"})
    assert both.status_code == 302 and _count(session, WarningAcceptance) == len(keys)
    page = client.get(f"/o/{org.slug}/facturatie/2026/11/").get_data(as_text=True)
    assert 'id="reason-all"' not in page and page.count("Attesten gevraagd") == len(keys)


def test_director_reads_but_does_not_edit(client, session, factory, org, location, director):
    freeze()
    family, child = _family_with_month(session, factory, org, location)
    login(client, director)
    assert client.get(f"/o/{org.slug}/facturatie/2026/11/").status_code == 200
    assert client.get(f"/o/{org.slug}/facturatie/tariffs").status_code == 200
    assert client.get(f"/o/{org.slug}/facturatie/children/{child.id}/tariff").status_code == 200
    assert client.get(f"/o/{org.slug}/facturatie/families/{family.id}/billing").status_code == 200
    for url, data in [(f"/o/{org.slug}/facturatie/2026/11/recompute", {}),
                      (f"/o/{org.slug}/facturatie/children/{child.id}/tariff", {"action": "attest"}),
                      (f"/o/{org.slug}/facturatie/tariffs/plans", {"name": "x"}),
                      (f"/o/{org.slug}/facturatie/families/{family.id}/billing", {})]:
        assert client.post(url, data=data).status_code == 403, url
    assert client.get(f"/o/{org.slug}/facturatie/attests/import").status_code == 403


@pytest.mark.parametrize("data, message", [
    ({"action": "attest", "kindcode": "250301-012-01", "day_price": "-4", "valid_from": "2026-01-01"}, "negatief"),
    ({"action": "attest", "kindcode": "abc", "day_price": "20", "valid_from": "2026-01-01"}, "kindcode"),
    ({"action": "attest", "kindcode": "250301-012-01", "day_price": "20", "valid_from": "morgen"}, "JJJJ-MM-DD"),
    ({"action": "attest", "kindcode": "250301-012-01", "day_price": "20", "valid_from": "2026-01-01",
      "family_id": "x"}, "gezin"),
    ({"action": "plan", "tariff_plan_id": "99999"}, "tariefplan van deze organisatie"),
    ({"action": "shares", "share_1": "50"}, "gezin"),
    ({"action": "extra", "item_id": "", "day": "2026-11-03"}, "uit de catalogus"),
    ({"action": "iets"}, "bestaat niet"),
])
def test_child_forms_refuse_bad_input(client, session, factory, org, location, finance, data, message):
    freeze()
    child = factory.child(org, location=location, first_name="Fout")
    login(client, finance)
    response = client.post(f"/o/{org.slug}/facturatie/children/{child.id}/tariff", data=data)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert _count(session, IncomeTariffAttest) == 0


def test_child_forms_save(client, session, factory, org, location, finance):
    freeze()
    child = factory.child(org, location=location, first_name="Goed")
    login(client, finance)
    url = f"/o/{org.slug}/facturatie/children/{child.id}/tariff"
    ok = client.post(url, data={"action": "attest", "kindcode": "250301-012-01", "day_price": "21,30",
                                "valid_from": "2026-01-01"})
    assert ok.status_code == 302 and _count(session, IncomeTariffAttest) == 1
    page = client.get(url).get_data(as_text=True)
    assert "250301-012-01" in page and "21,30" in page


@pytest.mark.parametrize("data, message", [
    ({"name": "", "mode": "day", "valid_from": "2026-01-01"}, "naam"),
    ({"name": "Plan", "mode": "day", "valid_from": "2026-01-01", "full_day": "-1"}, "negatief"),
    ({"name": "Plan", "mode": "day", "valid_from": ""}, "datum"),
    ({"name": "Plan", "mode": "jaar", "valid_from": "2026-01-01"}, "per half uur"),
])
def test_plan_form_refuses_bad_input(client, session, org, finance, data, message):
    freeze()
    login(client, finance)
    response = client.post(f"/o/{org.slug}/facturatie/tariffs/plans", data=data)
    assert response.status_code == 422 and message in response.get_data(as_text=True).lower()
    assert _count(session, TariffPlan) == 0


def test_extra_and_plan_forms_save(client, session, org, finance):
    freeze()
    login(client, finance)
    assert client.post(f"/o/{org.slug}/facturatie/tariffs/extras",
                       data={"name": "Luiers", "kind": "extra", "price": "1,20"}).status_code == 302
    assert client.post(f"/o/{org.slug}/facturatie/tariffs/extras",
                       data={"name": "Luiers", "kind": "extra", "price": "1"}).status_code == 422
    assert client.post(f"/o/{org.slug}/facturatie/tariffs/plans",
                       data={"name": "Basis", "mode": "day", "valid_from": "2026-01-01", "full_day": "40",
                             "half_day": "25", "is_default": "1"}).status_code == 302
    plan_row = session.scalar(select(TariffPlan))
    bad = client.post(f"/o/{org.slug}/facturatie/tariffs/plans/{plan_row.id}/prices",
                      data={"valid_from": "2026-01-01", "full_day": "41"})
    assert bad.status_code == 422
    assert client.post(f"/o/{org.slug}/facturatie/tariffs/plans/{plan_row.id}/prices",
                       data={"valid_from": "2027-01-01", "full_day": "41"}).status_code == 302
    assert _count(session, ExtraItem) == 1
    assert "Basis" in client.get(f"/o/{org.slug}/facturatie/tariffs").get_data(as_text=True)


def test_billing_profile_form(client, session, factory, org, finance):
    freeze()
    family = factory.family(org, contacts=2)
    other = factory.family(org)
    login(client, finance)
    url = f"/o/{org.slug}/facturatie/families/{family.id}/billing"
    for data in ({"payment_method": "bitcoin"}, {"payment_method": "transfer", "invoice_email": "geen-adres"},
                 {"payment_method": "transfer", "paying_contact_id": str(other.contacts[0].id)}):
        assert client.post(url, data=data).status_code == 422
    assert _count(session, BillingProfile) == 0
    ok = client.post(url, data={"payment_method": "direct_debit", "paying_contact_id": str(family.contacts[1].id),
                                "invoice_email": "boekhouding@werkgever.be"})
    assert ok.status_code == 302
    profile = session.scalar(select(BillingProfile))
    assert profile.paying_contact_id == family.contacts[1].id and profile.invoice_email == "boekhouding@werkgever.be"


def test_import_page(client, session, factory, org, location, finance):
    freeze()
    child = factory.child(org, location=location)
    login(client, finance)
    assert client.get(f"/o/{org.slug}/facturatie/attests/template.xlsx").status_code == 200
    assert b"kindcode" in client.get(f"/o/{org.slug}/facturatie/attests/template.csv").data
    url = f"/o/{org.slug}/facturatie/attests/import"
    bad = client.post(url, data={"file": (io.BytesIO(("kind_id;kindcode;dagprijs;geldig_van\n"
                                                      f"{child.id};250301-012-01;-2;2026-01-01\n").encode()), "a.csv")},
                      content_type="multipart/form-data")
    assert bad.status_code == 422 and "negatief" in bad.get_data(as_text=True)
    assert client.post(url, data={}, content_type="multipart/form-data").status_code == 422
    ok = client.post(url, data={"file": (io.BytesIO(("kind_id;kindcode;dagprijs;geldig_van\n"
                                                     f"{child.id};250301-012-01;22;2026-01-01\n").encode()), "a.csv")},
                     content_type="multipart/form-data")
    assert ok.status_code == 302 and _count(session, IncomeTariffAttest) == 1


def test_proposal_page_statements_do_not_grow(client, session, factory, org, location, finance):
    freeze()
    login(client, finance)

    def count():
        with QueryCounter(session.get_bind()) as counter:
            assert client.get(f"/o/{org.slug}/facturatie/2026/11/").status_code == 200
        return counter.count

    for i in range(2):
        _family_with_month(session, factory, org, location, name=f"Gezin A{i}")
    small = count()
    for i in range(5):
        _family_with_month(session, factory, org, location, name=f"Gezin B{i}")
    assert count() == small


def test_child_file_shows_the_attest_panel(client, session, factory, org, location, finance):
    freeze()
    child = factory.child(org, location=location, first_name="Paneel")
    tariffs.add_attest(ctx_of(session, org), child_id=child.id, kindcode="250301-012-01", day_price="17,25",
                       valid_from=date(2026, 1, 1))
    session.commit()
    login(client, finance)
    page = client.get(f"/o/{org.slug}/children/{child.id}")
    body = page.get_data(as_text=True)
    assert page.status_code == 200 and "250301-012-01" in body and "17,25" in body


def test_tariffs_page_statements_do_not_grow(client, session, factory, org, location, finance):
    freeze()
    login(client, finance)

    def count():
        with QueryCounter(session.get_bind()) as counter:
            assert client.get(f"/o/{org.slug}/facturatie/tariffs").status_code == 200
        return counter.count

    for _ in range(2):
        _family_with_month(session, factory, org, location)
    small = count()
    for _ in range(4):
        _family_with_month(session, factory, org, location)
    assert count() == small
