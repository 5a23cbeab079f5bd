"""The facturatie module's blueprint and actions. Every view module imports them from here and
this module imports no view, so the views cannot import each other in a circle.

Finance staff do the work; the director reads along (domain: a director signs off the month but
does not book payments); nobody else sees invoices."""
from __future__ import annotations

from core.models import Role
from core.security import Action, TenantBlueprint

#: Read invoices, proposals, tariffs, payments: finance staff and the director.
BILLING_VIEW = Action("facturatie.view", frozenset({Role.FINANCE, Role.DIRECTOR}), "Facturatie bekijken")
#: Change tariffs, attests, billing profiles; compute, accept warnings, finalise, credit, send.
BILLING_EDIT = Action("facturatie.edit", frozenset({Role.FINANCE}), "Facturen opmaken en tarieven beheren")
#: Record payments, mandates, bank statements, reminders, tax certificates.
PAYMENTS_EDIT = Action("facturatie.payments", frozenset({Role.FINANCE}), "Betalingen en attesten beheren")

#: The organisation's billing pages, /o/<org>/facturatie/.
bp = TenantBlueprint("facturatie", "plugins.facturatie", module="facturatie", url_prefix="/facturatie",
                     template_folder="templates")
