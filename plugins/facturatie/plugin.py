"""Hook implementations of the facturatie module (thin: the work is in services/)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from core.models import Role
from core.plugins import MenuItem, hookimpl

from .services import immutable  # noqa: F401  (finalised invoices never change: a flush guard)


@hookimpl
def register_blueprints(app):
    from .views import bp

    app.register_blueprint(bp)


@hookimpl
def menu_items(org, user):
    if user is None or user.role not in (Role.FINANCE, Role.DIRECTOR):
        return []
    return [MenuItem(_l("Facturatie"), "facturatie.index", weight=400, module="facturatie"),
            MenuItem(_l("Facturen"), "facturatie.invoices", weight=402, module="facturatie")]


@hookimpl
def setting_definitions():
    """Payment term, VAT-exemption wording, invoice retention, account codes (services/doc_settings.py)."""
    from .services.doc_settings import DOC_DEFINITIONS

    return list(DOC_DEFINITIONS)


@hookimpl
def retention_holds(session, org, child_ids, family_ids, cutoff):
    """Families and children on an invoice within the invoice retention period (default 10 years)."""
    from .services.retention import retention_holds as holds

    return holds(session, org, child_ids, family_ids)


@hookimpl
def register_job_handlers(registry):
    """The month's PDFs and sending (services/documents.py, services/sending.py)."""
    from .services.documents import JOB_KIND as PDF_JOB
    from .services.documents import render_job
    from .services.sending import JOB_KIND as SEND_JOB
    from .services.sending import send_job

    registry.add(PDF_JOB, render_job)
    registry.add(SEND_JOB, send_job)


@hookimpl
def before_retention_erase(session, org, child_ids, family_ids):
    """Old invoices of erased families keep their numbers and amounts, not the debtor."""
    from .services.retention import before_erase

    before_erase(session, org, family_ids)
