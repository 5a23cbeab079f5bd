"""Loket-synchronisatie: registered skeleton until its issue lands (see the module's page)."""
from flask_babel import lazy_gettext as _l

from core.plugins import PluginInfo

PLUGIN = PluginInfo(
    name="loket_sync",
    title=_l("Loket-synchronisatie"),
    requires={"planning", "wachtlijst"},
    description=_l("Vrije plaatsen en plaatsingen naar het lokaal loket, vragen terug."),
    available=False,
)
