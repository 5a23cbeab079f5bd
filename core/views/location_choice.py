"""The location a page shows: chosen with ``?location=``, remembered, one by default.

Pages that compute something per location (occupancy, day planning, the waiting list's free
places) open on one location, not on all of them: a partner with 31 family daycare homes would
otherwise get 31 locations computed and rendered on every visit. ``?location=all`` asks for every
location; without an argument the page shows the location chosen last, else the first one.

One memory for every module, per organisation: the occupancy page, the day planning and the
waiting list's free places are views of the same location's places, so a director who looked at
one location in planning finds it chosen in the waiting list too; a koepel coordinator who visits
several partners keeps a choice per partner. The memory lives in the signed session cookie (a few
bytes per organisation), and only an explicit choice that proved valid is written to it.
"""
from __future__ import annotations

from collections.abc import Sequence
from typing import TypeVar

from flask import abort, g, request
from flask import session as browser_session
from flask_babel import gettext as _

#: The ``location`` argument that asks for every location.
ALL_LOCATIONS = "all"
#: Session key of the remembered choices: {organisation id (text): location id or "all"}.
MEMORY_KEY = "location_choice"

L = TypeVar("L")  # a Location, or a row with an ``id`` (e.g. ``select(Location.id, Location.name)``)


def pick_locations(locations: Sequence[L], location_id: int | None) -> list[L]:
    """Narrow to one location when asked; an id outside ``locations`` (another organisation's,
    outside a caregiver's scope, or unknown) is a 404."""
    if not location_id:
        return list(locations)
    chosen = [loc for loc in locations if loc.id == location_id]
    if not chosen:
        abort(404)
    return chosen


def remembered_location() -> int | str | None:
    """The choice remembered for the request's organisation (not yet checked against anything)."""
    memory = browser_session.get(MEMORY_KEY)
    return memory.get(str(g.org.id)) if isinstance(memory, dict) else None


def remember_location(choice: int | str) -> None:
    memory = browser_session.get(MEMORY_KEY)
    memory = dict(memory) if isinstance(memory, dict) else {}
    memory[str(g.org.id)] = choice
    browser_session[MEMORY_KEY] = memory  # a new dict: the session sees the change


def chosen_locations(locations: Sequence[L]) -> tuple[int | str | None, list[L]]:
    """(choice, locations to show) among ``locations`` (the user's, in display order):
    ``?location=<id>`` (404 when not one of them or not a number), ``?location=all``, or the
    remembered choice, else the first location. An explicit choice is remembered."""
    raw = (request.args.get("location") or "").strip()
    if raw == ALL_LOCATIONS:
        choice: int | str | None = ALL_LOCATIONS
    elif raw:
        if not raw.isdigit():
            abort(404, description=_("Onbekende locatie: %(value)s", value=raw[:20]))
        choice = int(raw)
    else:
        choice = remembered_location()
        if choice != ALL_LOCATIONS and choice not in {loc.id for loc in locations}:
            choice = locations[0].id if locations else None
    if choice == ALL_LOCATIONS or choice is None:
        chosen = list(locations)
    else:
        chosen = [loc for loc in locations if loc.id == choice]
        if not chosen:  # another organisation's, outside the user's scope, unknown, or 0
            abort(404)
    if raw:  # remembered only once it proved to be one of the user's locations
        remember_location(choice)
    return choice, chosen
