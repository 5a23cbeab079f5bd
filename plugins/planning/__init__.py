"""Planning: care plans (opvangplan), closing days, day planning, capacity, ratio, occupancy."""
from flask_babel import lazy_gettext as _l

from core.plugins import PluginInfo

PLUGIN = PluginInfo(
    records_care=True,
    name="planning",
    title=_l("Planning"),
    requires=frozenset(),
    description=_l("Opvangplannen, sluitingsdagen, dagplanning, capaciteit en kindratio, bezetting."),
    available=True,
)
