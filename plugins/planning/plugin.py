"""Hook implementations of the planning module. UI hooks live in ui_hooks.py and are re-exported
here, because the plugin manager registers this module."""
from plugins.planning.ui_hooks import *  # noqa: F401,F403  (register_blueprints, menu_items, ...)
