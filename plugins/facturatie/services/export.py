"""The month's invoices, credit notes and lines for the bookkeeper, as Excel (two sheets) or CSV
(the lines), with the account code of each line type from the settings (``facturatie.account_*``).

Text that a spreadsheet would run as a formula (a name starting with ``=``, ``+``, ``-`` or
``@``) is written with a leading apostrophe."""
from __future__ import annotations

import csv
from dataclasses import dataclass
from decimal import Decimal
from io import BytesIO, StringIO

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from core.context import TenantContext

from ..models import Invoice, InvoiceKind, LineKind

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class Export:
    invoices: list[list]
    lines: list[list]
    invoice_header: list[str]
    line_header: list[str]


def _safe(value):
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def accounts(ctx: TenantContext) -> dict[LineKind, str]:
    return {kind: str(ctx.setting(f"facturatie.account_{kind.value}")) for kind in LineKind}


def build(ctx: TenantContext, year: int, month: int) -> Export:
    invoices = list(ctx.session.scalars(select(Invoice).options(selectinload(Invoice.lines)).where(
        Invoice.organisation_id == ctx.org.id, Invoice.period_year == year, Invoice.period_month == month)
        .order_by(Invoice.year, Invoice.number)))
    invoices.sort(key=lambda i: (i.kind != InvoiceKind.INVOICE, i.year, i.number))  # invoices, then credit notes
    numbers = {i.id: i.display_number for i in invoices}
    missing = {i.credited_invoice_id for i in invoices if i.credited_invoice_id and i.credited_invoice_id not in numbers}
    if missing:
        numbers.update(ctx.session.execute(select(Invoice.id, Invoice.display_number).where(
            Invoice.organisation_id == ctx.org.id, Invoice.id.in_(missing))).all())
    codes = accounts(ctx)
    receivable = str(ctx.setting("facturatie.account_receivable"))
    kind_label = {InvoiceKind.INVOICE: _("factuur"), InvoiceKind.CREDIT_NOTE: _("creditnota")}
    invoice_rows, line_rows = [], []
    for inv in invoices:
        head = [kind_label[inv.kind], inv.display_number, inv.issue_date, inv.due_date, _safe(inv.debtor_name),
                inv.family_id, inv.ogm]
        invoice_rows.append(head + [receivable, inv.total, numbers.get(inv.credited_invoice_id, ""),
                                    _safe(inv.reason), inv.payment_state.value])
        for line in inv.lines:
            line_rows.append(head + [line.position, line.kind.value, codes[line.kind], _safe(line.description),
                                     line.child_id, line.quantity, line.unit_price, line.amount])
    common = [_("Soort"), _("Nummer"), _("Factuurdatum"), _("Vervaldag"), _("Debiteur"), _("Gezin"),
              _("Gestructureerde mededeling")]
    return Export(invoice_rows, line_rows,
                  common + [_("Rekening klanten"), _("Totaal"), _("Crediteert"), _("Reden"), _("Betaalstatus")],
                  common + [_("Lijn"), _("Type"), _("Rekening"), _("Omschrijving"), _("Kind"), _("Aantal"),
                            _("Eenheidsprijs"), _("Bedrag")])


def to_xlsx(export: Export) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = _("Facturen")[:31]
    for title, header, rows in ((None, export.invoice_header, export.invoices),
                                (_("Lijnen"), export.line_header, export.lines)):
        if title is not None:
            sheet = book.create_sheet(title[:31])
        sheet.append(header)
        for row in rows:
            sheet.append([float(v) if isinstance(v, Decimal) else v for v in row])
        for cells in sheet.iter_rows(min_row=2):
            for cell in cells:
                if isinstance(cell.value, str):
                    cell.data_type = "s"  # text stays text (no formula)
        sheet.freeze_panes = "A2"
    buffer = BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def to_csv(export: Export) -> bytes:
    """The lines, ``;``-separated with decimal commas (what Belgian spreadsheets open), UTF-8 with BOM."""
    buffer = StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(export.line_header)
    for row in export.lines:
        writer.writerow([str(v).replace(".", ",") if isinstance(v, Decimal) else
                         v.isoformat() if hasattr(v, "isoformat") else "" if v is None else v for v in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")
