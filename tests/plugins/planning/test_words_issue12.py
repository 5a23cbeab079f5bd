"""Issue 12 §4 in planning: the day list and closing days PDFs in the reader's language with
singular and plural right ("1 begeleider nodig"), free-place patterns and age bands labelled at
display (the keys stay), and acceptance times in Europe/Brussels (a time near midnight UTC)."""
from __future__ import annotations

import io
from datetime import UTC, date, datetime

import pytest
from flask_babel import force_locale
from pypdf import PdfReader

from core.context import context_for
from core.models import Role
from plugins.planning import api
from tests.conftest import login
from tests.plugins.planning.conftest import full_week


def pdf_text(data: bytes) -> str:
    return " ".join(" ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(data)).pages)


@pytest.fixture
def director(factory, org, client):
    user = factory.user(org, Role.DIRECTOR)
    login(client, user)
    return user


@pytest.mark.parametrize("lang, expected, absent", [
    ("nl", ["1 kind verwacht", "1 begeleider nodig", "Aankomst", "Per half uur"], ["1 begeleiders", "1 kinderen"]),
    ("fr", ["1 enfant attendu", "1 accueillant·e nécessaire", "Arrivée", "Par demi-heure", "liste du jour"],
     ["verwacht", "begeleider", "Aankomst", "Leeftijd", "Kinderen"]),
    ("en", ["1 child expected", "1 caregiver needed", "Arrival", "Per half hour", "day list"],
     ["verwacht", "begeleider", "Aankomst", "Leeftijd", "Kinderen"]),
])
def test_day_list_pdf_in_the_readers_language_with_the_singular(client, session, factory, org, location, family,
                                                                 director, frozen_today, lang, expected, absent):
    child = factory.child(org, family=family, location=location, first_name="Lotte")
    api.create_care_plan(context_for(session, org), child_id=child.id, location_id=location.id,
                         start_date=date(2026, 11, 2), days=full_week(), family_id=family.id)
    session.commit()
    client.set_cookie("lang", lang)
    response = client.get(f"/o/{org.slug}/planning/day.pdf?date=2026-11-19&location={location.id}")
    assert response.status_code == 200
    text = pdf_text(response.data)
    assert "Lotte" in text
    for word in expected:
        assert word in text, (word, text[:400])
    for word in absent:
        assert word not in text, (word, text[:400])


@pytest.mark.parametrize("query, expected, absent", [
    ("", "Bijlage bij het huishoudelijk reglement", "Annexe"),
    ("&lang=fr", "Annexe au règlement d'ordre intérieur", "Bijlage"),
    ("&lang=en", "Annex to the house rules", "Bijlage"),
])
def test_closing_days_pdf_in_the_families_language(client, org, director, frozen_today, query, expected, absent):
    response = client.get(f"/o/{org.slug}/planning/closing-days.pdf?year=2026{query}")
    assert response.status_code == 200
    text = pdf_text(response.data)
    assert expected in text and absent not in text
    assert "Omschrijving" not in text if query else "Omschrijving" in text


@pytest.mark.parametrize("lang, full, morning, single, band, school, everyone", [
    ("nl", "ma–vr volle dag", "ma–vr voormiddag", "wo volle dag", "0-12 maanden", "schoolkinderen", "alle leeftijden"),
    ("fr", "lun.–ven. journée complète", "lun.–ven. matin", "mer. journée complète", "0-12 mois", "enfants scolarisés",
     "tous âges"),
    ("en", "Mon–Fri full day", "Mon–Fri morning", "Wed full day", "0-12 months", "school children", "all ages"),
])
def test_pattern_and_age_band_labels(app, lang, full, morning, single, band, school, everyone):
    with app.test_request_context(), force_locale(lang):
        assert api.pattern_label("ma-vr volle dag") == full
        assert api.pattern_label("ma-vr voormiddag") == morning
        assert api.pattern_label("wo volle dag") == single
        assert api.age_band_label("0-12m") == band
        assert api.age_band_label("schoolkinderen") == school
        assert api.age_band_label("alle leeftijden") == everyone
        assert api.age_bands_label(("0-12m", "12-24m")).startswith(band + ", 12-24")
        assert api.pattern_label("iets anders") == "iets anders"  # an unknown key is shown as it is
        assert api.age_band_label("") == ""


def test_age_band_of_one_month_is_singular(app):
    with app.test_request_context(), force_locale("en"):
        assert api.age_band_label("0-1m") == "0-1 month"


def test_occupancy_page_and_excel_label_patterns_keys_unchanged(client, session, factory, org, location, director,
                                                                 frozen_today):
    from openpyxl import load_workbook

    ctx = context_for(session, org)
    keys = {v.day_parts for v in api.free_places(ctx, start=date(2026, 11, 1), months=2)}
    assert "ma-vr volle dag" in keys  # the keys the waiting list and the loket match on stay Dutch
    client.set_cookie("lang", "en")
    page = client.get(f"/o/{org.slug}/planning/occupancy?month=2026-11").get_data(as_text=True)
    assert "Mon–Fri full day" in page and "ma-vr volle dag" not in page and "0-12 months" in page
    data = client.get(f"/o/{org.slug}/planning/occupancy.xlsx?month=2026-11").data
    cells = {str(c.value) for ws in load_workbook(io.BytesIO(data)).worksheets for row in ws.iter_rows() for c in row}
    assert "Mon–Fri full day" in cells and "ma-vr volle dag" not in cells


def test_acceptance_time_shown_in_brussels_near_midnight_utc(client, session, factory, org, location, family, director,
                                                             frozen_today):
    from plugins.planning.models import HouseRules
    from plugins.planning.services import agreements
    from plugins.planning.services.agreement_document import agreement_data

    child = factory.child(org, family=family, location=location)
    session.add(HouseRules(organisation_id=org.id, effective_date=date(2026, 9, 1), title="HR", text="Tekst"))
    ctx = context_for(session, org)
    api.create_care_plan(ctx, child_id=child.id, location_id=location.id, start_date=date(2026, 12, 1),
                         days=full_week(), family_id=family.id)
    agreement = agreements.generate_agreements(ctx, child.id)[0]
    agreement.accepted_at, agreement.accepted_via = datetime(2026, 11, 30, 23, 30, tzinfo=UTC), "link"
    session.commit()
    text = client.get(f"/o/{org.slug}/planning/children/{child.id}/agreements").get_data(as_text=True)
    assert "00:30" in text and "23:30" not in text  # 23:30 UTC is 00:30 on 1 December in Brussels
    assert agreement_data(ctx, agreement)["accepted"] == "01/12/2026"  # the day in Brussels, not 30/11
    with client.application.test_request_context():
        token = agreements.acceptance_token(ctx, agreement)
    page = client.get(f"/o/{org.slug}/planning/accept/{token}?lang=nl").get_data(as_text=True)
    assert "00:30" in page and "23:30" not in page
