"""The dashboard card: today's expected children against the places per location, and the next
closing day. A fixed number of queries whatever the number of locations or children."""
from __future__ import annotations

from datetime import timedelta

from flask import render_template
from sqlalchemy import select

from core.clock import clock
from core.db import session
from core.models import Location
from core.security import location_scope
from plugins.planning.services.closing_days import closing_calendar
from plugins.planning.services.reservations import reserved_days


def today_widget(org, user) -> str:
    sess = session()
    today = clock.today()
    stmt = select(Location.id, Location.name, Location.licensed_places).where(
        Location.organisation_id == org.id).order_by(Location.name)
    scope = location_scope(user)
    if scope is not None:
        stmt = stmt.where(Location.id.in_(scope))
    locations = sess.execute(stmt).all()
    ids = [loc.id for loc in locations]
    children: dict[int, set[int]] = {i: set() for i in ids}
    for row in reserved_days(sess, org, start=today, end=today, location_ids=ids) if ids else []:
        children[row.location_id].add(row.child_id)
    closed = closing_calendar(sess, org, ids, today, today + timedelta(days=366)) if ids else {}
    upcoming = sorted({(day, c.reason) for per in closed.values() for day, c in per.items()})
    rows = [{"id": loc.id, "name": loc.name, "places": loc.licensed_places, "expected": len(children[loc.id]),
             "closed_today": today in closed.get(loc.id, {})} for loc in locations]
    return render_template("planning/widget_today.html", rows=rows[:12], more=max(0, len(rows) - 12),
                           next_closing=upcoming[0] if upcoming else None, today=today)
