"""Bad input for module developers: a hook implementation or module callback with a wrong
signature stops the app at start-up with a message naming the plugin and the hook.

What pluggy already refuses (tests/contracts/test_hooks.py): a misspelt hook name, an argument the
spec does not have. What it silently accepts and Koepel refuses here: a function named like a hook
but not marked ``@hookimpl`` (it would never be called), and PluginInfo callbacks (``can_enable``,
``on_enable``, ``on_disable``) that cannot take the TenantContext."""
from __future__ import annotations

import dataclasses
import types

import pytest

from core.plugins import hookimpl
from core.plugins.manager import PluginError, build_plugin_manager
from tests.contracts.test_hooks import temporary_plugin


def test_a_hook_function_without_the_marker_fails(monkeypatch):
    hooks = types.ModuleType("hooks")

    def menu_items(org, user):  # @hookimpl forgotten: pluggy would skip it without a word
        return []

    hooks.menu_items = menu_items
    info = temporary_plugin(monkeypatch, "ongemarkeerd", hooks)
    with pytest.raises(PluginError, match=r"'ongemarkeerd'.*menu_items.*not marked @hookimpl"):
        build_plugin_manager([info])


def test_more_required_arguments_than_the_call_gives_fail(monkeypatch):
    """An implementation can only ask for the spec's arguments (pluggy checks the names)."""
    hooks = types.ModuleType("hooks")

    @hookimpl
    def dashboard_widgets(org, user, extra):
        return []

    hooks.dashboard_widgets = dashboard_widgets
    info = temporary_plugin(monkeypatch, "teveelargs", hooks)
    with pytest.raises(PluginError, match="extra"):
        build_plugin_manager([info])


@pytest.mark.parametrize("which", ["can_enable", "on_enable", "on_disable"])
@pytest.mark.parametrize("callback", [lambda: None, lambda ctx, org: None, "not callable"],
                         ids=["no-argument", "two-arguments", "not-callable"])
def test_module_callbacks_must_take_the_context(monkeypatch, which, callback):
    info = dataclasses.replace(temporary_plugin(monkeypatch, "terugroep", types.ModuleType("hooks")),
                               **{which: callback})
    with pytest.raises(PluginError, match=rf"'terugroep'.*PluginInfo.{which}"):
        build_plugin_manager([info])


def test_good_callbacks_are_accepted(monkeypatch):
    info = dataclasses.replace(temporary_plugin(monkeypatch, "goedeterugroep", types.ModuleType("hooks")),
                               can_enable=lambda ctx: None, on_enable=lambda ctx: None,
                               on_disable=lambda ctx, *rest: None)
    assert build_plugin_manager([info]).infos == {"goedeterugroep": info}


def test_the_shipped_plugins_pass_the_checks():
    from tests.conftest import ALL_PLUGINS

    assert set(build_plugin_manager(ALL_PLUGINS).infos) == set(ALL_PLUGINS)
