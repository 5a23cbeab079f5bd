"""Loket-synchronisatie: free places and placements to the lokaal loket, its requests back."""
from flask_babel import lazy_gettext as _l

from core.plugins import PluginInfo


def _on_enable(ctx):
    """Start the pull and daily schedules and publish every vacancy scope once."""
    from .services import inbound, jobs, vacancies

    inbound.schedule(ctx, delay=0)
    jobs.schedule_daily(ctx)
    vacancies.schedule_all(ctx)


PLUGIN = PluginInfo(
    name="loket_sync",
    title=_l("Loket-synchronisatie"),
    requires={"planning", "wachtlijst"},
    description=_l("Vrije plaatsen en plaatsingen naar het lokaal loket, vragen terug."),
    available=True,
    on_enable=_on_enable,
)
