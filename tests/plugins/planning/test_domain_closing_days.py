"""Closing days: Belgian public holidays in Dutch, closures per organisation or location."""
from datetime import date

import pytest

from core.context import context_for
from core.settings import set_setting
from plugins.planning import api
from plugins.planning.api import PlanningError
from tests.plugins.planning.conftest import full_week


def test_public_holidays_have_dutch_names(session, org, location):
    days = api.closing_days(context_for(session, org), location.id, date(2026, 1, 1), date(2026, 12, 31))
    assert days[date(2026, 1, 1)] == "Nieuwjaar"
    assert days[date(2026, 4, 6)] == "Paasmaandag"
    assert days[date(2026, 7, 21)] == "Nationale feestdag"
    assert days[date(2026, 11, 11)] == "Wapenstilstand"
    assert len(days) == 12


def test_closures_per_organisation_and_location(session, factory, org, location):
    other = factory.location(org)
    api.add_closing_period(context_for(session, org), start_date=date(2026, 7, 20), end_date=date(2026, 7, 31),
                           reason="Collectieve sluiting zomer")
    api.add_closing_period(context_for(session, org), start_date=date(2026, 5, 15), reason="Brugdag", kind="bridge",
                           location_id=location.id)
    mine = api.closing_days(context_for(session, org), location.id, date(2026, 5, 1), date(2026, 7, 31))
    theirs = api.closing_days(context_for(session, org), other.id, date(2026, 5, 1), date(2026, 7, 31))
    assert mine[date(2026, 5, 15)] == "Brugdag" and date(2026, 5, 15) not in theirs
    assert mine[date(2026, 7, 22)] == theirs[date(2026, 7, 22)] == "Collectieve sluiting zomer"
    assert theirs[date(2026, 7, 21)] == "Collectieve sluiting zomer"  # the closure named the holiday too
    calendar = api.yearly_closing_calendar(context_for(session, org), 2026, location.id)
    assert {c.kind for c in calendar} == {"holiday", "closure", "bridge"}
    assert [c.day for c in calendar] == sorted(c.day for c in calendar)
    assert date(2026, 5, 15) not in {c.day for c in api.yearly_closing_calendar(context_for(session, org), 2026)}


def test_reserved_days_on_closing_days_are_not_reserved(session, org, location, child):
    api.create_care_plan(context_for(session, org), child_id=child.id, location_id=location.id, start_date=date(2026, 11, 2),
                         days=full_week())
    api.add_closing_period(context_for(session, org), start_date=date(2026, 11, 12), end_date=date(2026, 11, 13),
                           reason="Brugdagen", kind="bridge")
    days = {r.day for r in api.reserved_days(context_for(session, org), start=date(2026, 11, 9), end=date(2026, 11, 15))}
    assert days == {date(2026, 11, 9), date(2026, 11, 10)}  # 11/11 holiday, 12-13 bridge
    assert api.expected_children(context_for(session, org), location.id, date(2026, 11, 11)) == []


def test_holidays_can_be_switched_off(session, org, location, child):
    set_setting(session, org, "planning.public_holidays_closed", False)
    assert api.closing_days(context_for(session, org), location.id, date(2026, 11, 1), date(2026, 11, 30)) == {}
    api.create_care_plan(context_for(session, org), child_id=child.id, location_id=location.id, start_date=date(2026, 11, 2),
                         days=full_week([2]))
    assert [r.day for r in api.reserved_days(context_for(session, org), start=date(2026, 11, 9), end=date(2026, 11, 15))] == [
        date(2026, 11, 11)]


@pytest.mark.parametrize(("kw", "message"), [
    (dict(start_date=date(2026, 7, 31), end_date=date(2026, 7, 1), reason="x"), "voor de begindatum"),
    (dict(start_date=date(2026, 6, 1), end_date=date(2026, 9, 1), reason="x"), "hoogstens 2 maanden"),
    (dict(start_date=date(2026, 6, 1), reason="  "), "omschrijving"),
    (dict(start_date=date(2026, 6, 1), reason="x", kind="strike"), "soort"),
])
def test_bad_closing_periods(session, org, location, kw, message):
    with pytest.raises(PlanningError, match=message):
        api.add_closing_period(context_for(session, org), **kw)
    assert api.closing_days(context_for(session, org), location.id, date(2026, 6, 1), date(2026, 6, 30)) == {}


def test_remove_closing_period_and_foreign_location(session, factory, org, location):
    period = api.add_closing_period(context_for(session, org), start_date=date(2026, 6, 1), reason="Opleiding")
    api.remove_closing_period(context_for(session, org), period)
    assert api.closing_days(context_for(session, org), location.id, date(2026, 6, 1), date(2026, 6, 1)) == {}
    other_org = factory.org(modules={"planning"})
    with pytest.raises(PlanningError, match="Onbekende locatie"):
        api.add_closing_period(context_for(session, other_org), start_date=date(2026, 6, 1), reason="x", location_id=location.id)
