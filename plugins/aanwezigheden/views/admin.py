"""The director's (and caregivers' read-only) pages: overview, register (screen and PDF),
corrections, refused offline registrations, devices, PINs, child codes, absence notices and the
reports for Opgroeien."""
from __future__ import annotations

from datetime import date, datetime, timedelta

from flask import Response, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup
from sqlalchemy import func, select

from core import documents
from core.clock import BRUSSELS, clock
from core.context import current_context
from core.db import session
from core.models import Child, Location, PriceRegime, Role, User
from core.security import location_scope, requires
from core.values import Period
from core.views.helpers import get_or_404

from ..models import (
    EVENT_STATUS_LABELS,
    AbsenceKind,
    AttendanceEvent,
    ChildCode,
    Device,
    EventStatus,
    RejectedItem,
    ReportSubmission,
)
from ..services import AttendanceError, registrations, reports
from ..services import absences as absence_service
from ..services import devices as device_service
from ..services import kot as kot_client
from ..services.kindcodes import household_kindcodes, set_household_kindcode, valid_kindcode
from ..services.register import register_data
from ..services.settings import setting
from .blueprint import MANAGE, OWN_PIN, VIEW, bp


def _locations() -> list[Location]:
    stmt = select(Location).where(Location.organisation_id == g.org.id).order_by(Location.name)
    scope = location_scope(current_user)
    if scope is not None:
        stmt = stmt.where(Location.id.in_(scope))
    return list(session().scalars(stmt))


def _location(location_id: int) -> Location:
    for location in _locations():
        if location.id == location_id:
            return location
    abort(404)


def _period() -> Period:
    raw = request.args.get("month", "")
    try:
        year, month = (int(x) for x in raw.split("-"))
        return Period(year, month) if 1 <= month <= 12 and 2000 <= year <= 2100 else abort(400)
    except ValueError:
        if raw:
            abort(400)
        return Period.of(clock.today())


def _previous(period: Period) -> Period:
    first = period.first_day - timedelta(days=1)
    return Period(first.year, first.month)


@bp.route("/")
@requires(VIEW)
def index():
    period = _period()
    rejected = 0
    if current_user.role == Role.DIRECTOR:
        rejected = session().scalar(select(func.count()).select_from(AttendanceEvent).where(
            AttendanceEvent.organisation_id == g.org.id, AttendanceEvent.status == EventStatus.REJECTED))
        rejected += session().scalar(select(func.count()).select_from(RejectedItem).where(
            RejectedItem.organisation_id == g.org.id, RejectedItem.decision == ""))
    return render_template("aanwezigheden/index.html", locations=_locations(), period=period,
                           previous=_previous(period), rejected=rejected,
                           is_director=current_user.role == Role.DIRECTOR,
                           can_set_pin=current_user.role in OWN_PIN.roles,
                           free_price=g.org.price_regime == PriceRegime.VRIJE_PRIJS,
                           kot_waiting=kot_client.pending_jobs(session(), g.org) if current_user.role == Role.DIRECTOR else {},
                           kot_last=_last_kot(period) if current_user.role == Role.DIRECTOR else {})


def _last_kot(period: Period) -> dict[int, ReportSubmission]:
    """The latest KOT sending (not download) per location for the month shown."""
    key = f"{period.year}-{period.month:02d}"
    rows = session().scalars(select(ReportSubmission).where(
        ReportSubmission.organisation_id == g.org.id, ReportSubmission.period == key, ReportSubmission.kind == "kot")
        .order_by(ReportSubmission.at, ReportSubmission.id))
    return {row.location_id: row for row in rows}


@bp.route("/register/<int:location_id>")
@requires(VIEW)
def register(location_id: int):
    location = _location(location_id)
    period = _period()
    data = register_data(session(), g.org, location, period)
    return render_template("aanwezigheden/register.html", location=location, period=period, data=data,
                           is_director=current_user.role == Role.DIRECTOR)


@bp.route("/register/<int:location_id>.pdf")
@requires(VIEW)
def register_pdf(location_id: int):
    from core.pdf import pdf_response, render_pdf

    location = _location(location_id)
    period = _period()
    data = register_data(session(), g.org, location, period)
    pdf = render_pdf("aanwezigheden/register_pdf.html", {"data": data, "org_name": g.org.name})
    return pdf_response(pdf, f"aanwezigheidsregister-{location.name}-{period.year}-{period.month:02d}.pdf")


def _parse_local(day: date, value: str) -> datetime | None:
    try:
        hh, mm = (int(x) for x in value.split(":"))
        return datetime(day.year, day.month, day.day, hh, mm, tzinfo=BRUSSELS)
    except ValueError:
        return None


