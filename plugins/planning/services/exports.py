"""Files people expect: the month's day planning and the occupancy as Excel (openpyxl), a child's
reserved days as iCalendar (icalendar). Plain data in, bytes out; the views gather the data
through the planning services, so these functions never touch the database."""
from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from core.clock import BRUSSELS

HEADER_FONT = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="DDE6EE")
WARN_FILL = PatternFill("solid", fgColor="F8D7DA")


@dataclass(frozen=True)
class PlanningRow:
    """One expected child on one day (a line of the month's day planning)."""

    day: date
    location: str
    group: str
    child: str
    age_months: int | None
    day_part: str
    start: time | None
    end: time | None


@dataclass(frozen=True)
class DaySummary:
    """Per day and location: expected children, places and staff needed at the peak."""

    day: date
    location: str
    expected: int
    places: int | None
    peak: int
    staff_needed: int
    warning: str = ""


@dataclass(frozen=True)
class OccupancyRow:
    """Reserved versus available day parts (licensed places x 2 x open days) in one month."""

    location: str
    month: date  # first day of the month
    places: int | None
    reserved_day_parts: int
    available_day_parts: int


@dataclass(frozen=True)
class VacancyRow:
    """Free places the same from ``month`` through ``until`` for the age bands in ``age_band``."""

    location: str
    month: date
    until: date
    age_band: str
    pattern: str
    places: float
    last_minute: bool


@dataclass(frozen=True)
class ReservedDay:
    """One reserved care day (or part of it) for the parent's calendar."""

    day: date
    start: time | None
    end: time | None
    label: str


@dataclass(frozen=True)
class ClosingPeriodRow:
    """A closing day or period of the published yearly calendar (first and last day inclusive)."""

    start: date
    end: date
    reason: str
    kind_label: str


def _sheet(wb: Workbook, title: str, headers: Sequence[str], rows: Sequence[Sequence], widths: Sequence[int],
           first: bool = False):
    ws = wb.active if first else wb.create_sheet()
    ws.title = title
    ws.append(list(headers))
    for cell in ws[1]:
        cell.font, cell.fill = HEADER_FONT, HEADER_FILL
        cell.alignment = Alignment(vertical="top", wrap_text=True)
    for row in rows:
        ws.append(list(row))
    for i, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(i)].width = width
    ws.freeze_panes = "A2"
    if rows:
        ws.auto_filter.ref = f"A1:{get_column_letter(len(headers))}{len(rows) + 1}"
    return ws


def _stream_sheet(wb: Workbook, title: str, headers: Sequence[str], rows: Sequence[Sequence],
                  widths: Sequence[int], formats: dict[int, str]) -> None:
    """A sheet of a write-only workbook: rows are written as they come, no cell objects are kept
    (the cost per row of a long export is a fraction of ``_sheet``'s). ``formats``: number format
    per column index."""
    from openpyxl.cell import WriteOnlyCell

    ws = wb.create_sheet(title)
    for i, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(i)].width = width
    ws.freeze_panes = "A2"
    if rows:
        ws.auto_filter.ref = f"A1:{get_column_letter(len(headers))}{len(rows) + 1}"
    header = []
    for text in headers:
        cell = WriteOnlyCell(ws, value=text)
        cell.font, cell.fill = HEADER_FONT, HEADER_FILL
        cell.alignment = Alignment(vertical="top", wrap_text=True)
        header.append(cell)
    ws.append(header)
    styled = sorted(formats.items())
    for row in rows:
        values = list(row)
        for i, number_format in styled:
            cell = WriteOnlyCell(ws, value=values[i])
            cell.number_format = number_format
            values[i] = cell
        ws.append(values)


def _save(wb: Workbook) -> bytes:
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def _fmt_time(value: time | None) -> str:
    return value.strftime("%H:%M") if value else ""


def billable_workbook(title: str, rows) -> bytes:
    """Billable days per child (``plugins.planning.services.billable.BillableRow``), one sheet."""
    from flask_babel import gettext as _

    wb = Workbook()
    headers = [_("Kind"), _("Locatie"), _("Volle dagen gereserveerd"), _("Halve dagen gereserveerd"),
               _("Respijtdagen opgenomen"), _("Aan te rekenen volle dagen"), _("Aan te rekenen halve dagen")]
    data = [(r.child_name, r.location, r.full_days, r.half_days, float(r.respite_days), r.billable_full,
             r.billable_half) for r in rows]
    ws = _sheet(wb, _("Aan te rekenen dagen"), headers, data, [30, 30, 14, 14, 14, 14, 14], first=True)
    ws.insert_rows(1)
    ws["A1"] = title
    ws["A1"].font = HEADER_FONT
    ws.freeze_panes = "A3"
    if data:
        ws.auto_filter.ref = f"A2:{get_column_letter(len(headers))}{len(data) + 2}"
    return _save(wb)


