"""Bezetting: occupancy per location and month for the next 12 months as a heatmap (one canvas
drawn from JSON, with the same figures as a table), the free places that can be offered (per location and day-part pattern, a row
for the months and age bands with the same number) with last-minute places in the coming weeks highlighted, and both as Excel."""
from __future__ import annotations

from flask import Response, render_template, request
from flask_babel import format_date
from flask_babel import gettext as _

from core.clock import clock
from core.context import current_context
from core.security import requires
from core.values import Period
from core.views.listing import page_of
from core.views.location_choice import chosen_locations

from .. import api
from .blueprint import (
    OCCUPANCY_VIEW,
    bp,
    parse_month,
    scoped_locations,
)
from .heatmap import HeatCell, heatmap_data, legend_svg

MONTHS = 12
ROWS_PER_PAGE = 50


def _places_text(value) -> str:
    return f"{value:g}".replace(".", ",")


def occupancy_data(locations, first: Period) -> tuple[list, list, list[Period]]:
    """(cells, vacancies, months) of the chosen locations: what both the page and the Excel read."""
    ctx = current_context()
    ids = [loc.id for loc in locations]
    cells = api.occupancy(ctx, start=first, months=MONTHS, location_ids=ids) if ids else []
    vacancies = api.free_places(ctx, start=first, months=MONTHS, location_ids=ids) if ids else []
    months: list[Period] = []
    period = first
    for _i in range(MONTHS):
        months.append(period)
        period = period.next()
    return cells, vacancies, months


def occupancy_view(locations, first: Period) -> dict:
    cells, vacancies, months = occupancy_data(locations, first)
    by_key = {(c.location_id, c.period): c for c in cells}
    last_minute_locs = {(v.location_id, v.period) for v in vacancies if v.last_minute}
    rows, grid = [], []
    month_labels = [format_date(m.first_day, "MMMM y") for m in months]  # once, not per location
    for loc in locations:
        row_cells = []
        for month, month_label in zip(months, month_labels, strict=True):
            cell = by_key.get((loc.id, month))
            if cell is None or not cell.available_day_parts:
                heat = HeatCell(None, "—", _("%(loc)s, %(month)s: geen plaatsen of geen open dagen",
                                             loc=loc.name, month=month_label))
            else:
                pct = round(100 * cell.rate)
                heat = HeatCell(cell.rate, f"{pct}%", _(
                    "%(loc)s, %(month)s: %(pct)s%% bezet (%(r)s van %(a)s dagdelen)", loc=loc.name, month=month_label,
                    pct=pct, r=cell.reserved_day_parts, a=cell.available_day_parts),
                    highlight=(loc.id, month) in last_minute_locs)
            row_cells.append(heat)
        grid.append(row_cells)
        rows.append({"name": loc.name, "cells": row_cells})
    names = {loc.id: loc.name for loc in locations}
    # one row per run of months and age bands with the same free places (api.free_places)
    vacancy_rows = [{"location": names.get(v.location_id, ""), "location_id": v.location_id,
                     "month": v.period.first_day, "until": v.until.first_day,
                     "start": max(v.period.first_day, clock.today()),
                     "age_band": api.age_bands_label(v.age_bands), "pattern": api.pattern_label(v.day_parts),
                     "places": v.free_places,
                     "places_text": _places_text(v.free_places), "last_minute": v.last_minute}
                    for v in vacancies]
    heatmap = heatmap_data([loc.name for loc in locations], [format_date(m.first_day, "MMM yy") for m in months],
                           grid, title=_("Bezetting per locatie en maand"),
                           description=_("Kleur: aandeel gereserveerde dagdelen ten opzichte van de vergunde "
                                         "plaatsen; omrand: last-minuteplaatsen."))
    return {"first_month": months[0].first_day, "last_month": months[-1].first_day,
            "months": [m.first_day for m in months], "rows": rows, "heatmap": heatmap, "legend": legend_svg(),
            "cells": cells, "vacancies": [v for v in vacancy_rows if not v.get("last_minute")],
            "last_minute": [v for v in vacancy_rows if v.get("last_minute")], "names": names}


def _selection():
    locations = scoped_locations(with_hours=False)
    choice, chosen = chosen_locations(locations)
    first = Period.of(parse_month(request.args.get("month"), clock.today()))
    return locations, choice, chosen, first


@bp.route("/occupancy")
@requires(OCCUPANCY_VIEW)
def occupancy():
    """Heatmap and free places of the chosen location (remembered) or of every location, the
    free places a page of rows at a time."""
    locations, choice, chosen, first = _selection()
    view = occupancy_view(chosen, first)
    return render_template("planning/occupancy.html", view=view, locations=locations, location_id=choice,
                           month=first.first_day.strftime("%Y-%m"),
                           vacancy_page=page_of(view["vacancies"], ROWS_PER_PAGE),
                           last_minute_page=page_of(view["last_minute"], ROWS_PER_PAGE, "lm_page"))


@bp.route("/occupancy.xlsx")
@requires(OCCUPANCY_VIEW)
def occupancy_xlsx():
    from ..services.exports import OccupancyRow, VacancyRow, occupancy_workbook

    _locations, _choice, chosen, first = _selection()
    cells, vacancies, _months = occupancy_data(chosen, first)  # no heatmap: only the rows
    names = {loc.id: loc.name for loc in chosen}
    places = {loc.id: loc.licensed_places for loc in chosen}
    occ = [OccupancyRow(names.get(c.location_id, ""), c.period.first_day, places.get(c.location_id),
                        c.reserved_day_parts, c.available_day_parts) for c in cells]
    vac = [VacancyRow(names.get(v.location_id, ""), v.period.first_day, v.until.first_day, api.age_bands_label(v.age_bands),
                      api.pattern_label(v.day_parts), v.free_places, v.last_minute)
           for v in sorted(vacancies, key=lambda v: not v.last_minute)]  # last-minute rows first
    data = occupancy_workbook(_("Bezetting vanaf %(m)s", m=format_date(first.first_day, "MMMM y")), occ, vac)
    return Response(data, mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", headers={
        "Content-Disposition": f'attachment; filename="bezetting-{first.year}-{first.month:02d}.xlsx"',
        "Cache-Control": "private, no-store"})

