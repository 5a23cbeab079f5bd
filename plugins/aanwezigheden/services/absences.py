"""Absences on reserved days and parents' confirmations of the register.

An absence is a respijtdag (consumes the balance kept by planning), a justified absence (with a
reason from the organisation's list, e.g. ziekte), an unjustified one, or a closing day. "auto"
takes a respijtdag while the balance lasts and otherwise records an unjustified absence.
"""
from __future__ import annotations

from datetime import date, datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import select

from core.db import row_id
from core.models import Child

from ..models import (
    Absence,
    AbsenceKind,
    AttendanceEvent,
    Confirmation,
    Device,
    EventStatus,
    RejectedItem,
)
from . import AttendanceError, planning_adapter
from .registrations import enrolled
from .settings import setting


def justified_reasons(ctx) -> list[str]:
    raw = str(setting(ctx, "justified_reasons") or "")
    return [r.strip() for r in raw.split(",") if r.strip()]


def _child(ctx, child_id) -> Child:
    session = ctx.session
    org = ctx.org
    pk = row_id(child_id)
    child = session.scalar(select(Child).where(Child.id == pk, Child.organisation_id == org.id)) if pk else None
    if child is None:
        raise AttendanceError(_("Dit kind bestaat niet (meer) in deze organisatie."), code="unknown_child", status=404)
    return child


def _require_reserved_open_day(ctx, child: Child, location_id: int,
                               day: date) -> None:
    """An absence exists only on a day the child's agreement reserves at this location and that is
    not a closing day (domain-rules §2.4, §2.7): nothing is charged on other days, so there is
    nothing to excuse and no respijtdag to use. Refused with a message saying so."""
    closed = planning_adapter.closing_days(ctx, location_id, day, day)
    if day in closed:
        raise AttendanceError(_("%(day)s is een sluitingsdag (%(reason)s): er is geen afwezigheid te melden en er "
                                "wordt geen respijtdag gebruikt.", day=day.strftime("%d/%m/%Y"), reason=closed[day]),
                              code="closing_day", field="day")
    if not planning_adapter.reserved_days(ctx, start=day, end=day, child_ids=[child.id],
                                          location_id=location_id):
        raise AttendanceError(_("%(name)s heeft op %(day)s geen opvang gereserveerd: er is geen afwezigheid te "
                                "melden en er wordt geen respijtdag gebruikt.", name=child.first_name,
                                day=day.strftime("%d/%m/%Y")), code="not_reserved", field="day")


def record_absence(ctx, *, child_id, location_id: int, day: date, kind: str,
                   reason: str = "", note: str = "", in_advance: bool = False, actor_id: int | None = None,
                   client_id: str | None = None) -> Absence:
    """Record (or replace) the absence of a child on a day. Raises AttendanceError on bad input."""
    session = ctx.session
    org = ctx.org
    child = _child(ctx, child_id)
    if not enrolled(ctx, child, location_id, day):
        raise AttendanceError(_("%(name)s is niet ingeschreven in deze locatie.", name=child.full_name),
                              code="not_enrolled")
    if client_id:
        known = session.scalar(select(Absence).where(Absence.organisation_id == org.id, Absence.client_id == client_id))
        if known is not None:
            return known
    present = session.scalar(select(AttendanceEvent.id).where(
        AttendanceEvent.child_id == child.id, AttendanceEvent.day == day,
        AttendanceEvent.status == EventStatus.ACCEPTED).limit(1))
    if present is not None:
        raise AttendanceError(_("%(name)s is die dag aanwezig geregistreerd.", name=child.first_name),
                              code="present", status=409)
    if in_advance and day < ctx.today():
        raise AttendanceError(_("Een melding vooraf kan niet over een voorbije dag gaan."), field="day")
    _require_reserved_open_day(ctx, child, location_id, day)
    reason = (reason or "").strip()
    if kind == "auto":
        wanted = None
    else:
        try:
            wanted = AbsenceKind(kind)
        except ValueError:
            raise AttendanceError(_("Onbekend soort afwezigheid."), field="kind") from None
    if wanted == AbsenceKind.GERECHTVAARDIGD and reason not in justified_reasons(ctx):
        raise AttendanceError(_("Kies een reden uit de lijst van de organisatie."), field="reason")
    existing = session.scalar(select(Absence).where(Absence.child_id == child.id, Absence.day == day))
    if existing is not None and existing.kind == AbsenceKind.RESPIJT:
        planning_adapter.release_respite_day(ctx, child.id, day)
    if wanted in (None, AbsenceKind.RESPIJT):
        outcome = planning_adapter.book_respite_day(ctx, child.id, day, location_id=location_id)
        if outcome.booked:
            final = AbsenceKind.RESPIJT
        elif wanted == AbsenceKind.RESPIJT:
            if existing is not None and existing.kind == AbsenceKind.RESPIJT:
                planning_adapter.book_respite_day(ctx, child.id, day, location_id=location_id)  # restore
            message = (_("De respijtdagen van %(name)s zijn op.", name=child.first_name)
                       if outcome.reason == "exhausted" else outcome.message)
            raise AttendanceError(message, code="no_respite", field="kind")
        else:
            final = AbsenceKind.ONGERECHTVAARDIGD
    else:
        final = wanted
    absence = existing or Absence(organisation_id=org.id, child_id=child.id, day=day)
    absence.location_id = location_id
    absence.kind = final
    absence.reason = reason[:40] if final == AbsenceKind.GERECHTVAARDIGD else ""
    absence.note = (note or "")[:500]
    absence.notified_in_advance = bool(in_advance) or (existing.notified_in_advance if existing else False)
    absence.recorded_by_id = actor_id
    absence.client_id = client_id or (existing.client_id if existing else None)
    if existing is None:
        session.add(absence)
    session.flush()
    return absence


