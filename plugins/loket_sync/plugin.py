"""Hook implementations of the loket_sync module (skeleton)."""
from core.plugins import hookimpl
from core.plugins.skeleton import skeleton_blueprint, skeleton_menu

from . import PLUGIN


@hookimpl
def register_blueprints(app):
    app.register_blueprint(skeleton_blueprint(PLUGIN))


@hookimpl
def menu_items(org, user):
    return skeleton_menu(PLUGIN, weight=500)
