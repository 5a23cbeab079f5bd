"""The schriftelijke overeenkomst and the huishoudelijk reglement (domain-rules §2.1-§2.6, Opgroeien
model agreement 15/04/2025 [P8] and model house rules 16/02/2026 [P9])."""
from __future__ import annotations

import io
from datetime import date, datetime, timedelta
from decimal import Decimal
from html import unescape

import pytest
from pypdf import PdfReader
from sqlalchemy import func, select

from core.clock import BRUSSELS, app_clock
from core.context import build_context
from core.models import ChildFamily, Job, PriceRegime, Role
from plugins.planning import api
from plugins.planning.models import CareAgreement, HouseRules
from plugins.planning.services import agreements
from plugins.planning.services.agreement_document import render_agreement_pdf
from plugins.planning.services.house_rules import add_house_rules, add_months
from plugins.planning.services.types import PlanningError
from tests.conftest import login
from tests.plugins.planning.conftest import full_week

TODAY = date(2026, 11, 18)
PDF = b"%PDF-1.4\n%scan\n"


@pytest.fixture(autouse=True)
def frozen(app):
    app_clock().freeze(datetime(2026, 11, 18, 10, 0, tzinfo=BRUSSELS))
    yield
    app_clock().freeze(None)


def _count(session, model) -> int:
    return session.scalar(select(func.count()).select_from(model))


def _mails(session) -> list[Job]:
    return list(session.scalars(select(Job).where(Job.kind == "mail.send")))


def _rules(session, org, day=date(2026, 9, 1), title="Reglement 2026"):
    rules, _ = add_house_rules(build_context(session, org), effective_date=day, title=title, text="Tekst") \
        if day >= TODAY else (None, None)
    if rules is None:  # a version already in force: written directly (the past cannot be chosen in the UI)
        rules = HouseRules(organisation_id=org.id, effective_date=day, title=title, text="Tekst")
        session.add(rules)
        session.flush()
    return rules


def _plan(session, org, child, location, days=range(5), **kw):
    return api.create_care_plan(build_context(session, org), child_id=child.id, location_id=location.id,
                                start_date=date(2026, 12, 1), days=full_week(days), **kw)


def _fresh(session, agreement_id: int) -> CareAgreement:
    """The row as stored (each request ends with its own session)."""
    return session.scalar(select(CareAgreement).where(CareAgreement.id == agreement_id)
                          .execution_options(populate_existing=True))


def _text(data: bytes) -> str:
    return " ".join((page.extract_text() or "") for page in PdfReader(io.BytesIO(data)).pages)


# --- house rules -------------------------------------------------------------------------------

def test_add_months_clamps_to_the_month_end():
    """§2.5 "at least 2 months": 31 December + 2 months is the end of February (leap years too)."""
    assert add_months(date(2026, 12, 31), 2) == date(2027, 2, 28)
    assert add_months(date(2027, 12, 31), 2) == date(2028, 2, 29)
    assert add_months(date(2026, 11, 18), 2) == date(2027, 1, 18)


def test_detrimental_change_needs_two_months_notice_and_nothing_is_saved(session, org, location, family, child):
    """§2.5 [P8], [P9]: a house-rule change to the families' detriment applies at the earliest two
    months after the written notice. One day short is refused with the earliest date; no version
    and no mail are written."""
    _plan(session, org, child, location)
    ctx = build_context(session, org)
    with pytest.raises(PlanningError) as refused:
        add_house_rules(ctx, effective_date=date(2027, 1, 17), title="Nieuw", text="Duurder", to_detriment=True)
    assert "18/01/2027" in refused.value.message and refused.value.field == "effective_date"
    assert _count(session, HouseRules) == 0 and _mails(session) == []


