"""The waiting list's free places ("Vrije plaatsen"): the chosen location (remembered, the same
choice as planning's pages), runs of months and age bands with a candidates link per band,
paging, who sees the links, and a statement count that does not grow with the children."""
from __future__ import annotations

import re
from datetime import date
from html import unescape
from urllib.parse import parse_qs, urlsplit

from core.context import context_for
from core.models import Role
from plugins.planning.api import DayPlan, age_band_label, pattern_label
from plugins.wachtlijst.services import placing
from tests.conftest import QueryCounter, login


def full_week():
    return [DayPlan(weekday=d, day_part="full") for d in range(5)]


def setup_org(session, factory, org):
    """Het Nest (2 places, both taken until March 2027) and Zonnetje (10 places, empty)."""
    from plugins.planning import api

    family = factory.family(org)
    nest = factory.location(org, name="Het Nest", places=2)
    zon = factory.location(org, name="Zonnetje", places=10)
    for _ in range(2):
        child = factory.child(org, family=family, location=nest, born=date(2025, 6, 1))
        api.create_care_plan(context_for(session, org), child_id=child.id, location_id=nest.id,
                             start_date=date(2026, 11, 2), end_date=date(2027, 3, 31), days=full_week(),
                             family_id=family.id)
    session.commit()
    return nest, zon


def url(org, query: str = "") -> str:
    return f"/o/{org.slug}/wachtlijst/vacancies{query}"


def rows_of(html: str) -> list[str]:
    """The table's body rows (the empty-table row included)."""
    body = html[html.index('id="vacancies"'):]
    body = body[body.index("<tbody>"):body.index("</tbody>")]
    return body.split("<tr>")[1:]


def candidate_links(html: str) -> list[str]:
    return [unescape(h) for h in re.findall(r'href="([^"]*/wachtlijst/candidates\?slot=[^"]*)"', html)]


def test_default_is_the_first_location_and_rows_are_runs(client, session, factory, org, director, frozen_today):
    nest, zon = setup_org(session, factory, org)
    login(client, director)
    text = client.get(url(org)).get_data(as_text=True)
    assert f'<option value="{nest.id}" selected>' in text and '<option value="all" >' in text
    rows = rows_of(text)
    assert rows and not any("Zonnetje" in r for r in rows)
    assert ">Locatie</th>" not in text[text.index('id="vacancies"'):]  # one location: named in the chooser
    # the two places are taken until March 2027: Het Nest is free from April on, in runs
    assert any("april 2027 – oktober 2027" in r for r in rows), rows
    assert not any("december 2026" in r for r in rows)
    # the rows are planning's runs (not last minute) of that location, one row each
    runs = [r for r in placing.vacancy_runs(context_for(session, org), start=date(2026, 11, 1),
                                            location_ids=[nest.id]) if not r.last_minute]
    assert len(rows) == len(runs)
    for row, run in zip(rows, runs, strict=True):
        cells = re.sub(r"<[^>]+>", "|", row)
        bands = ", ".join(age_band_label(band) for band in run.age_bands)  # in words: "0-12 maanden"
        assert bands in cells.replace("|", "") and f"|{pattern_label(run.day_parts)}|" in cells
        assert f'class="num">{run.free}<' in row


def test_runs_cover_exactly_the_month_slots(session, factory, org, frozen_today):
    """Equivalence with the slots per month that candidates, offers and the API use."""
    nest, zon = setup_org(session, factory, org)
    ctx = context_for(session, org)
    runs = placing.vacancy_runs(ctx, start=date(2026, 11, 1), location_ids=[nest.id, zon.id])
    expanded = sorted((r.location_id, p.year, p.month, band, r.day_parts, r.free, r.last_minute)
                      for r in runs for p in r.first.through(r.last) for band in r.age_bands)
    slots = sorted((s.location_id, s.year, s.month, s.age_band, s.day_parts, s.free, s.last_minute)
                   for s in placing.vacancies(ctx, start=date(2026, 11, 1), location_ids=[nest.id, zon.id]))
    assert expanded == slots and len(runs) < len(slots)
    assert all(r.free > 0 for r in runs)


def test_choice_is_remembered_and_shared_with_planning(client, session, factory, org, director, frozen_today):
    nest, zon = setup_org(session, factory, org)
    login(client, director)
    text = client.get(url(org, f"?location={zon.id}")).get_data(as_text=True)
    assert f'<option value="{zon.id}" selected>' in text
    runs = placing.vacancy_runs(context_for(session, org), start=date(2026, 11, 1), location_ids=[zon.id])
    assert len(rows_of(text)) == len([r for r in runs if not r.last_minute]) > 0
    again = client.get(url(org)).get_data(as_text=True)  # no argument: remembered
    assert f'<option value="{zon.id}" selected>' in again
    # one memory with planning's pages: the occupancy page opens on the same location, and back
    occupancy = client.get(f"/o/{org.slug}/planning/occupancy").get_data(as_text=True)
    assert f'<option value="{zon.id}" selected>' in occupancy
    client.get(f"/o/{org.slug}/planning/occupancy?location={nest.id}")
    assert f'<option value="{nest.id}" selected>' in client.get(url(org)).get_data(as_text=True)
    # the waiting list's ranking (one location at a time) follows the same choice
    ranking = f"/o/{org.slug}/wachtlijst/ranking"
    assert f'<option value="{nest.id}" selected>' in client.get(ranking).get_data(as_text=True)
    client.get(f"{ranking}?location={zon.id}")
    assert f'<option value="{zon.id}" selected>' in client.get(url(org)).get_data(as_text=True)
    client.get(url(org, "?location=all"))  # no single order for every location: the ranking shows the first
    assert f'<option value="{nest.id}" selected>' in client.get(ranking).get_data(as_text=True)


