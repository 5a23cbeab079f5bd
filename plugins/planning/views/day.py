"""Dagplanning: who is expected when, per location and living group, per day part and per half
hour, with age in months, staff needed under the ratio rules and warnings; the printed day list
(PDF) and the month's day planning as Excel.

The page's query count is fixed per location and living group, never per child: the planning
services load plans in bulk and everything else is computed here from their plain results."""
from __future__ import annotations

from calendar import monthrange
from datetime import date, timedelta

from flask import Response, g, render_template, request
from flask_babel import format_date, ngettext
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from core.clock import clock
from core.context import current_context
from core.db import session
from core.models import CareType, Location
from core.pdf import pdf_response, render_pdf
from core.security import can, requires
from core.views.listing import page_of
from core.views.location_choice import chosen_locations

from .. import api
from ..models import CarePlan
from ..services.closing_days import closing_calendar
from ..services.profile import Presence, compute_profile
from ..services.queries import month_planning
from ..services.ratio import org_rule_set
from ..services.settings import rest_period
from .blueprint import (
    DAY_VIEW,
    EXPORT,
    bp,
    parse_day,
    parse_month,
    scoped_locations,
)
from .heatmap import ratio_curve_svg
from .plans import part_label

NO_GROUP = 0
LOCATIONS_PER_PAGE = 10
NEXT_OPEN_DAYS = 21  # how far ahead the day planning and the dashboard look for an open day


def next_open_day(hours: dict[int, dict], after: date, closed=None) -> date:
    """The first day after ``after`` on which one of the locations is open (``hours``: {location:
    {weekday: (opens, closes)}}; two queries, none when the caller passes its ``closed`` calendar
    covering the three weeks after ``after``)."""
    if closed is None:
        closed = closing_calendar(current_context(), list(hours), after, after + timedelta(days=NEXT_OPEN_DAYS))
    for offset in range(1, NEXT_OPEN_DAYS + 1):
        day = after + timedelta(days=offset)
        for loc, weekly in hours.items():
            if day.weekday() in weekly and day not in closed.get(loc, {}):
                return day
    return after + timedelta(days=1)


def planning_day(hours: dict[int, dict], today: date, closed=None) -> date:
    """The day the dashboard calls "today" and the day planning opens on: today when one of the
    locations (``hours``: {location: {weekday: (opens, closes)}}) is open, else the next open day
    (one rule for both screens)."""
    return next_open_day(hours, today - timedelta(days=1), closed) if hours else today


def weekly_hours(locations: list[Location]) -> dict[int, dict]:
    """{location: {weekday: (opens, closes)}} of locations loaded with their opening hours."""
    return {loc.id: {oh.weekday: (oh.opens, oh.closes) for oh in loc.opening_hours} for loc in locations}


def _slot_label(slot) -> str:
    return f"{slot.start:%H:%M}"


def _covers(child_start, child_end, slot) -> bool:
    return child_start < slot.end and slot.start < child_end


def _merge_children(expected: list[api.ExpectedChild]) -> list[dict]:
    """One row per child (a child may have two blocks on one day, e.g. an extra afternoon)."""
    rows: dict[int, dict] = {}
    for e in expected:
        row = rows.get(e.child_id)
        label = part_label(e.day_part, e.start, e.end)
        if row is None:
            rows[e.child_id] = {"child_id": e.child_id, "name": f"{e.first_name} {e.last_name}",
                                "age_months": e.age_months, "group_id": e.living_group_id or NO_GROUP,
                                "plan_ids": {e.care_plan_id}, "note": "",
                                "blocks": [(e.start, e.end)], "parts": [label]}
        else:
            row["blocks"].append((e.start, e.end))
            row["parts"].append(label)
            row["plan_ids"].add(e.care_plan_id)
    for row in rows.values():
        row["start"] = min(b[0] for b in row["blocks"]).strftime("%H:%M")
        row["end"] = max(b[1] for b in row["blocks"]).strftime("%H:%M")
        row["day_part"] = ", ".join(row["parts"])
    return list(rows.values())


def _settling_in_until(plan_ids: set[int]) -> dict[int, date | None]:
    """Each plan's end of settling in (wennen): one query for all of them."""
    if not plan_ids:
        return {}
    return dict(session().execute(select(CarePlan.id, CarePlan.settling_in_until).where(
        CarePlan.organisation_id == g.org.id, CarePlan.id.in_(plan_ids))).all())