def test_detrimental_change_lists_and_notifies_the_families_concerned(session, factory, org, location, family, child):
    """§2.5: the families with a care plan running on the effective date are listed and each
    contact gets the notice through the outbox; a family whose plan ends before is not concerned."""
    _plan(session, org, child, location)
    gone_family = factory.family(org)
    gone = factory.child(org, family=gone_family, location=location)
    plan = _plan(session, org, gone, location, family_id=gone_family.id)
    api.end_care_plan(build_context(session, org), plan, end_date=date(2026, 12, 31))
    ctx = build_context(session, org)
    rules, concerned = add_house_rules(ctx, effective_date=date(2027, 1, 18), title="Nieuw", text="Duurder",
                                       to_detriment=True)
    assert [f.family_id for f in concerned] == [family.id]
    mails = _mails(session)
    assert [m.payload["to"] for m in mails] == [family.contacts[0].email]
    assert "huishoudelijk reglement" in mails[0].payload["subject"] and rules.families_notified == 1


def test_a_change_not_to_the_detriment_may_start_sooner_but_not_in_the_past(session, org):
    """§2.5: only a change to the families' detriment needs the notice; versions keep their date
    and one date holds one version."""
    ctx = build_context(session, org)
    add_house_rules(ctx, effective_date=TODAY + timedelta(days=1), title="Verduidelijking", text="Tekst")
    with pytest.raises(PlanningError, match="verleden"):
        add_house_rules(ctx, effective_date=TODAY - timedelta(days=1), title="Oud", text="Tekst")
    with pytest.raises(PlanningError, match="al een versie"):
        add_house_rules(ctx, effective_date=TODAY + timedelta(days=1), title="Dubbel", text="Tekst")
    with pytest.raises(PlanningError, match="PDF"):
        add_house_rules(ctx, effective_date=TODAY + timedelta(days=3), title="Scan", pdf=b"GIF89a", pdf_name="x.pdf")
    assert _count(session, HouseRules) == 1


# --- the agreement -----------------------------------------------------------------------------

def test_no_agreement_for_a_child_without_care_plan(session, org, child):
    """§2.2 point 3: the opvangplan is a mandatory part of the agreement; without one nothing is made."""
    _rules(session, org)
    with pytest.raises(PlanningError, match="geen lopend opvangplan"):
        agreements.generate_agreements(build_context(session, org), child.id)
    assert _count(session, CareAgreement) == 0


def test_co_parenting_gives_one_agreement_per_household(session, factory, org, location, family, child):
    """§2.1 [P8]: co-parenting with care on the days of both households gives two agreements, each
    with its own care plan and household, referring to the house rules in force."""
    rules = _rules(session, org)
    other = factory.family(org)
    session.add(ChildFamily(organisation_id=org.id, child_id=child.id, family_id=other.id))
    a = _plan(session, org, child, location, [0, 1], family_id=family.id)
    b = _plan(session, org, child, location, [3, 4], family_id=other.id)
    made = agreements.generate_agreements(build_context(session, org), child.id, deposit_amount="100")
    assert sorted((x.care_plan_id, x.family_id) for x in made) == sorted([(a, family.id), (b, other.id)])
    assert {x.house_rules_id for x in made} == {rules.id} and {x.number for x in made} == {1}
    again = agreements.generate_agreements(build_context(session, org), child.id)
    assert {x.number for x in again} == {2}  # an addendum: a new number, the old one kept


def test_deposit_caps_under_the_income_related_tariff(session, org, location, family, child):
    """§2.6 [P8], [P9]: under IKT the deposit is at most 250 euro, 50 euro for a low income; the
    agreement records amount and cap for billing (``deposit_for``). Free price has no legal cap."""
    _rules(session, org)
    plan = _plan(session, org, child, location, family_id=family.id)
    ctx = build_context(session, org)
    with pytest.raises(PlanningError, match="hoogstens 250"):
        agreements.generate_agreements(ctx, child.id, deposit_amount="250.01")
    with pytest.raises(PlanningError, match="hoogstens 50"):
        agreements.generate_agreements(ctx, child.id, deposit_amount="60", low_income=True)
    with pytest.raises(PlanningError, match="negatief"):
        agreements.generate_agreements(ctx, child.id, deposit_amount="-1")
    assert _count(session, CareAgreement) == 0
    agreements.generate_agreements(ctx, child.id, deposit_amount="50", low_income=True)
    assert api.agreement_deposit(ctx, plan) == api.DepositRule(Decimal("50.00"), Decimal("50"), True)
    org.price_regime = PriceRegime.VRIJE_PRIJS
    agreements.generate_agreements(build_context(session, org), child.id, deposit_amount="400")
    assert agreements.deposit_for(ctx, plan).cap is None


