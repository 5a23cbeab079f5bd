"""Migrations: one head per branch (core and every plugin), upgrade from empty, downgrade to base,
upgrade again, and no drift between the models and what the migrations build.

Runs on a scratch database of the same kind as the suite's (a SQLite file, or on PostgreSQL the
database ``<test database>_mig``), never on the shared test schema.
"""
from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Column, Integer, String, Table, inspect, text
from sqlalchemy.engine import make_url

from core.db import Base, make_engine
from core.migrate import alembic_config, downgrade, import_all_models, upgrade
from tests.conftest import ALL_PLUGINS

BRANCHES = ["core", *ALL_PLUGINS]


@pytest.fixture
def scratch_url(database_url, tmp_path):
    if not database_url.startswith("postgresql"):
        yield f"sqlite:///{tmp_path / 'migrations.db'}"
        return
    url = make_url(database_url)
    name = f"{url.database}_mig"
    admin = make_engine(url.set(database="postgres").render_as_string(hide_password=False),
                        isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def drift(url: str) -> list:
    import_all_models()
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": True})
            return compare_metadata(context, Base.metadata)
    finally:
        engine.dispose()


def tables(url: str) -> set[str]:
    engine = make_engine(url)
    try:
        return set(inspect(engine).get_table_names())
    finally:
        engine.dispose()


def branch_of(script: ScriptDirectory, revision: str) -> set[str]:
    """Branch labels met walking down ``down_revision`` only (``depends_on`` is not membership)."""
    labels, todo, seen = set(), [revision], set()
    while todo:
        rev = script.get_revision(todo.pop())
        if rev.revision in seen:
            continue
        seen.add(rev.revision)
        labels |= set(rev.branch_labels)
        down = rev.down_revision
        todo += [] if down is None else [down] if isinstance(down, str) else list(down)
    return labels


def test_one_head_per_branch():
    script = ScriptDirectory.from_config(alembic_config("sqlite://"))
    heads = script.get_heads()
    for branch in BRANCHES:
        branch_heads = [h for h in heads if branch in branch_of(script, h)]
        assert len(branch_heads) == 1, f"branch {branch}: heads {branch_heads}"
        assert script.get_revision(f"{branch}@head").revision == branch_heads[0]
    for head in heads:
        assert len(branch_of(script, head) & set(BRANCHES)) == 1, f"head {head} belongs to no single branch"
    assert len(heads) == len(BRANCHES), f"heads {heads} for branches {BRANCHES}"


def test_plugin_branches_start_after_core():
    script = ScriptDirectory.from_config(alembic_config("sqlite://"))
    core_revisions = {rev.revision for rev in script.iterate_revisions("core@head", "base")}
    for branch in ALL_PLUGINS:
        root = [rev for rev in script.iterate_revisions(f"{branch}@head", "base") if branch in rev.branch_labels]
        assert root, branch
        depends = root[-1].dependencies or ()
        depends = (depends,) if isinstance(depends, str) else depends
        assert set(depends) & core_revisions, f"{branch} must depend on a core revision"


def test_upgrade_downgrade_upgrade_without_drift(scratch_url):
    upgrade(scratch_url)
    import_all_models()
    expected = set(Base.metadata.tables)
    assert expected <= tables(scratch_url)
    assert drift(scratch_url) == [], "models and migrations differ: write (or fix) a migration"
    downgrade(scratch_url)
    assert tables(scratch_url) <= {"alembic_version"}
    upgrade(scratch_url)
    assert expected <= tables(scratch_url)
    assert drift(scratch_url) == []


def test_drift_check_sees_an_unmigrated_table(scratch_url):
    """The checker is not blind: a model without a migration shows up as drift."""
    upgrade(scratch_url)
    import_all_models()
    extra = Table("core_drift_probe", Base.metadata, Column("id", Integer, primary_key=True), Column("x", String(5)))
    try:
        diffs = drift(scratch_url)
    finally:
        Base.metadata.remove(extra)
    assert [d for d in diffs if d[0] == "add_table" and d[1].name == "core_drift_probe"]


def test_upgrade_applies_every_revision_and_is_idempotent(scratch_url):
    script = ScriptDirectory.from_config(alembic_config("sqlite://"))
    upgrade(scratch_url)
    engine = make_engine(scratch_url)
    try:
        with engine.connect() as conn:
            before = set(MigrationContext.configure(conn).get_current_heads())
        upgrade(scratch_url)
        with engine.connect() as conn:
            after = set(MigrationContext.configure(conn).get_current_heads())
    finally:
        engine.dispose()
    assert before == after
    applied = {rev.revision for rev in script.iterate_revisions(tuple(after), "base")}
    assert {rev.revision for rev in script.walk_revisions()} <= applied


def test_secrets_logged_before_c0de00000003_are_masked(scratch_url):
    import json

    upgrade(scratch_url, target="c0de00000002")
    engine = make_engine(scratch_url)
    try:
        with engine.begin() as conn:
            for n, changes in enumerate(({"pin_hash": [None, "scrypt$abc"], "user_id": [None, 7]},
                                         {"offline_key": ["k1", "k2"], "name": ["Tablet", "Tablet 2"]}), start=1):
                conn.execute(text("INSERT INTO audit_log (id, at, action, entity, entity_id, summary, changes) "
                                  "VALUES (:id, CURRENT_TIMESTAMP, 'update', 'x', 1, '', :changes)"),
                             {"id": n, "changes": json.dumps(changes)})
        upgrade(scratch_url)
        with engine.connect() as conn:
            rows = dict(conn.execute(text("SELECT id, changes FROM audit_log ORDER BY id")).all())
    finally:
        engine.dispose()
    first, second = (json.loads(v) if isinstance(v, str) else v for v in (rows[1], rows[2]))
    assert first == {"pin_hash": [None, "***"], "user_id": [None, 7]}
    assert second == {"offline_key": ["***", "***"], "name": ["Tablet", "Tablet 2"]}
