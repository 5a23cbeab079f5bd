"""Intake: staff form, public form with e-mail confirmation, token status page, bad input in the
parent's language with nothing written, duplicates and merging, referrers, twins."""
from __future__ import annotations

import re
from datetime import date

import pytest
from sqlalchemy import func, select

from core.context import context_for
from core.jobs import Job
from core.mail import mail_body
from core.settings import set_setting
from plugins.wachtlijst.models import CareRequest, Status, StatusChange
from plugins.wachtlijst.services import intake
from plugins.wachtlijst.services.errors import ValidationFailed
from tests.conftest import login
from tests.plugins.wachtlijst.helpers import make_request, request_data


def count(session, model):
    return session.scalar(select(func.count()).select_from(model))


def test_staff_request_is_confirmed_with_history(session, org, location, director, frozen_today):
    req, token = make_request(session, org, [location.id], actor=director)
    assert req.status == Status.CONFIRMED
    assert [(h.old_status, h.new_status) for h in req.history] == [(None, "submitted"), ("submitted", "confirmed")]
    assert req.history[1].actor_id == director.id and req.history[1].at is not None
    assert req.token_hash != token and len(token) >= 32


@pytest.mark.parametrize(("overrides", "field", "code"), [
    ({"desired_start": date(2026, 11, 1)}, "desired_start", "start_past"),
    ({"child_birth_date": None, "expected_birth_date": date(2027, 10, 1)}, "expected_birth_date", "expected_too_far"),
    ({"child_birth_date": None, "expected_birth_date": date(2027, 3, 1), "desired_start": date(2027, 2, 1)},
     "desired_start", "start_before_birth"),
    ({"location_ids": []}, "location_ids", "no_location"),
    ({"email": "not-an-address"}, "email", "email_invalid"),
    ({"child_birth_date": date(2026, 12, 1)}, "child_birth_date", "birth_future"),
    ({"days": []}, "days", "no_days"),
    ({"referrer_name": "OCMW Kortrijk", "consent_referrers": False}, "consent_referrers", "consent_required"),
])
def test_bad_input_is_refused_and_nothing_written(session, org, location, frozen_today, overrides, field, code):
    before = count(session, CareRequest), count(session, StatusChange), count(session, Job)
    with pytest.raises(ValidationFailed) as info:
        make_request(session, org, overrides.pop("location_ids", [location.id]), **overrides)
    assert info.value.errors[field] == code
    assert (count(session, CareRequest), count(session, StatusChange), count(session, Job)) == before


def test_location_of_another_organisation_is_refused(session, factory, org, frozen_today):
    foreign = factory.location(factory.org(modules={"wachtlijst"}))
    with pytest.raises(ValidationFailed) as info:
        make_request(session, org, [foreign.id])
    assert info.value.errors == {"location_ids": "location_unknown"}


def test_undeliverable_email_is_refused(session, org, location, frozen_today, monkeypatch):
    import email_validator

    def fake(address, check_deliverability=True, **kw):
        raise email_validator.EmailUndeliverableError("The domain name does not exist.")

    monkeypatch.setattr(email_validator, "validate_email", fake)
    with pytest.raises(ValidationFailed) as info:
        make_request(session, org, [location.id], email="ouder@bestaat-niet.invalid")
    assert info.value.errors["email"] == "email_undeliverable"
    assert info.value.messages("fr")["email"].startswith("Aucun e-mail")


def test_same_child_twice_is_refused_but_twins_are_two_linked_requests(session, org, location, frozen_today):
    make_request(session, org, [location.id])
    with pytest.raises(ValidationFailed) as info:
        make_request(session, org, [location.id], child_first_name="lotte ", child_last_name="PEETERS")
    assert info.value.errors == {"child_last_name": "duplicate"}
    created = intake.create_requests(context_for(session, org), request_data([location.id], email="tweeling@example.be",
                                                                 child_first_name="Jan", twin_first_name="Piet"),
                                     channel="staff")
    (a, _), (b, _) = created
    assert a.sibling_request_id == b.id and b.sibling_request_id == a.id
    assert {a.child_first_name, b.child_first_name} == {"Jan", "Piet"}
    assert not [p for p in intake.find_duplicates(context_for(session, org)) if {p.first.id, p.second.id} == {a.id, b.id}]


