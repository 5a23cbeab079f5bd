"""The contract between core and the modules. Every hook here is documented in docs/hooks.md.

Setup hooks run once for every installed plugin. Runtime hooks are called through
``core.tenancy.tenant_hook(org)``, so they only reach the modules the organisation has enabled.
Collectors return lists of frozen dataclasses with an explicit ``weight``; callers sort them.
Specs evolve by adding arguments only.
"""
from __future__ import annotations

from core.plugins import hookspec

# --- setup hooks ------------------------------------------------------------------------------


@hookspec
def register_blueprints(app):
    """Register the plugin's Flask blueprints on ``app`` (called once at start-up)."""


@hookspec
def register_cli_commands(cli):
    """Add click commands or groups to the ``koepel`` command group ``cli``."""


@hookspec
def register_jinja(env):
    """Add filters, globals or tests to the Jinja environment ``env``."""


@hookspec
def setting_definitions():
    """Return a list of SettingDefinition for the module's per-organisation settings."""


# --- runtime collectors -----------------------------------------------------------------------


@hookspec
def menu_items(org, user):
    """Return a list of MenuItem for the navigation of organisation ``org`` as seen by ``user``."""


@hookspec
def dashboard_widgets(org, user):
    """Return a list of DashboardWidget for the dashboard of ``org`` as seen by ``user``."""


@hookspec
def child_detail_panels(org, child, user):
    """Return a list of Panel shown on the file of ``child`` (already access-checked)."""


# --- events (inside the transaction, database work only) ----------------------------------------


@hookspec
def on_module_changed(event):
    """A module was enabled or disabled for an organisation; ``event`` is a ModuleChanged."""
