"""Retention floors and the register of complaints and crisis situations (issue 10 item 8).

Decree art. 24 (from 1 April 2014), domain rules §3.2 [P16]: child, family and request data are kept
5 years, complaints and crisis situations 10 years. An organisation may keep longer, never shorter."""
from __future__ import annotations

from datetime import date, datetime

import pytest
from sqlalchemy import func, select

from core.clock import BRUSSELS, app_clock
from core.context import build_context
from core.incidents import IncidentError, record_incident, update_follow_up
from core.models import AuditEntry, IncidentEntry, OrganisationSetting, Role
from core.retention import run_all
from core.settings import SettingError, get_setting, set_setting
from tests.conftest import login


def _freeze(day: date):
    app_clock().freeze(datetime.combine(day, datetime.min.time(), tzinfo=BRUSSELS).replace(hour=10))


def _count(session, model) -> int:
    return session.scalar(select(func.count()).select_from(model))


# --- floors ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("key, floor", [("core.retention_years", 5), ("core.complaint_retention_years", 10),
                                        ("wachtlijst.retention_years", 5)])
def test_code_refuses_a_period_below_the_decree(session, factory, key, floor):
    """§3.2: the floor holds in code too (a job, an import, a CLI): below it nothing is written; at
    or above it the value is stored."""
    org = factory.org(modules={"wachtlijst"})
    with pytest.raises(SettingError, match="Minstens"):
        set_setting(session, org, key, floor - 1)
    assert _count(session, OrganisationSetting) == 0
    set_setting(session, org, key, floor + 2)
    assert get_setting(session, org, key) == floor + 2


def test_settings_page_refuses_a_shorter_period_translated_and_saves_nothing(client, factory, session):
    """§3.2 on the settings page: 4 years for child data is refused with a translated message (here
    English) and the valid value posted in the same form (12 years for complaints) is not saved
    either; 7 and 12 are accepted."""
    org = factory.org()
    login(client, factory.user(org, Role.DIRECTOR))
    client.set_cookie("lang", "en")
    url = f"/o/{org.slug}/settings/"
    bad = client.post(url, data={"core.retention_years": "4", "core.complaint_retention_years": "12"})
    assert bad.status_code == 422
    assert "At least 5" in bad.get_data(as_text=True)
    assert _count(session, OrganisationSetting) == 0
    bad = client.post(url, data={"core.retention_years": "5", "core.complaint_retention_years": "9"})
    assert bad.status_code == 422 and "At least 10" in bad.get_data(as_text=True)
    assert _count(session, OrganisationSetting) == 0
    ok = client.post(url, data={"core.retention_years": "7", "core.complaint_retention_years": "12",
                                "core.document_retention_days": "365"})
    assert ok.status_code == 302
    assert get_setting(session, org, "core.retention_years") == 7
    assert get_setting(session, org, "core.complaint_retention_years") == 12


# --- the register ----------------------------------------------------------------------------------

def test_register_keeps_an_entry_ten_years_after_its_last_activity(session, factory):
    """§3.2: complaints and crisis situations 10 years. Leap years: an entry last touched on
    29 February 2016 is still kept on 28 February 2026 and erased on 1 March 2026; a follow-up
    restarts the period; the run scrubs its audit entries and logs counts only."""
    org = factory.org()
    _freeze(date(2016, 2, 29))
    old = record_incident(build_context(session, org), occurred_on=date(2016, 2, 1), kind="klacht",
                          summary="Ouder klaagt over de maaltijden")
    _freeze(date(2016, 6, 1))
    followed = record_incident(build_context(session, org), occurred_on=date(2016, 5, 30), kind="crisis",
                               summary="Kind vermist, na 10 minuten gevonden")
    _freeze(date(2020, 1, 6))
    update_follow_up(build_context(session, org), followed.id, "Procedure herzien, ouders ingelicht")
    session.commit()
    old_id, followed_id = old.id, followed.id

    [(_, planned)] = run_all(session, today=date(2026, 2, 28))
    assert planned.incident_ids == [] and planned.incident_cutoff == date(2016, 2, 28)
    [(_, planned)] = run_all(session, today=date(2026, 3, 1))
    assert planned.incident_ids == [old_id]
    assert session.scalars(select(IncidentEntry.id)).all() == [followed_id]
    summaries = session.scalars(select(AuditEntry.summary).where(AuditEntry.entity == "incident_register",
                                                                 AuditEntry.entity_id == old_id)).all()
    assert summaries and all(s == "" for s in summaries)
    erased = session.scalar(select(AuditEntry).where(AuditEntry.entity == "retention"))
    assert "maaltijden" not in erased.summary and erased.changes["incidents"] == 1
    [(_, planned)] = run_all(session, today=date(2029, 12, 31), dry_run=True)  # follow-up on 6 January 2020
    assert planned.incident_ids == []


