"""The outbox in the plugin contract: handlers registered through the hook on the app (a kind
twice stops the start-up), coalescing by key, jobs of a switched-off module kept pending and
listed with the reason, locks, progress and its JSON endpoint behind the tenancy checks."""
from __future__ import annotations

import types
from datetime import timedelta

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select

import core.jobs
from core.app import create_app
from core.clock import app_clock, clock
from core.db import get_db
from core.jobs import (
    Job,
    JobRegistryError,
    JobStatus,
    claim,
    enqueue,
    enqueue_job,
    registry,
    report_progress,
    run_pending,
    waiting_reason,
)
from core.models import Role
from core.plugins import hookimpl
from tests.conftest import login, make_config
from tests.contracts.test_hooks import temporary_plugin


def test_handlers_are_registered_on_the_app_not_at_import(app):
    assert not hasattr(core.jobs, "handler") and not hasattr(core.jobs, "_HANDLERS")
    kinds = registry().kinds()
    assert {"core.retention", "mail.send", "aanwezigheden.kot_send", "wachtlijst.offer_reminder",
            "wachtlijst.offer_expiry", "wachtlijst.retention"} <= set(kinds)
    assert registry().module_of("aanwezigheden.kot_send") == "aanwezigheden"
    assert registry().module_of("mail.send") is None  # core


def test_an_app_without_a_plugin_has_none_of_its_handlers(database_url, tmp_path):
    small = create_app(make_config(database_url, tmp_path), plugins=["planning"])
    assert "wachtlijst.retention" not in small.extensions["koepel_jobs"]
    assert "core.retention" in small.extensions["koepel_jobs"]


def _plugin_registering(monkeypatch, name, *kinds):
    hooks = types.ModuleType("hooks")

    @hookimpl
    def register_job_handlers(registry):
        for kind in kinds:
            registry.add(kind, lambda session, job: None)

    @hookimpl
    def register_blueprints(app):
        from flask import Blueprint

        app.register_blueprint(Blueprint(name, __name__))

    hooks.register_job_handlers = register_job_handlers
    hooks.register_blueprints = register_blueprints
    return temporary_plugin(monkeypatch, name, hooks)


def test_a_kind_registered_twice_stops_the_start_up(monkeypatch, database_url, tmp_path):
    twice = _plugin_registering(monkeypatch, "dubbel", "dubbel.run", "dubbel.run")
    with pytest.raises(JobRegistryError, match="'dubbel.run' registered twice"):
        create_app(make_config(database_url, tmp_path), plugins=[twice])


def test_a_plugin_taking_a_core_kind_stops_the_start_up(monkeypatch, database_url, tmp_path):
    thief = _plugin_registering(monkeypatch, "dief", "mail.send")
    with pytest.raises(JobRegistryError, match="by core and by dief"):
        create_app(make_config(database_url, tmp_path), plugins=[thief])


def test_a_kind_without_a_name_is_refused(monkeypatch, database_url, tmp_path):
    nameless = _plugin_registering(monkeypatch, "naamloos", "")
    with pytest.raises(JobRegistryError, match="job kind"):
        create_app(make_config(database_url, tmp_path), plugins=[nameless])


# --- coalescing ------------------------------------------------------------------------------------


def test_one_pending_job_per_key_and_a_new_one_after_it_ran(app, session, frozen_today):
    ran = []
    registry().add("test.count", lambda s, job: ran.append(job.id))
    first, new = enqueue_job(session, "test.count", {"n": 1}, key="k")
    again, new_again = enqueue_job(session, "test.count", {"n": 2}, key="k")
    assert new and not new_again and again.id == first.id and again.payload == {"n": 1}
    session.commit()
    assert run_pending(get_db(), kinds=["test.count"]).done == 1 and ran == [first.id]
    later, new_later = enqueue_job(session, "test.count", {"n": 3}, key="k")
    assert new_later and later.id != first.id  # it ran: a new one is queued
    assert enqueue(session, "test.count", key="other").id != later.id