@bp.route("/register/<int:location_id>/day", methods=["GET", "POST"])
@requires(MANAGE)
def day(location_id: int):
    """One day of a location: every registration, corrections and additions with a reason."""
    location = _location(location_id)
    try:
        the_day = date.fromisoformat(request.values.get("date", ""))
    except ValueError:
        the_day = clock.today()
    errors: dict[str, str] = {}
    status = 200
    if request.method == "POST":
        action = request.form.get("action")
        at = _parse_local(the_day, request.form.get("time", ""))
        try:
            if action == "remove":
                registrations.remove(current_context(), request.form.get("event_id", type=int) or 0,
                                     reason=request.form.get("reason", ""), actor_id=current_user.id)
                flash(_("De registratie is verwijderd."), "success")
                return redirect(url_for(".day", location_id=location.id, date=the_day.isoformat()))
            if at is None:
                raise AttendanceError(_("Geef een tijdstip als UU:MM."), field="time")
            if action == "correct":
                registrations.correct(current_context(), request.form.get("event_id", type=int) or 0, new_at=at,
                                      reason=request.form.get("reason", ""), actor_id=current_user.id)
            elif action == "add":
                registrations.add_manual(current_context(), child_id=request.form.get("child_id", type=int) or 0,
                                         location_id=location.id, kind=request.form.get("kind", ""), at=at,
                                         reason=request.form.get("reason", ""), actor_id=current_user.id)
            else:
                abort(400)
            flash(_("De registratie is verbeterd."), "success")
            return redirect(url_for(".day", location_id=location.id, date=the_day.isoformat()))
        except AttendanceError as exc:
            errors[exc.field or "form"] = exc.message
            status = 422
    events = list(session().scalars(select(AttendanceEvent).where(
        AttendanceEvent.organisation_id == g.org.id, AttendanceEvent.location_id == location.id,
        AttendanceEvent.day == the_day).order_by(AttendanceEvent.at, AttendanceEvent.id)))
    names = {c.id: c.full_name for c in session().scalars(select(Child).where(
        Child.organisation_id == g.org.id,
        (Child.location_id == location.id) | Child.id.in_({e.child_id for e in events if e.child_id})))}
    return render_template("aanwezigheden/day.html", location=location, day=the_day, events=events, names=names,
                           status_labels=EVENT_STATUS_LABELS,
                           errors=errors, tz=BRUSSELS), status


@bp.route("/rejected", methods=["GET", "POST"])
@requires(MANAGE)
def rejected():
    """Offline registrations the server refused: nothing is lost, the director decides."""
    errors: dict[str, str] = {}
    status = 200
    if request.method == "POST":
        accept = request.form.get("decision") == "accept"
        reason = request.form.get("reason", "")
        try:
            if request.form.get("item_id"):
                absence_service.decide_rejected_item(current_context(), request.form.get("item_id", type=int) or 0,
                                                     accept=accept, reason=reason, actor_id=current_user.id)
            else:
                registrations.decide_rejected(current_context(), request.form.get("event_id", type=int) or 0,
                                              accept=accept, reason=reason, actor_id=current_user.id)
            flash(_("Beslissing bewaard."), "success")
            return redirect(url_for(".rejected"))
        except AttendanceError as exc:
            key = f"item-{request.form.get('item_id')}" if request.form.get("item_id") else str(request.form.get("event_id"))
            errors[key] = exc.message
            status = 422
    events = list(session().scalars(select(AttendanceEvent).where(
        AttendanceEvent.organisation_id == g.org.id, AttendanceEvent.status == EventStatus.REJECTED)
        .order_by(AttendanceEvent.at)))
    items = list(session().scalars(select(RejectedItem).where(
        RejectedItem.organisation_id == g.org.id, RejectedItem.decision == "").order_by(RejectedItem.received_at)))
    child_ids = {e.child_id for e in events if e.child_id} | {
        int(i.payload["child_id"]) for i in items if str(i.payload.get("child_id") or "").isdigit()}
    names = {c.id: c.full_name for c in session().scalars(select(Child).where(
        Child.organisation_id == g.org.id, Child.id.in_(child_ids)))}
    locations = {loc.id: loc.name for loc in _locations()}
    return render_template("aanwezigheden/rejected.html", events=events, items=items, names=names,
                           locations=locations, errors=errors, tz=BRUSSELS), status


