"""Bezetting: the heatmap per location and month (one canvas drawn from JSON, and a table), free places with last-minute places,
the Excel export read back, and who may see it."""
from __future__ import annotations

import io
import json
import re
from datetime import date
from html import unescape
from xml.etree import ElementTree

from openpyxl import load_workbook

from core.context import context_for
from core.models import Role
from plugins.planning import api
from tests.conftest import login
from tests.plugins.planning.conftest import full_week

SVG = "{http://www.w3.org/2000/svg}"


def setup_org(session, factory, org, family):
    nest = factory.location(org, name="Het Nest", places=2)
    zon = factory.location(org, name="Zonnetje", places=10)
    for _ in range(2):
        child = factory.child(org, family=family, location=nest, born=date(2025, 6, 1))
        api.create_care_plan(context_for(session, org), child_id=child.id, location_id=nest.id, start_date=date(2026, 11, 2),
                             end_date=date(2027, 3, 31), days=full_week(), family_id=family.id)
    session.commit()
    return nest, zon


def test_heatmap_and_free_places(client, session, factory, org, family, frozen_today):
    nest, zon = setup_org(session, factory, org, family)
    login(client, factory.user(org, Role.DIRECTOR))
    # without a choice: the first location, heatmap and free places (none last minute)
    text = client.get(f"/o/{org.slug}/planning/occupancy").get_data(as_text=True)
    heat = heatmap_of(text)
    assert heat["rows"] == ["Het Nest"]
    last_minute = text[text.index('id="last-minute"'):text.index('id="vacancies"')]
    assert "Geen vrije plaatsen in de komende 4 weken" in last_minute
    vacancies = text[text.index('id="vacancies"'):]
    assert "april 2027" in vacancies and "Het Nest" in vacancies and "Zonnetje" not in vacancies
    # every location
    response = client.get(f"/o/{org.slug}/planning/occupancy?location=all")
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    heat = heatmap_of(text)
    assert "Het Nest" in heat["rows"] and "Zonnetje" in heat["rows"]
    assert heat["columns"][0] == "nov 26" and heat["columns"][-1] == "okt 27"  # 12 months from November 2026
    cells = {cell[2] for row in heat["cells"] for cell in row}
    assert any(c.startswith("Het Nest, december 2026: 100% bezet") for c in cells), cells
    assert any(c.startswith("Zonnetje, december 2026: 0% bezet") for c in cells)
    assert any(c.startswith("Het Nest, april 2027: 0% bezet") for c in cells)  # plans end 31/3/2027
    # free places: Zonnetje now (last minute) and Het Nest from April 2027
    last_minute = text[text.index('id="last-minute"'):text.index('id="vacancies"')]
    assert "Zonnetje" in last_minute and "Het Nest" not in last_minute
    vacancies = text[text.index('id="vacancies"'):]
    assert "april 2027" in vacancies and "Het Nest" in vacancies


def heatmap_of(html: str) -> dict:
    """The heatmap's data as the page's canvas carries it (and the canvas is one element)."""
    canvases = re.findall(r'<canvas class="heatmap"[^>]*data-heatmap="([^"]*)"', html)
    assert len(canvases) == 1
    return json.loads(unescape(canvases[0]))


def free_rows(html: str, section: str) -> list[str]:
    start = html.index(f'id="{section}"')
    end = html.index('id="vacancies"') if section == "last-minute" else len(html)
    return [row for row in html[start:end].split("<tr")[2:]]  # past the header row


def test_location_choice_is_remembered_and_shared_with_the_day_planning(client, session, factory, org, family,
                                                                             frozen_today):
    nest, zon = setup_org(session, factory, org, family)
    login(client, factory.user(org, Role.DIRECTOR))
    text = client.get(f"/o/{org.slug}/planning/occupancy?location={zon.id}").get_data(as_text=True)
    assert f'<option value="{zon.id}" selected>' in text
    assert "Zonnetje" in text[text.index('id="last-minute"'):]
    assert "Het Nest" not in text[text.index('id="last-minute"'):]
    assert heatmap_of(text)["rows"] == ["Zonnetje"]
    again = client.get(f"/o/{org.slug}/planning/occupancy").get_data(as_text=True)  # no argument: remembered
    assert f'<option value="{zon.id}" selected>' in again
    # the day planning shares the choice
    day = client.get(f"/o/{org.slug}/planning/day?date=2026-11-19").get_data(as_text=True)
    assert f'<option value="{zon.id}" selected>' in day and f'id="loc-{zon.id}"' in day
    assert f'id="loc-{nest.id}"' not in day
    everything = client.get(f"/o/{org.slug}/planning/day?date=2026-11-19&location=all").get_data(as_text=True)
    assert f'id="loc-{nest.id}"' in everything and f'id="loc-{zon.id}"' in everything
    assert '<option value="all" selected>' in client.get(f"/o/{org.slug}/planning/occupancy").get_data(as_text=True)


