"""Retention (domain rules §3.2): children and families whose last involvement lies more than
``core.retention_years`` before today are erased, per organisation; enabled modules may hold
(veto) or clean up; the audit log keeps counts and ids but no personal data; the dry run writes
nothing; the daily job re-queues itself."""
from __future__ import annotations

import dataclasses
import json
import types
from datetime import date, datetime, timedelta

import pytest
from click.testing import CliRunner
from flask.cli import ScriptInfo
from sqlalchemy import func, select

from core.cli import main
from core.clock import BRUSSELS, app_clock
from core.context import context_for
from core.jobs import Job, JobStatus, run_pending
from core.models import AuditEntry, Child, ContactPerson, Family, OrganisationSetting
from core.plugins import RetentionHold, hookimpl
from core.retention import JOB_KIND, RetentionError, plan, run_all, schedule, years_before
from core.security import TenantBlueprint
from core.settings import set_setting
from tests.contracts.test_hooks import temporary_plugin

OLD = datetime(2019, 6, 3, 10, 0, tzinfo=BRUSSELS)
TODAY = datetime(2026, 11, 18, 10, 0, tzinfo=BRUSSELS)
CUTOFF = date(2021, 11, 18)


class Recorder:
    """What the temporary module saw, and what it should answer."""

    def __init__(self) -> None:
        self.hold_children: set[int] = set()
        self.hold_families: set[int] = set()
        self.refuse: bool | int = False
        self.holds_asked: list[tuple] = []
        self.erased: list[tuple] = []


@pytest.fixture
def recorder():
    return Recorder()


@pytest.fixture
def plugins(monkeypatch, recorder):
    hooks = types.ModuleType("hooks")

    @hookimpl
    def register_blueprints(app):
        app.register_blueprint(TenantBlueprint("bewaarder", __name__, module="bewaarder", url_prefix="/bewaarder"))

    @hookimpl
    def retention_holds(session, org, child_ids, family_ids, cutoff):
        recorder.holds_asked.append((org.id, tuple(child_ids), tuple(family_ids), cutoff))
        return [RetentionHold("bewaarder", child_ids=recorder.hold_children & set(child_ids),
                              family_ids=recorder.hold_families & set(family_ids), reason="test")]

    @hookimpl
    def before_retention_erase(session, org, child_ids, family_ids):
        if recorder.refuse is True or recorder.refuse == org.id:
            raise RuntimeError("bewaarder weigert")
        recorder.erased.append((org.id, tuple(child_ids), tuple(family_ids)))

    hooks.register_blueprints = register_blueprints
    hooks.retention_holds = retention_holds
    hooks.before_retention_erase = before_retention_erase
    info = dataclasses.replace(temporary_plugin(monkeypatch, "bewaarder", hooks), records_care=True)
    return ["planning", info]


def at(moment):
    app_clock().freeze(moment)


@pytest.fixture
def world(factory, session):
    """Rows written in 2019 (past a 5-year period by 2026-11-18) and rows touched recently."""
    at(OLD)
    org = factory.org(name="Oude Opvang", modules={"bewaarder"})
    loc = factory.location(org)
    gone_family = factory.family(org, name="Gezin Verleden", contacts=2)
    gone = factory.child(org, family=gone_family, location=loc, born=date(2016, 4, 1), first_name="Verleden")
    mixed_family = factory.family(org, name="Gezin Gemengd")
    old_sibling = factory.child(org, family=mixed_family, born=date(2016, 5, 1), first_name="Oudste")
    young_sibling = factory.child(org, family=mixed_family, born=date(2018, 5, 1), first_name="Jongste")
    edited = factory.child(org, born=date(2016, 6, 1), first_name="Bewerkt")
    unborn_then = factory.child(org, born=None, expected_birth_date=date(2022, 2, 1), first_name="Laat")
    empty_family = factory.family(org, name="Gezin Leeg")
    empty_active = factory.family(org, name="Gezin Actief")
    at(TODAY - timedelta(days=30))
    young_sibling.first_name = "Jongste2"  # recent change: keeps the child and its family
    edited_family = session.get(Family, edited.family_links[0].family_id)
    edited.last_name = "Nieuw"
    session.get(ContactPerson, empty_active.contacts[0].id).phone = "0470000000"
    session.commit()
    at(TODAY)
    return types.SimpleNamespace(
        org=org, org_id=org.id, slug=org.slug, gone=gone.id, gone_family=gone_family.id, gone_contacts=[c.id for c in gone_family.contacts],
        gone_contact_names=[c.last_name for c in gone_family.contacts],
        old_sibling=old_sibling.id, young_sibling=young_sibling.id, mixed_family=mixed_family.id,
        edited=edited.id, edited_family=edited_family.id, unborn_then=unborn_then.id,
        unborn_family=unborn_then.family_links[0].family_id, empty_family=empty_family.id,
        empty_active=empty_active.id,
    )


def ids(session, model, org_id):
    return set(session.scalars(select(model.id).where(model.organisation_id == org_id)))


