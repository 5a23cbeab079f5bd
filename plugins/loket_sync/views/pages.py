"""The sync page: settings, what was sent, what waits, what failed and why, unmapped requests,
"send everything again" and the Excel export."""
from __future__ import annotations

from flask import Response, flash, jsonify, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import current_user

from core.context import current_context
from core.db import session
from core.errors import DomainError
from core.models import Role
from core.security import public, requires
from core.views.helpers import render_form
from core.views.listing import paginate

from ..forms import ConnectionForm
from ..services import connection, export, inbound, push, resync, sender, status
from .blueprint import SYNC_EDIT, SYNC_VIEW, bp

STATES = {"new": _l("Nog niet verbonden"), "ok": _l("Verbonden"), "auth_refused": _l("Aanmelding geweigerd"),
          "error": _l("Fout bij het loket")}
EVENT_STATUSES = {"pending": _l("wacht"), "sent": _l("verzonden"), "failed": _l("mislukt"),
                  "rejected": _l("geweigerd")}
EVENT_TYPES = {"vacancy.published": _l("vrije plaatsen gemeld"), "vacancy.changed": _l("vrije plaatsen gewijzigd"),
               "vacancy.withdrawn": _l("vrije plaatsen ingetrokken"), "placement.started": _l("plaatsing gestart"),
               "placement.ended": _l("plaatsing beëindigd"), "request.status": _l("stand van een aanvraag")}
OUTCOMES = {"accepted": _l("aanvaard"), "duplicate": _l("al ontvangen"), "stale": _l("verouderd")}


def _render(form: ConnectionForm):
    ctx = current_context()
    director = current_user.role == Role.DIRECTOR
    conn = connection.get(ctx)
    # the coordinator sees the state and the counts, not what was sent about whom
    events = paginate(session(), status.events_query(ctx, request.args.get("status"))) if director else None
    unmapped = list(session().scalars(status.unmapped_query(ctx).limit(50))) if director else []
    return render_form("loket_sync/index.html", form, conn=conn, summary=status.summary(ctx), events=events,
                       unmapped=unmapped, director=director, has_secret=connection.has_secret(ctx),
                       state_label=STATES.get(conn.state if conn else "new", STATES["new"]),
                       statuses=EVENT_STATUSES, filter_status=request.args.get("status", ""),
                       event_types=EVENT_TYPES, outcomes=OUTCOMES, unmapped_reason=inbound.reason_text)


@bp.route("/")
@requires(SYNC_VIEW)
def index():
    conn = connection.get(current_context())
    form = ConnectionForm(adapter=conn.adapter if conn else "http", base_url=conn.base_url if conn else "",
                          key_id=conn.key_id if conn else "", partner_id=conn.partner_id if conn else "")
    return _render(form)


@bp.route("/settings", methods=["POST"])
@requires(SYNC_EDIT)
def save_settings():
    form = ConnectionForm()
    if not form.validate_on_submit():
        return _render(form)
    try:
        connection.configure(current_context(), base_url=form.base_url.data or "", key_id=form.key_id.data or "",
                             secret=form.secret.data or "", adapter=form.adapter.data,
                             partner_id=form.partner_id.data or "", actor_id=current_user.id)
    except DomainError as exc:
        getattr(form, exc.field, form.base_url).errors.append(exc.message)
        return _render(form)
    flash(_("De verbinding met het loket is bewaard."), "success")
    return redirect(url_for("loket_sync.index"))


@bp.route("/resync", methods=["POST"])
@requires(SYNC_EDIT)
def resync_all():
    resync.request(current_context())
    flash(_("Alles wordt opnieuw naar het loket gestuurd."), "success")
    return redirect(url_for("loket_sync.index"))


@bp.route("/retry", methods=["POST"])
@requires(SYNC_EDIT)
def retry_failed():
    n = sender.retry_failed(current_context())
    flash(ngettext("%(num)s mislukte gebeurtenis opnieuw in de wachtrij.", "%(num)s mislukte gebeurtenissen opnieuw in de "
                   "wachtrij.", n), "success")
    return redirect(url_for("loket_sync.index"))


@bp.route("/export.xlsx")
@requires(SYNC_EDIT)
def export_xlsx():
    ctx = current_context()
    data = export.workbook_for(ctx)
    return Response(data, mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    headers={"Content-Disposition": f'attachment; filename="loket-{ctx.org.slug}.xlsx"'})




@bp.route("/push", methods=["POST"])
@public
def receive_push():
    """The loket's push of a changed request: no login, the RFC 9421 signature is the credential."""
    try:
        outcome = push.receive(current_context(), request.method, request.url, dict(request.headers),
                               request.get_data())
    except push.PushRefused as exc:
        return jsonify({"error": {"code": exc.code, "message": str(exc)}}), exc.status
    return jsonify({"outcome": outcome})
