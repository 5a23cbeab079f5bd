"""Privacy: anonymisation after the retention period (dry run first, by job and CLI), export of a
family's data, and the daily job re-queues itself."""
from __future__ import annotations

import json
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import select

from core.clock import BRUSSELS, app_clock
from core.context import context_for
from core.db import get_db
from core.jobs import Job, run_pending
from core.mail import mail_body
from core.settings import SettingError, set_setting
from core.values import Period
from plugins.wachtlijst.models import CareRequest
from plugins.wachtlijst.services import privacy, reports
from plugins.wachtlijst.services.jobs import schedule_retention
from tests.conftest import login
from tests.plugins.wachtlijst.helpers import make_request


def freeze(day: date):
    app_clock().freeze(datetime.combine(day, datetime.min.time(), tzinfo=BRUSSELS) + timedelta(hours=10))


def test_dry_run_lists_then_anonymise_blanks_personal_data(session, org, location):
    freeze(date(2021, 3, 1))
    old, _ = make_request(session, org, [location.id], email="oud@example.be", child_first_name="Oud",
                          desired_start=date(2021, 9, 1), child_birth_date=date(2021, 1, 1), facts={"work": True},
                          notes="gevoelige notitie")
    freeze(date(2024, 3, 1))
    recent, _ = make_request(session, org, [location.id], email="nieuw@example.be", child_first_name="Nieuw",
                             desired_start=date(2024, 9, 1), child_birth_date=date(2024, 1, 1))
    freeze(date(2026, 3, 2))
    before = reports.monthly(session, [org], Period(2021, 3)).received
    assert privacy.anonymise(context_for(session, org), dry_run=True) == [old.id]
    assert old.anonymised_at is None and old.child_first_name == "Oud"
    assert privacy.anonymise(context_for(session, org)) == [old.id]
    assert old.anonymised_at is not None
    assert (old.child_first_name, old.applicant_last_name, old.notes, old.token) == ("", "", "", None)
    assert "oud@example.be" not in old.email
    assert old.work  # the priority facts stay, so yearly counts stay right
    assert recent.anonymised_at is None
    assert reports.monthly(session, [org], Period(2021, 3)).received == before == 1
    # a longer retention as a setting keeps it; a shorter one than the decree's 5 years is refused
    set_setting(session, org, "wachtlijst.retention_years", 6)
    assert privacy.anonymise(context_for(session, org), dry_run=True) == []
    with pytest.raises(SettingError):
        set_setting(session, org, "wachtlijst.retention_years", 1)


def test_daily_job_anonymises_and_requeues_itself(app, session, org, location):
    freeze(date(2020, 1, 6))
    old, _ = make_request(session, org, [location.id], desired_start=date(2020, 6, 1),
                          child_birth_date=date(2019, 12, 1))
    freeze(date(2026, 1, 6))
    job = schedule_retention(session)
    assert schedule_retention(session).id == job.id  # one waiting at a time (coalesced)
    session.commit()
    freeze(date(2026, 1, 7))
    assert run_pending(get_db(), kinds=["wachtlijst.retention"]).done == 1
    assert get_db().scoped().get(CareRequest, old.id).anonymised_at is not None
    jobs = get_db().scoped().scalars(select(Job).where(Job.kind == "wachtlijst.retention").order_by(Job.id)).all()
    assert [(j.key, j.status.value) for j in jobs] == [("wachtlijst.retention", "done"),
                                                       ("wachtlijst.retention", "pending")]
    assert jobs[1].run_at.astimezone(BRUSSELS).date() == date(2026, 1, 8)  # requeued itself for the next day


def test_export_of_a_family(client, session, org, location, director):
    freeze(date(2026, 11, 18))
    req, _ = make_request(session, org, [location.id], email="gezin@example.be", child_first_name="Export")
    make_request(session, org, [location.id], email="ander@example.be", child_first_name="Ander")
    data = privacy.export(context_for(session, org), "gezin@example.be")
    assert [r["child_first_name"] for r in data["requests"]] == ["Export"]
    assert data["requests"][0]["preferences"] == ["Zonneweide Centrum"]
    assert "token_hash" not in data["requests"][0]
    assert [h["new_status"] for h in data["requests"][0]["history"]] == ["submitted", "confirmed"]
    session.commit()
    slug, req_id = org.slug, req.id
    login(client, director)
    response = client.get(f"/o/{slug}/wachtlijst/{req_id}/export")
    assert response.status_code == 200 and json.loads(response.data)["email"] == "gezin@example.be"


