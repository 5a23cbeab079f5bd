"""The preferred locations of a request (choice 1 to 5) on the staff and the public form: a small
organisation lists its locations; a large one lists only the chosen ones and each choice is a
search-as-you-type picker. Staff search with core's ``locations.search``; the parent's form, which
has no login, with ``wachtlijst.public_locations``, which gives only what a parent may see of the
organisation's locations: name, municipality, postcode and care type (no street of an
onthaalouder's home, no caregiver's name)."""
from __future__ import annotations

from flask import abort, current_app, g, jsonify, request, url_for
from flask_babel import force_locale
from sqlalchemy import func, or_, select

from core.context import current_context
from core.db import session
from core.models import Location
from core.security import public
from core.views.listing import LIKE_ESCAPE, escape_like
from core.views.locations import PICKER_FROM, SEARCH_LIMIT, location_detail

from ..services.intake import MAX_PREFERENCES
from ..services.texts import t, valid_language
from .blueprint import bp


def _labelled(locations, lang: str) -> list[tuple[int, str]]:
    with force_locale(lang):
        return [(loc.id, f"{loc.name} ({detail})" if (detail := location_detail(loc)) else loc.name)
                for loc in locations]


def request_locations(lang: str, search_endpoint: str) -> tuple[list[tuple[int, str]], str | None]:
    """(choices, search url or None) for ``RequestForm.setup``: every location of the organisation,
    or, above ``PICKER_FROM``, the posted choices only and the picker's search url."""
    stmt = select(Location).where(Location.organisation_id == g.org.id).order_by(Location.name, Location.id)
    if session().scalar(select(func.count()).select_from(stmt.subquery())) <= PICKER_FROM:
        return _labelled(session().scalars(stmt), lang), None
    posted = {int(v) for i in range(1, MAX_PREFERENCES + 1) if (v := request.form.get(f"choice_{i}", "")).isdigit()}
    chosen = session().scalars(stmt.where(Location.id.in_(posted))).all() if posted else []
    return _labelled(chosen, lang), url_for(search_endpoint)


@bp.route("/aanvraag/locaties.json")
@public
def public_locations():
    """Search-as-you-type of the public form: up to 20 of the organisation's locations whose name,
    municipality or postcode contains ``q`` (2 to 100 characters), with their public details in
    ``lang``. Throttled per address like the form, with room for typing."""
    from core.throttle import hit

    lang = valid_language(request.args.get("lang") or request.accept_languages.best_match(["nl", "fr", "en"]))
    limit = int(current_app.config.get("WACHTLIJST_PUBLIC_RATE", 30)) * 5
    if not hit(session(), "wachtlijst-search", request.remote_addr or "-", limit=limit, seconds=60):
        return jsonify(error=t("throttled", lang)), 429
    if not current_context().setting("wachtlijst.public_form"):
        abort(404)
    q = (request.args.get("q") or "").strip()
    if len(q) < 2 or len(q) > 100:
        return jsonify(error=t("location_search", lang)), 400
    pattern = f"%{escape_like(q.lower())}%"
    rows = session().execute(
        select(Location.id, Location.name, Location.municipality, Location.postcode, Location.care_type)
        .where(Location.organisation_id == g.org.id,
               or_(*(func.lower(col).like(pattern, escape=LIKE_ESCAPE)
                     for col in (Location.name, Location.municipality, Location.postcode))))
        .order_by(Location.name, Location.id).limit(SEARCH_LIMIT)).all()
    with force_locale(lang):
        results = [{"id": r.id, "name": r.name, "detail": location_detail(r)} for r in rows]
    return jsonify(results=results)
