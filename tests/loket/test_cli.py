"""``koepel loket ...``: registered by core (whatever modules are on), init, add-partner (key id
and secret printed once), rotate-key, create-admin, demo (idempotent), bad input."""
from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from tests.loket.conftest import LOKET_KEY


@pytest.fixture
def run(tmp_path, monkeypatch, loket_pg_url):
    from loket.cli import loket_cli

    monkeypatch.setenv("KOEPEL_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("LOKET_ENCRYPTION_KEY", LOKET_KEY)
    database = loket_pg_url or f"sqlite:///{tmp_path / 'cli-loket.db'}"

    def invoke(*args, input=None):
        return CliRunner().invoke(loket_cli, [*args, "--database", database], input=input)

    yield invoke
    if loket_pg_url:
        from sqlalchemy import text

        from core.db import make_engine
        from loket.db import Base

        engine = make_engine(loket_pg_url)
        with engine.begin() as conn:
            conn.execute(text("TRUNCATE " + ", ".join(t.name for t in Base.metadata.sorted_tables) + " CASCADE"))
        engine.dispose()


def test_koepel_cli_has_the_loket_group_without_any_module(app):
    assert "loket" in app.cli.commands
    assert {"serve", "init", "add-partner", "rotate-key", "create-admin", "demo"} <= set(
        app.cli.commands["loket"].commands)


def test_add_partner_prints_key_and_secret_once(run):
    assert run("init").exit_code == 0
    result = run("add-partner", "org-x", "Kinderopvang X", "--location", "KOT-9", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["partner"] == "org-x" and data["key_id"].startswith("org-x-") and len(data["secret"]) >= 40
    again = run("add-partner", "org-x", "Kinderopvang X")
    assert again.exit_code == 2 and "bestaat al" in again.output
    bad = run("add-partner", "Org X!", "Naam")
    assert bad.exit_code == 2 and "ongeldige partner-id" in bad.output
    rotated = run("rotate-key", "org-x", "--overlap-days", "7")
    assert rotated.exit_code == 0 and "7 dagen" in rotated.output and data["key_id"] not in rotated.output
    assert run("rotate-key", "nobody").exit_code == 2


def test_create_admin_and_demo_are_idempotent(run):
    result = run("create-admin", "--email", "Chef@Example.org", "--name", "Chef", input="geheim-wachtwoord\n" * 2)
    assert result.exit_code == 0, result.output
    assert run("create-admin", "--email", "chef@example.org", "--name", "Chef",
               input="x-wachtwoord\n" * 2).exit_code == 2
    first = run("demo")
    second = run("demo")
    assert first.exit_code == 0 and second.exit_code == 0, first.output + second.output
    assert "demo-a-1" in first.output and first.output == second.output


def test_serve_runs_the_loket_with_faults(run, monkeypatch):
    import werkzeug.serving

    calls = []
    monkeypatch.setattr(werkzeug.serving, "run_simple",
                        lambda host, port, app, **kw: calls.append((host, port, app.name, app.extensions)))
    result = run("serve", "--port", "5998", "--faults", "error=0.3,timeout=0.05,drop=0.05,seed=1")
    assert result.exit_code == 0, result.output
    [(host, port, name, extensions)] = calls
    assert (host, port, name) == ("127.0.0.1", 5998, "loket")
    assert extensions["loket_faults"].faults.error_rate == 0.3 and "503" not in result.output
    assert "http://127.0.0.1:5998/api/v1/" in result.output


def test_make_demo_serves_the_loket_beside_the_koepel():
    from pathlib import Path

    makefile = (Path(__file__).parents[2] / "Makefile").read_text()
    demo = makefile.split("\ndemo:", 1)[1].split("\n\n", 1)[0]
    assert "koepel loket demo" in demo and "koepel loket serve --host $(HOST) --port $(LOKET_PORT)" in demo