def test_near_duplicates_are_found_and_merged_by_a_director(session, org, factory, location, director, frozen_today):
    other_loc = factory.location(org)
    first, _ = make_request(session, org, [location.id], email="een@example.be", facts={"work": True})
    second, _ = make_request(session, org, [other_loc.id], email="twee@example.be", child_first_name="Lotte",
                             facts={"single_parent": True})
    pairs = intake.find_duplicates(context_for(session, org))
    assert [(p.first.id, p.second.id, p.matches) for p in pairs] == [(first.id, second.id, ("name", "birth"))]
    intake.merge(context_for(session, org), first, second, actor=director)
    assert second.status == Status.WITHDRAWN and second.merged_into_id == first.id
    assert [p.location_id for p in first.preferences] == [location.id, other_loc.id]
    assert first.work and first.single_parent
    assert intake.find_duplicates(context_for(session, org)) == []


def test_public_form_confirmation_and_status_page(app, client, session, org, location, frozen_today):
    set_setting(session, org, "wachtlijst.public_form", True)
    session.commit()
    url = f"/o/{org.slug}/wachtlijst/aanvraag"
    assert "Demander une place" in client.get(url + "?lang=fr").get_data(as_text=True)
    form = {"applicant_first_name": "Marie", "applicant_last_name": "Dubois", "email": "marie@example.be",
            "child_first_name": "Léa", "child_last_name": "Dubois", "child_birth_date": "2026-08-01",
            "desired_start": "2027-02-01", "day_0": "full", "day_2": "morning", "choice_1": str(location.id),
            "language": "fr", "work": "y"}
    response = client.post(url, data=form)
    assert response.status_code == 200, re.findall(r"class=\"error\"[^<]*>([^<]*)<", response.get_data(as_text=True))
    assert "Nous vous avons envoyé un e-mail" in response.get_data(as_text=True)
    req = session.scalar(select(CareRequest).where(CareRequest.email == "marie@example.be"))
    assert req.status == Status.SUBMITTED and req.language == "fr" and req.work and req.channel == "public"
    assert req.days == [{"weekday": 0, "day_part": "full"}, {"weekday": 2, "day_part": "morning"}]
    job = session.scalar(select(Job).where(Job.kind == "mail.send"))
    assert job.payload["to"] == "marie@example.be" and job.payload["subject"].startswith("Confirmez")
    confirm_url = re.search(r"http://localhost:5000(/\S+/confirm)", mail_body(job.payload)).group(1)
    status_url = re.search(r"http://localhost:5000(/\S+/status/[\w-]+)\n", mail_body(job.payload)).group(1)
    # Opening the link (a mail scanner, a link preview) changes nothing: it shows a button.
    page = client.get(confirm_url)
    assert page.status_code == 200 and "Confirmer la demande" in page.get_data(as_text=True)
    assert 'method="post"' in page.get_data(as_text=True)
    session.refresh(req)
    assert req.status == Status.SUBMITTED
    assert client.post(confirm_url).status_code == 303
    session.refresh(req)
    assert req.status == Status.CONFIRMED and req.history[-1].actor_label == "ouder"
    page = client.get(status_url).get_data(as_text=True)
    assert "Léa Dubois" in page and "confirmée" in page
    # a second click changes nothing
    client.post(confirm_url)
    session.refresh(req)
    assert [h.new_status for h in req.history] == ["submitted", "confirmed"]


def test_public_form_bad_input_answers_in_the_parents_language_and_writes_nothing(
        client, session, org, location, frozen_today):
    set_setting(session, org, "wachtlijst.public_form", True)
    session.commit()
    before = count(session, CareRequest)
    response = client.post(f"/o/{org.slug}/wachtlijst/aanvraag?lang=en", data={
        "applicant_first_name": "John", "applicant_last_name": "Smith", "email": "john@example.be",
        "child_last_name": "Smith", "expected_birth_date": "2027-12-01", "desired_start": "2026-01-01",
        "day_0": "full", "language": "en"})
    body = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "The desired start date is in the past." in body
    assert "Choose at least one childcare location." in body
    assert "The form contains errors. Nothing was saved." in body
    assert count(session, CareRequest) == before


