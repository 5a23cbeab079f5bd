"""Hook implementations of the facturatie module (thin: the work is in services/)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from core.models import Role
from core.plugins import MenuItem, hookimpl


@hookimpl
def register_blueprints(app):
    from .views import bp

    app.register_blueprint(bp)


@hookimpl
def menu_items(org, user):
    if user is None or user.role not in (Role.FINANCE, Role.DIRECTOR):
        return []
    return [MenuItem(_l("Facturatie"), "facturatie.index", weight=400, module="facturatie"),
            MenuItem(_l("Betalingen"), "facturatie.payments_index", weight=410, module="facturatie")]



@hookimpl
def setting_definitions():
    from .services.payment_settings import PAY_DEFINITIONS

    return list(PAY_DEFINITIONS)


@hookimpl
def register_job_handlers(registry):
    from .services.reminders import JOB_KIND, reminder_job

    registry.add(JOB_KIND, reminder_job)


@hookimpl
def retention_holds(session, org, child_ids, family_ids, cutoff):
    from .services.retention import payment_holds

    return payment_holds(session, org, child_ids, family_ids, cutoff)


@hookimpl
def populate_demo(session, org, seed):
    """Mandates, a collected month, last year's payments and a sample CODA file
    (services/payment_demo.py)."""
    from .services.payment_demo import populate

    populate(session, org, seed)