def test_a_key_queued_while_its_job_runs_gets_a_new_job(app, session, frozen_today):
    job = enqueue(session, "test.count", key="busy")
    [claimed] = claim(session)
    assert claimed == job.id and session.get(Job, job.id).status == JobStatus.RUNNING
    assert enqueue(session, "test.count", key="busy").id != job.id


def test_a_failed_retry_gives_way_to_a_newer_job_of_its_key(app, session, frozen_today):
    def boom(s, job):
        raise RuntimeError("stuk")

    registry().add("test.boom", boom)
    job = enqueue(session, "test.boom", key="once")
    session.commit()
    db = get_db()
    with db.unit_of_work() as uow:
        claim(uow)
    with db.unit_of_work() as uow:
        newer = enqueue(uow, "test.boom", key="once")  # queued while the first one runs
    assert newer.id != job.id
    core.jobs._record_failure(db, job.id, "RuntimeError: stuk")
    session.expire_all()
    assert session.get(Job, job.id).status == JobStatus.FAILED
    assert "vervangen" in session.get(Job, job.id).last_error
    assert session.get(Job, newer.id).status == JobStatus.PENDING


# --- modules switched off ---------------------------------------------------------------------------


def test_jobs_of_a_switched_off_module_stay_pending_and_are_listed_with_the_reason(app, session, factory,
                                                                                   frozen_today):
    on = factory.org(name="Aan", modules={"aanwezigheden"})
    off = factory.org(name="Uit", modules={"planning"})
    registry().add("test.att", lambda s, job: None, module="aanwezigheden")
    kept = enqueue(session, "test.att", organisation_id=off.id)
    runs = enqueue(session, "test.att", organisation_id=on.id)
    assert kept.module == runs.module == "aanwezigheden"
    session.commit()
    assert run_pending(get_db(), kinds=["test.att"]).done == 1
    session.expire_all()
    assert session.get(Job, runs.id).status == JobStatus.DONE
    assert session.get(Job, kept.id).status == JobStatus.PENDING and session.get(Job, kept.id).attempts == 0
    assert "module aanwezigheden staat uit" in waiting_reason(session, session.get(Job, kept.id))
    result = CliRunner().invoke(app.cli, ["jobs", "list", "--status", "pending"])
    assert result.exit_code == 0 and f"{kept.id}" in result.output and "staat uit" in result.output
    # switched on again: it runs
    from core.tenancy import enable_module

    enable_module(session, session.merge(off), "aanwezigheden")
    session.commit()
    assert run_pending(get_db(), kinds=["test.att"]).done == 1


def test_jobs_list_refuses_an_unknown_status(app):
    result = CliRunner().invoke(app.cli, ["jobs", "list", "--status", "weg"])
    assert result.exit_code == 2 and "weg" in result.output


# --- locks ---------------------------------------------------------------------------------------------


def test_jobs_of_one_lock_never_run_together(app, session, frozen_today):
    a = enqueue(session, "test.count", lock_key="kot:1:2026-11")
    b = enqueue(session, "test.count", lock_key="kot:1:2026-11")
    c = enqueue(session, "test.count", lock_key="kot:2:2026-11")
    first = claim(session)
    assert sorted(first) == [a.id, c.id]  # b waits for a
    assert "wacht op lopende job" in waiting_reason(session, session.get(Job, b.id))
    assert claim(session) == []
    session.get(Job, a.id).status = JobStatus.DONE
    session.flush()
    assert claim(session) == [b.id]


def test_a_lock_held_by_a_dead_worker_is_released_with_its_lease(app, session, frozen_today):
    a = enqueue(session, "test.count", lock_key="L")
    b = enqueue(session, "test.count", lock_key="L")
    assert claim(session) == [a.id]
    app_clock().freeze(clock.now() + core.jobs.LEASE + timedelta(seconds=1))
    assert claim(session) == [a.id]  # the same job again, b still waits
    assert session.get(Job, b.id).status == JobStatus.PENDING


# --- progress -----------------------------------------------------------------------------------------


