"""Dagplanning: the page per living group with ages, half hours and staff needed; warnings; the
printed day list (a real PDF); the month in Excel; caregivers limited to their own locations;
bad dates; and a query count that does not grow with the number of children."""
from __future__ import annotations

import io
from datetime import date, datetime, time

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from core.clock import BRUSSELS, app_clock
from core.context import context_for
from core.models import Role
from plugins.planning import api
from tests.conftest import QueryCounter, login
from tests.plugins.planning.conftest import full_week

THURSDAY = date(2026, 11, 19)


def plan(session, org, child, location, family, days=None, group=None, start=date(2026, 11, 2), settling=None):
    api.create_care_plan(context_for(session, org), child_id=child.id, location_id=location.id, start_date=start,
                         days=days or full_week(), family_id=family.id, living_group_id=group,
                         settling_in_until=settling)
    session.commit()


@pytest.fixture
def director(factory, org, client):
    user = factory.user(org, Role.DIRECTOR)
    login(client, user)
    return user


def test_day_page_per_group_with_ages_and_half_hours(client, session, factory, org, family, director, frozen_today):
    location = factory.location(org, name="Het Nest", groups=2)
    babies, toddlers = location.living_groups
    lotte = factory.child(org, family=family, location=location, first_name="Lotte", born=date(2026, 2, 10))
    noah = factory.child(org, family=family, location=location, first_name="Noah", born=date(2024, 9, 1))
    plan(session, org, lotte, location, family, group=babies.id, settling=date(2026, 11, 20))
    plan(session, org, noah, location, family, days=[api.DayPlan(3, "hours", time(8), time(12, 30))],
         group=toddlers.id)
    response = client.get(f"/o/{org.slug}/planning/day?date={THURSDAY.isoformat()}")
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    assert "Het Nest" in text and "2 kinderen verwacht" in text
    assert text.index(babies.name) < text.index("Lotte") < text.index(toddlers.name) < text.index("Noah")
    assert "<td class=\"num\">9</td>" in text  # Lotte: 9 months on 19/11/2026
    assert "<td class=\"num\">26</td>" in text  # Noah: 26 months
    assert "08:00–12:30" in text and "Begeleiders nodig" in text
    assert 'Lotte Achternaam' in text and '<span class="tag">wennen</span>' in text
    assert "<svg" in text and "ratio-curve" in text  # the ratio curve through the day
    assert f'href="/o/{org.slug}/planning/planning.css"' in text


def test_default_day_is_today_or_the_next_open_day(client, session, factory, org, location, family, child,
                                                   director):
    plan(session, org, child, location, family)
    app_clock().freeze(datetime(2026, 11, 20, 9, 0, tzinfo=BRUSSELS))  # a Friday: open, so today
    text = client.get(f"/o/{org.slug}/planning/day").get_data(as_text=True)
    assert "vrijdag 20 november 2026" in text
    app_clock().freeze(datetime(2026, 11, 21, 9, 0, tzinfo=BRUSSELS))  # Saturday: closed, so Monday
    text = client.get(f"/o/{org.slug}/planning/day").get_data(as_text=True)
    assert "maandag 23 november 2026" in text
    app_clock().freeze(datetime(2026, 11, 11, 9, 0, tzinfo=BRUSSELS))  # Wednesday 11/11 is Wapenstilstand
    text = client.get(f"/o/{org.slug}/planning/day").get_data(as_text=True)
    assert "donderdag 12 november 2026" in text


@pytest.mark.parametrize("now, day", [
    (datetime(2026, 11, 20, 23, 30, tzinfo=BRUSSELS), "2026-11-20"),  # late on an open Friday
    (datetime(2026, 11, 21, 9, 0, tzinfo=BRUSSELS), "2026-11-23"),  # Saturday
    (datetime(2026, 11, 11, 9, 0, tzinfo=BRUSSELS), "2026-11-12"),  # a public holiday
])
def test_dashboard_and_day_planning_open_on_the_same_day(client, session, factory, org, location, family, child,
                                                          director, now, day):
    plan(session, org, child, location, family)
    app_clock().freeze(now)
    dashboard = client.get(f"/o/{org.slug}/").get_data(as_text=True)
    assert f"/o/{org.slug}/planning/day?date={day}" in dashboard
    page = client.get(f"/o/{org.slug}/planning/day").get_data(as_text=True)
    assert f'value="{day}"' in page  # the date field of the day planning
    assert ("Vandaag verwacht" in dashboard) == (day == now.date().isoformat())


