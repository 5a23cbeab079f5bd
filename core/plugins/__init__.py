"""Plugin markers and plugin metadata.

A plugin package exposes ``PLUGIN = PluginInfo(...)`` in its ``__init__`` and keeps its hook
implementations in ``<package>.plugin``.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pluggy

PROJECT = "koepel"
ENTRY_POINT_GROUP = "koepel.plugins"

hookspec = pluggy.HookspecMarker(PROJECT)
hookimpl = pluggy.HookimplMarker(PROJECT)


@dataclass(frozen=True)
class PluginInfo:
    """What the plugin manager needs to know about a module before importing its hooks."""

    name: str
    title: str
    requires: frozenset[str] = field(default_factory=frozenset)
    description: str = ""
    available: bool = True  # False for registered skeletons whose issue has not landed yet
    # True for a module whose rows record when a child is in care (care plans, attendance): only
    # then may retention erase a child still linked to a location (core/retention.py)
    records_care: bool = False
    # May the module be switched on for an organisation? ``can_enable(ctx)`` gets the
    # organisation's TenantContext and returns None, or the reason it may not (a translatable
    # string shown on the Modules page and given as the refusal of ``enable_module``).
    can_enable: Callable[[Any], Any] | None = None
    # Called for this module only, inside the transaction that switches it: ``on_enable(ctx)``
    # after it was switched on, ``on_disable(ctx)`` before it is switched off (database work only).
    on_enable: Callable[[Any], None] | None = None
    on_disable: Callable[[Any], None] | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "requires", frozenset(self.requires))

    @property
    def package(self) -> str:
        return f"plugins.{self.name}"


@dataclass(frozen=True)
class MenuItem:
    """An entry in the navigation. ``endpoint`` is built with the organisation slug."""

    label: str
    endpoint: str
    weight: int = 100
    icon: str = ""
    module: str = "core"
    # Roles that land on this page after signing in instead of the dashboard (e.g. finance staff
    # on the billable days); the lightest item wins when several claim a role.
    landing_for: frozenset = frozenset()


@dataclass(frozen=True)
class DashboardWidget:
    """A card on the dashboard: a title and already-rendered HTML (Markup)."""

    title: str
    html: str
    weight: int = 100
    module: str = "core"


@dataclass(frozen=True)
class Panel:
    """A panel on a detail page (e.g. the child's file)."""

    title: str
    html: str
    weight: int = 100
    module: str = "core"


@dataclass(frozen=True)
class SettingDefinition:
    """A per-organisation setting with a documented default."""

    key: str  # "<module>.<name>"
    label: str
    default: object
    type: str = "str"  # str | int | bool | choice | decimal
    choices: tuple[tuple[str, str], ...] = ()
    help: str = ""
    # a legal floor (e.g. a retention period the decree fixes): a setting may go above, never below
    minimum: int | None = None


@dataclass(frozen=True)
class ModuleChanged:
    """Event: a module was switched on or off for an organisation."""

    organisation_id: int
    module: str
    enabled: bool
    actor_id: int | None


@dataclass(frozen=True)
class RetentionHold:
    """Answer to ``retention_holds``: children and families a module still needs past the
    retention cutoff (e.g. a care plan that ended after it). ``reason`` is shown to operators
    and must not contain personal data."""

    module: str
    child_ids: frozenset[int] = field(default_factory=frozenset)
    family_ids: frozenset[int] = field(default_factory=frozenset)
    reason: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "child_ids", frozenset(self.child_ids))
        object.__setattr__(self, "family_ids", frozenset(self.family_ids))
