"""The dashboard card: the expected children of today (or the next open day) against the places
per location, fullest first, and the next closing day. A fixed number of queries whatever the
number of locations or children."""
from __future__ import annotations

from datetime import timedelta

from flask import render_template
from flask_babel import format_date
from flask_babel import gettext as _
from sqlalchemy import select

from core.context import context_for
from core.db import session
from core.models import CareType, Location
from core.security import location_scope

from ..api import effective_capacity
from ..services.bulk_plans import load_location_plans
from ..services.capacity import rule_horizon, rule_warnings
from ..services.closing_days import calendar_of, closing_periods, next_closing_day
from ..services.peaks import children_on
from ..services.reservations import opening_hours
from ..services.settings import day_part_split

SHOWN = 8


def today_widget(org, user) -> tuple[str, str]:
    """(title, html) of the card."""
    from .day import NEXT_OPEN_DAYS, planning_day

    sess = session()
    ctx = context_for(sess, org)
    today = ctx.today()
    # only the columns the card shows or counts with, and the opening hours as plain tuples
    stmt = select(Location.id, Location.name, Location.care_type, Location.licensed_places).where(
        Location.organisation_id == org.id).order_by(Location.name)
    scope = location_scope(user)
    if scope is not None:
        stmt = stmt.where(Location.id.in_(scope))
    locations = sess.execute(stmt).all()
    ids = [loc.id for loc in locations]
    hours = opening_hours(ctx, ids)
    # today's expected children and the homes' plans for the rule warnings come from one load of
    # the plans, so the card costs the same statements with or without family daycare homes
    horizon = rule_horizon(ctx, today, int(ctx.setting("planning.rule_warning_months")))
    # one query for the closing periods of the next year (and of the horizon); the calendar only
    # for the days the card looks at: the three weeks in which "today" falls and the horizon
    year = today + timedelta(days=366)
    periods = closing_periods(ctx, ids, today, max(year, horizon.last if horizon else today))
    holidays_closed = bool(ctx.setting("planning.public_holidays_closed")) if ids else False
    closed = calendar_of(periods, holidays_closed, ids, today,
                         max(today + timedelta(days=NEXT_OPEN_DAYS), horizon.last if horizon else today))
    day = planning_day(hours, today, closed)
    first, last = (min(day, horizon.first), max(day, horizon.last)) if horizon else (day, day)
    plans = load_location_plans(sess, org, first, last, ids) if ids else []
    children = children_on(plans, day, hours, closed)
    homes = [loc for loc in locations if loc.care_type == CareType.GEZINSOPVANG]
    warnings = rule_warnings(horizon, homes, plans, hours, closed, day_part_split(ctx)) if horizon and homes else []
    forced = str(ctx.setting("planning.ratio_rule_set") or "auto")
    rows = [{"id": loc.id, "name": loc.name, "places": effective_capacity(loc, day, forced),
             "expected": len(children.get(loc.id, ())),
             "closed": day in closed.get(loc.id, {}) or day.weekday() not in hours[loc.id]}
            for loc in locations]
    rows.sort(key=lambda r: (-(r["expected"] / r["places"]) if r["places"] else 0, r["name"]))
    title = _("Vandaag verwacht") if day == today else _("Verwacht op %(day)s", day=format_date(day, "EEEE d MMMM"))
    html = render_template(
        "planning/widget_today.html", rows=rows[:SHOWN], more=max(0, len(rows) - SHOWN), day=day,
        total=sum(r["expected"] for r in rows), places=sum(r["places"] or 0 for r in rows),
        over=sum(1 for r in rows if r["places"] is not None and r["expected"] > r["places"]),
        next_closing=next_closing_day(periods, holidays_closed, ids, today, year), rule_warnings=_per_home(warnings))
    return title, html


def _per_home(warnings) -> list[dict]:
    """Per home (family daycare location) in the user's scope: the days on which today's plans
    break a capacity rule that starts within the next months."""
    per: dict[int, dict] = {}
    for w in warnings:
        row = per.setdefault(w.location_id, {"name": w.location_name, "rule": w.rule_label, "limit": w.limit,
                                              "starts": w.starts, "days": [], "children": 0})
        row["days"].append(w.day)
        row["children"] = max(row["children"], w.children)
    return list(per.values())