def test_the_pdf_follows_the_model_in_three_languages(session, org, location, family, child):
    """§2.2 [P8]: parties, child, start date, opvangplan as annex, deposit, and the dated house
    rules as annex; in Dutch, French and English."""
    _rules(session, org, title="Reglement september")
    _plan(session, org, child, location, [0, 2], family_id=family.id)
    ctx = build_context(session, org)
    agreement = agreements.generate_agreements(ctx, child.id, deposit_amount="120")[0]
    nl = _text(render_agreement_pdf(ctx, agreement))
    for expected in ("Schriftelijke overeenkomst", org.name, child.first_name, "01/12/2026", "120.00",
                     "Reglement september", "01/09/2026", "Bijlage: opvangplan", "maandag", "woensdag", "250.00"):
        assert expected in nl, expected
    fr = _text(render_agreement_pdf(ctx, agreement, "fr"))
    assert "Contrat écrit" in fr and "lundi" in fr and "Schriftelijke" not in fr
    en = _text(render_agreement_pdf(ctx, agreement, "en"))
    assert "Written agreement" in en and "Monday" in en and "Annex: care plan" in en


# --- acceptance --------------------------------------------------------------------------------

def _agreement(session, org, location, family, child) -> CareAgreement:
    _rules(session, org)
    _plan(session, org, child, location, family_id=family.id)
    made = agreements.generate_agreements(build_context(session, org), child.id)
    session.commit()
    return made[0]


def test_the_parent_accepts_by_the_signed_link(app, client, session, org, location, family, child):
    """§2.5: keep which version was signed. The link opens a page; only the button (POST) accepts,
    recording time, IP and (through the agreement) the house-rules version; a second click
    changes nothing."""
    agreement = _agreement(session, org, location, family, child)
    agreement_id = agreement.id
    with app.test_request_context():
        token = agreements.acceptance_token(build_context(session, org), agreement)
    url = f"/o/{org.slug}/planning/accept/{token}"
    page = client.get(url)
    assert page.status_code == 200 and "Ik aanvaard de overeenkomst" in page.get_data(as_text=True)
    agreement = _fresh(session, agreement_id)
    assert agreement.accepted_at is None
    done = client.post(url, environ_base={"REMOTE_ADDR": "203.0.113.7"})
    assert done.status_code == 200 and "Aanvaard op" in done.get_data(as_text=True)
    agreement = _fresh(session, agreement_id)
    first = agreement.accepted_at
    assert (agreement.accepted_via, agreement.accepted_ip) == ("link", "203.0.113.7") and first is not None
    client.post(url, environ_base={"REMOTE_ADDR": "198.51.100.1"})
    agreement = _fresh(session, agreement_id)
    assert (agreement.accepted_at, agreement.accepted_ip) == (first, "203.0.113.7")


def test_bad_or_expired_link_is_refused_in_the_parents_language(app, client, session, monkeypatch, org, location,
                                                                family, child):
    """A forged token and an expired one get a clear message (translated), and nothing is saved."""
    import time

    from itsdangerous.timed import TimestampSigner

    agreement = _agreement(session, org, location, family, child)
    agreement_id = agreement.id
    # signed 31 days ago; the link is valid for 30 days (setting planning.agreement_link_days)
    monkeypatch.setattr(TimestampSigner, "get_timestamp", lambda self: int(time.time()) - 31 * 86400)
    with app.test_request_context():
        token = agreements.acceptance_token(build_context(session, org), agreement)
    monkeypatch.undo()
    slug = org.slug
    bad = client.post(f"/o/{slug}/planning/accept/abc.def.ghi?lang=fr")
    assert bad.status_code == 404 and "Ce lien n'est pas valable" in unescape(bad.get_data(as_text=True))
    late = client.post(f"/o/{slug}/planning/accept/{token}?lang=en")
    assert late.status_code == 404 and "This link has expired" in late.get_data(as_text=True)
    agreement = _fresh(session, agreement_id)
    assert agreement.accepted_at is None


