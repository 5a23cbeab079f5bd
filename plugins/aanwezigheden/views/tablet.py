"""The tablet: a touch page per paired location, its JSON API and its service worker.

No user login here: the device cookie (a paired device session, SameSite=Strict, path limited to
the tablet) says which location, a personal PIN says who works. The API is exempt from the form
CSRF token (an offline queue may sync days later, after the token expired) and instead demands
the device cookie, a JSON body and the ``X-Koepel-Tablet`` header, which a cross-site form cannot
send. Errors are JSON with a 4xx status and a Dutch message.
"""
from __future__ import annotations

import dataclasses
from datetime import datetime, timedelta

from flask import (
    current_app,
    g,
    jsonify,
    make_response,
    render_template,
    request,
    send_from_directory,
    session,
)
from flask_babel import gettext as _
from sqlalchemy import select

from core.clock import BRUSSELS
from core.context import current_context
from core.db import row_id
from core.db import session as db_session
from core.models import Child, Location
from core.security import public

from ..models import (
    Absence,
    AttendanceEvent,
    ChildCode,
    Confirmation,
    EventStatus,
)
from ..services import AttendanceError, planning_adapter, registrations
from ..services import absences as absence_service
from ..services import devices as device_service
from ..services.settings import setting
from .blueprint import bp

COOKIE = "koepel_tablet"
UNLOCK_KEY = "aanwezigheden_unlock"
HEADER = "X-Koepel-Tablet"
ACTIVITY_RESOLUTION = timedelta(seconds=30)  # the inactivity lock counts minutes
STATIC = __import__("pathlib").Path(__file__).resolve().parent.parent / "static"


def tablet_path() -> str:
    return f"/o/{g.org.slug}/aanwezigheden/tablet/"


def set_device_cookie(response, token: str, days: int):
    response.set_cookie(COOKIE, token, max_age=days * 86400, path=tablet_path(), httponly=True, samesite="Strict",
                        secure=bool(current_app.config.get("SESSION_COOKIE_SECURE", True)))
    return response


def error_response(exc: AttendanceError):
    return jsonify(exc.as_json()), exc.status


def _device():
    return device_service.device_for_token(current_context(), request.cookies.get(COOKIE))


def _json_body() -> dict:
    if request.headers.get(HEADER) != "1":
        raise AttendanceError(_("Ongeldige aanvraag van de tablet."), code="bad_request", status=400)
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise AttendanceError(_("Ongeldige gegevens (JSON verwacht)."), code="bad_request", status=400)
    return data


def _unlocked_user(device) -> int:
    """The staff member who unlocked this device, if the inactivity lock has not struck."""
    info = session.get(UNLOCK_KEY) or {}
    minutes = int(setting(current_context(), "inactivity_lock_minutes"))
    try:
        last = datetime.fromisoformat(info.get("t", ""))
    except ValueError:
        last = None
    now = current_context().now()
    if info.get("d") != device.id or last is None or now - last > timedelta(minutes=minutes):
        session.pop(UNLOCK_KEY, None)
        raise AttendanceError(_("De tablet is vergrendeld. Geef je pincode in."), code="locked", status=401)
    if now - last >= ACTIVITY_RESOLUTION:  # not on every tap: each rewrite signs and sends a new cookie
        info["t"] = now.isoformat()
        session[UNLOCK_KEY] = info
    return int(info["u"])


def tablet_api(view):
    """Device-authenticated JSON endpoint: public for the login system, guarded by the device."""
    import functools

    @functools.wraps(view)
    def wrapper(*args, **kwargs):
        try:
            return view(*args, **kwargs)
        except AttendanceError as exc:
            if exc.code in ("wrong_pin", "device_locked"):
                db_session().commit()  # failure counters must survive the 4xx rollback
            return error_response(exc)

    wrapper.koepel_device = True
    wrapper.koepel_org_loader = _load_org_with_device
    return public(wrapper)


def _load_org_with_device(s, slug: str):
    return device_service.load_org_with_device(s, slug, request.cookies.get(COOKIE))


@bp.route("/tablet/")
@public
def tablet():
    """The page shell (cached by the service worker); the data come from the JSON API."""
    try:
        device = _device()
    except AttendanceError as exc:
        return render_template("aanwezigheden/tablet_unpaired.html", message=exc.message), exc.status
    location = db_session().get(Location, device.location_id)
    minutes = int(setting(current_context(), "inactivity_lock_minutes"))
    return render_template("aanwezigheden/tablet.html", device=device, location=location, lock_minutes=minutes)