def _mark_settling_in(children: list[dict], day: date, until: dict[int, date | None]) -> None:
    for child in children:
        if any(until.get(pid) and day <= until[pid] for pid in child["plan_ids"]):
            child["note"] = _("wennen")


def location_day(location: Location, day: date, closed: dict, item=None, *, until=None, rules=None,
                 rest=None) -> dict:
    """Plain data for one location on one day, from its ``item`` of ``month_planning`` (the
    expected children and the half-hour profile; None: nobody expected)."""
    family = location.care_type == CareType.GEZINSOPVANG
    view = {"id": location.id, "name": location.name, "places": location.licensed_places, "closed": False,
            "closed_reason": "", "expected": 0, "peak": 0, "staff_peak": 0, "warnings": [], "groups": [],
            "slots": [], "counts": [], "staff": [], "curve": None}
    if day in closed:
        view.update(closed=True, closed_reason=closed[day].reason)
        return view
    hours = {oh.weekday: (oh.opens, oh.closes) for oh in location.opening_hours}
    if day.weekday() not in hours:
        view.update(closed=True, closed_reason=_("niet open op deze weekdag"))
        return view
    expected = item.children if item is not None else []
    children = _merge_children(expected)
    _mark_settling_in(children, day, until or {})
    profile = item.profile if item is not None else []
    view["expected"] = len(children)
    view["slots"] = [_slot_label(s) for s in profile]
    view["counts"] = [s.children for s in profile]
    view["staff"] = [s.staff_needed for s in profile]
    view["peak"] = max(view["counts"], default=0)
    view["staff_peak"] = max(view["staff"], default=0)
    for child in children:
        child["cells"] = [any(_covers(a, b, slot) for a, b in child["blocks"]) for slot in profile]
    places = location.licensed_places
    if places is not None and view["peak"] > places:
        over = [_slot_label(s) for s in profile if s.children > places]
        view["warnings"].append(ngettext("Capaciteit overschreden: %(peak)s kinderen tegelijk voor %(num)s plaats "
                                         "(om %(slots)s).", "Capaciteit overschreden: %(peak)s kinderen tegelijk voor "
                                         "%(num)s plaatsen (om %(slots)s).", places, peak=view["peak"],
                                         slots=", ".join(over[:8])))
    short = [s for s in profile if s.staff_planned is not None and s.staff_needed > s.staff_planned]
    if short:
        view["warnings"].append(_("Kindratio overschreden: meer begeleiders nodig dan gepland om %(slots)s.",
                                  slots=", ".join(_slot_label(s) for s in short[:8])))
    groups = {grp.id: grp for grp in location.living_groups}
    by_group: dict[int, list[dict]] = {}
    for child in sorted(children, key=lambda c: c["name"]):
        gid = child["group_id"] if child["group_id"] in groups else NO_GROUP
        by_group.setdefault(gid, []).append(child)
    opens, closes = hours[day.weekday()]
    for gid in [*groups, NO_GROUP]:
        members = by_group.get(gid, [])
        if gid == NO_GROUP and not members:
            continue
        group = groups.get(gid)
        entry = {"id": gid, "name": group.name if group else _("Zonder leefgroep"),
                 "capacity": group.capacity if group else None, "children": members, "warnings": []}
        if group is not None and members and not family:
            presences = [Presence(e.child_id, e.start, e.end, e.age_months, e.living_group_id)
                         for e in expected if e.living_group_id == gid]
            group_profile = compute_profile(presences, opens, closes, rules, rest=rest)
            peak = max((s.children for s in group_profile), default=0)
            limit = group.capacity or 18
            if peak > limit:
                entry["warnings"].append(_("Leefgroep %(name)s: %(peak)s kinderen tegelijk, maximum %(max)s.",
                                           name=group.name, peak=peak, max=limit))
            entry["staff_peak"] = max((s.staff_needed for s in group_profile), default=0)
        view["groups"].append(entry)
    if profile:
        view["curve"] = ratio_curve_svg(view["slots"], view["counts"], view["staff"], capacity=places,
                                        title=_("Kinderen en begeleiders per half uur in %(name)s",
                                                name=location.name))
    return view