def test_progress_is_recorded_and_shown_to_the_own_organisation_only(app, client, session, factory, frozen_today):
    org = factory.org(name="Eigen")
    other = factory.org(name="Ander")
    director = factory.user(org, Role.DIRECTOR)
    caregiver = factory.user(org, Role.CAREGIVER)

    def long_run(s, job):
        for n in range(3):
            report_progress(job, n, 3, f"stap {n + 1}")

    registry().add("test.long", long_run)
    job = enqueue(session, "test.long", organisation_id=org.id)
    foreign = enqueue(session, "test.long", organisation_id=other.id)
    session.commit()
    login(client, director)
    pending = client.get(f"/o/{org.slug}/jobs/{job.id}").get_json()
    assert pending["status"] == "pending" and pending["done"] is None and not pending["finished"]
    assert run_pending(get_db(), kinds=["test.long"]).done == 2
    done = client.get(f"/o/{org.slug}/jobs/{job.id}").get_json()
    assert done == {"id": job.id, "status": "done", "label": "klaar", "done": 2, "total": 3, "percent": 100,
                    "message": "stap 3", "finished": True}
    # another organisation's job, through this organisation's URL or its own: not found
    assert client.get(f"/o/{org.slug}/jobs/{foreign.id}").status_code == 404
    assert client.get(f"/o/{other.slug}/jobs/{foreign.id}").status_code == 404
    assert client.get(f"/o/{org.slug}/jobs/999999").status_code == 404
    client.post("/logout")
    login(client, caregiver)
    assert client.get(f"/o/{org.slug}/jobs/{job.id}").status_code == 403


def test_the_progress_component_renders_and_serves_its_script(app, client, session, factory):
    from flask import render_template_string

    org = factory.org(name="Eigen")
    job = enqueue(session, "test.long", organisation_id=org.id)
    job.progress_done, job.progress_total, job.progress_message = 1, 4, "facturen <maken>"
    session.flush()
    with app.test_request_context(f"/o/{org.slug}/"):
        from flask import g

        g.org = org
        html = render_template_string('{% from "core/_job_progress.html" import job_progress %}'
                                      '{{ job_progress(job) }}', job=job)
    assert f'data-job-progress="/o/{org.slug}/jobs/{job.id}"' in html
    assert 'value="25"' in html and "1/4" in html and "facturen &lt;maken&gt;" in html
    script = client.get("/static/core/job-progress.js")
    assert script.status_code == 200 and b"data-job-progress" in script.data


def test_progress_of_a_missing_job_is_no_error(app, session):
    ghost = Job(id=987654, kind="x")
    report_progress(ghost, 1, 2, "niets")  # no row: nothing written, nothing raised
    assert session.scalar(select(Job).where(Job.id == 987654)) is None


def test_the_retention_run_reports_its_progress_per_organisation(app, session, factory, frozen_today):
    from sqlalchemy import func

    from core.models import Organisation
    from core.retention import JOB_KIND, schedule

    factory.org(name="Een")
    factory.org(name="Twee")
    job = schedule(session)
    assert schedule(session).id == job.id  # one waiting at a time
    job.run_at = clock.now()
    session.commit()
    assert run_pending(get_db(), kinds=[JOB_KIND]).done == 1
    session.expire_all()
    done = session.get(Job, job.id)
    orgs = session.scalar(select(func.count()).select_from(Organisation))
    assert done.status == JobStatus.DONE and done.progress_done == done.progress_total == orgs >= 2
    assert session.scalar(select(func.count()).select_from(Job).where(
        Job.kind == JOB_KIND, Job.status == JobStatus.PENDING)) == 1  # it queued tomorrow's run


def test_coalescing_still_works_once_the_driver_prepares_the_statement(session):
    """psycopg prepares a statement on the server after five runs, and PostgreSQL plans a prepared
    statement generically after five more; the ON CONFLICT clause must still match the partial unique
    index then (a bound predicate did not)."""
    for n in range(20):
        enqueue(session, "test.prepared", {"n": n}, key=f"prepared-{n}")
    first = enqueue(session, "test.prepared", {"n": 99}, key="prepared-3")
    assert first.payload == {"n": 3}
    assert session.scalar(select(func.count()).select_from(Job).where(Job.key.like("prepared-%"))) == 20