tablet.koepel_device = True
tablet.koepel_org_loader = _load_org_with_device


@bp.route("/tablet/sw.js")
@public
def service_worker():
    response = make_response(send_from_directory(STATIC, "sw.js", mimetype="text/javascript", max_age=0))
    response.headers["Service-Worker-Allowed"] = tablet_path()
    response.headers["Cache-Control"] = "no-cache"
    return response


@bp.route("/tablet/static/<path:filename>")
@public
def tablet_static(filename: str):
    return send_from_directory(STATIC, filename, max_age=300)


def _staff_json(device) -> list[dict]:
    return [{"id": u.id, "name": u.name} for u in device_service.staff_for_location(current_context(),
                                                                                      device.location_id)]


@bp.route("/tablet/api/staff")
@tablet_api
def api_staff():
    device = _device()
    return jsonify({"staff": _staff_json(device)})


@bp.route("/tablet/api/pins")
@tablet_api
def api_pins():
    """The PIN verifiers for unlocking offline (replaced on the tablet at every sync; a revoked or
    expired device gets a 403 here and wipes its copy)."""
    device = _device()
    response = jsonify(device_service.offline_verifiers(current_context(), device))
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/tablet/api/unlock", methods=["POST"])
@tablet_api
def api_unlock():
    device = _device()
    data = _json_body()
    user_id = row_id(data.get("user_id"))
    user = device_service.unlock(current_context(), device, user_id, str(data.get("pin") or ""))
    session[UNLOCK_KEY] = {"d": device.id, "u": user.id, "t": current_context().now().isoformat()}
    return jsonify({"user": {"id": user.id, "name": user.name}})


@bp.route("/tablet/api/lock", methods=["POST"])
@tablet_api
def api_lock():
    _device()
    session.pop(UNLOCK_KEY, None)
    return jsonify({"locked": True})


def _add_night_stays(ctx, location, day, by_child: dict[int, list]) -> None:
    """At a flex location in the morning, a child still here from last night shows as present, so
    the tap that ends the night is a departure (registrations.night_stay_day)."""
    if location is None or not location.flex_subsidy:
        return
    if ctx.now().astimezone(BRUSSELS).hour >= int(setting(ctx, "night_departure_until_hour")):
        return
    s, org = ctx.session, ctx.org
    night: dict[int, list] = {}
    for e in s.scalars(select(AttendanceEvent).where(
            AttendanceEvent.organisation_id == org.id, AttendanceEvent.location_id == location.id,
            AttendanceEvent.day == day - timedelta(days=1), AttendanceEvent.status == EventStatus.ACCEPTED)):
        night.setdefault(e.child_id, []).append(e)
    for child_id, evs in night.items():
        spans = registrations.stays(evs)
        if child_id not in by_child and spans and spans[-1].end is None:
            by_child[child_id] = evs


def _initials(first: str, last: str) -> str:
    parts = [p for p in (first or "").split() + (last or "").split() if p]
    return "".join(p[0].upper() for p in parts[:1] + parts[-1:]) if parts else "?"


def _hhmm(moment):
    return moment.astimezone(BRUSSELS).strftime("%H:%M") if moment else None


