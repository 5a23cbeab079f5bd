"""Care plans on the child's file: create (weekly, week A/B), warnings that need "toch bewaren",
new version, end, extra day, the .ics for the parents; bad input is a Dutch 422 that writes
nothing; roles and tenants."""
from __future__ import annotations

import re
from datetime import date, time

import pytest
from icalendar import Calendar
from sqlalchemy import func, select

from core.context import context_for
from core.models import Role
from plugins.planning import api
from plugins.planning.models import CarePlan, CarePlanVersion, ExtraDay, PatternDay
from tests.conftest import login
from tests.plugins.planning.conftest import full_week


def plan_form(location, family, start="2026-12-01", *, days=None, week_b=None, **extra):
    """Form data: ``days`` maps weekday -> kind or (kind, start, end) for week A."""
    data = {"location_id": str(location.id), "family_id": str(family.id), "living_group_id": "0",
            "start_date": start}
    for week, pattern in (("week_a", days if days is not None else {d: "full" for d in range(5)}),
                          ("week_b", week_b or {})):
        for weekday in range(7):
            value = pattern.get(weekday, "")
            if isinstance(value, tuple):
                kind, begin, end = value
                data[f"{week}-days-{weekday}-start"] = begin
                data[f"{week}-days-{weekday}-end"] = end
            else:
                kind = value
            data[f"{week}-days-{weekday}-kind"] = kind
    if week_b:
        data["alternating"] = "y"
    data.update(extra)
    return data


def plan_count(session, child) -> int:
    return session.scalar(select(func.count(CarePlan.id)).where(CarePlan.child_id == child.id))


@pytest.fixture
def director(factory, org, client):
    user = factory.user(org, Role.DIRECTOR)
    login(client, user)
    return user


def test_director_creates_a_plan_and_sees_it_on_the_childs_file(client, session, org, location, family, child,
                                                                  director, frozen_today):
    url = f"/o/{org.slug}/planning/children/{child.id}/plans/new"
    page = client.get(url)
    assert page.status_code == 200 and "Weekpatroon" in page.get_data(as_text=True)
    data = plan_form(location, family, days={0: "full", 1: "morning", 2: ("hours", "08:00", "12:30")},
                     settling_in_end="2026-12-04")
    warned = client.post(url, data=data)  # a morning of 07:00-13:00 is a full day by duration (§1.4)
    assert warned.status_code == 200 and "naar duur is dat een volle dag" in warned.get_data(as_text=True)
    data["confirm"] = "y"
    response = client.post(url, data=data)
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    plan = session.scalar(select(CarePlan).where(CarePlan.child_id == child.id))
    assert (plan.start_date, plan.family_id, plan.settling_in_until) == (date(2026, 12, 1), family.id,
                                                                         date(2026, 12, 4))
    days = {d.weekday: d for d in plan.versions[0].days}
    assert set(days) == {0, 1, 2}
    assert days[1].day_part == "morning"
    assert (days[2].day_part, days[2].start_time, days[2].end_time) == ("hours", time(8), time(12, 30))
    detail = client.get(f"/o/{org.slug}/children/{child.id}").get_data(as_text=True)
    assert "Opvangplan en respijtdagen" in detail and "08:00–12:30" in detail and "Respijtdagen 2026" in detail


def test_alternating_week_a_b(client, session, org, location, family, child, director, frozen_today):
    data = plan_form(location, family, start="2026-11-30", days={0: "full", 1: "full"}, week_b={3: "full"})
    response = client.post(f"/o/{org.slug}/planning/children/{child.id}/plans/new", data=data)
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    version = session.scalar(select(CarePlanVersion).join(CarePlan).where(CarePlan.child_id == child.id))
    assert version.kind == "alternating"
    assert sorted((d.week, d.weekday) for d in version.days) == [("A", 0), ("A", 1), ("B", 3)]
    reserved = api.reserved_days(context_for(session, org), start=date(2026, 11, 30), end=date(2026, 12, 13),
                                 child_ids=[child.id])
    assert [d.day for d in reserved] == [date(2026, 11, 30), date(2026, 12, 1), date(2026, 12, 10)]


