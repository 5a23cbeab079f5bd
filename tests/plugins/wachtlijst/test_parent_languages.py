"""What a parent reads is in the parent's language (nl, fr, en): every bad-input message of the
public form, the unknown-token page, the throttling page and the mails; and nothing is written
when the input is refused."""
from __future__ import annotations

import string

import pytest
from markupsafe import escape
from sqlalchemy import func, select

from core.context import context_for
from core.jobs import Job
from core.mail import mail_body
from core.settings import set_setting
from plugins.wachtlijst.models import CareRequest, StatusChange
from plugins.wachtlijst.services.texts import (
    LANGUAGES,
    MAILS,
    TEXTS,
    WEEKDAYS,
    mail_texts,
    t,
    weekday_names,
)
from tests.plugins.wachtlijst.helpers import make_request


def counts(session):
    return tuple(session.scalar(select(func.count()).select_from(m)) for m in (CareRequest, StatusChange, Job))


@pytest.fixture
def open_form(session, org, location):
    set_setting(session, org, "wachtlijst.public_form", True)
    session.commit()
    return f"/o/{org.slug}/wachtlijst/aanvraag"


def valid_form(location_id: int, lang: str) -> dict:
    return {"applicant_first_name": "Marie", "applicant_last_name": "Dubois", "email": "marie@example.be",
            "child_first_name": "Léa", "child_last_name": "Dubois", "child_birth_date": "2026-08-01",
            "desired_start": "2027-02-01", "day_0": "full", "choice_1": str(location_id), "language": lang}


BAD_INPUT = [  # frozen today: 18/11/2026
    ({"desired_start": "2026-11-01"}, "start_past"),
    ({"child_birth_date": "", "expected_birth_date": "2027-10-01"}, "expected_too_far"),
    ({"child_birth_date": "", "expected_birth_date": "2027-03-01", "desired_start": "2027-02-01"},
     "start_before_birth"),
    ({"choice_1": ""}, "no_location"),
    ({"email": "marie@@example"}, "email_invalid"),
    ({"email": ""}, "email_invalid"),
    ({"day_0": ""}, "no_days"),
    ({"child_birth_date": "2027-01-01"}, "birth_future"),
    ({"desired_start": "01/02/2027"}, "date_invalid"),
    ({"choice_1": "999999"}, "location_unknown"),
    ({"referrer_name": "OCMW"}, "consent_required"),
]


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize(("overrides", "code"), BAD_INPUT, ids=[c for _, c in BAD_INPUT])
def test_public_form_bad_input_in_the_parents_language(client, session, location, open_form, frozen_today,
                                                       lang, overrides, code):
    before = counts(session)
    response = client.post(f"{open_form}?lang={lang}", data={**valid_form(location.id, lang), **overrides})
    body = response.get_data(as_text=True)
    assert response.status_code == 422
    assert str(escape(t(code, lang))) in body
    assert str(escape(t("form_errors", lang))) in body
    assert f'<html lang="{lang}">' in body
    other = [x for x in LANGUAGES if x != lang and t(code, x) != t(code, lang)]
    assert all(str(escape(t(code, x))) not in body for x in other)
    assert counts(session) == before


@pytest.mark.parametrize("lang", LANGUAGES)
def test_undeliverable_email_on_the_public_form(client, session, location, open_form, frozen_today, monkeypatch,
                                                lang):
    import email_validator

    def undeliverable(address, check_deliverability=True, **kw):
        raise email_validator.EmailUndeliverableError("The domain name bestaat-niet.be does not exist.")

    monkeypatch.setattr(email_validator, "validate_email", undeliverable)
    before = counts(session)
    response = client.post(open_form, data={**valid_form(location.id, lang), "email": "x@bestaat-niet.be"})
    assert response.status_code == 422
    assert str(escape(t("email_undeliverable", lang))) in response.get_data(as_text=True)
    assert counts(session) == before


@pytest.mark.parametrize("lang", LANGUAGES)
def test_same_child_twice_on_the_public_form(client, session, org, location, open_form, frozen_today, lang):
    assert client.post(open_form, data=valid_form(location.id, lang)).status_code == 200
    before = counts(session)
    again = {**valid_form(location.id, lang), "child_first_name": "LÉA ", "child_last_name": "dubois"}
    response = client.post(open_form, data=again)
    assert response.status_code == 422
    assert str(escape(t("duplicate", lang))) in response.get_data(as_text=True)
    assert counts(session) == before


def test_the_language_chosen_on_the_form_wins_over_the_page_language(client, session, location, open_form,
                                                                      frozen_today):
    response = client.post(f"{open_form}?lang=nl", data={**valid_form(location.id, "en"), "choice_1": ""})
    assert "Choose at least one childcare location." in response.get_data(as_text=True)


