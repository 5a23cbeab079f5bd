"""Sluitingsdagen: yearly calendar with Belgian public holidays, add and remove collective closures
and bridge days, bad input, roles and tenants; a disabled module answers 404."""
from __future__ import annotations

from datetime import date

from sqlalchemy import func, select

from core.context import context_for
from core.models import Role
from core.tenancy import disable_module
from plugins.planning import api
from plugins.planning.models import ClosingPeriod
from tests.conftest import login


def periods(session, org) -> int:
    return session.scalar(select(func.count(ClosingPeriod.id)).where(ClosingPeriod.organisation_id == org.id))


def test_calendar_shows_holidays(client, factory, org, location, frozen_today):
    login(client, factory.user(org, Role.CAREGIVER, locations=[location]))
    text = client.get(f"/o/{org.slug}/planning/closing-days?year=2026").get_data(as_text=True)
    assert "Kerstmis" in text and "Wapenstilstand" in text and "Paasmaandag" in text
    assert 'title="Kerstmis"' in text and "wettelijke feestdag" in text
    assert "Sluitingsdag of brugdag toevoegen" not in text  # caregivers only read
    assert client.post(f"/o/{org.slug}/planning/closing-days?year=2026",
                       data={"start_date": "2026-12-24", "reason": "x", "kind": "bridge",
                             "location_id": "0"}).status_code == 403


def test_director_adds_and_removes_a_bridge_day(client, session, factory, org, location, frozen_today):
    login(client, factory.user(org, Role.DIRECTOR))
    url = f"/o/{org.slug}/planning/closing-days?year=2026"
    response = client.post(url, data={"start_date": "2026-12-24", "end_date": "2026-12-31", "kind": "closure",
                                      "location_id": str(location.id), "reason": "Kerstvakantie"})
    assert response.status_code == 302
    text = client.get(f"{url}&location={location.id}").get_data(as_text=True)
    assert "Kerstvakantie" in text and "collectieve sluiting" in text
    assert api.closing_days(context_for(session, org), location.id, date(2026, 12, 28), date(2026, 12, 28)) == {
        date(2026, 12, 28): "Kerstvakantie"}
    period_id = session.scalar(select(ClosingPeriod.id).where(ClosingPeriod.organisation_id == org.id))
    assert client.post(f"/o/{org.slug}/planning/closing-days/{period_id}/delete").status_code == 302
    assert periods(session, org) == 0


def test_bad_closing_input_is_422_and_nothing_saved(client, session, factory, org, frozen_today):
    login(client, factory.user(org, Role.DIRECTOR))
    url = f"/o/{org.slug}/planning/closing-days?year=2026"
    cases = [({"start_date": "2026-12-24", "end_date": "2026-12-01", "reason": "x"}, "voor de begindatum"),
             ({"start_date": "2026-07-01", "end_date": "2026-10-01", "reason": "x"}, "hoogstens 2 maanden"),
             ({"start_date": "2026-12-24", "reason": ""}, "Dit veld is verplicht."),
             ({"start_date": "2026-02-30", "reason": "x"}, "Er werd niets bewaard")]
    for data, message in cases:
        response = client.post(url, data={"kind": "closure", "location_id": "0", **data})
        assert response.status_code == 422, data
        assert message in response.get_data(as_text=True), message
    assert periods(session, org) == 0
    assert client.get(f"/o/{org.slug}/planning/closing-days?year=99999").status_code == 404


def test_other_organisation_and_disabled_module(client, session, factory, org, location, frozen_today):
    period_id = api.add_closing_period(context_for(session, org), start_date=date(2026, 12, 24), reason="Brugdag", kind="bridge")
    session.commit()
    other = factory.org(modules={"planning"})
    login(client, factory.user(other, Role.DIRECTOR))
    assert client.post(f"/o/{other.slug}/planning/closing-days/{period_id}/delete").status_code == 404
    assert client.get(f"/o/{org.slug}/planning/closing-days").status_code == 404
    assert periods(session, org) == 1
    client.post("/logout")
    login(client, factory.user(org, Role.DIRECTOR))
    disable_module(session, org, "planning")
    session.commit()
    assert client.get(f"/o/{org.slug}/planning/closing-days").status_code == 404
    assert client.get(f"/o/{org.slug}/planning/day").status_code == 404
    assert "Dagplanning" not in client.get(f"/o/{org.slug}/").get_data(as_text=True)


def test_yearly_calendar_published_as_pdf_and_icalendar(client, session, factory, org, location, frozen_today):
    import io

    from icalendar import Calendar
    from pypdf import PdfReader

    api.add_closing_period(context_for(session, org), start_date=date(2027, 7, 19), end_date=date(2027, 7, 30),
                           reason="Collectieve sluiting zomer")
    api.add_closing_period(context_for(session, org), start_date=date(2027, 5, 7), reason="Brugdag", kind="bridge",
                           location_id=location.id)
    session.commit()
    login(client, factory.user(org, Role.CAREGIVER, locations=[location]))
    page = client.get(f"/o/{org.slug}/planning/closing-days?year=2027").get_data(as_text=True)
    assert "closing-days.pdf?year=2027" in page and "closing-days.ics?year=2027" in page
    response = client.get(f"/o/{org.slug}/planning/closing-days.pdf?year=2027&location={location.id}")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(response.data)).pages)
    assert "Sluitingsdagen 2027" in text and location.name in text and "huishoudelijk reglement" in text
    assert "19/07/2027 – 30/07/2027" in text and "Brugdag" in text and "Kerstmis" in text
    response = client.get(f"/o/{org.slug}/planning/closing-days.ics?year=2027")
    assert response.status_code == 200 and response.mimetype == "text/calendar"
    events = Calendar.from_ical(response.data).walk("VEVENT")
    summer = next(e for e in events if "zomer" in str(e["summary"]))
    assert (summer.decoded("dtstart"), summer.decoded("dtend")) == (date(2027, 7, 19), date(2027, 7, 31))
    # 12 public holidays, of which 21/7 lies in the summer closure, + that closure; the bridge day is the
    # location's own, not in the organisation's calendar
    assert len(events) == 12
    assert all(str(e["summary"]).startswith("Gesloten: ") for e in events)
    assert client.get(f"/o/{org.slug}/planning/closing-days.ics?year=1850").status_code == 404
    other = factory.location(org)
    assert client.get(f"/o/{org.slug}/planning/closing-days.pdf?location={other.id}").status_code == 404
