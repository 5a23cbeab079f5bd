"""One error model: a DomainError's message is chosen by its code and rendered at the edge in
the reader's language (screen, API JSON, CLI, or someone else's language with force_locale)."""
from __future__ import annotations

from datetime import date

import pytest
from flask_babel import lazy_gettext as _l

from core.context import context_for
from core.errors import (
    DomainError,
    DuplicateErrorCode,
    click_error,
    error_response,
    register_messages,
)
from plugins.planning import api as planning

SATURDAY_CLOSED = {
    "nl": "De locatie is op zaterdag gesloten; kies een andere dag dan zaterdag.",
    "fr": "Le lieu est fermé le samedi ; choisissez un autre jour que samedi.",
    "en": "The location is closed on Saturday; choose another day than Saturday.",
}


@pytest.fixture
def saturday_error(app, session, factory):
    org = factory.org(modules={"planning"})
    location = factory.location(org)  # open Monday to Friday
    child = factory.child(org, location=location)
    with pytest.raises(planning.PlanningError) as info:
        planning.create_care_plan(context_for(session, org), child_id=child.id, location_id=location.id,
                                  start_date=date(2026, 12, 7), days=[planning.DayPlan(weekday=5, day_part="full")])
    return info.value


def test_a_planning_error_is_a_domain_error_with_code_field_and_params(saturday_error):
    assert isinstance(saturday_error, DomainError)
    assert (saturday_error.code, saturday_error.field) == ("planning.weekday_closed", "days")
    assert str(saturday_error) == saturday_error.message == SATURDAY_CLOSED["nl"]  # Dutch outside a request


@pytest.mark.parametrize("lang", ["nl", "fr", "en"])
def test_the_message_is_rendered_in_the_readers_language(saturday_error, lang):
    assert saturday_error.message_in(lang) == SATURDAY_CLOSED[lang]  # the weekday follows the language too


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_api_edge_answers_json_with_a_4xx_in_the_requests_language(app, saturday_error, lang):
    with app.test_request_context("/api/x", headers={"Accept-Language": lang}):
        response, status = error_response(saturday_error)
        body = response.get_json()
    assert status == 422
    assert body == {"error": {"code": "planning.weekday_closed", "field": "days",
                              "message": SATURDAY_CLOSED[lang], "params": body["error"]["params"]}}
    assert body["error"]["params"]["what"] in ("samedi", "Saturday")


def test_a_domain_error_escaping_a_view_is_answered_by_core(app, saturday_error):
    with app.test_request_context("/o/x/api/y", headers={"Accept": "application/json", "Accept-Language": "en"}):
        response = app.make_response(app.handle_user_exception(saturday_error))
    assert response.status_code == 422
    assert response.get_json()["error"]["message"] == SATURDAY_CLOSED["en"]
    with app.app_context(), app.test_request_context("/o/x/page", headers={"Accept-Language": "fr"}):
        page = app.make_response(app.handle_user_exception(saturday_error))
    assert page.status_code == 422 and "Le lieu est fermé le samedi" in page.get_data(as_text=True)


def test_cli_edge_gives_a_click_error_in_dutch(saturday_error):
    assert click_error(saturday_error).message == SATURDAY_CLOSED["nl"]


def test_a_code_registered_twice_with_another_text_is_refused(app):
    register_messages({"proef.twice": _l("Eerste tekst.")})
    register_messages({"proef.twice": _l("Eerste tekst.")})  # the same again (a re-import) is fine
    with pytest.raises(DuplicateErrorCode, match="proef.twice"):
        register_messages({"proef.twice": _l("Andere tekst.")})


def test_an_unregistered_code_still_reads(app):
    assert DomainError("proef.unknown").message == "proef.unknown"
