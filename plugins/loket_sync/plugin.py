"""Hook implementations of the loket_sync module (thin: the work is in services/)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from core.plugins import MenuItem, SettingDefinition, hookimpl


@hookimpl
def register_blueprints(app):
    from .views import bp, koepel_bp

    app.register_blueprint(bp)
    app.register_blueprint(koepel_bp)
    csrf = app.extensions.get("csrf")
    if csrf is not None:  # the loket's push is signed (RFC 9421), not a browser form
        from .views.pages import receive_push

        csrf.exempt(receive_push)


@hookimpl
def register_job_handlers(registry):
    from .services import jobs

    jobs.register(registry)


@hookimpl
def register_cli_commands(cli):
    from .cli import loket_sync_cli

    cli.add_command(loket_sync_cli)


@hookimpl
def setting_definitions():
    return [
        SettingDefinition("loket_sync.batch_size", _l("Gebeurtenissen per zending naar het loket"), 100, "int"),
        SettingDefinition("loket_sync.months", _l("Vrije plaatsen naar het loket voor zoveel maanden"), 12, "int"),
        SettingDefinition("loket_sync.pull_interval_seconds", _l("Vragen ophalen bij het loket om de (seconden)"),
                          60, "int"),
        SettingDefinition("loket_sync.retry_base_seconds", _l("Eerste wachttijd na een fout (seconden)"), 30, "int",
                          help=_l("Verdubbelt bij elke nieuwe poging, met wat toeval.")),
        SettingDefinition("loket_sync.retry_max_seconds", _l("Langste wachttijd na een fout (seconden)"), 3600,
                          "int"),
        SettingDefinition("loket_sync.max_attempts", _l("Pogingen voor een gebeurtenis als mislukt geldt"), 50,
                          "int"),
        SettingDefinition("loket_sync.timeout_seconds", _l("Wachttijd op een antwoord van het loket (seconden)"),
                          20, "int"),
        SettingDefinition("loket_sync.rotation_overlap_days", _l("Vorig geheim blijft zoveel dagen geldig"), 7,
                          "int"),
    ]


@hookimpl
def populate_demo(session, org, seed):
    from core.context import context_for

    from .services.demo import populate

    populate(context_for(session, org), seed)


@hookimpl
def menu_items(org, user):
    return [MenuItem(_l("Loket"), "loket_sync.index", weight=500, module="loket_sync")]


@hookimpl
def koepel_menu_items(user):
    return [MenuItem(_l("Loket-synchronisatie"), "loket_sync_koepel.koepel_index", weight=500, module="loket_sync")]


@hookimpl
def on_vacancies_changed(event):
    from .services import listeners

    listeners.vacancies_changed(event)


@hookimpl
def on_care_plan_changed(event):
    from .services import listeners

    listeners.care_plan_changed(event)


@hookimpl
def on_placement_confirmed(event):
    from .services import listeners

    listeners.placement_confirmed(event)


@hookimpl
def on_care_request_status_changed(event):
    from .services import listeners

    listeners.request_status_changed(event)
