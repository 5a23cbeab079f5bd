"""Wachtlijst: care requests (opvangvragen), priority policy, offers, placements, central
allocation across the koepel, reports (incl. FO-RE-19) and messages to parents."""
from flask_babel import lazy_gettext as _l

from core.plugins import PluginInfo

PLUGIN = PluginInfo(
    name="wachtlijst",
    title=_l("Wachtlijst"),
    requires={"planning"},
    description=_l("Opvangvragen, voorrangsregels, aanbiedingen en plaatsingen."),
    available=True,
)