def test_a_link_of_another_organisation_opens_nothing(app, client, session, factory, org, location, family, child):
    """The token names its organisation: used under another organisation's address it is refused."""
    agreement = _agreement(session, org, location, family, child)
    agreement_id = agreement.id
    other = factory.org(modules={"planning"})
    with app.test_request_context():
        token = agreements.acceptance_token(build_context(session, org), agreement)
    response = client.post(f"/o/{other.slug}/planning/accept/{token}")
    assert response.status_code == 404
    agreement = _fresh(session, agreement_id)
    assert agreement.accepted_at is None


def test_staff_attach_a_scanned_signed_copy_of_an_allowed_type(client, session, factory, org, location, family,
                                                              child):
    """§2.2 point 15: signed on paper, the scan is kept; a wrong type is refused with a message and
    nothing is stored."""
    agreement = _agreement(session, org, location, family, child)
    agreement_id = agreement.id
    login(client, factory.user(org, Role.DIRECTOR))
    url = f"/o/{org.slug}/planning/agreements/{agreement_id}/signed-copy"
    wrong = client.post(url, data={"scan": (io.BytesIO(b"MZ\x90\x00exe"), "contract.pdf")},
                        content_type="multipart/form-data", follow_redirects=True)
    assert "Alleen een PDF-, PNG- of JPEG-bestand" in wrong.get_data(as_text=True)
    agreement = _fresh(session, agreement_id)
    assert agreement.accepted_at is None and agreement.signed_copy is None
    client.post(url, data={"scan": (io.BytesIO(PDF), "getekend.pdf")}, content_type="multipart/form-data")
    agreement = _fresh(session, agreement_id)
    assert (agreement.accepted_via, agreement.signed_copy_type, agreement.signed_copy) == (
        "scan", "application/pdf", PDF)


# --- screens -----------------------------------------------------------------------------------

def test_director_makes_the_agreement_finance_reads_only(client, session, factory, org, location, family, child):
    """Directors manage, finance reads (the coordinator is kept out by the contract tests)."""
    _rules(session, org)
    _plan(session, org, child, location, family_id=family.id)
    session.commit()
    url = f"/o/{org.slug}/planning/children/{child.id}/agreements"
    login(client, factory.user(org, Role.FINANCE))
    assert client.get(url).status_code == 200
    assert client.post(url, data={"deposit_amount": "10", "language": "nl"}).status_code == 403
    client.get("/logout")
    login(client, factory.user(org, Role.DIRECTOR))
    too_much = client.post(url, data={"deposit_amount": "300", "language": "nl"})
    assert too_much.status_code == 422 and "hoogstens 250" in too_much.get_data(as_text=True)
    assert _count(session, CareAgreement) == 0
    made = client.post(url, data={"deposit_amount": "100", "language": "fr"})
    assert made.status_code == 302 and _count(session, CareAgreement) == 1
    # the household gets its link through the outbox, in the agreement's language
    from core.mail import mail_body

    (mail,) = _mails(session)
    assert mail.payload["subject"].startswith("Contrat écrit") and "/planning/accept/" in mail_body(mail.payload)
    agreement = session.scalar(select(CareAgreement))
    pdf = client.get(f"/o/{org.slug}/planning/agreements/{agreement.id}.pdf")
    assert pdf.mimetype == "application/pdf" and "Contrat écrit" in _text(pdf.data)


def test_house_rules_screen_refuses_a_short_notice(client, session, factory, org, location, family, child):
    """§2.5 through the screen: a translated message on the date field, nothing saved."""
    _plan(session, org, child, location, family_id=family.id)
    session.commit()
    login(client, factory.user(org, Role.DIRECTOR))
    url = f"/o/{org.slug}/planning/house-rules"
    response = client.post(url, data={"effective_date": "2026-12-18", "title": "Duurder", "text": "Tekst",
                                      "to_detriment": "y"})
    assert response.status_code == 422 and "ten vroegste twee maanden" in response.get_data(as_text=True)
    assert _count(session, HouseRules) == 0 and _mails(session) == []
    ok = client.post(url, data={"effective_date": "2027-01-18", "title": "Duurder", "text": "Tekst",
                                "to_detriment": "y"})
    assert ok.status_code == 200 and family.name in ok.get_data(as_text=True)
    assert _count(session, HouseRules) == 1 and len(_mails(session)) == 1
