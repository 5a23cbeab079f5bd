"""Building the plugin manager inside the app factory.

Resolves plugins by name through the ``koepel.plugins`` entry points, orders them by their
``requires`` and fails fast on anything inconsistent, before a single request is served.
"""
from __future__ import annotations

import functools
import importlib
from importlib.metadata import entry_points

import pluggy

from core.plugins import ENTRY_POINT_GROUP, PROJECT, PluginInfo, hookspecs


class PluginError(RuntimeError):
    """The plugin set cannot start: missing requirement, cycle, duplicate or bad hook."""


def available_plugins() -> dict[str, PluginInfo]:
    """Every plugin installed under the entry-point group, by name (a copy: callers may change it)."""
    return dict(_scan_entry_points())


@functools.cache
def _scan_entry_points() -> dict[str, PluginInfo]:
    """Scanned once per process: the installed distributions do not change while it runs, and a
    scan reads every distribution's metadata (a third of an app's start-up time)."""
    found: dict[str, PluginInfo] = {}
    for ep in entry_points(group=ENTRY_POINT_GROUP):
        info = ep.load()
        if info.name != ep.name:
            raise PluginError(f"entry point {ep.name!r} names plugin {info.name!r}")
        found[ep.name] = info
    return found


def load_plugin_info(name_or_info: str | PluginInfo) -> PluginInfo:
    if isinstance(name_or_info, PluginInfo):
        return name_or_info
    installed = _scan_entry_points()
    if name_or_info in installed:
        return installed[name_or_info]
    try:
        module = importlib.import_module(f"plugins.{name_or_info}")
    except ModuleNotFoundError as exc:
        raise PluginError(f"unknown plugin {name_or_info!r}") from exc
    return module.PLUGIN


def resolve_order(infos: list[PluginInfo]) -> list[PluginInfo]:
    """Topological order (requirements first); errors on duplicates, missing names, cycles."""
    by_name: dict[str, PluginInfo] = {}
    for info in infos:
        if info.name in by_name:
            raise PluginError(f"plugin {info.name!r} listed twice")
        by_name[info.name] = info
    for info in infos:
        missing = sorted(info.requires - by_name.keys())
        if missing:
            raise PluginError(f"plugin {info.name!r} requires missing plugin(s): {', '.join(missing)}")
    ordered: list[PluginInfo] = []
    state: dict[str, str] = {}

    def visit(name: str, path: tuple[str, ...]) -> None:
        if state.get(name) == "done":
            return
        if state.get(name) == "busy":
            raise PluginError("cyclic plugin requirements: " + " -> ".join(path + (name,)))
        state[name] = "busy"
        for dep in sorted(by_name[name].requires):
            visit(dep, path + (name,))
        state[name] = "done"
        ordered.append(by_name[name])

    for name in sorted(by_name):
        visit(name, ())
    return ordered


_SPEC_NAMES = frozenset(name for name in dir(hookspecs) if hasattr(getattr(hookspecs, name), f"{PROJECT}_spec"))


def _check_unmarked_hooks(info: PluginInfo, module) -> None:
    """pluggy silently ignores a function named like a hook but not marked ``@hookimpl``: the
    module would never hear it. Refuse to start instead."""
    for name in sorted(_SPEC_NAMES):
        fn = getattr(module, name, None)
        if callable(fn) and not hasattr(fn, f"{PROJECT}_impl"):
            raise PluginError(f"plugin {info.name!r}: {module.__name__}.{name} looks like a hook "
                              f"implementation but is not marked @hookimpl")


def _check_callbacks(info: PluginInfo) -> None:
    """``can_enable``/``on_enable``/``on_disable`` are called with one argument, the context."""
    import inspect

    for which in ("can_enable", "on_enable", "on_disable"):
        callback = getattr(info, which)
        if callback is None:
            continue
        if not callable(callback):
            raise PluginError(f"plugin {info.name!r}: PluginInfo.{which} is not callable")
        try:
            inspect.signature(callback).bind(object())
        except TypeError as exc:
            raise PluginError(f"plugin {info.name!r}: PluginInfo.{which} must take one argument, the "
                              f"TenantContext: {exc}") from exc
        except ValueError:  # a builtin without a signature: trust it
            continue


class KoepelPluginManager(pluggy.PluginManager):
    """pluggy's manager plus the plugin metadata and the module objects by plugin name."""

    def __init__(self) -> None:
        super().__init__(PROJECT)
        self.infos: dict[str, PluginInfo] = {}
        self.modules: dict[str, object] = {}

    def plugin_names(self) -> list[str]:
        return list(self.infos)


def build_plugin_manager(plugins: list[str | PluginInfo] | None) -> KoepelPluginManager:
    infos = list(available_plugins().values()) if plugins is None else [load_plugin_info(p) for p in plugins]
    ordered = resolve_order(infos)
    pm = KoepelPluginManager()
    pm.add_hookspecs(hookspecs)
    from core import hooks as core_hooks

    pm.register(core_hooks, name="core")
    for info in ordered:
        try:
            module = importlib.import_module(f"{info.package}.plugin")
        except ModuleNotFoundError as exc:
            raise PluginError(f"plugin {info.name!r} has no hook module {info.package}.plugin") from exc
        _check_unmarked_hooks(info, module)
        _check_callbacks(info)
        try:
            pm.register(module, name=info.name)
        except pluggy.PluginValidationError as exc:  # e.g. an argument the spec does not have
            raise PluginError(f"plugin {info.name!r}: {exc}") from exc
        pm.infos[info.name] = info
        pm.modules[info.name] = module
    try:
        pm.check_pending()
    except pluggy.PluginValidationError as exc:
        raise PluginError(str(exc)) from exc
    return pm