def test_browser_language_is_used_without_a_choice(client, location, open_form, frozen_today):
    page = client.get(open_form, headers={"Accept-Language": "en-GB,en;q=0.9"}).get_data(as_text=True)
    assert "Request childcare" in page and '<html lang="en">' in page
    page = client.get(open_form, headers={"Accept-Language": "de-DE"}).get_data(as_text=True)
    assert "Opvang aanvragen" in page  # an unsupported language falls back to Dutch


@pytest.mark.parametrize("lang", LANGUAGES)
def test_unknown_token_in_the_parents_language_on_every_public_page(client, session, org, location, frozen_today,
                                                                     lang):
    make_request(session, org, [location.id], child_first_name="Geheimkind")
    session.commit()
    before = counts(session)
    base = f"/o/{org.slug}/wachtlijst/status/bestaat-niet"
    for response in (client.get(f"{base}?lang={lang}"), client.get(f"{base}/confirm?lang={lang}"),
                     client.post(f"{base}/confirm?lang={lang}"),
                     client.post(f"{base}/answer?lang={lang}", data={"answer": "withdraw"}),
                     client.post(f"{base}/answer?lang={lang}", data={"answer": "accept", "offer_id": "1"})):
        body = response.get_data(as_text=True)
        assert response.status_code == 404
        assert str(escape(t("token_unknown", lang))) in body and "Geheimkind" not in body
    assert counts(session) == before


def test_form_submissions_are_throttled_too(app, client, session, location, open_form, frozen_today):
    app.config["WACHTLIJST_PUBLIC_RATE"] = 2
    before, form = counts(session), valid_form(location.id, "fr")
    first = client.post(open_form, data={**form, "choice_1": ""})
    second = client.get(f"{open_form}?lang=fr")
    third = client.post(f"{open_form}?lang=fr", data=form)
    assert (first.status_code, second.status_code, third.status_code) == (422, 200, 429)
    assert "Trop de demandes" in third.get_data(as_text=True)
    assert counts(session) == before  # the throttled submission wrote nothing


def _translated(template, lang: str) -> bool:
    """The one Babel catalogue has a non-empty ``lang`` entry for this lazy string."""
    from flask_babel import force_locale, get_translations

    func, args = template._func, template._args
    with force_locale(lang):
        catalog = get_translations()._catalog
    key = f"{args[0]}\x04{args[1]}" if func.__name__ == "pgettext" else args[0]
    return bool(catalog.get(key, "").strip())


def test_every_parent_text_and_mail_exists_in_the_three_languages(app):
    """The parents' texts live in core's catalogue (no parallel one): each has French and English."""
    for lang in ("fr", "en"):
        for key, template in TEXTS.items():
            assert _translated(template, lang), (lang, key)
        assert all(_translated(name, lang) for name in WEEKDAYS)
        for kind, templates in MAILS.items():
            assert all(_translated(x, lang) for x in templates), (lang, kind)
    assert weekday_names("fr")[0] == "lundi" and weekday_names("en")[6] == "Sunday"
    assert t("st_withdrawn", "fr") == "retirée"  # not the tablet's "révoqué": a context of its own
    for kind in MAILS:
        fields = {tuple(sorted(name for _, name, _, _ in string.Formatter().parse(subject + body) if name))
                  for subject, body in (mail_texts(kind, x) for x in LANGUAGES)}
        assert len(fields) == 1, f"{kind}: the languages use different fields {fields}"
        assert "status_url" in fields.pop()


@pytest.mark.parametrize("lang", LANGUAGES)
def test_mails_of_a_request_are_in_its_language(session, org, location, frozen_today, monkeypatch, lang):
    from plugins.wachtlijst.services import intake, offers, placing

    slot = placing.Slot(location.id, 2027, 1, "0-12m", "ma-vr volle dag", free=1)
    monkeypatch.setattr(placing, "vacancies", lambda *a, **k: [slot])
    req, _ = make_request(session, org, [location.id], channel="public", language=lang)
    intake.confirm(context_for(session, org), req)  # the parent clicked the link
    offer = offers.make_offer(context_for(session, org), req, slot, actor=None)
    offers.decline(context_for(session, org), offer, "te ver")
    mails = {j.key.split(":")[2]: {**j.payload, "body": mail_body(j.payload)}
             for j in session.scalars(select(Job).where(Job.kind == "mail.send"))}
    assert set(mails) == {"confirm", "offer", "outcome"}
    for kind, key in (("confirmation", "confirm"), ("offer", "offer"), ("outcome", "outcome")):
        subject_start = mail_texts(kind, lang)[0].split("{")[0]
        assert mails[key]["subject"].startswith(subject_start) and mails[key]["language"] == lang
        assert "/status/" in mails[key]["body"] and "{" not in mails[key]["body"]
    assert t("st_declined", lang) in mails["outcome"]["body"]