def cli(app, *args):
    return CliRunner().invoke(main, list(args), obj=ScriptInfo(create_app=lambda: app))


def test_years_before_handles_leap_days():
    assert years_before(date(2026, 11, 18), 5) == date(2021, 11, 18)
    assert years_before(date(2028, 2, 29), 5) == date(2023, 2, 28)


def test_plan_applies_the_documented_rule(session, world):
    planned = plan(context_for(session, world.org))
    assert planned.cutoff == CUTOFF and planned.retention_years == 5
    # old, born before the cutoff, untouched since: erased; so is the family with no child left
    assert planned.child_ids == sorted([world.gone, world.old_sibling])
    assert planned.family_ids == sorted([world.gone_family, world.empty_family])
    # kept: the recently edited child (and its family), the sibling touched last month (and the
    # shared family), the child born after the cutoff, the family whose contact changed recently
    kept = {world.young_sibling, world.edited, world.unborn_then}
    assert not kept & set(planned.child_ids)
    assert not {world.mixed_family, world.edited_family, world.unborn_family, world.empty_active} & set(planned.family_ids)


def test_run_erases_and_scrubs_the_audit_log(app, session, world, recorder):
    result = cli(app, "retention", "run")
    assert result.exit_code == 0, result.output
    assert f"{world.slug}: gewist: 2 kinderen, 2 gezinnen" in result.output
    org = world.org_id
    assert ids(session, Child, org) == {world.young_sibling, world.edited, world.unborn_then}
    assert world.gone_family not in ids(session, Family, org) and world.empty_family not in ids(session, Family, org)
    assert world.mixed_family in ids(session, Family, org)
    assert not set(world.gone_contacts) & ids(session, ContactPerson, org)  # contact persons went with the family
    assert recorder.erased == [(org, tuple(sorted([world.gone, world.old_sibling])),
                                tuple(sorted([world.gone_family, world.empty_family])))]
    # no name of an erased person is left anywhere in the organisation's audit log
    log = session.scalars(select(AuditEntry).where(AuditEntry.organisation_id == org)).all()
    text = json.dumps([[e.summary, e.changes] for e in log], default=str)
    for name in ("Verleden", "Oudste", "Gezin Leeg", *world.gone_contact_names):
        assert name not in text, name
    scrubbed = [e for e in log if e.entity == "child" and e.entity_id == world.gone]
    assert scrubbed and all(e.summary == "" and e.changes is None for e in scrubbed)
    erase_entry = session.scalar(select(AuditEntry).where(AuditEntry.organisation_id == org,
                                                          AuditEntry.action == "erase"))
    assert erase_entry.changes["children"] == 2 and erase_entry.changes["families"] == 2
    assert erase_entry.changes["contact_persons"] == 3 and erase_entry.changes["cutoff"] == CUTOFF.isoformat()
    assert str(world.gone) in erase_entry.changes["child_ids"]
    # what was kept keeps its audit trail
    kept_entries = [e for e in log if e.entity == "child" and e.entity_id == world.young_sibling]
    assert any("Jongste" in json.dumps(e.changes or {}) or "Jongste" in e.summary for e in kept_entries)


def test_the_erasure_shows_on_the_audit_page(app, client, session, world, factory):
    from tests.conftest import login

    assert cli(app, "retention", "run").exit_code == 0
    login(client, factory.user(world.org))
    page = client.get(f"/o/{world.slug}/audit").get_data(as_text=True)
    assert "gewist (bewaartermijn)" in page and "Verleden" not in page


def test_dry_run_lists_and_writes_nothing(app, session, world, recorder):
    before = (session.scalar(select(func.count(Child.id))), session.scalar(select(func.count(Family.id))),
              session.scalar(select(func.count(AuditEntry.id))))
    result = cli(app, "retention", "run", "--dry-run")
    assert result.exit_code == 0, result.output
    assert f"{world.slug}: te wissen: 2 kinderen, 2 gezinnen" in result.output
    assert f"#{world.gone}" in result.output and f"#{world.old_sibling}" in result.output
    assert "Verleden" not in result.output  # ids, never names
    after = (session.scalar(select(func.count(Child.id))), session.scalar(select(func.count(Family.id))),
             session.scalar(select(func.count(AuditEntry.id))))
    assert after == before
    assert recorder.erased == [] and recorder.holds_asked  # holds asked, nothing cleaned


def test_a_module_hold_keeps_the_child_and_its_family(app, session, world, recorder):
    recorder.hold_children = {world.gone}
    recorder.hold_families = {world.empty_family}
    result = cli(app, "retention", "run")
    assert result.exit_code == 0, result.output
    assert "1 kinderen bewaard door bewaarder" in result.output
    assert "1 gezinnen bewaard door bewaarder" in result.output
    assert world.gone in ids(session, Child, world.org_id) and world.gone_family in ids(session, Family, world.org_id)
    assert world.empty_family in ids(session, Family, world.org_id)
    assert world.old_sibling not in ids(session, Child, world.org_id)
    assert recorder.erased == [(world.org_id, (world.old_sibling,), ())]


