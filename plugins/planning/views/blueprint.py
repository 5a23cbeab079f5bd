"""The planning module's screens: blueprint, actions and the helpers every planning view shares.

The routes live in ``views_plans`` (care plans on the child's file), ``views_day`` (day
planning, its PDF and the month's Excel), ``views_occupancy`` (heatmap and vacancies) and
``views_closing`` (closing days). Views only gather input and call the planning services;
domain rules stay in ``plugins.planning.services``.
"""
from __future__ import annotations

from datetime import date
from pathlib import Path

from flask import abort, g, redirect, send_from_directory, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from core.db import session
from core.models import Location, Role
from core.security import ALL_STAFF, ORG_STAFF, Action, TenantBlueprint, location_scope, requires

MANAGERS = frozenset({Role.COORDINATOR, Role.DIRECTOR})
READERS = frozenset({Role.COORDINATOR, Role.DIRECTOR, Role.FINANCE})

#: Day planning and the printed day list (children's names): the organisation's staff, caregivers
#: for their own locations; not the koepel coordinator, who sees partners, not children.
DAY_VIEW = Action("planning.day.view", ORG_STAFF, "Dagplanning bekijken en afdrukken")
#: Care plans on a child's file: read (not the koepel coordinator).
PLANS_VIEW = Action("planning.plans.view", frozenset({Role.DIRECTOR, Role.FINANCE, Role.CAREGIVER}), "Opvangplannen van een kind bekijken")
#: Care plans: create, new version, end, extra days (the organisation's director only).
PLANS_EDIT = Action("planning.plans.edit", frozenset({Role.DIRECTOR}), "Opvangplannen beheren")
#: Occupancy heatmap and free places (and their Excel export).
OCCUPANCY_VIEW = Action("planning.occupancy.view", READERS, "Bezetting en vrije plaatsen bekijken")
#: Month's day planning to Excel, a child's reserved days as iCalendar (names: not the coordinator).
EXPORT = Action("planning.export", frozenset({Role.DIRECTOR, Role.FINANCE}), "Planning exporteren")
#: Closing days: read (everyone) and manage (director, coordinator).
CLOSING_VIEW = Action("planning.closing.view", ALL_STAFF, "Sluitingsdagen bekijken")
#: The module's stylesheet and start page (no data): everyone who sees any planning page.
PAGES = Action("planning.pages", ALL_STAFF, "Opmaak en startpagina van de planning")
CLOSING_EDIT = Action("planning.closing.edit", MANAGERS, "Sluitingsdagen beheren")
#: Written agreements of a child (names, deposit): directors and finance read, directors make them.
AGREEMENTS_VIEW = Action("planning.agreements.view", frozenset({Role.DIRECTOR, Role.FINANCE}),
                         "Schriftelijke overeenkomsten bekijken")
AGREEMENTS_EDIT = Action("planning.agreements.edit", frozenset({Role.DIRECTOR}),
                         "Schriftelijke overeenkomsten opmaken en ondertekende exemplaren toevoegen")
#: House-rule versions (and the families a change to their detriment concerns): not the coordinator.
HOUSE_RULES_VIEW = Action("planning.house_rules.view", frozenset({Role.DIRECTOR, Role.FINANCE}),
                          "Huishoudelijk reglement bekijken")
HOUSE_RULES_EDIT = Action("planning.house_rules.edit", frozenset({Role.DIRECTOR}),
                          "Huishoudelijk reglement wijzigen")

bp = TenantBlueprint("planning", "plugins.planning", module="planning", url_prefix="/planning",
                     template_folder="templates")

STATIC_DIR = Path(__file__).resolve().parent.parent / "static"


def scoped_locations(with_hours: bool = True) -> list[Location]:
    """The organisation's locations the user may see (caregivers: their own), filtered in SQL."""
    stmt = select(Location).where(Location.organisation_id == g.org.id).order_by(Location.name, Location.id)
    scope = location_scope(current_user)
    if scope is not None:
        stmt = stmt.where(Location.id.in_(scope))
    if with_hours:
        stmt = stmt.options(selectinload(Location.opening_hours), selectinload(Location.living_groups))
    return list(session().scalars(stmt))


def parse_day(value: str | None, default: date) -> date:
    """A ``YYYY-MM-DD`` URL argument; anything else (2026-02-30, 'morgen') is a 404."""
    if not value:
        return default
    try:
        return date.fromisoformat(value)
    except ValueError:
        abort(404, description=_("Onbekende datum: %(value)s", value=value[:20]))


def parse_month(value: str | None, default: date) -> date:
    """A ``YYYY-MM`` URL argument as the first day of that month; otherwise a 404."""
    if not value:
        return default.replace(day=1)
    try:
        year, month = (int(p) for p in value.split("-"))
        return date(year, month, 1)
    except (ValueError, TypeError):
        abort(404, description=_("Onbekende maand: %(value)s", value=value[:20]))


@bp.route("/")
@requires(PAGES)
def index():
    # the koepel coordinator sees occupancy (figures), not the day planning (children's names)
    return redirect(url_for("planning.day" if current_user.role in DAY_VIEW.roles else "planning.occupancy"))


@bp.route("/planning.css")
@requires(PAGES)
def stylesheet():
    """The module's stylesheet (a view, so it passes the tenant and module gates like every page)."""
    response = send_from_directory(STATIC_DIR, "planning.css", mimetype="text/css", max_age=3600)
    return response


@bp.route("/heatmap.js")
@requires(PAGES)
def heatmap_script():
    """Draws the occupancy heatmap on its canvas (served like the stylesheet, through the gates)."""
    return send_from_directory(STATIC_DIR, "heatmap.js", mimetype="text/javascript", max_age=3600)
