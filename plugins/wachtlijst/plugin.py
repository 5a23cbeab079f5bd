"""Hook implementations of the wachtlijst module (thin: the work is in services/)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from core.context import context_for
from core.models import Role
from core.plugins import DashboardWidget, MenuItem, SettingDefinition, hookimpl
from core.retention import LEGAL_MINIMUM_YEARS


@hookimpl
def register_blueprints(app):
    from .views import bp, koepel_bp

    app.register_blueprint(bp)
    app.register_blueprint(koepel_bp)


@hookimpl
def register_job_handlers(registry):
    from .services import jobs

    jobs.register(registry)


@hookimpl
def register_cli_commands(cli):
    from .cli import wachtlijst_cli

    cli.add_command(wachtlijst_cli)


@hookimpl
def setting_definitions():
    from .services.policy import EXTRA_SETTINGS

    return [
        SettingDefinition("wachtlijst.offer_days", _l("Antwoordtermijn van een aanbod (dagen)"), 10, "int",
                          help=_l("Brusselse praktijk: 10 dagen.")),
        SettingDefinition("wachtlijst.reminder_days", _l("Herinnering zoveel dagen vóór de termijn"), 3, "int"),
        SettingDefinition("wachtlijst.vulnerable_share", _l("Voorbehouden aandeel kwetsbare gezinnen (%)"), 20, "int",
                          help=_l("Subsidiebesluit: 20 % van de capaciteit (artikel niet bevestigd).")),
        SettingDefinition("wachtlijst.vulnerable_min_criteria", _l("Kwetsbaar gezin vanaf zoveel criteria"), 2,
                          "int", help=_l("Niet bevestigd: minstens 2 criteria volgens providers.")),
        SettingDefinition("wachtlijst.retention_years", _l("Bewaartermijn van opvangvragen (jaar)"), 5, "int",
                          help=_l("Decreet art. 24: 5 jaar."), minimum=LEGAL_MINIMUM_YEARS["child_family"]),
        SettingDefinition("wachtlijst.public_form", _l("Openbaar aanvraagformulier voor ouders"), False, "bool"),
        SettingDefinition("wachtlijst.subsidiegroep_id", _l("Id van de subsidiegroep bij Opgroeien (FO-RE-19)"),
                          "", "str"),
    ] + list(EXTRA_SETTINGS)


@hookimpl
def koepel_menu_items(user):
    return [MenuItem(_l("Centrale toewijzing"), "wachtlijst_koepel.koepel_index", weight=300, module="wachtlijst")]


@hookimpl
def menu_items(org, user):
    if user is None or user.role not in (Role.DIRECTOR, Role.COORDINATOR):
        return []
    # The coordinator sees the free places and reports, not the requests (children's names).
    endpoint = "wachtlijst.vacancies" if user.role == Role.COORDINATOR else "wachtlijst.index"
    return [MenuItem(_l("Wachtlijst"), endpoint, weight=300, module="wachtlijst")]


@hookimpl(trylast=True)  # after planning's demo: the offers take the places its care plans leave free
def populate_demo(session, org, seed):
    from .services.demo import populate

    populate(context_for(session, org), seed)


@hookimpl
def demo_links(session, org):
    from .services.demo import links

    return links(context_for(session, org))


@hookimpl
def dashboard_widgets(org, user):
    if user is None or user.role not in (Role.DIRECTOR, Role.COORDINATOR):
        return []
    from markupsafe import Markup, escape
    from sqlalchemy import func, select

    from core.db import session

    from .models import WAITING_STATUSES, CareRequest, Offer, OfferStatus

    waiting = session().scalar(select(func.count()).select_from(CareRequest).where(
        CareRequest.organisation_id == org.id, CareRequest.status.in_(WAITING_STATUSES),
        CareRequest.merged_into_id.is_(None)))
    open_offers = session().scalar(select(func.count()).select_from(Offer).where(
        Offer.organisation_id == org.id, Offer.status == OfferStatus.OPEN))
    html = Markup("<p>{} · {}</p>").format(escape(_l("Wachtend: %(n)s", n=waiting)),
                                            escape(_l("Open aanbiedingen: %(n)s", n=open_offers)))
    return [DashboardWidget(_l("Wachtlijst"), html, weight=300, module="wachtlijst")]
