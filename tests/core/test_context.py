"""One TenantContext, built the same way by a web request, a job run and a CLI command: the same
organisation, enabled modules, settings, clock and language rules."""
from __future__ import annotations

from datetime import date, datetime

import pytest
from click.testing import CliRunner
from flask.cli import ScriptInfo

import core.context
from core.cli import main
from core.clock import BRUSSELS, Clock, app_clock
from core.context import (
    UnknownSetting,
    build_context,
    context_for,
    context_for_job,
    context_for_org_id,
    context_for_slug,
    current_context,
)
from core.db import get_db
from core.jobs import enqueue, run_pending
from core.settings import set_setting
from core.tenancy import load_organisation

JOB_KIND = "test.context"


def snapshot(ctx) -> tuple:
    return (ctx.org.id, ctx.modules, dict(ctx.settings), ctx.clock, ctx.locale)


@pytest.fixture
def job_handler(app):
    """A job handler that records the context of every job it runs."""
    seen = []

    def record(session, job):
        ctx = context_for_job(session, job)
        seen.append({"snapshot": snapshot(ctx), "today": ctx.today(), "now": ctx.now(),
                     "days": ctx.setting("wachtlijst.offer_days")})

    registry = app.extensions["koepel_jobs"]
    registry.add(JOB_KIND, record)
    yield seen
    registry.discard(JOB_KIND)  # the test app is shared between tests


@pytest.fixture
def world(factory, session):
    org = factory.org(modules={"planning", "wachtlijst"})
    other = factory.org(modules={"planning"})
    set_setting(session, org, "wachtlijst.offer_days", 9)
    set_setting(session, other, "wachtlijst.offer_days", 4)
    session.commit()
    return org, other


def test_request_job_and_command_build_the_same_context(app, session, world, job_handler, monkeypatch):
    org, _other = world
    app_clock().freeze(datetime(2026, 11, 18, 10, 0))
    with app.test_request_context(f"/o/{org.slug}/"):
        load_organisation(session, org.slug)  # what every organisation page does first
        request = snapshot(current_context())

    enqueue(session, JOB_KIND, {}, organisation_id=org.id)
    session.commit()
    assert run_pending(get_db(), kinds=[JOB_KIND]).done == 1
    job = job_handler[0]["snapshot"]

    built = []
    real = core.context.build_context

    def spy(*args, **kwargs):
        built.append(real(*args, **kwargs))
        return built[-1]

    monkeypatch.setattr(core.context, "build_context", spy)
    result = CliRunner().invoke(main, ["modules", "list", org.slug], obj=ScriptInfo(create_app=lambda: app))
    assert result.exit_code == 0, result.output
    [command_ctx] = built
    command = snapshot(command_ctx)

    assert request == job == command
    org_id, modules, settings, clock, locale = request
    assert org_id == org.id and modules == {"planning", "wachtlijst"}
    assert settings["wachtlijst.offer_days"] == 9 and clock is app_clock() and locale == "nl"


def test_a_job_sees_its_organisations_settings_and_the_frozen_clock(session, world, job_handler):
    org, other = world
    app_clock().freeze(datetime(2027, 2, 28, 23, 30))  # Brussels time: still 28 February there
    enqueue(session, JOB_KIND, {}, organisation_id=other.id)
    enqueue(session, JOB_KIND, {}, organisation_id=org.id)
    session.commit()
    assert run_pending(get_db(), kinds=[JOB_KIND]).done == 2
    by_org = {seen["snapshot"][0]: seen for seen in job_handler}
    assert by_org[other.id]["days"] == 4 and by_org[org.id]["days"] == 9
    assert by_org[other.id]["snapshot"][1] == {"planning"}  # its own modules, not the other's
    for seen in job_handler:
        assert seen["today"] == date(2027, 2, 28)
        assert seen["now"] == datetime(2027, 2, 28, 23, 30, tzinfo=BRUSSELS)


def test_a_job_or_command_without_an_organisation_has_no_context(session, world):
    from core.models.job import Job

    assert context_for_job(session, Job(kind=JOB_KIND, organisation_id=None)) is None
    assert context_for_slug(session, "no-such-organisation") is None
    with pytest.raises(LookupError):
        context_for_org_id(session, 10**9)


def test_settings_are_read_once_and_a_write_is_seen(app, session, world, engine):
    from tests.conftest import QueryCounter

    org, _other = world
    ctx = build_context(session, org)
    with QueryCounter(session.connection()) as counter:
        assert ctx.setting("wachtlijst.offer_days") == 9
        assert ctx.setting("planning.max_age_months") == ctx.settings["planning.max_age_months"]
    assert counter.count == 1
    set_setting(session, org, "wachtlijst.offer_days", 11)
    ctx.forget_settings()
    assert ctx.setting("wachtlijst.offer_days") == 11
    with pytest.raises(UnknownSetting):
        ctx.setting("no.such.setting")


def test_a_context_of_its_own_clock_runs_as_of_another_moment(session, world):
    org, _other = world
    app_clock().freeze(datetime(2026, 11, 18, 10, 0))
    as_of = build_context(session, org, clock=Clock(datetime(2026, 12, 31, 12, 0)))
    assert as_of.today() == date(2026, 12, 31)
    assert context_for(session, org).today() == date(2026, 11, 18)  # the app's clock is untouched
