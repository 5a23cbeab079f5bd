"""Wachtlijst: registered skeleton until its issue lands (see the module's page)."""
from flask_babel import lazy_gettext as _l

from core.plugins import PluginInfo

PLUGIN = PluginInfo(
    name="wachtlijst",
    title=_l("Wachtlijst"),
    requires={"planning"},
    description=_l("Opvangvragen, voorrangsregels, aanbiedingen en plaatsingen."),
    available=False,
)