def test_today_previous_and_next_day_buttons(client, session, factory, org, location, family, child, director,
                                             frozen_today):
    today = app_clock().today().isoformat()
    text = client.get(f"/o/{org.slug}/planning/day?date=2026-12-01").get_data(as_text=True)
    assert f'date={today}' in text and ">Vandaag</a>" in text
    assert 'date=2026-11-30' in text and 'rel="prev"' in text and 'date=2026-12-02' in text and 'rel="next"' in text
    assert 'aria-current="date"' not in text
    text = client.get(f"/o/{org.slug}/planning/day?date={today}").get_data(as_text=True)
    assert 'aria-current="date"' in text


def test_closed_day_and_capacity_warning(client, session, factory, org, family, director, frozen_today):
    small = factory.location(org, name="Klein", places=1)
    for _ in range(2):
        plan(session, org, factory.child(org, family=family, location=small), small, family)
    text = client.get(f"/o/{org.slug}/planning/day?date=2026-11-19").get_data(as_text=True)
    assert "Capaciteit overschreden: 2 kinderen tegelijk voor 1 plaats" in text
    text = client.get(f"/o/{org.slug}/planning/day?date=2026-12-25").get_data(as_text=True)
    assert "gesloten" in text and "Kerstmis" in text


@pytest.mark.parametrize("bad", ["2026-02-30", "morgen", "19-11-2026"])
def test_unknown_dates_are_404(client, org, director, bad):
    assert client.get(f"/o/{org.slug}/planning/day?date={bad}").status_code == 404
    assert client.get(f"/o/{org.slug}/planning/day.pdf?date={bad}").status_code == 404
    assert client.get(f"/o/{org.slug}/planning/month.xlsx?month={bad}").status_code == 404


def test_caregiver_sees_only_own_locations(client, session, factory, org, family, frozen_today):
    mine = factory.location(org, name="Eigen locatie")
    other = factory.location(org, name="Andere locatie")
    plan(session, org, factory.child(org, family=family, location=mine, first_name="Mila"), mine, family)
    plan(session, org, factory.child(org, family=family, location=other, first_name="Warre"), other, family)
    login(client, factory.user(org, Role.CAREGIVER, locations=[mine]))
    text = client.get(f"/o/{org.slug}/planning/day?date=2026-11-19").get_data(as_text=True)
    assert "Mila" in text and "Eigen locatie" in text
    assert "Warre" not in text and "Andere locatie" not in text
    assert client.get(f"/o/{org.slug}/planning/day?date=2026-11-19&location={other.id}").status_code == 404
    pdf = client.get(f"/o/{org.slug}/planning/day.pdf?date=2026-11-19")
    assert pdf.status_code == 200 and "Warre" not in pdf_text(pdf.data)
    assert client.get(f"/o/{org.slug}/planning/month.xlsx").status_code == 403  # export: not for caregivers
    assert client.get(f"/o/{org.slug}/planning/occupancy").status_code == 403


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def test_day_list_pdf(client, session, factory, org, location, family, director, frozen_today):
    for name in ("Lotte", "Noah", "Fien"):
        plan(session, org, factory.child(org, family=family, location=location, first_name=name), location, family)
    response = client.get(f"/o/{org.slug}/planning/day.pdf?date=2026-11-19&location={location.id}")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.data.startswith(b"%PDF")
    text = pdf_text(response.data)
    assert all(name in text for name in ("Lotte", "Noah", "Fien"))
    assert location.name in text and "donderdag 19 november 2026" in text and "Aankomst" in text


def test_month_excel(client, session, factory, org, location, family, director, frozen_today):
    child = factory.child(org, family=family, location=location, first_name="Lotte")
    plan(session, org, child, location, family, days=full_week([0, 3]))
    response = client.get(f"/o/{org.slug}/planning/month.xlsx?month=2026-11")
    assert response.status_code == 200
    wb = load_workbook(io.BytesIO(response.data))
    rows = list(wb["Dagplanning"].iter_rows(min_row=2, values_only=True))
    days = sorted({r[0].date() for r in rows})
    # Mondays and Thursdays of November 2026 from the 2nd on, without 11/11 (Wednesday, no effect)
    assert days == [date(2026, 11, d) for d in (2, 5, 9, 12, 16, 19, 23, 26, 30)]
    assert all(r[3] == child.full_name for r in rows)
    summary = list(wb["Overzicht per dag"].iter_rows(min_row=2, values_only=True))
    assert len(summary) == 20  # every open weekday of the month (21 minus Wapenstilstand)
    assert max(r[2] for r in summary) == 1