def today_data(ctx, device) -> dict:
    """Today's expected children (planning), unexpected arrivals and each child's status, loaded
    in a fixed number of queries."""
    s, org = ctx.session, ctx.org
    day = ctx.today()
    location = s.get(Location, device.location_id)
    try:
        expected = {}
        for e in planning_adapter.expected_children(ctx, device.location_id, day):
            known = expected.get(e.child_id)  # several blocks: show the span of the day
            expected[e.child_id] = e if known is None else dataclasses.replace(
                known, start=min(known.start, e.start), end=max(known.end, e.end))
    except (ImportError, AttributeError):
        expected = {}
    events = list(s.scalars(select(AttendanceEvent).where(
        AttendanceEvent.organisation_id == org.id, AttendanceEvent.location_id == device.location_id,
        AttendanceEvent.day == day, AttendanceEvent.status == EventStatus.ACCEPTED)))
    absences = {a.child_id: a for a in s.scalars(select(Absence).where(
        Absence.organisation_id == org.id, Absence.location_id == device.location_id, Absence.day == day))}
    confirmed = set(s.scalars(select(Confirmation.child_id).where(
        Confirmation.organisation_id == org.id, Confirmation.location_id == device.location_id,
        Confirmation.start_day <= day, Confirmation.end_day >= day)))
    by_child: dict[int, list] = {}
    for e in events:
        by_child.setdefault(e.child_id, []).append(e)
    _add_night_stays(ctx, location, day, by_child)
    enrolled = {c.id: c for c in s.scalars(select(Child).where(
        Child.organisation_id == org.id, Child.location_id == device.location_id))}
    wanted = set(expected) | set(by_child) | set(absences)
    missing = wanted - set(enrolled)
    if missing:
        for c in s.scalars(select(Child).where(Child.organisation_id == org.id, Child.id.in_(missing))):
            enrolled[c.id] = c
    own = set(s.scalars(select(ChildCode.child_id).where(ChildCode.organisation_id == org.id,
                                                         ChildCode.own_child.is_(True))))

    def row(child: Child) -> dict:
        spans = registrations.stays(by_child.get(child.id, []))
        last = spans[-1] if spans else None
        status = "present" if last and last.end is None else "left" if last else (
            "absent" if child.id in absences else "expected" if child.id in expected else "other")
        plan = expected.get(child.id)
        return {
            "id": child.id, "first_name": child.first_name, "last_name": child.last_name,
            "initials": _initials(child.first_name, child.last_name), "status": status,
            "expected": child.id in expected, "own_child": child.id in own,
            "planned": f"{plan.start:%H:%M}–{plan.end:%H:%M}" if plan and plan.start and plan.end else "",
            "arrived_at": _hhmm(last.start) if last else None,
            "departed_at": _hhmm(last.end) if last and last.end else None,
            "absence": absences[child.id].kind.value if child.id in absences else None,
            "confirmed": child.id in confirmed,
        }

    today = [row(enrolled[cid]) for cid in wanted if cid in enrolled]
    today.sort(key=lambda r: (r["first_name"].lower(), r["last_name"].lower(), r["id"]))
    others = [{"id": c.id, "first_name": c.first_name, "last_name": c.last_name,
               "initials": _initials(c.first_name, c.last_name), "own_child": c.id in own}
              for c in sorted(enrolled.values(), key=lambda c: (c.first_name.lower(), c.id)) if c.id not in wanted]
    return {
        "location": {"id": location.id, "name": location.name}, "day": day.isoformat(),
        "server_time": ctx.now().isoformat(), "children": today, "others": others,
        "reasons": absence_service.justified_reasons(ctx),
        "confirmation_mode": setting(ctx, "confirmation_mode"),
        "undo_seconds": int(setting(ctx, "undo_seconds")),
    }


@bp.route("/tablet/api/today")
@tablet_api
def api_today():
    device = _device()
    device.last_seen_at = current_context().now()
    return jsonify(today_data(current_context(), device))


@bp.route("/tablet/api/register", methods=["POST"])
@tablet_api
def api_register():
    """One tap, online: stamped with the server's time. 201 new, 200 already known, 4xx refused."""
    device = _device()
    data = _json_body()
    staff_id = _unlocked_user(device)
    outcome = registrations.register(current_context(), device, client_id=data.get("client_id"),
                                     child_id=data.get("child_id"), kind=str(data.get("kind") or ""),
                                     offline=False, staff_id=staff_id)
    return jsonify(_event_json(outcome.event, outcome.replayed)), 200 if outcome.replayed else 201


def _load_org_locking_child(s, slug: str):
    """The tap's first statement also locks the child it names (docs/concurrency.md): the body is
    only peeked at here; ``api_register`` checks it as before."""
    data = request.get_json(silent=True)
    child_id = row_id(data.get("child_id")) if isinstance(data, dict) else None
    return device_service.load_org_with_device(s, slug, request.cookies.get(COOKIE), lock_child_id=child_id)


api_register.koepel_org_loader = _load_org_locking_child


@bp.route("/tablet/api/undo", methods=["POST"])
@tablet_api
def api_undo():
    """The tile's "undo": the last registration of this tablet, shortly after the tap."""
    device = _device()
    data = _json_body()
    staff_id = _unlocked_user(device)
    event = registrations.undo(current_context(), device, data.get("client_id"), staff_id=staff_id)
    return jsonify(_event_json(event, False))


def _event_json(event: AttendanceEvent, replayed: bool) -> dict:
    answer = {"client_id": event.client_id, "status": event.status.value, "replayed": replayed,
              "kind": event.kind.value, "at": event.at.isoformat(), "time": _hhmm(event.at),
              "offline": event.offline, "message": event.message}
    if event.status == EventStatus.REJECTED and isinstance(event.payload, dict):
        answer["error"] = event.payload.get("error")  # the code, as for the other refused items
    return answer


def _parse_at(value) -> datetime | None:
    try:
        moment = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else None