@bp.route("/devices", methods=["GET", "POST"])
@requires(MANAGE)
def devices():
    """Pair this browser (the tablet) with a location, or revoke devices."""
    from .tablet import set_device_cookie

    errors: dict[str, str] = {}
    status = 200
    if request.method == "POST":
        try:
            location_id = request.form.get("location_id", type=int)
            location = next((loc for loc in _locations() if loc.id == location_id), None)
            if location is None:
                raise AttendanceError(_("Kies een locatie."), field="location_id")
            device, token = device_service.pair_device(current_context(), location, request.form.get("name", ""),
                                                       actor_id=current_user.id)
            response = redirect(url_for(".paired"))
            days = int(setting(current_context(), "device_valid_days"))
            return set_device_cookie(response, token, days)
        except AttendanceError as exc:
            errors[exc.field or "form"] = exc.message
            status = 422
    rows = list(session().scalars(select(Device).where(Device.organisation_id == g.org.id)
                                  .order_by(Device.revoked_at.is_not(None), Device.name)))
    from core.views.locations import PICKER_FROM

    locations = _locations()
    # dozens of homes: the field lists only the chosen one and the picker searches the others
    picker = len(locations) > PICKER_FROM
    chosen = request.form.get("location_id", type=int)
    return render_template("aanwezigheden/devices.html", devices=rows, locations=locations, picker=picker,
                           options=[loc for loc in locations if loc.id == chosen] if picker else locations,
                           chosen=chosen, names={loc.id: loc.name for loc in locations}, errors=errors,
                           now=clock.now()), status


@bp.route("/devices/<int:device_id>/revoke", methods=["POST"])
@requires(MANAGE)
def revoke(device_id: int):
    try:
        device_service.revoke_device(current_context(), device_id)
    except AttendanceError:
        abort(404)
    flash(_("De koppeling is ingetrokken."), "success")
    return redirect(url_for(".devices"))


@bp.route("/pin", methods=["GET", "POST"])
@requires(OWN_PIN)
def pin():
    errors: dict[str, str] = {}
    status = 200
    if request.method == "POST":
        first, second = request.form.get("pin", ""), request.form.get("pin_again", "")
        try:
            if first != second:
                raise AttendanceError(_("De twee pincodes verschillen."), field="pin_again")
            device_service.set_pin(current_context(), session().get(User, current_user.id), first)
            flash(_("Je pincode is ingesteld."), "success")
            return redirect(url_for(".index"))
        except AttendanceError as exc:
            errors[exc.field or "pin"] = exc.message
            status = 422
    return render_template("aanwezigheden/pin.html", errors=errors), status


@bp.route("/children/<int:child_id>/code", methods=["GET", "POST"])
@requires(MANAGE)
def child_code(child_id: int):
    """The child's kindcode (attest inkomenstarief), sex and school start, and own-child flag."""
    child = get_or_404(Child, child_id)
    row = session().scalar(select(ChildCode).where(ChildCode.child_id == child.id)) or ChildCode(
        organisation_id=g.org.id, child_id=child.id, own_child=False)
    errors: dict[str, str] = {}
    status = 200
    if request.method == "POST":
        code = request.form.get("kindcode", "").strip()
        sex = request.form.get("sex", "")
        school = request.form.get("school_start", "").strip()
        if code and not valid_kindcode(code):
            errors["kindcode"] = _("Een kindcode is 11 cijfers, bv. 130101-010-02.")
        household = {link.family_id: request.form.get(f"household_{link.family_id}", "").strip()
                     for link in child.family_links}
        for family_id, other in household.items():
            if other and not valid_kindcode(other):
                errors[f"household_{family_id}"] = _("Een kindcode is 11 cijfers, bv. 130101-010-02.")
        if sex not in ("", "M", "V"):
            errors["sex"] = _("Kies M of V.")
        school_date = None
        if school:
            try:
                school_date = date.fromisoformat(school)
            except ValueError:
                errors["school_start"] = _("Geef een datum als JJJJ-MM-DD.")
        if not errors:
            row.kindcode, row.sex, row.school_start = code or None, sex or None, school_date
            row.own_child = request.form.get("own_child") == "1"
            row.school_part_time = request.form.get("school_part_time") == "1"
            session().add(row)
            session().flush()
            if len(household) > 1:  # a kindcode per household only matters under co-parenting
                ctx = current_context()
                for family_id, other in household.items():
                    set_household_kindcode(ctx, child.id, family_id, other)
            flash(_("Bewaard."), "success")
            return redirect(url_for(".child_code", child_id=child.id))
        status = 422
    households = household_kindcodes(current_context(), child.id)
    return render_template("aanwezigheden/child_code.html", child=child, row=row, errors=errors,
                           households=households), status