@pytest.mark.parametrize("change, message", [
    ({"end_date": "2026-11-01"}, "De einddatum ligt voor de begindatum."),
    ({"days": {5: "full"}}, "gesloten"),
    ({"days": {0: ("hours", "06:00", "12:00")}}, "buiten de openingsuren"),
    ({"days": {}}, "Kies minstens één opvangdag"),
    ({"days": {0: ("hours", "12:00", "09:00")}}, "Het einduur moet na het beginuur liggen."),
    ({"start": "2026-13-40"}, "Not a valid date value"),
])
def test_bad_input_is_a_422_with_a_dutch_field_error_and_nothing_saved(client, session, org, location, family,
                                                                        child, director, frozen_today, change,
                                                                        message):
    kwargs = {k: v for k, v in change.items() if k in ("days", "start")}
    extra = {k: v for k, v in change.items() if k not in ("days", "start")}
    data = plan_form(location, family, **kwargs, **extra)
    response = client.post(f"/o/{org.slug}/planning/children/{child.id}/plans/new", data=data)
    assert response.status_code == 422
    text = response.get_data(as_text=True)
    assert "Er werd niets bewaard" in text
    if message != "Not a valid date value":  # WTForms' own message for an impossible date
        assert message in text
    assert plan_count(session, child) == 0


def test_overlapping_agreement_and_too_old_child_are_refused(client, session, factory, org, location, family, child,
                                                             director, frozen_today):
    url = f"/o/{org.slug}/planning/children/{child.id}/plans/new"
    assert client.post(url, data=plan_form(location, family, start="2026-12-01")).status_code == 302
    response = client.post(url, data=plan_form(location, family, start="2027-01-04"))
    assert response.status_code == 422
    assert "Er bestaat al een opvangplan voor dit kind" in response.get_data(as_text=True)
    assert plan_count(session, child) == 1
    old = factory.child(org, family=family, location=location, born=date(2021, 1, 1))
    response = client.post(f"/o/{org.slug}/planning/children/{old.id}/plans/new",
                           data=plan_form(location, family, start="2026-12-01"))
    assert response.status_code == 422
    assert "maanden oud" in response.get_data(as_text=True)
    assert plan_count(session, old) == 0


def test_capacity_warning_needs_toch_bewaren(client, session, factory, org, family, director, frozen_today):
    small = factory.location(org, places=1)
    first = factory.child(org, family=family, location=small)
    second = factory.child(org, family=family, location=small)
    api.create_care_plan(context_for(session, org), child_id=first.id, location_id=small.id, start_date=date(2026, 12, 1),
                         days=full_week(), family_id=family.id)
    session.commit()
    url = f"/o/{org.slug}/planning/children/{second.id}/plans/new"
    response = client.post(url, data=plan_form(small, family))
    text = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "overschrijdt de capaciteit" in text and "Toch bewaren" in text
    assert re.search(r"\b1 vergunde plaats\b", text)  # one licensed place: the singular (ngettext)
    assert plan_count(session, second) == 0
    response = client.post(url, data=plan_form(small, family, confirm="y"))
    assert response.status_code == 302
    assert plan_count(session, second) == 1


