"""The ``koepel`` command, driven through click's CliRunner: migrations and the demo on a scratch
SQLite database, modules and users on the test database (app bound to the test transaction)."""
from __future__ import annotations

from collections import Counter

import pytest
from click.testing import CliRunner
from flask.cli import ScriptInfo
from sqlalchemy import func, inspect, select

from core.app import create_app
from core.cli import main
from core.db import Base
from core.migrate import import_all_models
from core.models import CareType, Child, Location, Organisation, User
from core.passwords import verify_password
from core.tenancy import enabled_modules
from tests.conftest import make_config


def run(app, *args):
    result = CliRunner().invoke(main, list(args), obj=ScriptInfo(create_app=lambda: app))
    return result


def one_line_error(result, text):
    assert result.exit_code == 2, result.output
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and text in lines[0], result.stderr
    assert "Traceback" not in result.output


# --- scratch database: db upgrade and the demo --------------------------------------------------


@pytest.fixture(scope="module")
def scratch_app(tmp_path_factory):
    folder = tmp_path_factory.mktemp("cli")
    application = create_app(make_config(f"sqlite:///{folder / 'cli.db'}", folder), plugins=None)
    yield application
    application.extensions["koepel_db"].engine.dispose()


@pytest.fixture(scope="module")
def demo_runs(scratch_app):
    """db upgrade, then the demo twice, with every table's row count after each run."""
    upgraded = run(scratch_app, "db", "upgrade")
    assert upgraded.exit_code == 0, upgraded.output
    first = run(scratch_app, "demo")
    after_first = table_counts(scratch_app)
    second = run(scratch_app, "demo")
    after_second = table_counts(scratch_app)
    return upgraded, first, after_first, second, after_second


def table_counts(app) -> dict[str, int]:
    import_all_models()
    engine = app.extensions["koepel_db"].engine
    present = set(inspect(engine).get_table_names())
    with engine.connect() as conn:
        return {name: conn.execute(select(func.count()).select_from(table)).scalar()
                for name, table in Base.metadata.tables.items() if name in present}


def test_db_upgrade_builds_every_table_and_is_repeatable(scratch_app, demo_runs):
    upgraded = demo_runs[0]
    assert "database up to date" in upgraded.output
    import_all_models()
    tables = set(inspect(scratch_app.extensions["koepel_db"].engine).get_table_names())
    assert set(Base.metadata.tables) <= tables
    again = run(scratch_app, "db", "upgrade")
    assert again.exit_code == 0 and "database up to date" in again.output
    heads = run(scratch_app, "db", "heads")
    assert heads.exit_code == 0 and len(heads.output.split()) >= 6


def test_demo_loads_the_koepel(scratch_app, demo_runs):
    _up, first, counts, _second, _after = demo_runs
    assert first.exit_code == 0, first.output
    assert "Demo-koepel geladen" in first.output and "koepel-demo-2026" in first.output
    assert "/o/vzw-auricula/wachtlijst/aanvraag" in first.output  # the first run names the public forms too
    assert counts["organisation"] >= 10
    assert 600 <= counts["child"] <= 800, counts["child"]
    engine = scratch_app.extensions["koepel_db"].engine
    with engine.connect() as conn:
        per_org = Counter(dict(conn.execute(select(Child.organisation_id, func.count()).group_by(Child.organisation_id)).all()))
        homes = conn.execute(select(Location.name, Location.licensed_places)
                             .where(Location.care_type == CareType.GEZINSOPVANG)).all()
        roles = Counter(conn.execute(select(User.role)).scalars())
    assert max(per_org.values()) >= 240
    assert homes and all(places is not None and places <= 8 for _name, places in homes), homes
    assert roles["coordinator"] == 1 and roles["director"] == counts["organisation"]
    assert all(line.count("@koepel.demo") <= 1 for line in first.output.splitlines())


def test_demo_is_idempotent(demo_runs):
    _up, _first, after_first, second, after_second = demo_runs
    assert second.exit_code == 0, second.output
    assert "bestond al (niets gewijzigd)" in second.output
    assert after_second == after_first


def test_demo_logins_work(scratch_app, demo_runs):
    engine = scratch_app.extensions["koepel_db"].engine
    with engine.connect() as conn:
        stored = conn.execute(select(User.password_hash).where(User.email == "coordinator@koepel.demo")).scalar()
    assert verify_password(stored, "koepel-demo-2026")


# --- modules and users on the test database ----------------------------------------------------


def test_modules_enable_cascades_and_disable_cascades(app, session, factory):
    org = factory.org(iban="BE68539007547034")  # billing needs it
    slug = org.slug
    result = run(app, "modules", "enable", slug, "facturatie")
    assert result.exit_code == 0, result.output
    assert result.output.strip() == "ingeschakeld: planning, aanwezigheden, facturatie"
    assert enabled_modules(session, org) == {"planning", "aanwezigheden", "facturatie"}
    listing = run(app, "modules", "list", slug)
    states = {line.split()[0]: line.split()[1] for line in listing.output.splitlines()}
    assert states["facturatie"] == "aan" and states["wachtlijst"] == "uit"
    again = run(app, "modules", "enable", slug, "facturatie")
    assert again.output.strip() == "ingeschakeld: niets (stond al aan)"
    result = run(app, "modules", "disable", slug, "planning")
    assert result.exit_code == 0
    assert result.output.strip() == "uitgeschakeld: facturatie, aanwezigheden, planning"
    assert enabled_modules(session, org) == set()


