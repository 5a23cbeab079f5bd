"""The facturatie module's screens; importing the package registers every route on the blueprint.
One view module per area: ``home`` (the landing page), ``tariffs`` and ``proposal`` (tariffs,
attests, the month's proposal), ``invoices`` (finalised invoices, credit notes, PDFs, sending,
export), ``payments`` (mandates, direct debits, bank statements, reminders, tax certificates)."""
from . import home, invoice_search, invoices, payments, proposal, tariffs  # noqa: F401  (routes)
from .blueprint import bp

__all__ = ["bp"]