def test_new_version_and_end(client, session, org, location, family, child, director, frozen_today):
    plan_id = api.create_care_plan(context_for(session, org), child_id=child.id, location_id=location.id,
                                   start_date=date(2026, 11, 2), days=full_week(), family_id=family.id)
    session.commit()
    url = f"/o/{org.slug}/planning/plans/{plan_id}/versions/new"
    page = client.get(url).get_data(as_text=True)
    assert "Ingangsdatum van de wijziging" in page and page.count("selected value=\"full\"") == 5, page[page.find("<form"):][:3000]
    data = {k: v for k, v in plan_form(location, family, start="2027-01-04", days={0: "full", 2: "afternoon"},
                                       confirm="y").items()
            if k not in ("location_id", "family_id", "living_group_id")}
    response = client.post(url, data=data)
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    session.expire_all()  # the request changed rows this session loaded before
    versions = session.scalars(select(CarePlanVersion).where(CarePlanVersion.care_plan_id == plan_id)
                               .order_by(CarePlanVersion.start_date)).all()
    assert [(v.start_date, v.end_date) for v in versions] == [(date(2026, 11, 2), date(2027, 1, 3)),
                                                              (date(2027, 1, 4), None)]
    # a version before the latest one is refused with the domain's message
    response = client.post(url, data={**data, "start_date": "2026-12-01"})
    assert response.status_code == 422 and "nieuwe versie moet later ingaan" in response.get_data(as_text=True)
    # end: before the start is refused; a valid end date is saved
    end_url = f"/o/{org.slug}/planning/plans/{plan_id}/end"
    response = client.post(end_url, data={"end_date": "2026-10-01"})
    assert response.status_code == 422 and "voor de begindatum" in response.get_data(as_text=True)
    assert client.post(end_url, data={"end_date": "2027-06-30"}).status_code == 302
    session.expire_all()
    assert session.get(CarePlan, plan_id).end_date == date(2027, 6, 30)


def test_extra_day(client, session, org, location, family, child, director, frozen_today):
    plan_id = api.create_care_plan(context_for(session, org), child_id=child.id, location_id=location.id,
                                   start_date=date(2026, 11, 2), days=full_week([0, 1]), family_id=family.id)
    session.commit()
    url = f"/o/{org.slug}/planning/children/{child.id}/extra-days"
    response = client.post(url, data={"day": "2026-11-26", "kind": "morning"})
    assert response.status_code == 302
    assert session.scalar(select(ExtraDay.day).where(ExtraDay.care_plan_id == plan_id)) == date(2026, 11, 26)
    response = client.post(url, data={"day": "2026-11-28", "kind": "full"})  # a Saturday
    assert response.status_code == 422 and "gesloten" in response.get_data(as_text=True)
    assert "26 nov 2026" in client.get(f"/o/{org.slug}/planning/children/{child.id}/plans").get_data(as_text=True)


def test_reserved_days_as_icalendar(client, session, org, location, family, child, director, frozen_today):
    api.create_care_plan(context_for(session, org), child_id=child.id, location_id=location.id, start_date=date(2026, 11, 2),
                         days=[api.DayPlan(0, "full"), api.DayPlan(2, "hours", time(8), time(12))],
                         family_id=family.id)
    session.commit()
    response = client.get(f"/o/{org.slug}/planning/children/{child.id}/reserved.ics?from=2026-11-18&to=2026-12-31")
    assert response.status_code == 200 and response.mimetype == "text/calendar"
    assert "attachment" in response.headers["Content-Disposition"]
    events = Calendar.from_ical(response.data).walk("VEVENT")
    starts = sorted(e.decoded("dtstart") for e in events)
    assert starts[0].date() == date(2026, 11, 18) and (starts[0].hour, starts[0].minute) == (8, 0)
    assert date(2026, 12, 25) not in {s.date() for s in starts}  # Kerstmis is a closing day
    assert all(child.first_name in str(e["summary"]) for e in events)
    assert len(events) == 13  # 6 Wednesdays and 7 Mondays between 18/11 and 31/12, minus 25/12 (a Friday: none)
    assert client.get(f"/o/{org.slug}/planning/children/{child.id}/reserved.ics?from=morgen").status_code == 404