def test_public_pages_reveal_nothing_without_the_token(client, session, org, location, frozen_today):
    req, token = make_request(session, org, [location.id], child_first_name="Geheimkind")
    session.commit()
    slug = org.slug
    for url in (f"/o/{slug}/wachtlijst/status/{token[:-2]}xx", f"/o/{slug}/wachtlijst/status/bestaat-niet"):
        response = client.get(url + "?lang=nl")
        assert response.status_code == 404
        assert "Geheimkind" not in response.get_data(as_text=True)
        assert "Deze link is ongeldig" in response.get_data(as_text=True)
    assert "Geheimkind" in client.get(f"/o/{slug}/wachtlijst/status/{token}").get_data(as_text=True)
    # the public form is closed unless the organisation opens it
    assert client.get(f"/o/{slug}/wachtlijst/aanvraag").status_code == 404


def test_public_pages_are_throttled(app, client, session, org, location, frozen_today):
    app.config["WACHTLIJST_PUBLIC_RATE"] = 3
    url = f"/o/{org.slug}/wachtlijst/status/nope?lang=fr"
    statuses = [client.get(url).status_code for _ in range(5)]
    assert statuses == [404, 404, 404, 429, 429]
    assert "Trop de demandes" in client.get(url).get_data(as_text=True)


def test_referrer_files_with_consent_recorded(session, org, location, frozen_today):
    req, _ = make_request(session, org, [location.id], channel="public", referrer_name="CAW Zuid",
                          consent_referrers=True)
    assert req.channel == "referrer" and req.consent_referrers
    assert req.history[0].actor_label == "toeleider: CAW Zuid"
    assert "toestemming" in req.history[0].reason


def test_staff_form_creates_a_request(client, session, org, location, director, frozen_today):
    login(client, director)
    slug = org.slug
    response = client.post(f"/o/{slug}/wachtlijst/new", data={
        "applicant_first_name": "An", "applicant_last_name": "Claes", "email": "an@example.be",
        "child_first_name": "Mo", "child_last_name": "Claes", "child_birth_date": "2026-09-09",
        "desired_start": "2027-03-01", "day_1": "full", "choice_1": str(location.id), "language": "nl"})
    assert response.status_code == 302
    req = session.scalar(select(CareRequest).where(CareRequest.email == "an@example.be"))
    assert req.status == Status.CONFIRMED and req.created_by_id == director.id
    detail = client.get(f"/o/{slug}/wachtlijst/{req.id}").get_data(as_text=True)
    assert "Mo Claes" in detail and "Zonneweide Centrum" in detail
    bad = client.post(f"/o/{slug}/wachtlijst/new", data={"email": "x", "language": "nl"})
    assert bad.status_code == 422 and "Dit e-mailadres is ongeldig." in bad.get_data(as_text=True)


def test_mail_links_use_the_configured_address_not_the_host_header(app, client, session, org, location,
                                                                   frozen_today):
    """A forged Host header must not put another address (with the parent's token) in the mail."""
    app.config["KOEPEL_BASE_URL"] = "https://kinderopvang.example.be"
    set_setting(session, org, "wachtlijst.public_form", True)
    session.commit()
    form = {"applicant_first_name": "Marie", "applicant_last_name": "Dubois", "email": "host@example.be",
            "child_first_name": "Léa", "child_last_name": "Dubois", "child_birth_date": "2026-08-01",
            "desired_start": "2027-02-01", "day_0": "full", "choice_1": str(location.id), "language": "nl"}
    response = client.post(f"/o/{org.slug}/wachtlijst/aanvraag", data=form,
                           headers={"Host": "aanvaller.example", "X-Forwarded-Host": "aanvaller.example"})
    assert response.status_code == 200
    job = session.scalar(select(Job).where(Job.kind == "mail.send"))
    assert "aanvaller" not in mail_body(job.payload)
    # the queued mail holds no token in clear: only the encrypted body
    token = mail_body(job.payload).split("/status/")[1].split()[0].split("/")[0]
    assert "body" not in job.payload and token not in str(job.payload)
    assert f"https://kinderopvang.example.be/o/{org.slug}/wachtlijst/status/" in mail_body(job.payload)
