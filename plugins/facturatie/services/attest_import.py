"""Import of attests inkomenstarief from a spreadsheet (Excel through openpyxl, or CSV) made
from the downloadable template: every row is checked like an attest entered by hand; one bad
row and nothing is imported (a savepoint is rolled back), with an error per row."""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select

from core.errors import DomainError
from core.models import Child

from .errors import BillingError
from .tariffs import add_attest, parse_date

COLUMNS = ("kind_id", "voornaam", "achternaam", "geboortedatum", "kindcode", "dagprijs", "geldig_van",
           "geldig_tot", "ivt", "gezin_id")
EXAMPLE = ("", "Emma", "Peeters", "2025-03-01", "250301-012-01", "12,34", "2026-01-01", "", "nee", "")
MAX_ROWS = 5000


@dataclass(frozen=True)
class RowError:
    row: int  # the spreadsheet's row number (the header is row 1)
    message: str


def template_xlsx() -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = "attesten"
    ws.append(COLUMNS)
    ws.append(EXAMPLE)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def template_csv() -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")
    writer.writerow(COLUMNS)
    writer.writerow(EXAMPLE)
    return out.getvalue().encode("utf-8-sig")


def read_rows(filename: str, data: bytes) -> list[dict[str, object]]:
    """The rows as dicts by the header's column names (lower case); a file that is no spreadsheet
    of the template raises BillingError."""
    name = (filename or "").lower()
    try:
        if name.endswith(".xlsx"):
            ws = load_workbook(io.BytesIO(data), read_only=True, data_only=True).active
            rows = [list(r) for r in ws.iter_rows(values_only=True)]
        elif name.endswith(".csv"):
            text = data.decode("utf-8-sig")
            dialect = csv.Sniffer().sniff(text.splitlines()[0] if text else ";", delimiters=";,\t")
            rows = [list(r) for r in csv.reader(io.StringIO(text), dialect)]
        else:
            raise BillingError("facturatie.import_format", "file")
    except BillingError:
        raise
    except Exception:  # noqa: BLE001 - any unreadable file is the same message to the user
        raise BillingError("facturatie.import_format", "file") from None
    if not rows:
        raise BillingError("facturatie.import_empty", "file")
    header = [str(h or "").strip().lower() for h in rows[0]]
    if "kindcode" not in header or "dagprijs" not in header or "geldig_van" not in header:
        raise BillingError("facturatie.import_format", "file")
    result = []
    for raw in rows[1:MAX_ROWS + 1]:
        if not any(v not in (None, "") for v in raw):
            continue
        result.append({h: (raw[i] if i < len(raw) else None) for i, h in enumerate(header)})
    if not result:
        raise BillingError("facturatie.import_empty", "file")
    return result


def _child_for(ctx, row: dict, children_by_name: dict) -> int | None:
    raw_id = str(row.get("kind_id") or "").strip()
    if raw_id:
        return int(raw_id) if raw_id.isdigit() else -1
    born = parse_date(row.get("geboortedatum"), "geboortedatum")
    key = (str(row.get("voornaam") or "").strip().lower(), str(row.get("achternaam") or "").strip().lower(), born)
    return children_by_name.get(key)


def import_attests(ctx, filename: str, data: bytes) -> tuple[int, list[RowError]]:
    """(number imported, errors). With any error nothing is written."""
    rows = read_rows(filename, data)
    children_by_name = {
        (first.lower(), last.lower(), born): cid for cid, first, last, born in ctx.session.execute(
            select(Child.id, func.trim(Child.first_name), func.trim(Child.last_name), Child.date_of_birth)
            .where(Child.organisation_id == ctx.org.id))}
    errors: list[RowError] = []
    savepoint = ctx.session.begin_nested()
    count = 0
    for number, row in enumerate(rows, start=2):
        try:
            child_id = _child_for(ctx, row, children_by_name)
            if child_id is None:
                raise BillingError("facturatie.child_unknown", "kind_id")
            ivt = str(row.get("ivt") or "").strip().lower() in ("ja", "j", "1", "x", "yes", "oui", "true", "waar")
            add_attest(ctx, child_id=child_id, kindcode=str(row.get("kindcode") or ""),
                       day_price=row.get("dagprijs"), valid_from=row.get("geldig_van"),
                       valid_to=row.get("geldig_tot"), ivt=ivt, family_id=str(row.get("gezin_id") or "").strip())
            count += 1
        except DomainError as err:
            errors.append(RowError(number, err.message))
        except ValueError:
            errors.append(RowError(number, BillingError("facturatie.price_invalid").message))
    if errors:
        savepoint.rollback()
        return 0, errors
    savepoint.commit()
    return count, []