def test_bad_or_foreign_location_is_404_and_forgets_nothing(client, session, factory, org, family, frozen_today):
    nest, zon = setup_org(session, factory, org, family)
    other = factory.org(name="Ander")
    foreign = factory.location(other, name="Elders")
    session.commit()
    login(client, factory.user(org, Role.DIRECTOR))
    client.get(f"/o/{org.slug}/planning/occupancy?location={zon.id}")
    for bad in ("abc", "-1", str(foreign.id), "99999999"):
        assert client.get(f"/o/{org.slug}/planning/occupancy?location={bad}").status_code == 404
        assert client.get(f"/o/{org.slug}/planning/day?location={bad}").status_code == 404
    assert f'<option value="{zon.id}" selected>' in client.get(
        f"/o/{org.slug}/planning/occupancy").get_data(as_text=True)


def test_free_places_are_paged(client, session, factory, org, family, frozen_today, monkeypatch):
    from plugins.planning.views import occupancy

    ROWS_PER_PAGE = 5  # a year of free places is a few rows per location and pattern: a small page
    monkeypatch.setattr(occupancy, "ROWS_PER_PAGE", ROWS_PER_PAGE)
    setup_org(session, factory, org, family)
    login(client, factory.user(org, Role.DIRECTOR))
    url = f"/o/{org.slug}/planning/occupancy?location=all"
    total = len([v for v in api.free_places(context_for(session, org), start=api.Period.of(date(2026, 11, 1)),
                                            months=12) if not v.last_minute])
    assert total > ROWS_PER_PAGE  # enough rows for more than one page
    first = client.get(url).get_data(as_text=True)
    assert len(free_rows(first, "vacancies")) == ROWS_PER_PAGE
    assert "pagina 1 van" in first and 'rel="next"' in first
    last = client.get(url + "&page=999").get_data(as_text=True)  # past the end: the last page
    assert 0 < len(free_rows(last, "vacancies")) <= ROWS_PER_PAGE
    assert client.get(url + "&page=abc").status_code == 200


def test_occupancy_excel(client, session, factory, org, family, frozen_today):
    nest, _zon = setup_org(session, factory, org, family)
    login(client, factory.user(org, Role.FINANCE))
    response = client.get(f"/o/{org.slug}/planning/occupancy.xlsx?location=all")
    assert response.status_code == 200
    wb = load_workbook(io.BytesIO(response.data))
    rows = list(wb["Bezetting"].iter_rows(min_row=2, values_only=True))
    assert len(rows) == 24  # 2 locations x 12 months
    december = next(r for r in rows if r[0] == "Het Nest" and r[1].date() == date(2026, 12, 1))
    assert december[2] == 2 and december[3] == december[4] and december[5] == 100.0
    free = list(wb["Vrije plaatsen"].iter_rows(min_row=2, values_only=True))
    assert any(r[0] == "Zonnetje" and r[6] == "ja" for r in free)
    # a row per run of months: from..through, the age bands together (in words), as api.free_places gives them
    rows = api.free_places(context_for(session, org), start=api.Period(2026, 11), months=12)
    assert sorted((r[1].date(), r[2].date(), r[3], r[4], r[5]) for r in free if r[0] == "Het Nest") == sorted(
        (v.period.first_day, v.until.first_day, api.age_bands_label(v.age_bands), api.pattern_label(v.day_parts),
         v.free_places)
        for v in rows if v.location_id == nest.id)
    assert response.headers["Content-Disposition"].startswith("attachment")
    one = load_workbook(io.BytesIO(client.get(f"/o/{org.slug}/planning/occupancy.xlsx?location={nest.id}").data))
    assert {r[0] for r in one["Bezetting"].iter_rows(min_row=2, values_only=True)} == {"Het Nest"}
    assert {r[0] for r in one["Vrije plaatsen"].iter_rows(min_row=2, values_only=True)} == {"Het Nest"}


def test_occupancy_roles_and_bad_month(client, factory, org, frozen_today):
    login(client, factory.user(org, Role.CAREGIVER))
    assert client.get(f"/o/{org.slug}/planning/occupancy").status_code == 403
    client.post("/logout")
    login(client, factory.user(org, Role.DIRECTOR))
    assert client.get(f"/o/{org.slug}/planning/occupancy?month=2026-13").status_code == 404
    assert client.get(f"/o/{org.slug}/planning/occupancy?month=2027-01").status_code == 200


def test_legend_labels_stay_inside_the_picture():
    from plugins.planning.views.heatmap import legend_svg

    svg = ElementTree.fromstring(str(legend_svg()))
    labels = {t.text: t for t in svg.iter("{http://www.w3.org/2000/svg}text")}
    assert (labels["0%"].get("x"), labels["0%"].get("text-anchor")) == ("0", "start")
    assert (labels[">100%"].get("x"), labels[">100%"].get("text-anchor")) == ("360", "end")
    assert labels["60%"].get("text-anchor") == "middle"
