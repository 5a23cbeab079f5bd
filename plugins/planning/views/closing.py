"""Sluitingsdagen: a yearly calendar per organisation or location with Belgian public holidays,
collective closures and bridge days to add and remove."""
from __future__ import annotations

import calendar
from datetime import date

from flask import abort, flash, g, redirect, render_template, request, url_for
from flask_babel import format_date
from flask_babel import gettext as _
from flask_login import current_user

from core.clock import clock
from core.context import current_context
from core.security import can, requires
from core.views.location_choice import pick_locations

from ..forms import ClosingDayForm
from ..services.closing_days import (
    add_closing_period,
    remove_closing_period,
    yearly_calendar,
)
from ..services.types import PlanningError
from .blueprint import CLOSING_EDIT, CLOSING_VIEW, bp, scoped_locations

WEEKDAY_ABBR = ("ma", "di", "wo", "do", "vr", "za", "zo")


def _kind_label(kind: str) -> str:
    return {"holiday": _("wettelijke feestdag"), "closure": _("collectieve sluiting"), "bridge": _("brugdag")}.get(
        kind, kind)


def _year_arg() -> int:
    year = request.args.get("year", type=int) or clock.today().year
    if not 2000 <= year <= 2100:
        abort(404)
    return year


def _months(year: int, days: dict, open_weekdays: set[int]) -> list[dict]:
    today = clock.today()
    months = []
    for month in range(1, 13):
        weeks = []
        for week in calendar.Calendar().monthdatescalendar(year, month):
            row = []
            for day in week:
                if day.month != month:
                    row.append(None)
                    continue
                closing = days.get(day)
                css = ("cal-holiday" if closing.kind == "holiday" else "cal-closed") if closing else (
                    "cal-weekend" if day.weekday() not in open_weekdays else "")
                if day == today:
                    css += " cal-today"
                row.append({"day": day, "css": css.strip(), "title": closing.reason if closing else ""})
            weeks.append(row)
        months.append({"label": format_date(date(year, month, 1), "MMMM y"), "weeks": weeks})
    return months


def _rows(entries, names: dict[int, str]) -> list[dict]:
    """The year's closing days as periods (a closure of several days is one row)."""
    rows: list[dict] = []
    for entry in entries:
        if entry.period_id and rows and rows[-1]["id"] == entry.period_id:
            rows[-1]["end"] = entry.day
            continue
        rows.append({"id": entry.period_id, "start": entry.day, "end": entry.day, "reason": entry.reason,
                     "kind": entry.kind, "kind_label": _kind_label(entry.kind),
                     "scope": names.get(entry.location_id, "") if entry.location_id else _("hele organisatie")})
    return rows


def _published(year: int) -> tuple[list[dict], str]:
    """Rows and a title for the published calendar of the organisation or one location."""
    locations = scoped_locations(with_hours=False)
    location_id = request.args.get("location", type=int)
    chosen = pick_locations(locations, location_id)
    rows = _rows(yearly_calendar(current_context(), year, location_id), {loc.id: loc.name for loc in locations})
    scope = chosen[0].name if location_id else g.org.name
    return rows, _("Sluitingsdagen %(year)s – %(scope)s", year=year, scope=scope)


@bp.route("/closing-days.pdf")
@requires(CLOSING_VIEW)
def closing_days_pdf():
    """The year's closing days as a printable annex to the huishoudelijk reglement."""
    from flask_babel import force_locale

    from core.i18n import document_language
    from core.pdf import pdf_response, render_pdf

    year = _year_arg()
    with force_locale(document_language(request.args.get("lang"))):  # ?lang=fr for French-speaking families
        rows, title = _published(year)
        data = render_pdf("planning/closing_days_pdf.html", {
            "title": title, "rows": rows, "organisation": g.org.name, "year": year,
            "printed": format_date(clock.today(), "d MMMM y")})
    return pdf_response(data, f"sluitingsdagen-{year}.pdf")


@bp.route("/closing-days.ics")
@requires(CLOSING_VIEW)
def closing_days_ics():
    """The year's closing days as an iCalendar file (all-day events) to publish for parents."""
    from flask import Response

    from ..services.exports import ClosingPeriodRow, closing_days_calendar

    year = _year_arg()
    rows, title = _published(year)
    data = closing_days_calendar(
        calendar_key=f"koepel-{g.org.slug}-closing-{request.args.get('location', type=int) or 'org'}",
        title=title, organisation_name=g.org.name, stamp=clock.now(),
        periods=[ClosingPeriodRow(r["start"], r["end"], r["reason"], r["kind_label"]) for r in rows])
    return Response(data, mimetype="text/calendar", headers={
        "Content-Disposition": f'attachment; filename="sluitingsdagen-{year}.ics"',
        "Cache-Control": "private, no-store"})


@bp.route("/closing-days", methods=["GET", "POST"])
@requires(CLOSING_VIEW)
def closing_days():
    from core.views.locations import location_picker

    year = _year_arg()
    locations = scoped_locations()
    location_id = request.args.get("location", type=int)
    chosen = pick_locations(locations, location_id)
    can_manage = can(current_user, CLOSING_EDIT)
    form = ClosingDayForm()
    location_picker(form.location_id, {location_id, request.form.get("location_id", type=int)},
                    empty=(0, _("Hele organisatie")))
    form.kind.choices = [("closure", _("collectieve sluiting")), ("bridge", _("brugdag"))]
    if request.method == "GET" and location_id:
        form.location_id.data = location_id
    status = 200
    if request.method == "POST":
        if not can_manage:
            abort(403)
        if form.validate():
            try:
                add_closing_period(current_context(), start_date=form.start_date.data, end_date=form.end_date.data,
                                   reason=form.reason.data, location_id=form.location_id.data or None,
                                   kind=form.kind.data)
            except PlanningError as exc:
                getattr(form, exc.field if exc.field in form else "start_date").errors.append(exc.message)
            else:
                flash(_("Sluiting toegevoegd."), "success")
                return redirect(url_for("planning.closing_days", year=form.start_date.data.year,
                                        location=location_id or None))
        status = 422
    entries = yearly_calendar(current_context(), year, location_id)
    rows = _rows(entries, {loc.id: loc.name for loc in locations})
    open_weekdays = {oh.weekday for loc in chosen for oh in loc.opening_hours} or set(range(5))
    return render_template(
        "planning/closing_days.html", year=year, locations=locations, location_id=location_id, rows=rows,
        calendar=_months(year, {e.day: e for e in entries}, open_weekdays), weekday_abbr=WEEKDAY_ABBR,
        form=form, can_manage=can_manage,
    ), status


@bp.route("/closing-days/<int:closing_day_id>/delete", methods=["POST"])
@requires(CLOSING_EDIT)
def delete_closing_day(closing_day_id: int):
    from ..forms import DeleteForm

    if not DeleteForm().validate_on_submit():
        abort(400)
    try:
        remove_closing_period(current_context(), closing_day_id)
    except PlanningError:
        abort(404)
    flash(_("Sluiting verwijderd."), "success")
    return redirect(url_for("planning.closing_days", year=request.args.get("year", type=int)))