def test_modules_list_without_org_shows_requirements(app):
    result = run(app, "modules", "list")
    assert result.exit_code == 0
    lines = {line.split()[0]: line for line in result.output.splitlines()}
    assert "vereist: aanwezigheden" in lines["facturatie"]
    assert "vereist: planning,wachtlijst" in lines["loket_sync"]


@pytest.mark.parametrize("command", [("modules", "enable"), ("modules", "disable"), ("modules", "list")])
def test_unknown_organisation_is_a_one_line_error(app, factory, command):
    args = [*command, "bestaat-niet"] + (["planning"] if command[1] != "list" else [])
    one_line_error(run(app, *args), "onbekende organisatie: bestaat-niet")


@pytest.mark.parametrize("verb", ["enable", "disable"])
def test_unknown_module_is_a_one_line_error(app, session, factory, verb):
    org = factory.org()
    one_line_error(run(app, "modules", verb, org.slug, "zwembad"), "onbekende module: zwembad")
    assert enabled_modules(session, org) == set()


def test_users_create(app, session, factory):
    org = factory.org()
    result = run(app, "users", "create", "--email", "Nieuwe.Directie@Example.be", "--name", "Nieuwe Directie",
                 "--role", "director", "--org", org.slug, "--password", "een-lang-wachtwoord")
    assert result.exit_code == 0, result.output
    user = session.scalar(select(User).where(User.email == "nieuwe.directie@example.be"))
    assert user.organisation_id == org.id and user.koepel_id == org.koepel_id
    assert user.password_hash.startswith("$argon2id$") and verify_password(user.password_hash, "een-lang-wachtwoord")


def test_users_create_refuses_duplicates_and_unknown_organisations(app, session, factory):
    org = factory.org()
    existing = factory.user(org)
    before = session.scalar(select(func.count(User.id)))
    one_line_error(run(app, "users", "create", "--email", existing.email.upper(), "--name", "X", "--role", "director",
                       "--org", org.slug, "--password", "een-lang-wachtwoord"), "bestaat al")
    one_line_error(run(app, "users", "create", "--email", "x@example.be", "--name", "X", "--role", "finance",
                       "--org", "bestaat-niet", "--password", "een-lang-wachtwoord"), "onbekende organisatie")
    one_line_error(run(app, "users", "create", "--email", "y@example.be", "--name", "Y", "--role", "finance",
                       "--password", "een-lang-wachtwoord"), "onbekende organisatie")
    assert session.scalar(select(func.count(User.id))) == before


def test_users_create_rejects_an_unknown_role(app):
    result = run(app, "users", "create", "--email", "z@example.be", "--name", "Z", "--role", "admin",
                 "--password", "een-lang-wachtwoord")
    assert result.exit_code == 2 and "admin" in result.output


def test_coordinator_needs_a_named_koepel_when_there_are_several(app, session, factory):
    factory.org()
    from core.models import Koepel

    session.add(Koepel(name="Tweede Koepel"))
    session.commit()
    one_line_error(run(app, "users", "create", "--email", "c@example.be", "--name", "C", "--role", "coordinator",
                       "--password", "een-lang-wachtwoord"), "meerdere koepels")
    ok = run(app, "users", "create", "--email", "c@example.be", "--name", "C", "--role", "coordinator",
             "--koepel", "Tweede Koepel", "--password", "een-lang-wachtwoord")
    assert ok.exit_code == 0, ok.output
    assert session.scalar(select(Organisation.id).limit(1)) is not None


def test_demo_names_are_whole_surnames(scratch_app, demo_runs):
    """Regression: "De Smet", "El Amrani", "Van Dycke" were split into the surnames "De", "El", "Van"."""
    engine = scratch_app.extensions["koepel_db"].engine
    with engine.connect() as conn:
        surnames = set(conn.execute(select(Child.last_name)).scalars())
    assert not surnames & {"De", "El", "Van", "Smet", "Amrani", "Dycke"}, sorted(surnames)
    assert {"De Smet", "El Amrani", "Van Dycke"} & surnames


def test_demo_report_needs_no_unwritten_step(scratch_app, demo_runs):
    """Whole names in the login table, the public request forms and how to pair a tablet, at the
    address the demo is served on."""
    engine = scratch_app.extensions["koepel_db"].engine
    with engine.connect() as conn:
        org_names = list(conn.execute(select(Organisation.name)).scalars())
    result = run(scratch_app, "demo", "--base-url", "http://0.0.0.0:8080")
    assert result.exit_code == 0, result.output
    longest = max(org_names, key=len)
    assert len(longest) > 45 and longest in result.output
    assert all(name in result.output for name in org_names)
    assert "http://0.0.0.0:8080/o/vzw-auricula/wachtlijst/aanvraag" in result.output
    assert "http://0.0.0.0:8080/o/vzw-auricula/aanwezigheden/devices" in result.output
    assert "outbox-mail/" in result.output
    emails = [line.split()[-1] for line in result.output.splitlines() if line.endswith("@koepel.demo")]
    assert "coordinator@koepel.demo" in emails and len(emails) == len(set(emails)) >= 31