def counted_get(client, session, url) -> int:
    with QueryCounter(session.connection()) as counter:
        response = client.get(url)
    assert response.status_code == 200
    return counter.count


def test_day_planning_query_count_does_not_grow_with_children(client, session, factory, org, family, director,
                                                               frozen_today):
    small = factory.location(org, name="Klein", places=40, groups=2)
    large = factory.location(org, name="Groot", places=40, groups=2)
    for location, n in ((small, 3), (large, 30)):
        for i in range(n):
            child = factory.child(org, family=family, location=location, born=date(2025, 1 + i % 10, 1))
            group = location.living_groups[i % 2].id
            days = full_week() if i % 3 else [api.DayPlan(3, "hours", time(8), time(12))]
            plan(session, org, child, location, family, days=days, group=group)
    url = "/o/%s/planning/day?date=2026-11-19&location=%s"
    counted_get(client, session, url % (org.slug, small.id))  # warm-up (login, settings caches)
    few = counted_get(client, session, url % (org.slug, small.id))
    many = counted_get(client, session, url % (org.slug, large.id))
    assert few == many and few > 5, (few, many)
    text = client.get(url % (org.slug, large.id)).get_data(as_text=True)
    assert "30 kinderen verwacht" in text


def test_month_export_agrees_with_the_day_profile_and_stays_bulk(client, session, factory, org, family, director,
                                                                   frozen_today):
    from plugins.planning.services.queries import month_planning

    location = factory.location(org, places=40, groups=2)
    counts = []
    for n in (3, 27):
        for i in range(n):
            child = factory.child(org, family=family, location=location, born=date(2025, 1 + i % 10, 1))
            days = full_week() if i % 2 else [api.DayPlan(3, "hours", time(8), time(12))]
            plan(session, org, child, location, family, days=days, group=location.living_groups[i % 2].id)
        with QueryCounter(session.connection()) as counter:
            assert client.get(f"/o/{org.slug}/planning/month.xlsx?month=2026-11").status_code == 200
        counts.append(counter.count)
    assert counts[0] == counts[1], counts
    month = month_planning(context_for(session, org), [location], date(2026, 11, 19), date(2026, 11, 19))
    assert month[0].profile == api.half_hour_profile(context_for(session, org), location.id, date(2026, 11, 19))
    assert len(month[0].children) == 30


def test_every_location_in_a_fixed_number_of_queries_and_one_pdf(client, session, factory, org, family, director,
                                                                   frozen_today):
    """The day planning and the printed day list of all locations load them together: the same
    statements for 2 as for 6 locations, and one PDF with a page per location."""
    names = []
    for i in range(6):
        location = factory.location(org, name=f"Locatie {i}", places=10, groups=2)
        for j in range(i + 1):
            child = factory.child(org, family=family, location=location, first_name=f"Kind{i}x{j}",
                                  born=date(2025, 1 + j % 10, 1))
            plan(session, org, child, location, family, group=location.living_groups[j % 2].id)
            names.append(f"Kind{i}x{j}")
        if i == 1:
            url = f"/o/{org.slug}/planning/day?date=2026-11-19&location=all"
            counted_get(client, session, url)  # warm-up
            two = counted_get(client, session, url)
            two_pdf = counted_get(client, session, url.replace("/day?", "/day.pdf?"))
    six = counted_get(client, session, url)
    six_pdf = counted_get(client, session, url.replace("/day?", "/day.pdf?"))
    assert two == six and two_pdf == six_pdf, (two, six, two_pdf, six_pdf)
    pdf = client.get(url.replace("/day?", "/day.pdf?"))
    reader = PdfReader(io.BytesIO(pdf.data))
    assert len(reader.pages) >= 6
    text = pdf_text(pdf.data)
    assert all(name in text for name in names)
    assert all(f"Locatie {i}" in text for i in range(6))