def day_planning_workbook(title: str, rows: Sequence[PlanningRow], summaries: Sequence[DaySummary]) -> bytes:
    """Two sheets: every expected child per day, and the day totals per location with warnings."""
    wb = Workbook()
    _sheet(wb, "Dagplanning",
           ["Datum", "Locatie", "Leefgroep", "Kind", "Leeftijd (maanden)", "Dagdeel", "Van", "Tot"],
           [(r.day, r.location, r.group, r.child, r.age_months, r.day_part, _fmt_time(r.start), _fmt_time(r.end))
            for r in rows], [12, 24, 16, 28, 12, 16, 8, 8], first=True)
    ws = _sheet(wb, "Overzicht per dag",
                ["Datum", "Locatie", "Verwacht", "Plaatsen", "Piek tegelijk", "Begeleiders nodig", "Waarschuwing"],
                [(s.day, s.location, s.expected, s.places, s.peak, s.staff_needed, s.warning) for s in summaries],
                [12, 24, 10, 10, 12, 16, 50])
    for row in ws.iter_rows(min_row=2):
        if row[6].value:
            for cell in row:
                cell.fill = WARN_FILL
    for sheet in wb.worksheets:
        for cell in sheet["A"][1:]:
            cell.number_format = "DD/MM/YYYY"
    wb.properties.title = title
    return _save(wb)


def occupancy_workbook(title: str, occupancy: Sequence[OccupancyRow], vacancies: Sequence[VacancyRow]) -> bytes:
    """Occupancy per location and month, and the free places that can be offered (streamed: a
    year of free places of every location is thousands of rows)."""
    wb = Workbook(write_only=True)
    month = {1: "MM/YYYY"}
    months = {1: "MM/YYYY", 2: "MM/YYYY"}
    _stream_sheet(wb, "Bezetting", ["Locatie", "Maand", "Plaatsen", "Dagdelen gereserveerd", "Dagdelen beschikbaar",
                                    "Bezetting %"],
                  [(o.location, o.month, o.places, o.reserved_day_parts, o.available_day_parts,
                    round(100 * o.reserved_day_parts / o.available_day_parts, 1) if o.available_day_parts else None)
                   for o in occupancy], [24, 12, 10, 14, 14, 12], month)
    _stream_sheet(wb, "Vrije plaatsen", ["Locatie", "Van maand", "Tot en met", "Leeftijd", "Patroon", "Plaatsen",
                                         "Last minute"],
                  [(v.location, v.month, v.until, v.age_band, v.pattern, round(v.places, 2),
                    "ja" if v.last_minute else "") for v in vacancies], [24, 12, 12, 24, 24, 10, 12], months)
    wb.properties.title = title
    return _save(wb)


def reserved_days_calendar(*, child_key: str, child_name: str, location_name: str, location_address: str,
                           organisation_name: str, days: Sequence[ReservedDay], stamp: datetime) -> bytes:
    """An iCalendar file with one event per reserved day (timed when hours are known, all-day
    otherwise). UIDs are stable per child and day, so a re-sent file updates the parent's calendar
    instead of doubling it."""
    from datetime import timedelta

    from icalendar import Calendar, Event

    cal = Calendar()
    cal.add("prodid", "-//Koepel//planning//NL")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", f"Opvang {child_name}")
    cal.add("x-wr-timezone", "Europe/Brussels")
    for item in days:
        event = Event()
        event.add("uid", f"{child_key}-{item.day.isoformat()}@koepel")
        event.add("dtstamp", stamp)
        event.add("summary", f"Opvang {child_name} ({item.label})" if item.label else f"Opvang {child_name}")
        if item.start and item.end:
            event.add("dtstart", datetime.combine(item.day, item.start, tzinfo=BRUSSELS))
            event.add("dtend", datetime.combine(item.day, item.end, tzinfo=BRUSSELS))
        else:
            event.add("dtstart", item.day)
            event.add("dtend", item.day + timedelta(days=1))
        event.add("location", ", ".join(p for p in (location_name, location_address) if p))
        event.add("description", f"{organisation_name}: gereserveerde opvangdag volgens het opvangplan.")
        event.add("transp", "TRANSPARENT")
        cal.add_component(event)
    if hasattr(cal, "add_missing_timezones"):
        cal.add_missing_timezones()
    return cal.to_ical()


def closing_days_calendar(*, calendar_key: str, title: str, organisation_name: str,
                          periods: Sequence[ClosingPeriodRow], stamp: datetime) -> bytes:
    """The yearly closing days as all-day events (one per period), with UIDs stable per period
    start, so a re-published file updates the parents' calendars."""
    from datetime import timedelta

    from icalendar import Calendar, Event

    cal = Calendar()
    cal.add("prodid", "-//Koepel//planning//NL")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", title)
    for period in periods:
        event = Event()
        event.add("uid", f"{calendar_key}-{period.start.isoformat()}@koepel")
        event.add("dtstamp", stamp)
        event.add("summary", f"Gesloten: {period.reason}")
        event.add("dtstart", period.start)
        event.add("dtend", period.end + timedelta(days=1))
        event.add("description", f"{organisation_name}: {period.kind_label}.")
        event.add("transp", "TRANSPARENT")
        cal.add_component(event)
    return cal.to_ical()