def test_cli_dry_run(app, session, org, location):
    freeze(date(2019, 5, 1))
    make_request(session, org, [location.id], desired_start=date(2019, 9, 1), child_birth_date=date(2019, 1, 1))
    freeze(date(2026, 5, 2))
    session.commit()
    slug = org.slug
    runner = app.test_cli_runner()
    result = runner.invoke(args=["wachtlijst", "anonymise", slug, "--dry-run"])
    assert result.exit_code == 0 and "ingediend 2019-05-01" in result.output
    result = runner.invoke(args=["wachtlijst", "anonymise", slug])
    assert "1 aanvragen geanonimiseerd" in result.output
    result = runner.invoke(args=["jobs", "run"])
    assert result.exit_code == 0 and "klaar" in result.output


def test_anonymising_scrubs_the_audit_trail_and_the_sent_mails(session, org, location):
    from core.models import AuditEntry
    from plugins.wachtlijst.services.intake import set_status

    freeze(date(2020, 3, 1))
    old, _ = make_request(session, org, [location.id], channel="public", email="oud@example.be",
                          child_first_name="Geheimnaam", desired_start=date(2020, 9, 1),
                          child_birth_date=date(2020, 1, 1), notes="gevoelige notitie",
                          referrer_name="CAW Zuid", consent_referrers=True)
    old.phone = "0470 12 34 56"  # an edit: the audit entry keeps the old and new value
    set_status(context_for(session, org), old, old.status, actor_label="ouder", reason="telefoon gewijzigd")
    freeze(date(2025, 9, 1))
    recent, _ = make_request(session, org, [location.id], channel="public", email="nieuw@example.be",
                             child_first_name="Recent", desired_start=date(2025, 12, 1),
                             child_birth_date=date(2025, 6, 1))
    freeze(date(2026, 3, 2))

    def audit_text(req_id):
        entries = session.scalars(select(AuditEntry).where(AuditEntry.entity == "wachtlijst_request",
                                                           AuditEntry.entity_id == req_id)).all()
        return entries, json.dumps([e.changes for e in entries]) + " ".join(e.summary or "" for e in entries)

    def mail_text(email_or_key):
        jobs = session.scalars(select(Job).where(Job.kind == "mail.send")).all()
        return " ".join(json.dumps({**j.payload, "body": mail_body(j.payload)})  # the body is stored encrypted
                        for j in jobs if email_or_key in (j.key or ""))

    entries, before = audit_text(old.id)
    assert "oud@example.be" in before and "Geheimnaam" in before and "0470 12 34 56" in before
    assert "Geheimnaam" in mail_text(f"confirm:{old.id}")
    assert privacy.anonymise(context_for(session, org)) == [old.id]
    entries, after = audit_text(old.id)
    for secret in ("oud@example.be", "Geheimnaam", "gevoelige notitie", "0470 12 34 56", "CAW Zuid", "Ouder"):
        assert secret not in after
        assert secret not in mail_text(f"confirm:{old.id}")
    assert any("status" in (e.changes or {}) or "anonymised_at" in (e.changes or {}) for e in entries)
    assert all(h.actor_label in ("ouder", "toeleider", "systeem", "") for h in old.history)
    # the recent request keeps everything
    assert "Recent" in audit_text(recent.id)[1] and "Recent" in mail_text(f"confirm:{recent.id}")
    # the idempotency key of the mail stays: it is never sent again
    assert session.scalar(select(Job).where(Job.key == f"mail:wachtlijst:confirm:{old.id}")) is not None


def test_export_finds_the_family_whatever_the_case_of_the_address(session, org, location):
    freeze(date(2026, 11, 18))
    make_request(session, org, [location.id], email="An.Peeters@Example.be", child_first_name="Hoofdletter")
    for asked in ("an.peeters@example.be", "An.Peeters@example.be", " AN.PEETERS@EXAMPLE.BE "):
        assert [r["child_first_name"] for r in privacy.export(context_for(session, org), asked)["requests"]] == ["Hoofdletter"]
    assert privacy.export(context_for(session, org), "ander@example.be")["requests"] == []


def test_export_is_for_staff_of_the_organisation_only(client, factory, session, org, location):
    from core.models import Role

    freeze(date(2026, 11, 18))
    req, _ = make_request(session, org, [location.id], email="gezin@example.be")
    other = factory.org(modules={"wachtlijst"})
    outsider = factory.user(other, Role.DIRECTOR)
    finance = factory.user(org, Role.FINANCE)
    session.commit()
    slug, req_id = org.slug, req.id
    login(client, finance)
    assert client.get(f"/o/{slug}/wachtlijst/{req_id}/export").status_code == 403
    client.post("/logout")
    login(client, outsider)
    assert client.get(f"/o/{other.slug}/wachtlijst/{req_id}/export").status_code == 404
