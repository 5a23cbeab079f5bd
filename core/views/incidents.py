"""The register of complaints and crisis situations (core/incidents.py): list, add, follow up."""
from __future__ import annotations

from datetime import date

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_wtf import FlaskForm

from core.context import current_context
from core.db import session
from core.incidents import IncidentError, incidents, record_incident, update_follow_up
from core.models import IncidentKind, Role
from core.security import Action, TenantBlueprint, requires

bp = TenantBlueprint("incidents", __name__, url_prefix="/incidents")
INCIDENTS_MANAGE = Action("incidents.manage", frozenset({Role.COORDINATOR, Role.DIRECTOR}),
                          "Register van klachten en crisissituaties")


def _day(raw: str | None) -> date | None:
    try:
        return date.fromisoformat((raw or "").strip())
    except ValueError:
        return None


@bp.route("/", methods=["GET", "POST"])
@requires(INCIDENTS_MANAGE)
def index():
    """The register; a POST adds an entry (bad input: 422, nothing saved)."""
    ctx = current_context()
    form = FlaskForm()
    errors: dict[str, str] = {}
    if request.method == "POST":
        if not form.validate_on_submit():
            abort(400)
        try:
            record_incident(ctx, occurred_on=_day(request.form.get("occurred_on")),
                            kind=request.form.get("kind", ""), summary=request.form.get("summary", ""),
                            follow_up=request.form.get("follow_up", ""))
        except IncidentError as exc:
            session().rollback()
            errors[exc.field or "summary"] = exc.message
        else:
            flash(_("Bewaard."), "success")
            return redirect(url_for("incidents.index"))
    return render_template("core/incidents.html", entries=incidents(ctx), kinds=list(IncidentKind), form=form,
                           errors=errors, years=ctx.setting("core.complaint_retention_years")), 422 if errors else 200


@bp.route("/<int:entry_id>/follow-up", methods=["POST"])
@requires(INCIDENTS_MANAGE)
def follow_up(entry_id: int):
    """Record the follow-up of one entry."""
    ctx = current_context()
    if not FlaskForm().validate_on_submit():
        abort(400)
    try:
        update_follow_up(ctx, entry_id, request.form.get("follow_up", ""))
    except IncidentError as exc:
        session().rollback()
        if exc.field is None:
            abort(404)
        flash(exc.message, "error")
        return redirect(url_for("incidents.index"))
    flash(_("Bewaard."), "success")
    return redirect(url_for("incidents.index"))