@bp.route("/absences/new", methods=["GET", "POST"])
@requires(MANAGE)
def absence_notice():
    """A parent's absence notice entered ahead of time (or an absence entered afterwards)."""
    from core.views.children import child_options
    from core.views.locations import PICKER_FROM

    placed = select(Child.id).where(Child.organisation_id == g.org.id,
                                    Child.location_id.in_([loc.id for loc in _locations()]))
    posted = request.form.get("child_id", type=int) if request.method == "POST" else None
    # a small organisation lists its children; a large one lists only the chosen child and the
    # picker (core/picker.js) searches the others
    picker = session().scalar(select(func.count()).select_from(placed.subquery())) > PICKER_FROM
    ids = session().scalars(placed.where(Child.id == posted) if picker else placed).all() if posted or not picker else []
    children = child_options(ids)
    errors: dict[str, str] = {}
    status = 200
    if request.method == "POST":
        child = session().scalar(select(Child).where(Child.id.in_(placed), Child.id == posted)) if posted else None
        try:
            the_day = date.fromisoformat(request.form.get("day", ""))
        except ValueError:
            the_day = None
        try:
            if child is None:
                raise AttendanceError(_("Kies een kind."), field="child_id")
            if the_day is None:
                raise AttendanceError(_("Geef een datum als JJJJ-MM-DD."), field="day")
            absence_service.record_absence(
                current_context(), child_id=child.id, location_id=child.location_id, day=the_day,
                kind=request.form.get("kind", "auto"), reason=request.form.get("reason", ""),
                note=request.form.get("note", ""), in_advance=the_day >= clock.today(), actor_id=current_user.id)
            flash(_("De afwezigheid is bewaard."), "success")
            return redirect(url_for(".absence_notice"))
        except AttendanceError as exc:
            errors[exc.field or "form"] = exc.message
            status = 422
    return render_template("aanwezigheden/absence.html", children=children, picker=picker, chosen=posted,
                           errors=errors, kinds=list(AbsenceKind),
                           reasons=absence_service.justified_reasons(current_context())), status


def _record_download(location: Location, period: Period, kind: str) -> None:
    """A downloaded file for manual upload counts as handled for the dashboard reminder."""
    session().add(ReportSubmission(organisation_id=g.org.id, location_id=location.id, kind=kind, ok=True,
                                   period=f"{period.year}-{period.month:02d}", at=clock.now(),
                                   response=_("gedownload voor manuele opload"), sent_by_id=current_user.id))


@bp.route("/reports/<int:location_id>/fo-su-05.xml")
@requires(MANAGE)
def fo_su_05(location_id: int):
    location = _location(location_id)
    period = _period()
    try:
        xml = reports.fo_su_05_xml(current_context(), location, period)
    except AttendanceError as exc:
        flash(exc.message, "error")
        return redirect(url_for(".index", month=f"{period.year}-{period.month:02d}"))
    problems = reports.validate_fo_su_05(xml)
    if problems:  # never hand out a file Opgroeien would refuse
        flash(_("Het bestand voldoet niet aan het schema: %(p)s", p="; ".join(problems[:3])), "error")
        return redirect(url_for(".index", month=f"{period.year}-{period.month:02d}"))
    _record_download(location, period, "fo-su-05")
    name = f"FO-SU-05-{location.opgroeien_file_no}-{period.year}-{period.month:02d}.xml"
    document = documents.store(session(), g.org, xml,
                               filename=name, content_type="application/xml", kind="aanwezigheden.fo_su_05",
                               module="aanwezigheden", created_by_id=current_user.id, roles=MANAGE.roles)
    return documents.response(session(), document)


