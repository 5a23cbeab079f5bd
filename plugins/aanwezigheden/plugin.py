"""Hook implementations of the aanwezigheden module (thin: the work is in services and views)."""
from flask_babel import lazy_gettext as _l

from core.plugins import MenuItem, SettingDefinition, hookimpl


@hookimpl
def register_blueprints(app):
    from .views import bp, tablet

    app.register_blueprint(bp)
    csrf = app.extensions.get("csrf")
    if csrf is not None:  # the tablet API has its own CSRF defence (see views/tablet.py)
        for view in (tablet.api_unlock, tablet.api_lock, tablet.api_register, tablet.api_absence,
                     tablet.api_confirm, tablet.api_sync):
            csrf.exempt(view)


@hookimpl
def register_job_handlers(registry):
    from .services import kot

    registry.add(kot.JOB_KIND, kot.send_job)


@hookimpl
def menu_items(org, user):
    return [MenuItem(_l("Aanwezigheden"), "aanwezigheden.index", weight=200, module="aanwezigheden")]


@hookimpl
def dashboard_widgets(org, user):
    from .views.admin import reminder_widget

    widget = reminder_widget(org, user)
    return [widget] if widget else []


@hookimpl
def setting_definitions():
    return [
        SettingDefinition("aanwezigheden.device_valid_days", _l("Geldigheid van een tabletkoppeling (dagen)"), 180, "int"),
        SettingDefinition("aanwezigheden.pin_max_failures", _l("Foute pincodes voor een tablet vergrendelt"), 5, "int"),
        SettingDefinition("aanwezigheden.pin_lock_minutes", _l("Vergrendeling na foute pincodes (minuten)"), 15, "int"),
        SettingDefinition("aanwezigheden.inactivity_lock_minutes", _l("Tablet vergrendelt na inactiviteit (minuten)"),
                          5, "int"),
        SettingDefinition("aanwezigheden.double_tap_seconds",
                          _l("Tweede tik op hetzelfde kind binnen (seconden) telt niet als vertrek"), 60, "int"),
        SettingDefinition("aanwezigheden.undo_seconds",
                          _l("Laatste registratie ongedaan maken op de tablet binnen (seconden)"), 60, "int"),
        SettingDefinition("aanwezigheden.offline_unlock_hours",
                          _l("Offline registraties tellen tot (uren) na het ontgrendelen van de tablet"), 12, "int"),
        SettingDefinition("aanwezigheden.duplicate_window_minutes",
                          _l("Zelfde registratie op twee tablets binnen (minuten) telt één keer"), 30, "int"),
        SettingDefinition("aanwezigheden.night_departure_until_hour",
                          _l("Nachtopvang (flexlocaties): vertrek de volgende ochtend vóór (uur)"), 12, "int",
                          help=_l("Niet bevestigd: een vertrek na dit uur hoort niet meer bij de nacht.")),
        SettingDefinition("aanwezigheden.max_offline_age_days", _l("Offline registraties ouder dan (dagen) weigeren"),
                          7, "int"),
        SettingDefinition("aanwezigheden.late_pickup_grace_minutes",
                          _l("Laat afhalen: marge na sluitingsuur (minuten)"), 0, "int"),
        SettingDefinition("aanwezigheden.justified_reasons", _l("Redenen voor gewettigde afwezigheid (komma's)"),
                          "ziekte,ziekenhuisopname,overlijden in het gezin,staking of overmacht", "str",
                          help=_l("Wat buiten respijt als gerechtvaardigd telt is niet bevestigd: kies zelf.")),
        SettingDefinition("aanwezigheden.confirmation_mode", _l("Bevestiging door de ouders"), "pickup", "choice",
                          choices=(("pickup", _l("bij elke afhaling")), ("week", _l("wekelijks")))),
        SettingDefinition("aanwezigheden.settling_in_billing", _l("Wenmomenten aanrekenen"), "ikt", "choice",
                          choices=(("ikt", _l("aan het inkomenstarief, zoals een gereserveerde dag")),
                                   ("none", _l("niet aanrekenen"))),
                          help=_l("Of wenmomenten (tot de einddatum van het wennen in het opvangplan) "
                                  "gefactureerd worden is de keuze van de organisator.")),
        SettingDefinition("aanwezigheden.report_responsible", _l("Verantwoordelijke op het FO-SU-05-rapport"), "", "str"),
        SettingDefinition("aanwezigheden.kot_api_url", _l("Adres van de KOT-API van Opgroeien (leeg = niet versturen)"),
                          "", "str", help=_l("Zonder adres download je het bestand en laad je het zelf op. "
                                             "De toegangssleutel stel je in bij Aanwezigheden → KOT-API.")),
        # the token is not a setting here: it is stored encrypted and never shown (see kot.py)
    ]


@hookimpl
def child_detail_panels(org, child, user):
    from .views.admin import child_panel

    panel = child_panel(org, child, user)
    return [panel] if panel else []


@hookimpl
def retention_holds(session, org, child_ids, family_ids, cutoff):
    """Children with attendance, absences or confirmations on or after the retention cutoff."""
    from .services.retention import retention_holds as holds

    return holds(session, org, child_ids, cutoff)


@hookimpl
def before_retention_erase(session, org, child_ids, family_ids):
    """Delete the taps and rejected offline items of children past retention."""
    from .services.retention import before_erase

    before_erase(session, org, child_ids)


@hookimpl(trylast=True)
def populate_demo(session, org, seed):
    """Last month's registrations from planning's reserved days (after planning's demo plans)."""
    from .services.demo import populate

    populate(session, org, seed)
