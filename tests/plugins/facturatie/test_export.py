"""The bookkeeper's export: invoices, credit notes and lines with account codes per line type."""
from __future__ import annotations

from decimal import Decimal
from io import BytesIO

import pytest
from openpyxl import load_workbook

from core.context import build_context
from core.settings import set_setting
from plugins.facturatie.models import Invoice
from plugins.facturatie.services import credit, export
from plugins.facturatie.services import finalise as fin
from tests.plugins.facturatie.draft_builders import draft_invoice, families_with_children, proposal


@pytest.fixture
def ctx(session, org, frozen_today):
    return build_context(session, org)


@pytest.fixture
def month(ctx, session, factory, org, location):
    (f1, c1), (f2, c2) = families_with_children(factory, org, location, 2)
    done = fin.finalise(ctx, proposal(2026, 10, [draft_invoice(f1, [c1.id], name="=HYPERLINK(\"x\")"),
                                                 draft_invoice(f2, [c2.id], name="Gezin Peeters")]))
    invoices = [session.get(Invoice, i) for i in done.invoice_ids]
    credit.create_credit_note(ctx, invoices[1].id, "Te veel", {invoices[1].lines[1].id: Decimal("2.50")})
    return invoices


def test_excel_has_invoices_credit_notes_and_lines_with_account_codes(ctx, session, org, month):
    set_setting(session, org, "facturatie.account_meals", "700150")
    data = export.to_xlsx(export.build(build_context(session, org), 2026, 10))
    book = load_workbook(BytesIO(data))
    invoices, lines = book.worksheets
    rows = list(invoices.iter_rows(min_row=2, values_only=True))
    assert [r[1] for r in rows] == ["2026-000001", "2026-000002", "CN2026-000001"]
    assert rows[2][0] == "creditnota" and rows[2][8] == -2.5 and rows[2][9] == "2026-000002"
    assert rows[0][4] == "'=HYPERLINK(\"x\")"  # never a formula
    assert invoices["E2"].data_type == "s"
    line_rows = list(lines.iter_rows(min_row=2, values_only=True))
    assert len(line_rows) == 5
    care = [r for r in line_rows if r[8] == "care"]
    meals = [r for r in line_rows if r[8] == "meals"]
    assert {r[9] for r in care} == {"700000"} and {r[9] for r in meals} == {"700150"}
    assert sum(r[-1] for r in line_rows) == pytest.approx(2 * 67.5 - 2.5)


def test_csv_lines_with_decimal_commas(ctx, month):
    text = export.to_csv(export.build(ctx, 2026, 10)).decode("utf-8")
    assert text.startswith("\ufeffSoort;Nummer;")
    lines = text.strip().split("\r\n")
    assert len(lines) == 6
    assert ";60,00" in lines[1] and "2026-10-01" not in lines[1]
    assert lines[-1].startswith("creditnota;CN2026-000001;2026-11-18;")
    assert lines[-1].endswith(";-2,50")


def test_an_empty_month_exports_headers_only(ctx):
    built = export.build(ctx, 2026, 9)
    assert built.invoices == [] and built.lines == []
    assert load_workbook(BytesIO(export.to_xlsx(built))).worksheets[1].max_row == 1