def test_roles(client, session, factory, org, location, family, child, frozen_today):
    plan_id = api.create_care_plan(context_for(session, org), child_id=child.id, location_id=location.id,
                                   start_date=date(2026, 11, 2), days=full_week(), family_id=family.id)
    session.commit()
    other_location = factory.location(org)
    urls_edit = [f"/o/{org.slug}/planning/children/{child.id}/plans/new",
                 f"/o/{org.slug}/planning/plans/{plan_id}/versions/new", f"/o/{org.slug}/planning/plans/{plan_id}/end"]
    finance = factory.user(org, Role.FINANCE)
    login(client, finance)
    assert client.get(f"/o/{org.slug}/planning/children/{child.id}/plans").status_code == 200
    assert all(client.get(url).status_code == 403 for url in urls_edit)
    assert client.post(urls_edit[0], data=plan_form(location, family)).status_code == 403
    client.post("/logout")
    caregiver = factory.user(org, Role.CAREGIVER, locations=[location])
    login(client, caregiver)
    page = client.get(f"/o/{org.slug}/planning/children/{child.id}/plans").get_data(as_text=True)
    assert "Wijzigen vanaf een datum" not in page
    assert "reserved.ics" not in page  # the export is not theirs: no link that answers 403
    assert client.get(urls_edit[0]).status_code == 403
    client.post("/logout")
    elsewhere = factory.user(org, Role.CAREGIVER, locations=[other_location])
    login(client, elsewhere)
    assert client.get(f"/o/{org.slug}/planning/children/{child.id}/plans").status_code == 404
    assert plan_count(session, child) == 1


def test_other_organisation_gets_404(client, session, factory, org, location, family, child, frozen_today):
    plan_id = api.create_care_plan(context_for(session, org), child_id=child.id, location_id=location.id,
                                   start_date=date(2026, 11, 2), days=full_week(), family_id=family.id)
    session.commit()
    other = factory.org(modules={"planning"})
    login(client, factory.user(other, Role.DIRECTOR))
    for url in (f"/o/{org.slug}/planning/children/{child.id}/plans", f"/o/{org.slug}/planning/day",
                f"/o/{other.slug}/planning/children/{child.id}/plans",
                f"/o/{other.slug}/planning/plans/{plan_id}/versions/new",
                f"/o/{other.slug}/planning/children/{child.id}/reserved.ics"):
        assert client.get(url).status_code == 404, url
    response = client.post(f"/o/{other.slug}/planning/plans/{plan_id}/end", data={"end_date": "2026-12-31"})
    assert response.status_code == 404
    session.expire_all()
    assert session.get(CarePlan, plan_id).end_date is None
    assert session.scalar(select(func.count(PatternDay.id))) >= 5


def test_custom_shift_schedule_through_the_form(client, session, org, location, family, child, director,
                                                 frozen_today):
    url = f"/o/{org.slug}/planning/children/{child.id}/plans/new"
    schedule = "01/12/2026 volledige dag\n2026-12-03 voormiddag\n\n07/12/2026 08:00–16:30\n"
    response = client.post(url, data=plan_form(location, family, days={}, schedule=schedule, confirm="y"))
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    plan = session.scalar(select(CarePlan).where(CarePlan.child_id == child.id))
    assert plan.versions[0].kind == "custom"
    rows = api.reserved_days(context_for(session, org), start=date(2026, 12, 1), end=date(2026, 12, 31), child_ids=[child.id])
    assert [(r.day, r.day_part, r.start, r.end) for r in rows] == [
        (date(2026, 12, 1), "full", time(7), time(18, 30)), (date(2026, 12, 3), "morning", time(7), time(13)),
        (date(2026, 12, 7), "hours", time(8), time(16, 30))]
    panel = client.get(f"/o/{org.slug}/planning/children/{child.id}/plans").get_data(as_text=True)
    assert "rooster op maat: 3 dagen van 01/12/2026 tot en met 07/12/2026" in panel
    # the next month's schedule as a new version, prefilled with the current one
    version_url = f"/o/{org.slug}/planning/plans/{plan.id}/versions/new"
    page = client.get(version_url).get_data(as_text=True)
    assert "03/12/2026 voormiddag" in page and "07/12/2026 08:00-16:30" in page
    data = {k: v for k, v in plan_form(location, family, start="2027-01-01", days={},
                                       schedule="04/01/2027 namiddag", confirm="y").items()
            if k not in ("location_id", "family_id", "living_group_id")}
    assert client.post(version_url, data=data).status_code == 302
    rows = api.reserved_days(context_for(session, org), start=date(2027, 1, 1), end=date(2027, 1, 31), child_ids=[child.id])
    assert [(r.day, r.day_part) for r in rows] == [(date(2027, 1, 4), "afternoon")]