@bp.route("/tablet/api/absence", methods=["POST"])
@tablet_api
def api_absence():
    device = _device()
    data = _json_body()
    staff_id = _unlocked_user(device)
    ctx = current_context()
    absence = absence_service.record_absence(
        ctx, child_id=data.get("child_id"), location_id=device.location_id, day=ctx.today(),
        kind=str(data.get("kind") or "auto"), reason=str(data.get("reason") or ""), actor_id=staff_id,
        client_id=str(data.get("client_id") or "") or None)
    return jsonify({"kind": absence.kind.value, "reason": absence.reason}), 201


@bp.route("/tablet/api/confirm", methods=["POST"])
@tablet_api
def api_confirm():
    device = _device()
    data = _json_body()
    _unlocked_user(device)
    row = absence_service.confirm(current_context(), device, client_id=str(data.get("client_id") or ""),
                                  child_id=data.get("child_id"), location_id=device.location_id,
                                  kind=str(data.get("kind") or "pickup"), day=current_context().today(),
                                  confirmed_by=str(data.get("confirmed_by") or ""))
    return jsonify({"kind": row.kind, "confirmed_by": row.confirmed_by}), 201


MAX_BATCH = 200


@bp.route("/tablet/api/sync", methods=["POST"])
@tablet_api
def api_sync():
    """The offline queue: each item once (client id), in the tablet's order. Refused items are
    stored for the director and reported back; the answer is 200 with one result per item."""
    device = _device()
    data = _json_body()
    items = data.get("items")
    if not isinstance(items, list) or len(items) > MAX_BATCH:
        raise AttendanceError(_("Ongeldige wachtrij (maximaal %(n)s registraties per keer).", n=MAX_BATCH),
                              code="bad_request", status=400)
    ctx = current_context()
    s = ctx.session
    device_service.record_offline_failures(ctx, device, data.get("pin_failures"))
    unlocked = device_service.UnlockedStaff(ctx, device, session.get(UNLOCK_KEY))
    results = []
    for item in items:
        if not isinstance(item, dict):
            results.append({"client_id": None, "status": "rejected", "message": _("Ongeldige registratie.")})
            continue
        client_id = item.get("client_id")
        at = _parse_at(item.get("at"))
        kind = item.get("type", "event")
        try:
            refusal = None
            try:
                staff_id = unlocked.who(item, at)
            except AttendanceError as exc:
                staff_id, refusal = None, exc
            if kind == "event":
                outcome = registrations.register(ctx, device, client_id=client_id, child_id=item.get("child_id"),
                                                 kind=str(item.get("kind") or ""), client_at=at, offline=True,
                                                 staff_id=staff_id, keep_rejected=True, refusal=refusal)
                results.append(_event_json(outcome.event, outcome.replayed))
            elif refusal is not None and kind in ("confirmation", "absence"):
                raise refusal
            elif kind == "confirmation":
                row = absence_service.confirm(ctx, device, client_id=str(client_id or ""),
                                              child_id=item.get("child_id"), location_id=device.location_id,
                                              kind=str(item.get("kind") or "pickup"),
                                              day=at.astimezone(BRUSSELS).date() if at else ctx.today(),
                                              confirmed_by=str(item.get("confirmed_by") or ""), at=at, offline=True)
                results.append({"client_id": row.client_id, "status": "accepted"})
            elif kind == "absence":
                with s.begin_nested():
                    row = absence_service.record_absence(
                        ctx, child_id=item.get("child_id"), location_id=device.location_id,
                        day=at.astimezone(BRUSSELS).date() if at else ctx.today(),
                        kind=str(item.get("kind") or "auto"), reason=str(item.get("reason") or ""),
                        actor_id=staff_id, client_id=str(client_id or "") or None)
                results.append({"client_id": client_id, "status": "accepted", "kind": row.kind.value})
            else:
                raise AttendanceError(_("Onbekend soort registratie."), code="bad_type", status=400)
        except AttendanceError as exc:
            if kind in ("absence", "confirmation") and client_id and exc.code != "bad_client_id":
                payload = {k: item.get(k) for k in ("child_id", "kind", "reason", "confirmed_by", "staff_id")}
                payload["day"] = (at.astimezone(BRUSSELS).date() if at else ctx.today()).isoformat()
                absence_service.keep_rejected(ctx, device, client_id=str(client_id), item_type=kind,
                                              payload=payload, message=exc.message)
            results.append({"client_id": client_id, "status": "rejected", "message": exc.message,
                            "error": exc.code})
    device.last_seen_at = ctx.now()
    return jsonify({"results": results})