def remove_absence(ctx, absence_id: int) -> None:
    session = ctx.session
    org = ctx.org
    absence = session.scalar(select(Absence).where(Absence.id == absence_id, Absence.organisation_id == org.id))
    if absence is None:
        raise AttendanceError(_("Onbekende afwezigheid."), code="unknown_absence", status=404)
    if absence.kind == AbsenceKind.RESPIJT:
        planning_adapter.release_respite_day(ctx, absence.child_id, absence.day)
    session.delete(absence)
    session.flush()


def confirm(ctx, device: Device | None, *, client_id: str, child_id,
            location_id: int, kind: str, day: date, confirmed_by: str, at: datetime | None = None,
            offline: bool = False) -> Confirmation:
    """A parent confirms the register: of the day at pickup, or of the week (Monday-Sunday)."""
    session = ctx.session
    org = ctx.org
    if not client_id or len(client_id) > 64:
        raise AttendanceError(_("Ontbrekende of ongeldige registratie-id."), code="bad_client_id", status=400)
    known = session.scalar(select(Confirmation).where(Confirmation.organisation_id == org.id,
                                                      Confirmation.client_id == client_id))
    if known is not None:
        return known
    child = _child(ctx, child_id)
    if not enrolled(ctx, child, location_id, day):
        raise AttendanceError(_("%(name)s is niet ingeschreven in deze locatie.", name=child.full_name),
                              code="not_enrolled")
    name = (confirmed_by or "").strip()
    if len(name) < 2:
        raise AttendanceError(_("Wie bevestigt? Vul de naam van de ouder in."), field="confirmed_by")
    if kind == "pickup":
        start = end = day
    elif kind == "week":
        start = day - timedelta(days=day.weekday())
        end = start + timedelta(days=6)
    else:
        raise AttendanceError(_("Onbekende soort bevestiging."), field="kind")
    row = Confirmation(organisation_id=org.id, client_id=client_id, child_id=child.id, location_id=location_id,
                       start_day=start, end_day=end, kind=kind, confirmed_by=name[:200],
                       at=at if offline and at is not None else ctx.now(), offline=offline,
                       device_id=device.id if device else None)
    session.add(row)
    session.flush()
    return row


def keep_rejected(ctx, device: Device, *, client_id: str, item_type: str,
                  payload: dict, message: str) -> RejectedItem:
    """Store a refused offline absence or confirmation once (by client id) for the director."""
    session = ctx.session
    org = ctx.org
    known = session.scalar(select(RejectedItem).where(RejectedItem.organisation_id == org.id,
                                                      RejectedItem.client_id == client_id))
    if known is not None:
        return known
    row = RejectedItem(organisation_id=org.id, client_id=client_id[:64], location_id=device.location_id,
                       device_id=device.id, item_type=item_type, payload=payload, message=message[:300],
                       received_at=ctx.now(), decision="", reason="")
    session.add(row)
    session.flush()
    return row


def decide_rejected_item(ctx, item_id: int, *, accept: bool, reason: str,
                         actor_id: int | None) -> RejectedItem:
    """Accept (apply it now, it must fit) or dismiss a refused offline absence/confirmation, with a
    reason; written to the audit log."""
    session = ctx.session
    org = ctx.org
    from core.audit import current_actor_id
    from core.models import AuditEntry

    reason = (reason or "").strip()
    if len(reason) < 3:
        raise AttendanceError(_("Geef een reden op."), field="reason")
    row = session.scalar(select(RejectedItem).where(RejectedItem.id == item_id,
                                                    RejectedItem.organisation_id == org.id))
    if row is None:
        raise AttendanceError(_("Onbekende registratie."), code="unknown_item", status=404)
    if row.decision:
        raise AttendanceError(_("Over deze registratie is al beslist."), code="decided", status=409)
    p = row.payload
    if accept:
        day = date.fromisoformat(p["day"])
        if row.item_type == "absence":
            record_absence(ctx, child_id=p.get("child_id"), location_id=row.location_id, day=day,
                           kind=str(p.get("kind") or "auto"), reason=str(p.get("reason") or ""), actor_id=actor_id,
                           client_id=row.client_id)
        else:
            confirm(ctx, None, client_id=row.client_id, child_id=p.get("child_id"),
                    location_id=row.location_id, kind=str(p.get("kind") or "pickup"), day=day,
                    confirmed_by=str(p.get("confirmed_by") or ""))
    row.decision = "accepted" if accept else "dismissed"
    row.reason = reason[:500]
    row.decided_at = ctx.now()
    session.add(AuditEntry(organisation_id=org.id, user_id=current_actor_id(), at=ctx.now(), action="update",
                           entity=RejectedItem.__tablename__, entity_id=row.id, summary=f"{row.item_type} {p}"[:300],
                           changes={"decision": [None, row.decision], "reason": [None, row.reason]}))
    session.flush()
    return row
