"""Aanwezigheden: the tablet (offline first), absences, the register, billable days and the reports to Opgroeien."""
from flask_babel import lazy_gettext as _l

from core.plugins import PluginInfo

PLUGIN = PluginInfo(
    records_care=True,
    name="aanwezigheden",
    title=_l("Aanwezigheden"),
    requires={"planning"},
    description=_l("Aankomst en vertrek op de tablet, afwezigheden, aanwezigheidsregister, rapporten aan Opgroeien."),
    available=True,
)