def day_view(day: date, locations: list[Location]) -> dict:
    """Every location's day in one pass: the expected children and profiles of all of them with
    ``month_planning`` (a fixed number of queries however many locations are shown)."""
    ctx = current_context()
    closed = closing_calendar(ctx, [loc.id for loc in locations], day, day)
    open_locations = [loc for loc in locations if day not in closed.get(loc.id, {})
                      and any(oh.weekday == day.weekday() for oh in loc.opening_hours)]
    items = {item.location_id: item for item in month_planning(ctx, open_locations, day, day)}
    until = _settling_in_until({e.care_plan_id for item in items.values() for e in item.children})
    rules, rest = (org_rule_set(ctx, day), rest_period(ctx)) if items else (None, None)
    return {"day": day, "prev_day": day - timedelta(days=1), "next_day": day + timedelta(days=1),
            "today": clock.today(),
            "locations": [location_day(loc, day, closed.get(loc.id, {}), items.get(loc.id), until=until,
                                       rules=rules, rest=rest) for loc in locations]}


def _selection():
    locations = scoped_locations()
    choice, chosen = chosen_locations(locations)
    day = parse_day(request.args.get("date"), None) or planning_day(weekly_hours(chosen), clock.today())
    return locations, choice, chosen, day


@bp.route("/day")
@requires(DAY_VIEW)
def day():
    locations, choice, chosen, the_day = _selection()
    page = page_of(chosen, LOCATIONS_PER_PAGE)  # every location: a page of them at a time
    return render_template("planning/day.html", view=day_view(the_day, page.items), locations=locations,
                           location_id=choice, page=page, can_export=can(current_user, EXPORT))


@bp.route("/day.pdf")
@requires(DAY_VIEW)
def day_pdf():
    """The printable day list (A4 landscape), with empty columns for arrival and departure."""
    _locations, _location_id, chosen, the_day = _selection()
    view = day_view(the_day, chosen)
    plain = []
    for loc in view["locations"]:
        loc = {k: v for k, v in loc.items() if k != "curve"}
        plain.append(loc)
    data = render_pdf("planning/day_pdf.html", {
        "locations": plain, "day_label": format_date(the_day, "full"), "organisation": g.org.name})
    return pdf_response(data, f"daglijst-{the_day.isoformat()}.pdf")


@bp.route("/month.xlsx")
@requires(EXPORT)
def month_xlsx():
    """The month's day planning: every expected child per open day, and the day totals (bulk:
    a fixed number of queries for the whole month)."""
    from ..services.exports import DaySummary, PlanningRow, day_planning_workbook

    locations = scoped_locations()
    _choice, chosen = chosen_locations(locations)
    first = parse_month(request.args.get("month"), clock.today())
    last = first.replace(day=monthrange(first.year, first.month)[1])
    rows: list[PlanningRow] = []
    summaries: list[DaySummary] = []
    names = {loc.id: loc.name for loc in chosen}
    places = {loc.id: loc.licensed_places for loc in chosen}
    groups = {grp.id: grp.name for loc in chosen for grp in loc.living_groups}
    for item in month_planning(current_context(), chosen, first, last):
        children = _merge_children(item.children)
        for child in sorted(children, key=lambda c: c["name"]):
            rows.append(PlanningRow(item.day, names[item.location_id], groups.get(child["group_id"], ""),
                                    child["name"], child["age_months"], child["day_part"],
                                    min(b[0] for b in child["blocks"]), max(b[1] for b in child["blocks"])))
        peak = max((s.children for s in item.profile), default=0)
        limit = places[item.location_id]
        warning = ""
        if limit is not None and peak > limit:
            warning = ngettext("Capaciteit overschreden: %(peak)s kinderen tegelijk voor %(num)s plaats.",
                               "Capaciteit overschreden: %(peak)s kinderen tegelijk voor %(num)s plaatsen.", limit, peak=peak)
        summaries.append(DaySummary(item.day, names[item.location_id], len(children), limit, peak,
                                    max((s.staff_needed for s in item.profile), default=0), warning))
    title = _("Dagplanning %(month)s", month=format_date(first, "MMMM y"))
    data = day_planning_workbook(title, rows, summaries)
    return Response(data, mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", headers={
        "Content-Disposition": f'attachment; filename="dagplanning-{first:%Y-%m}.xlsx"',
        "Cache-Control": "private, no-store"})