def test_all_locations(client, session, factory, org, director, frozen_today):
    nest, zon = setup_org(session, factory, org)
    login(client, director)
    text = client.get(url(org, "?location=all")).get_data(as_text=True)
    assert '<option value="all" selected>' in text
    rows = rows_of(text)
    assert any("Het Nest" in r for r in rows) and any("Zonnetje" in r for r in rows)
    assert '<option value="all" selected>' in client.get(url(org)).get_data(as_text=True)  # remembered too


def test_a_location_of_another_organisation_is_404_and_forgets_nothing(client, session, factory, org, director,
                                                                        frozen_today):
    nest, zon = setup_org(session, factory, org)
    foreign = factory.location(factory.org(name="Ander"), name="Elders")
    session.commit()
    login(client, director)
    client.get(url(org, f"?location={zon.id}"))
    for bad in (str(foreign.id), "abc", "-1", "0", "99999999"):
        assert client.get(url(org, f"?location={bad}")).status_code == 404, bad
    assert f'<option value="{zon.id}" selected>' in client.get(url(org)).get_data(as_text=True)


def test_rows_are_paged(app, client, session, factory, org, director, frozen_today):
    nest, zon = setup_org(session, factory, org)
    login(client, director)
    total = len(rows_of(client.get(url(org, "?location=all")).get_data(as_text=True)))
    app.config["KOEPEL_PAGE_SIZE"] = 3
    assert total > 3
    first = client.get(url(org, "?location=all")).get_data(as_text=True)
    assert len(rows_of(first)) == 3
    assert f"{total} resultaten, pagina 1 van" in first and 'rel="next"' in first
    assert "location=all" in re.search(r'<a href="([^"]*)" rel="next"', first).group(1)
    last = client.get(url(org, "?location=all&page=999")).get_data(as_text=True)  # past the end: the last page
    assert 0 < len(rows_of(last)) <= 3 and 'rel="next"' not in last
    assert len(rows_of(client.get(url(org, "?location=all&page=abc")).get_data(as_text=True))) == 3


def test_candidates_link_per_band_of_the_runs_first_month(client, session, factory, org, director, frozen_today):
    nest, zon = setup_org(session, factory, org)
    login(client, director)
    text = client.get(url(org, f"?location={nest.id}")).get_data(as_text=True)
    runs = [r for r in placing.vacancy_runs(context_for(session, org), start=date(2026, 11, 1),
                                            location_ids=[nest.id]) if not r.last_minute]
    links = candidate_links(text)
    assert len(links) == sum(len(r.age_bands) for r in runs)
    assert any(len(r.age_bands) > 1 for r in runs)  # a link per band, named after it
    assert re.search(r'aria-label="Kandidaten 0-12 maanden">0-12 maanden</a> · <a [^>]*aria-label="Kandidaten 12-24 maanden">', text)
    keys = [parse_qs(urlsplit(link).query)["slot"][0] for link in links]
    assert keys == [s.key for r in runs for s in r.slots()]
    first = placing.Slot.from_key(keys[0])
    assert (first.location_id, first.year, first.month) == (nest.id, 2027, 4)
    for link in links[:3]:
        page = client.get(link)
        assert page.status_code == 200
        body = page.get_data(as_text=True)
        assert "Kandidaten voor Het Nest" in body and "Vrij: 2" in body


def test_coordinator_sees_the_figures_without_the_candidates_link(client, session, factory, org, frozen_today):
    nest, zon = setup_org(session, factory, org)
    login(client, factory.user(None, Role.COORDINATOR))
    response = client.get(url(org, f"?location={zon.id}"))
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    assert rows_of(text) and "<td>ma–vr volle dag</td>" in text
    assert candidate_links(text) == [] and "Kandidaten" not in text
    assert client.get(f"/o/{org.slug}/wachtlijst/candidates?slot={nest.id}:2027-04:0-12m:ma-vr%20volle%20dag"
                      ).status_code == 403


def test_statements_do_not_grow_with_children(app, client, session, factory, org, director, frozen_today):
    from plugins.planning import api

    family = factory.family(org)
    small = factory.location(org, name="Klein", places=40)
    large = factory.location(org, name="Groot", places=40)
    for location, n in ((small, 2), (large, 25)):
        for i in range(n):
            child = factory.child(org, family=family, location=location, born=date(2025, 1 + i % 10, 1))
            days = full_week() if i % 2 else [DayPlan(weekday=i % 5, day_part="morning")]
            api.create_care_plan(context_for(session, org), child_id=child.id, location_id=location.id,
                                 start_date=date(2026, 11, 2), days=days, family_id=family.id)
    session.commit()
    login(client, director)
    engine = app.extensions["koepel_db"].session_factory.kw["bind"]

    def counted(query: str) -> int:
        with QueryCounter(engine) as counter:
            assert client.get(url(org, query)).status_code == 200
        return counter.count

    counted(f"?location={small.id}")  # warm-up (settings, first visit)
    few, many = counted(f"?location={small.id}"), counted(f"?location={large.id}")
    assert few == many and few > 3, (few, many)
    assert counted("?location=all") == few  # every location: read together, not per location
