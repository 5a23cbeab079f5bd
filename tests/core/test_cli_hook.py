"""The ``register_cli_commands`` setup hook: core calls it once for every installed plugin when
the app is built (the CLI is per installation, not per organisation), and a plugin's commands
exist only when the plugin is in the plugin list."""
from __future__ import annotations

import types

import click
import pytest
from click.testing import CliRunner
from flask.cli import ScriptInfo

from core.app import create_app
from core.cli import main
from core.plugins import hookimpl
from core.security import TenantBlueprint
from tests.conftest import make_config
from tests.contracts.test_hooks import temporary_plugin


def help_text(app) -> str:
    result = CliRunner().invoke(main, ["--help"], obj=ScriptInfo(create_app=lambda: app))
    assert result.exit_code == 0, result.output
    return result.output


def command_names(help_output: str) -> set[str]:
    section = help_output.split("Commands:", 1)[1]
    return {line.split()[0] for line in section.splitlines() if line.strip()}


def build(tmp_path, plugins):
    return create_app(make_config("sqlite://", tmp_path), plugins=plugins)


def test_wachtlijst_command_is_there_only_with_the_plugin(tmp_path):
    with_it = command_names(help_text(build(tmp_path, ["planning", "wachtlijst"])))
    without = command_names(help_text(build(tmp_path, ["planning"])))
    assert "wachtlijst" in with_it
    assert "wachtlijst" not in without
    # core's own groups come through the same hook, whatever the plugin list
    assert {"jobs", "retention", "crypto", "db", "users", "modules"} <= with_it
    assert {"jobs", "retention", "crypto"} <= without


def test_wachtlijst_subcommands_run_through_the_hook(tmp_path):
    app = build(tmp_path, ["planning", "wachtlijst"])
    result = CliRunner().invoke(main, ["wachtlijst", "--help"], obj=ScriptInfo(create_app=lambda: app))
    assert result.exit_code == 0 and "anonymise" in result.output and "schedule" in result.output
    missing = CliRunner().invoke(main, ["wachtlijst", "--help"],
                                 obj=ScriptInfo(create_app=lambda: build(tmp_path, ["planning"])))
    assert missing.exit_code == 2 and "No such command" in missing.output


def test_wachtlijst_commands_come_from_its_hook_alone(tmp_path, monkeypatch):
    """With its register_cli_commands silenced, no other path (e.g. register_blueprints) adds them."""
    from plugins.wachtlijst import plugin

    @hookimpl
    def register_cli_commands(cli):
        return None

    monkeypatch.setattr(plugin, "register_cli_commands", register_cli_commands)
    app = build(tmp_path, ["planning", "wachtlijst"])
    assert "wachtlijst" in app.blueprints
    assert "wachtlijst" not in app.cli.commands
    assert "wachtlijst" not in command_names(help_text(app))


@pytest.fixture
def hello_plugin(monkeypatch):
    hooks = types.ModuleType("hooks")
    calls = []

    @hookimpl
    def register_blueprints(app):
        app.register_blueprint(TenantBlueprint("groeter", __name__, module="groeter", url_prefix="/groeter"))

    @hookimpl
    def register_cli_commands(cli):
        calls.append(cli)

        @cli.command("groet")
        def groet():
            """Say hello."""
            click.echo("hallo van groeter")

    hooks.register_blueprints = register_blueprints
    hooks.register_cli_commands = register_cli_commands
    return temporary_plugin(monkeypatch, "groeter", hooks), calls


def test_a_temporary_plugin_gets_the_app_cli_once_per_app(tmp_path, hello_plugin):
    info, calls = hello_plugin
    app = build(tmp_path, [info])
    assert calls == [app.cli]
    result = CliRunner().invoke(main, ["groet"], obj=ScriptInfo(create_app=lambda: app))
    assert result.exit_code == 0 and result.output.strip() == "hallo van groeter"
    assert "groet" in command_names(help_text(app))
    assert "groet" not in command_names(help_text(build(tmp_path, ["planning"])))
