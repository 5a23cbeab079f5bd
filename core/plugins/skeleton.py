"""The honest placeholder of a module whose issue has not landed: it loads, migrates, can be
switched on, and says plainly that it is not available yet."""
from __future__ import annotations

from flask import render_template

from core.models import Role
from core.plugins import MenuItem, PluginInfo
from core.security import ORG_STAFF, Action, TenantBlueprint, requires


def skeleton_blueprint(info: PluginInfo) -> TenantBlueprint:
    bp = TenantBlueprint(info.name, f"plugins.{info.name}", module=info.name, url_prefix=f"/{info.name}")
    action = Action(f"{info.name}.view", ORG_STAFF | {Role.COORDINATOR})

    @bp.route("/")
    @requires(action)
    def index():
        return render_template("core/not_available.html", title=info.title)

    return bp


def skeleton_menu(info: PluginInfo, weight: int) -> list[MenuItem]:
    return [MenuItem(info.title, f"{info.name}.index", weight=weight, module=info.name)]