@bp.route("/reports/<int:location_id>/kot.json")
@requires(MANAGE)
def kot(location_id: int):
    import json

    location = _location(location_id)
    period = _period()
    try:
        body, problems = reports.kot_payload(current_context(), location, period)
    except AttendanceError as exc:
        flash(exc.message, "error")
        return redirect(url_for(".index"))
    for problem in problems:
        flash(problem, "error")
    _record_download(location, period, "kot-file")
    name = f"KOT-{location.opgroeien_file_no}-{period.year}-{period.month:02d}.json"
    return Response(json.dumps(body, ensure_ascii=False, indent=2), mimetype="application/json",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


@bp.route("/reports/<int:location_id>/kot/send", methods=["POST"])
@requires(MANAGE)
def kot_send(location_id: int):
    """Queue the sending (jobs outbox): the worker posts it and retries while the API is down."""
    location = _location(location_id)
    period = _period()
    month = f"{period.year}-{period.month:02d}"
    try:
        _job, new = kot_client.queue_send(session(), g.org, location, period, actor_id=current_user.id)
    except AttendanceError as exc:
        flash(exc.message, "error")
        return redirect(url_for(".index", month=month))
    if new:
        flash(_("De KOT-gegevens worden verstuurd. Lukt dat niet meteen, dan wordt het later opnieuw geprobeerd."),
              "success")
    else:
        flash(_("De KOT-gegevens van deze maand wachten al op verzending."), "warning")
    return redirect(url_for(".index", month=month))


@bp.route("/kot-api", methods=["GET", "POST"])
@requires(MANAGE)
def kot_api():
    """The KOT API token: write-only (stored encrypted, never shown again)."""
    from flask_wtf import FlaskForm

    form = FlaskForm()
    errors: dict[str, str] = {}
    if request.method == "POST" and form.validate_on_submit():
        remove = request.form.get("remove") == "on"
        token = request.form.get("token", "")
        try:
            if remove:
                kot_client.set_token(session(), g.org, None, actor_id=current_user.id)
                flash(_("De toegangssleutel is verwijderd."), "success")
                return redirect(url_for(".kot_api"))
            if token.strip():
                kot_client.set_token(session(), g.org, token, actor_id=current_user.id)
                flash(_("De toegangssleutel is versleuteld bewaard."), "success")
                return redirect(url_for(".kot_api"))
            errors["token"] = _("Vul een toegangssleutel in, of vink verwijderen aan.")
        except AttendanceError as exc:
            errors[exc.field or "token"] = exc.message
    info = kot_client.token_info(session(), g.org)
    set_by = session().get(User, info.set_by_id) if info is not None and info.set_by_id else None
    return render_template("aanwezigheden/kot_api.html", info=info, set_by=set_by, errors=errors, form=form,
                           url=setting(current_context(), "kot_api_url")), 422 if errors else 200


@bp.route("/tablet-koppelen")
@requires(MANAGE)
def paired():
    """After pairing: log out here and open the tablet page (no user session on a tablet)."""
    return render_template("aanwezigheden/paired.html")


def reminder_widget(org, user):
    """Dashboard card in the first week of a month: last month's reports are due by the 7th."""
    from core.plugins import DashboardWidget

    if user.role not in (Role.DIRECTOR, Role.COORDINATOR):
        return None
    today = clock.today()
    if today.day > 7:
        return None
    period = _previous(Period.of(today))
    key = f"{period.year}-{period.month:02d}"
    locations = list(session().scalars(select(Location).where(Location.organisation_id == org.id)
                                       .order_by(Location.name)))
    done = set(session().scalars(select(ReportSubmission.location_id).where(
        ReportSubmission.organisation_id == org.id, ReportSubmission.period == key, ReportSubmission.ok.is_(True))))
    todo = [loc for loc in locations if loc.id not in done]
    if not todo:
        return None
    what = _("KOT-gegevens") if org.price_regime == PriceRegime.VRIJE_PRIJS else _("FO-SU-05-rapport")
    items = "".join(f"<li>{Markup.escape(loc.name)}</li>" for loc in todo)
    link = url_for("aanwezigheden.index", org=org.slug, month=key)
    # the words outside the f-string, so that babel extracts them
    intro = _("%(what)s van %(month)s doorsturen aan Opgroeien vóór de 7de:", what=what, month=key)
    to_reports = _("Naar de rapporten")
    html = Markup(f"<p>{Markup.escape(intro)}</p>"
                  f"<ul>{items}</ul><p><a href=\"{link}\">{Markup.escape(to_reports)}</a></p>")
    return DashboardWidget(_("Rapporten aan Opgroeien"), html, weight=20, module="aanwezigheden")


def child_panel(org, child, user):
    """On the child's file: the Opgroeien kindcode and the own-child flag (directors may edit)."""
    from core.plugins import Panel

    row = session().scalar(select(ChildCode).where(ChildCode.organisation_id == org.id,
                                                   ChildCode.child_id == child.id))
    kindcode, own_child = _("Kindcode"), _("eigen kind van de onthaalouder")
    parts = [f"<p>{Markup.escape(kindcode)}: {Markup.escape(row.kindcode or '—') if row else '—'}</p>"]
    if row and row.own_child:
        parts.append(f"<p><span class=\"tag\">{Markup.escape(own_child)}</span></p>")
    if user.role == Role.DIRECTOR:
        link = url_for("aanwezigheden.child_code", org=org.slug, child_id=child.id)
        edit = _("Gegevens voor Opgroeien aanpassen")
        parts.append(f"<p><a href=\"{link}\">{Markup.escape(edit)}</a></p>")
    return Panel(_("Aanwezigheden"), Markup("".join(parts)), weight=50, module="aanwezigheden")
