"""Search-as-you-type for an invoice to match a bank movement to by hand (bank statements page):
staff type the invoice number or the family's or debtor's name, not a database id, and see the
amount still open. Only this organisation's invoices with something open (the same ones the
suggestions consider), credit notes left out."""
from __future__ import annotations

from flask import g, jsonify, request
from flask_babel import gettext as _
from sqlalchemy import func, or_, select

from core.db import session
from core.models import Family
from core.security import requires
from core.views.listing import LIKE_ESCAPE, escape_like

from ..models import Invoice, InvoiceKind, PaymentState
from .blueprint import BILLING_VIEW, bp

SEARCH_LIMIT = 20
OPEN_STATES = (PaymentState.OPEN, PaymentState.PARTIAL, PaymentState.COLLECTING)


@bp.route("/payments/invoices/search.json")
@requires(BILLING_VIEW)
def invoice_search():
    """Up to 20 open invoices whose number, debtor or family name contains ``q`` (2 to 100
    characters), oldest due first: {results: [{id, name: number, detail: debtor · family · open}]}."""
    q = (request.args.get("q") or "").strip()
    if len(q) < 2 or len(q) > 100:
        return jsonify(error=_("Typ minstens 2 tekens (hoogstens 100).")), 400
    pattern = f"%{escape_like(q.lower())}%"
    rows = session().execute(
        select(Invoice.id, Invoice.display_number, Invoice.debtor_name, Invoice.total, Invoice.paid_amount,
               Family.name.label("family"))
        .outerjoin(Family, (Family.id == Invoice.family_id) & (Family.organisation_id == g.org.id))
        .where(Invoice.organisation_id == g.org.id, Invoice.kind == InvoiceKind.INVOICE,
               Invoice.payment_state.in_(OPEN_STATES),
               or_(*(func.lower(col).like(pattern, escape=LIKE_ESCAPE)
                     for col in (Invoice.display_number, Invoice.debtor_name, Family.name))))
        .order_by(Invoice.due_date, Invoice.id).limit(SEARCH_LIMIT)).all()
    return jsonify(results=[{
        "id": r.id, "name": r.display_number,
        "detail": " · ".join(part for part in (
            r.debtor_name, r.family if r.family and r.family != r.debtor_name else "",
            _("nog open € %(amount)s", amount=f"{r.total - r.paid_amount:.2f}")) if part)} for r in rows])
