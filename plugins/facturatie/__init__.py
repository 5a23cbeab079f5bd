"""Facturatie: registered skeleton until its issue lands (see the module's page)."""
from flask_babel import lazy_gettext as _l

from core.plugins import PluginInfo

PLUGIN = PluginInfo(
    name="facturatie",
    title=_l("Facturatie"),
    requires={"aanwezigheden"},
    description=_l("Maandfacturen, SEPA-domiciliëring, bankafschriften, fiscale attesten."),
    available=False,
)