def test_a_longer_setting_keeps_the_entry_longer_and_child_data_does_not_shorten_it(session, factory):
    """§3.2: a 12-year setting keeps an 11-year-old entry; the 5-year child period never applies to
    the register."""
    org = factory.org()
    _freeze(date(2014, 12, 31))
    record_incident(build_context(session, org), occurred_on=date(2014, 12, 31), kind="klacht", summary="x")
    set_setting(session, org, "core.complaint_retention_years", 12)
    session.commit()
    [(_, planned)] = run_all(session, today=date(2026, 1, 1))
    assert planned.incident_ids == [] and _count(session, IncidentEntry) == 1


def test_a_stored_period_below_the_floor_still_keeps_ten_years(session, factory):
    """A row written before the floor existed (2 years) does not shorten the period."""
    org = factory.org()
    _freeze(date(2020, 1, 1))
    record_incident(build_context(session, org), occurred_on=date(2020, 1, 1), kind="crisis", summary="y")
    session.add(OrganisationSetting(organisation_id=org.id, key="core.complaint_retention_years", value=2))
    session.commit()
    [(_, planned)] = run_all(session, today=date(2026, 1, 1))
    assert planned.incident_ids == []


def test_register_bad_input_is_refused_and_nothing_saved(session, factory):
    org = factory.org()
    _freeze(date(2026, 12, 2))
    ctx = build_context(session, org)
    for kwargs, field in ((dict(occurred_on=None, kind="klacht", summary="x"), "occurred_on"),
                          (dict(occurred_on=date(2026, 12, 3), kind="klacht", summary="x"), "occurred_on"),
                          (dict(occurred_on=date(2026, 12, 1), kind="ruzie", summary="x"), "kind"),
                          (dict(occurred_on=date(2026, 12, 1), kind="klacht", summary="  "), "summary")):
        with pytest.raises(IncidentError) as err:
            record_incident(ctx, **kwargs)
        assert err.value.field == field
    assert _count(session, IncidentEntry) == 0


def test_register_page_adds_refuses_translated_and_is_for_directors(client, factory, session):
    org = factory.org()
    _freeze(date(2026, 12, 2))
    login(client, factory.user(org, Role.DIRECTOR))
    url = f"/o/{org.slug}/incidents/"
    client.set_cookie("lang", "fr")
    bad = client.post(url, data={"occurred_on": "2026-12-01", "kind": "klacht", "summary": ""})
    assert bad.status_code == 422 and _count(session, IncidentEntry) == 0
    assert "Vul een korte beschrijving in." not in bad.get_data(as_text=True)  # translated
    ok = client.post(url, data={"occurred_on": "2026-12-01", "kind": "crisis", "summary": "Brandalarm",
                                "follow_up": ""})
    assert ok.status_code == 302
    entry = session.scalar(select(IncidentEntry))
    assert entry.summary == "Brandalarm" and entry.last_activity_on == date(2026, 12, 2)
    r = client.post(f"/o/{org.slug}/incidents/{entry.id}/follow-up", data={"follow_up": "Evacuatie geoefend"})
    assert r.status_code == 302
    session.expire_all()
    assert session.get(IncidentEntry, entry.id).follow_up == "Evacuatie geoefend"
    client.get("/logout")
    client2 = client.application.test_client()
    login(client2, factory.user(org, Role.CAREGIVER))
    assert client2.get(url).status_code == 403
