"""Hook implementations of the facturatie module (thin: the work is in services/)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from core.models import Role
from core.plugins import MenuItem, Panel, hookimpl

from .services import immutable  # noqa: F401  (finalised invoices never change: a flush guard)


@hookimpl
def register_blueprints(app):
    from .views import bp

    app.register_blueprint(bp)


@hookimpl
def menu_items(org, user):
    if user is None or user.role not in (Role.FINANCE, Role.DIRECTOR):
        return []
    return [MenuItem(_l("Facturatie"), "facturatie.index", weight=45, module="facturatie",
                     landing_for=frozenset({Role.FINANCE})),
            MenuItem(_l("Facturen"), "facturatie.invoices", weight=401, module="facturatie"),
            MenuItem(_l("Tarieven"), "facturatie.tariffs", weight=402, module="facturatie"),
            MenuItem(_l("Betalingen"), "facturatie.payments_index", weight=410, module="facturatie")]


@hookimpl
def setting_definitions():
    """Tariff amounts, fees, invoices, payments and tax certificates (services/settings.py)."""
    from .services.settings import DEFINITIONS

    return list(DEFINITIONS)


@hookimpl
def retention_holds(session, org, child_ids, family_ids, cutoff):
    """Families and children on an invoice within the invoice retention period (default 10 years),
    and those with payments, mandates or tax certificates still to be kept."""
    from .services.payment_retention import payment_holds
    from .services.retention import retention_holds as holds

    return [*holds(session, org, child_ids, family_ids), *payment_holds(session, org, child_ids, family_ids, cutoff)]


@hookimpl
def register_job_handlers(registry):
    """The month's PDFs, sending and payment reminders."""
    from .services.documents import JOB_KIND as PDF_JOB
    from .services.documents import render_job
    from .services.reminders import JOB_KIND as REMINDER_JOB
    from .services.reminders import reminder_job
    from .services.sending import JOB_KIND as SEND_JOB
    from .services.sending import send_job

    registry.add(PDF_JOB, render_job)
    registry.add(SEND_JOB, send_job)
    registry.add(REMINDER_JOB, reminder_job)


@hookimpl
def before_retention_erase(session, org, child_ids, family_ids):
    """Old invoices of erased families keep their numbers and amounts, not the debtor."""
    from .services.retention import before_erase

    before_erase(session, org, family_ids)


@hookimpl
def resolve_kindcodes(org, child_ids, start, end):
    """The attest inkomenstarief is the kindcode's one home (FO-SU-05 asks here first)."""
    from core.context import context_for
    from core.db import session

    from . import api

    return api.kindcodes(context_for(session(), org), child_ids, start, end)


@hookimpl
def populate_demo(session, org, seed):
    """Tariffs, attests, billing profiles and extras (services/demo.py); then mandates, last
    year's paid invoices, a collected month and a sample CODA file (services/payment_demo.py)."""
    from .services import payment_demo
    from .services.demo import populate

    populate(session, org, seed)
    payment_demo.populate(session, org, seed)


@hookimpl
def child_detail_panels(org, child, user):
    """The child's attest inkomenstarief in force, with a link to its tariff page."""
    from flask import render_template

    from core.context import context_for
    from core.db import session
    from core.security import can

    from .services import tariffs
    from .views.blueprint import BILLING_VIEW

    if not can(user, BILLING_VIEW):
        return []
    ctx = context_for(session(), org)
    today = ctx.today()
    attest = tariffs.attest_on(tariffs.attests_in(ctx, [child.id], today, today).get(child.id, []), today, None)
    html = render_template("facturatie/_child_panel.html", child=child, attest=attest)
    return [Panel(_l("Attest inkomenstarief"), html, weight=30, module="facturatie")]
