"""After finalisation an invoice never changes except its delivery and payment state (issue 13
§5): a flush that would change anything else of an invoice, or any line or day of one, or delete
one, is refused with an error (a programming error, not user input). Retention scrubs the debtor
with a bulk UPDATE, outside this guard, on purpose."""
from __future__ import annotations

from sqlalchemy import event, inspect
from sqlalchemy.orm import Session

from ..models import Invoice, InvoiceLine, InvoiceLineDay

MUTABLE = frozenset({"pdf_document_id", "pdf_sha256", "pdf_state", "pdf_error", "send_state", "sent_at",
                     "send_error", "paid_amount", "payment_state", "updated_at"})


class FinalisedInvoiceChanged(RuntimeError):
    """Code tried to edit or delete a finalised invoice (use a credit note)."""


@event.listens_for(Session, "before_flush")
def _guard(session: Session, _ctx, _instances) -> None:
    for obj in session.deleted:
        if isinstance(obj, Invoice | InvoiceLine | InvoiceLineDay):
            raise FinalisedInvoiceChanged(f"{type(obj).__name__} {obj.id} cannot be deleted")
    for obj in session.dirty:
        if isinstance(obj, InvoiceLine | InvoiceLineDay) and session.is_modified(obj, include_collections=False):
            raise FinalisedInvoiceChanged(f"{type(obj).__name__} {obj.id} cannot be changed")
        if isinstance(obj, Invoice):
            state = inspect(obj)
            changed = {a.key for a in state.mapper.column_attrs if state.attrs[a.key].history.has_changes()}
            if changed - MUTABLE:
                raise FinalisedInvoiceChanged(f"invoice {obj.id}: {sorted(changed - MUTABLE)} cannot be changed")
