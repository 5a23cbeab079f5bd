"""UI hook implementations of the planning module (blueprint, menu, widgets, child panel).
Kept apart from plugin.py so that the domain and the screens can evolve separately."""
from core.plugins import hookimpl
from core.plugins.skeleton import skeleton_blueprint, skeleton_menu
from plugins.planning import PLUGIN


@hookimpl
def register_blueprints(app):
    app.register_blueprint(skeleton_blueprint(PLUGIN))


@hookimpl
def menu_items(org, user):
    return skeleton_menu(PLUGIN, weight=100)