def test_a_switched_off_module_still_holds_its_data(app, session, world, recorder):
    """Switching a module off keeps its rows; retention must not erase what they still need."""
    from core.tenancy import disable_module

    disable_module(session, world.org, "bewaarder")
    session.commit()
    recorder.hold_children = {world.gone}
    assert cli(app, "retention", "run").exit_code == 0
    assert recorder.holds_asked != []
    assert world.gone in ids(session, Child, world.org_id)


def test_a_module_that_refuses_aborts_only_its_organisation(app, session, world, recorder, factory):
    at(OLD)
    other = factory.org(name="Andere Opvang")
    other_id = other.id
    other_child = factory.child(other, born=date(2016, 1, 1)).id
    at(TODAY)
    recorder.refuse = world.org_id  # refuses in this organisation only
    result = cli(app, "retention", "run")
    assert result.exit_code == 1
    assert "afgebroken, niets gewist" in result.stderr and "bewaarder weigert" in result.stderr
    assert world.gone in ids(session, Child, world.org_id)  # rolled back to its savepoint
    assert session.scalar(select(func.count(AuditEntry.id)).where(
        AuditEntry.organisation_id == world.org_id, AuditEntry.action == "erase")) == 0
    assert other_child not in ids(session, Child, other_id)  # the other organisation went ahead


def test_the_period_is_per_organisation(app, session, world):
    set_setting(session, world.org, "core.retention_years", 10)
    session.commit()
    planned = plan(context_for(session, world.org))
    assert planned.cutoff == date(2016, 11, 18) and planned.empty
    assert cli(app, "retention", "run").exit_code == 0
    assert world.gone in ids(session, Child, world.org_id)


@pytest.mark.parametrize("bad", [0, -5, 4, "vijf", ""])
def test_an_unusable_setting_erases_nothing(app, session, world, bad):
    """A value stored before the floor was enforced (set_setting refuses it now; decree art. 24,
    domain rules §3.2: never below 5 years) erases nothing and is reported."""
    session.add(OrganisationSetting(organisation_id=world.org_id, key="core.retention_years", value=bad))
    session.commit()
    with pytest.raises(RetentionError):
        plan(context_for(session, world.org))
    before = ids(session, Child, world.org_id)
    result = cli(app, "retention", "run", "--org", world.slug)
    assert result.exit_code == 1 and "core.retention_years" in result.stderr
    assert ids(session, Child, world.org_id) == before


def test_unknown_organisation_is_a_one_line_error(app, world):
    result = cli(app, "retention", "run", "--org", "bestaat-niet")
    assert result.exit_code == 2
    assert result.stderr.strip() == "fout: onbekende organisatie: bestaat-niet"


def test_run_all_filters_by_slug(session, world, factory):
    other = factory.org()
    results = run_all(session, dry_run=True, slug=other.slug)
    assert [org.id for org, _ in results] == [other.id]


def test_the_daily_job_erases_and_queues_the_next_day(app, session, world):
    schedule(session)
    session.commit()
    job = session.scalar(select(Job).where(Job.kind == JOB_KIND))
    assert job.run_at == datetime(2026, 11, 19, 3, 30, tzinfo=BRUSSELS)
    at(datetime(2026, 11, 19, 4, 0, tzinfo=BRUSSELS))
    report = run_pending(app.extensions["koepel_db"], kinds=[JOB_KIND])
    assert report.done == 1, report
    assert world.gone not in ids(session, Child, world.org_id)
    jobs = session.scalars(select(Job).where(Job.kind == JOB_KIND).order_by(Job.id)).all()
    assert [j.status for j in jobs] == [JobStatus.DONE, JobStatus.PENDING]
    assert jobs[1].run_at == datetime(2026, 11, 20, 3, 30, tzinfo=BRUSSELS)
    # queuing the same day twice is one job
    again = schedule(session)
    assert again.id == jobs[1].id


def test_schedule_command(app, session, world):
    result = cli(app, "retention", "schedule")
    assert result.exit_code == 0 and "gepland op 2026-11-19 03:30" in result.output
    assert session.scalar(select(func.count(Job.id)).where(Job.kind == JOB_KIND)) == 1


def test_without_a_module_recording_care_a_child_at_a_location_is_kept(app, session, world, factory):
    """Out-of-school care keeps children to age 12: with nothing recording when a child was last in
    care, a file untouched for years may still be a child who comes every day."""
    from core.tenancy import disable_module

    at(OLD)
    loc = factory.location(world.org)
    unlinked = factory.child(world.org, born=date(2016, 2, 1), first_name="Los").id
    linked = factory.child(world.org, location=loc, born=date(2016, 2, 1), first_name="Ingeschreven").id
    at(TODAY)
    disable_module(session, world.org, "bewaarder")
    session.commit()
    planned = plan(context_for(session, world.org))
    assert unlinked in planned.child_ids
    assert linked not in planned.child_ids and world.gone not in planned.child_ids