@pytest.mark.parametrize("schedule, days, message", [
    ("32/12/2026 volledige dag", {}, "Regel 1: onbekende datum"),
    ("01/12/2026 volledige dag\n02/12/2026 avond", {}, "Regel 2: na de datum volgt voormiddag"),
    ("01/12/2026 12:00-09:00", {}, "Regel 1: het einduur moet na het beginuur liggen."),
    ("25/12/2026 volledige dag", {}, "De locatie is gesloten op 25/12/2026 (Kerstmis)"),
    ("05/12/2026 volledige dag", {}, "zaterdag gesloten"),
    ("01/12/2026 volledige dag", {0: "full"}, "niet allebei"),
])
def test_bad_custom_schedule_is_a_422_and_nothing_saved(client, session, org, location, family, child, director,
                                                        frozen_today, schedule, days, message):
    response = client.post(f"/o/{org.slug}/planning/children/{child.id}/plans/new",
                           data=plan_form(location, family, days=days, schedule=schedule))
    assert response.status_code == 422
    text = response.get_data(as_text=True)
    assert "Er werd niets bewaard" in text and message in text
    assert plan_count(session, child) == 0


def test_ratio_warning_needs_toch_bewaren(client, session, factory, org, family, director, frozen_today):
    from plugins.planning.services.profile import add_staff_shift

    location = factory.location(org, places=30)
    for weekday in range(5):
        add_staff_shift(context_for(session, org), location_id=location.id, weekday=weekday, start=time(7), end=time(18, 30),
                        caregivers=1)
    for _ in range(8):
        other = factory.child(org, family=family, location=location)
        api.create_care_plan(context_for(session, org), child_id=other.id, location_id=location.id, start_date=date(2026, 12, 1),
                             days=full_week(), family_id=family.id)
    newcomer = factory.child(org, family=family, location=location)
    session.commit()
    url = f"/o/{org.slug}/planning/children/{newcomer.id}/plans/new"
    response = client.post(url, data=plan_form(location, family, days={0: "full"}))
    text = response.get_data(as_text=True)
    assert response.status_code == 200 and plan_count(session, newcomer) == 0
    assert "Er zijn meer begeleiders nodig dan ingepland op" in text and "Toch bewaren" in text
    assert client.post(url, data=plan_form(location, family, days={0: "full"}, confirm="y")).status_code == 302
    assert plan_count(session, newcomer) == 1


def test_bad_input_is_reported_before_capacity_warnings(client, session, factory, org, family, director,
                                                        frozen_today):
    small = factory.location(org, places=1)
    first = factory.child(org, family=family, location=small)
    second = factory.child(org, family=family, location=small)
    api.create_care_plan(context_for(session, org), child_id=first.id, location_id=small.id, start_date=date(2026, 12, 1),
                         days=full_week(), family_id=family.id)
    session.commit()
    data = plan_form(small, family, days={0: "full", 1: ("hours", "06:00", "12:00")})
    response = client.post(f"/o/{org.slug}/planning/children/{second.id}/plans/new", data=data)
    text = response.get_data(as_text=True)
    assert response.status_code == 422 and "buiten de openingsuren" in text
    assert "overschrijdt de capaciteit" not in text and plan_count(session, second) == 0
