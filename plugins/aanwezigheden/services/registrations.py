"""Arrivals and departures: idempotent per client-generated id, validated against the child's
day, with a deterministic answer when two tablets register the same moment.

Rules (per child and day, on the accepted events ordered by time):
* an arrival while the child is present is a *duplicate* when another tablet (or an offline
  queue) registered it within the duplicate window: the earliest one counts, whatever order the
  tablets synchronise in; otherwise it is refused ("tweede aankomst zonder vertrek");
* a departure needs an open arrival and may not lie before it; a second departure from another
  tablet within the window is a duplicate (again the earliest counts);
* registrations queued offline that fail are stored as *rejected* for a director's decision
  (nothing is lost silently); online ones are refused with a message right away.
"""
from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import and_, bindparam, select, update
from sqlalchemy.orm import Session

from core.audit import current_actor_id
from core.clock import BRUSSELS
from core.db import row_id
from core.models import AuditEntry, Child, Location
from core.plugins.events import AttendanceRecorded

from ..models import AttendanceEvent, Device, EventKind, EventStatus
from . import AttendanceError, planning_adapter
from .devices import LOCKED_CHILD_KEY
from .rules import Interval
from .settings import setting

MAX_CLIENT_ID = 64
FUTURE_TOLERANCE = timedelta(minutes=5)


@dataclass(frozen=True)
class Outcome:
    event: AttendanceEvent
    replayed: bool  # the client id was already known: nothing new was stored


def care_day(moment: datetime) -> date:
    return moment.astimezone(BRUSSELS).date()


def _check_client_id(client_id: str | None) -> str:
    value = (client_id or "").strip()
    if not value or len(value) > MAX_CLIENT_ID:
        raise AttendanceError(_("Ontbrekende of ongeldige registratie-id."), code="bad_client_id", status=400)
    return value


def enrolled(ctx, child: Child, location_id: int, day: date) -> bool:
    """Enrolled at the location: its child, or expected there that day by planning."""
    if child.location_id == location_id:
        return True
    try:
        expected = planning_adapter.expected_children(ctx, location_id, day)
    except (ImportError, AttributeError):
        return False
    return any(e.child_id == child.id for e in expected)


def _day_events(session: Session, child_id: int, day: date) -> list[AttendanceEvent]:
    return list(session.scalars(
        select(AttendanceEvent)
        .where(AttendanceEvent.child_id == child_id, AttendanceEvent.day == day,
               AttendanceEvent.status == EventStatus.ACCEPTED)
        .order_by(AttendanceEvent.at, AttendanceEvent.client_id)
    ))


def _same_source(a: AttendanceEvent, device_id: int | None, offline: bool) -> bool:
    return a.device_id == device_id and not a.offline and not offline


@dataclass(frozen=True)
class _ChildRow:
    """The columns of a child a registration needs (no ORM entity: the tablet API is hot)."""

    id: int
    first_name: str
    last_name: str
    location_id: int | None

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"


@dataclass(frozen=True)
class _EventRow:
    id: int
    client_id: str
    kind: EventKind
    at: datetime
    device_id: int | None
    offline: bool


_CHILD_DAY = (
    select(Child.id, Child.first_name, Child.last_name, Child.location_id,
           AttendanceEvent.id, AttendanceEvent.client_id, AttendanceEvent.kind, AttendanceEvent.at,
           AttendanceEvent.device_id, AttendanceEvent.offline)
    .outerjoin(AttendanceEvent, and_(AttendanceEvent.child_id == Child.id, AttendanceEvent.day == bindparam("day"),
                                     AttendanceEvent.status == EventStatus.ACCEPTED,
                                     AttendanceEvent.organisation_id == bindparam("org_id")))
    .where(Child.id == bindparam("child_id"), Child.organisation_id == bindparam("org_id"))
    .order_by(AttendanceEvent.at, AttendanceEvent.client_id)
)
# Both tables carry their organisation filter explicitly (the criteria the ORM tenant guard of
# ``core.tenancy`` would add), so the statement runs on the session's connection: plain columns
# need no ORM execution, and skipping it saves about a tenth of a tap's CPU.
# Serialising the registrations of one child (docs/concurrency.md): the child's row is locked
# first, in an earlier statement, and the day's events are read after the lock is granted. On
# PostgreSQL a statement reads the rows committed when it started, so a lock taken inside the
# events' own statement would wait for a parallel tap and then still miss its event. The tap takes
# the lock in its first statement (``devices.load_org_with_device``); every other path (the offline
# sync, a director's decision) in a statement of its own. SQLite serialises writing transactions
# as a whole (BEGIN IMMEDIATE, core.db) and needs no lock.
_LOCK_CHILD = (select(Child.id).where(Child.id == bindparam("child_id"), Child.organisation_id == bindparam("org_id"))
               .with_for_update())


def _locked_already(session: Session, child_id: int) -> bool:
    """The child's row was locked by this very transaction's first statement (the tap)."""
    locked = session.info.get(LOCKED_CHILD_KEY)
    return locked is not None and locked[0] == child_id and locked[1] is session.get_transaction()


def _validate(ctx, *, child_id: int | None, location_id: int,
              kind: EventKind, at: datetime, device_id: int | None, offline: bool,
              window: timedelta, lock: bool = True,
              double_tap: timedelta = timedelta(0), day: date | None = None) -> tuple[_ChildRow, _EventRow | None]:
    """Check one registration; returns the child and the accepted event it duplicates (if any).
    Raises AttendanceError with the Dutch reason. ``day``: the care day the event belongs to
    (default the day of ``at``; a night stay's departure belongs to the evening before)."""
    session = ctx.session
    org = ctx.org
    day = day or care_day(at)
    # The child (locked first on PostgreSQL, see _LOCK_CHILD) with its accepted events of the day
    # in one statement; plain columns, no ORM entities.
    if child_id is not None:
        session.flush()  # what session.execute would autoflush; a no-op on the tap's clean session
        connection = session.connection()
        params = {"child_id": child_id, "day": day, "org_id": org.id}
        if lock and connection.dialect.name != "sqlite" and not _locked_already(session, child_id):
            connection.execute(_LOCK_CHILD, params)
        rows = connection.execute(_CHILD_DAY, params).all()
    else:
        rows = []
    if not rows:
        raise AttendanceError(_("Dit kind bestaat niet (meer) in deze organisatie."), code="unknown_child", status=404)
    child = _ChildRow(*rows[0][:4])
    if not enrolled(ctx, child, location_id, day):
        raise AttendanceError(_("%(name)s is niet ingeschreven in deze locatie.", name=child.full_name),
                              code="not_enrolled")
    events = [_EventRow(*row[4:]) for row in rows if row[4] is not None]
    last = events[-1] if events else None
    open_arrival = last if last is not None and last.kind == EventKind.ARRIVAL else None
    if kind == EventKind.ARRIVAL:
        if open_arrival is not None:
            if not _same_source(open_arrival, device_id, offline) and abs(open_arrival.at - at) <= window:
                return child, open_arrival
            raise AttendanceError(
                _("%(name)s is al aangekomen om %(time)s en nog niet vertrokken.", name=child.first_name,
                  time=open_arrival.at.astimezone(BRUSSELS).strftime("%H:%M")), code="already_present", status=409)
        if last is not None and at < last.at:
            raise AttendanceError(_("Een aankomst kan niet vóór het vorige vertrek liggen."),
                                  code="arrival_before_departure", status=409)
        return child, None
    # departure
    if open_arrival is None:
        if last is not None and not _same_source(last, device_id, offline) and abs(last.at - at) <= window:
            return child, last
        raise AttendanceError(_("%(name)s is vandaag nog niet aangekomen.", name=child.first_name),
                              code="not_present", status=409)
    if timedelta(0) <= at - open_arrival.at < double_tap:  # a second tap on the tile, not a departure
        raise AttendanceError(_("%(name)s is net aangekomen (%(time)s): een tweede tik telt niet als vertrek.",
                                name=child.first_name, time=open_arrival.at.astimezone(BRUSSELS).strftime("%H:%M")),
                              code="double_tap", status=409)
    if at < open_arrival.at:
        raise AttendanceError(_("Het vertrek kan niet vóór de aankomst (%(time)s) liggen.",
                                time=open_arrival.at.astimezone(BRUSSELS).strftime("%H:%M")),
                              code="departure_before_arrival", status=409)
    return child, None


def night_stay_day(ctx, *, child_id: int | None, location_id: int, at: datetime) -> date | None:
    """Night care across midnight (flex locations only, domain rules §1.4): a departure with no
    arrival today belongs to the evening before when the child arrived then and has not left. It
    must come the next morning (before ``aanwezigheden.night_departure_until_hour``); later, the
    night stay lacks its departure and a director corrects it (AttendanceError). None: no night stay."""
    session = ctx.session
    location = session.get(Location, location_id)
    if child_id is None or location is None or not location.flex_subsidy:
        return None
    evening = care_day(at) - timedelta(days=1)
    events = _day_events(session, child_id, evening)
    if not events or events[-1].kind != EventKind.ARRIVAL or events[-1].location_id != location_id:
        return None
    until = int(setting(ctx, "night_departure_until_hour"))
    if at.astimezone(BRUSSELS).hour >= until:
        arrived = events[-1].at.astimezone(BRUSSELS)
        raise AttendanceError(
            _("Nachtopvang zonder vertrek de volgende ochtend: %(name)s kwam op %(day)s om %(time)s aan. "
              "Laat de directie het vertrek verbeteren.", name=_child_name(ctx, child_id),
              day=arrived.strftime("%d/%m/%Y"), time=arrived.strftime("%H:%M")),
            code="night_without_departure", status=409)
    return evening


def _child_name(ctx, child_id: int) -> str:
    return ctx.session.scalar(select(Child.first_name).where(Child.id == child_id,
                                                             Child.organisation_id == ctx.org.id)) or ""


def _find(session: Session, org_id: int, client_id: str) -> AttendanceEvent | None:
    return session.scalar(select(AttendanceEvent).where(AttendanceEvent.organisation_id == org_id,
                                                        AttendanceEvent.client_id == client_id))


def register(ctx, device: Device, *, client_id: str | None, child_id,
             kind: str, client_at: datetime | None = None, offline: bool = False,
             staff_id: int | None = None, keep_rejected: bool = False,
             refusal: AttendanceError | None = None) -> Outcome:
    """Store one arrival or departure. Online (``offline=False``) the server's clock stamps it;
    offline the tablet's time is kept and marked. A known ``client_id`` returns the stored event
    (``replayed``), found by the unique constraint, so the usual path costs no extra lookup.
    ``keep_rejected`` (the offline sync) stores refusals for the director and works inside a
    savepoint, since other items of the batch share the transaction. ``refusal`` (the offline
    sync: nobody who unlocked the device stands behind the item) refuses it like a failed check."""
    session = ctx.session
    org = ctx.org
    client_id = _check_client_id(client_id)
    now = ctx.now()
    child_pk = row_id(child_id)
    at = client_at if offline and client_at is not None and client_at.tzinfo is not None else now
    event = AttendanceEvent(organisation_id=org.id, client_id=client_id, location_id=device.location_id,
                            child_id=None, day=care_day(at), kind=EventKind.ARRIVAL, at=at, offline=offline,
                            received_at=now, device_id=device.id, recorded_by_id=staff_id)
    try:
        if refusal is not None:
            raise refusal
        try:
            event.kind = EventKind(kind)
        except ValueError:
            raise AttendanceError(_("Onbekende registratie: kies aankomst of vertrek."), code="bad_kind",
                                  status=400) from None
        if offline and (client_at is None or client_at.tzinfo is None):
            raise AttendanceError(_("Een offline registratie heeft een tijdstip met tijdzone nodig."),
                                  code="bad_time", status=400)
        if at > now + FUTURE_TOLERANCE:
            raise AttendanceError(_("Het tijdstip ligt in de toekomst: controleer de klok van de tablet."),
                                  code="future_time")
        max_age = int(setting(ctx, "max_offline_age_days"))
        if offline and at < now - timedelta(days=max_age):
            raise AttendanceError(ngettext("Deze offline registratie is ouder dan %(num)s dag.",
                                           "Deze offline registratie is ouder dan %(num)s dagen.", max_age), code="too_old")
        window = timedelta(minutes=int(setting(ctx, "duplicate_window_minutes")))
        double_tap = timedelta(0) if offline else timedelta(seconds=int(setting(ctx, "double_tap_seconds")))
        try:
            child, duplicate_of = _validate(ctx, child_id=child_pk, location_id=device.location_id,
                                            kind=event.kind, at=at, device_id=device.id, offline=offline,
                                            window=window, double_tap=double_tap)
        except AttendanceError as not_today:
            night = night_stay_day(ctx, child_id=child_pk, location_id=device.location_id, at=at) \
                if not_today.code == "not_present" else None
            if night is None:
                raise
            child, duplicate_of = _validate(ctx, child_id=child_pk, location_id=device.location_id,
                                            kind=event.kind, at=at, device_id=device.id, offline=offline,
                                            window=window, double_tap=double_tap, day=night)
            event.day = night
    except AttendanceError as exc:
        known = _find(session, org.id, client_id)
        if known is not None:  # a resent registration that was stored before: answer as then
            return Outcome(known, True)
        if not keep_rejected:
            raise
        exists = child_pk is not None and exc.code != "unknown_child" and session.scalar(
            select(Child.id).where(Child.id == child_pk, Child.organisation_id == org.id)) is not None
        event.child_id = child_pk if exists else None
        event.status = EventStatus.REJECTED
        event.message = exc.message[:300]
        event.payload = {"child_id": child_id, "kind": kind, "client_at": client_at.isoformat() if client_at else None,
                         "offline": offline, "error": exc.code}
        stored = _insert(session, event)
        return Outcome(stored, stored is not event)
    event.child_id = child.id
    later = duplicate_of is not None and (at, client_id) > (duplicate_of.at, duplicate_of.client_id)
    if later:
        event.status = EventStatus.DUPLICATE
        event.message = _("Dubbel met een vroegere registratie van een ander toestel.")
    stored = _insert(session, event)
    if stored is not event:
        return Outcome(stored, True)
    if duplicate_of is not None and not later:  # the new one is earlier: it counts, the other not
        session.execute(update(AttendanceEvent).where(AttendanceEvent.id == duplicate_of.id).values(
            status=EventStatus.DUPLICATE, message=_("Dubbel met een vroegere registratie van een ander toestel.")))
    _notify(ctx, stored)
    return Outcome(stored, False)


_EVENT_COLUMNS = ("organisation_id", "client_id", "location_id", "child_id", "day", "kind", "at", "offline",
                  "received_at", "device_id", "recorded_by_id", "status", "message", "reason", "corrects_id",
                  "payload")


_INSERTS: dict = {}


def _insert_statement(dialect: str):
    """The idempotent insert, built once per dialect with bound parameters."""
    if dialect not in _INSERTS:
        if dialect == "postgresql":
            from sqlalchemy.dialects.postgresql import insert as dialect_insert
        elif dialect == "sqlite":
            from sqlalchemy.dialects.sqlite import insert as dialect_insert
        else:  # pragma: no cover - Koepel runs on PostgreSQL and SQLite only
            raise RuntimeError(f"unsupported database: {dialect}")
        table = AttendanceEvent.__table__
        _INSERTS[dialect] = (dialect_insert(table).values({name: bindparam(name, type_=table.c[name].type)
                                                           for name in _EVENT_COLUMNS})
                             .on_conflict_do_nothing(index_elements=["organisation_id", "client_id"])
                             .returning(table.c.id))
    return _INSERTS[dialect]


def _insert(session: Session, event: AttendanceEvent) -> AttendanceEvent:
    """One ``INSERT ... ON CONFLICT (organisation_id, client_id) DO NOTHING RETURNING id`` (PostgreSQL
    and SQLite): the new event with its id, or, when the client id is already stored (a resend, or
    a concurrent request), that stored row. No exception, so no savepoint and no rollback, and no
    ORM unit of work for the hot path; ``event`` stays a detached value object."""
    values = {name: getattr(event, name) for name in _EVENT_COLUMNS}
    values["reason"] = values["reason"] or ""
    values["message"] = values["message"] or ""
    values["status"] = values["status"] or EventStatus.ACCEPTED
    stmt = _insert_statement(session.get_bind().dialect.name)
    new_id = session.execute(stmt, values).scalar()
    if new_id is not None:
        event.id = new_id
        event.status = values["status"]
        return event
    found = _find(session, event.organisation_id, event.client_id)
    if found is None:  # pragma: no cover - a conflict means the row exists
        raise RuntimeError("client id conflict without a stored row")
    return found


def _notify(ctx, event: AttendanceEvent) -> None:
    session = ctx.session
    org = ctx.org
    from core.tenancy import tenant_hook

    if event.child_id is None:
        return
    tenant_hook(session, org).on_attendance_recorded(event=AttendanceRecorded(
        organisation_id=org.id, location_id=event.location_id, child_id=event.child_id, day=event.day,
        kind=event.kind.value if event.corrects_id is None else "correction"))


def stays(events) -> list[Interval]:
    """Pair accepted events (any order) into stays, deterministically by (time, client id)."""
    result: list[Interval] = []
    open_start = None
    open_offline = False
    for e in sorted((e for e in events if e.status == EventStatus.ACCEPTED), key=lambda e: (e.at, e.client_id)):
        if e.kind == EventKind.ARRIVAL:
            if open_start is None:
                open_start, open_offline = e.at, e.offline
        elif open_start is not None:
            result.append(Interval(open_start, e.at, open_offline or e.offline))
            open_start = None
    if open_start is not None:
        result.append(Interval(open_start, None, open_offline))
    return result


def _audit(ctx, event: AttendanceEvent, action: str, changes: dict) -> None:
    session = ctx.session
    org = ctx.org
    session.add(AuditEntry(organisation_id=org.id, user_id=current_actor_id(), at=ctx.now(), action=action,
                           entity=AttendanceEvent.__tablename__, entity_id=event.id, summary=str(event)[:300],
                           changes=changes))


def _get_event(ctx, event_id: int) -> AttendanceEvent:
    session = ctx.session
    org = ctx.org
    event = session.scalar(select(AttendanceEvent).where(AttendanceEvent.id == event_id,
                                                         AttendanceEvent.organisation_id == org.id))
    if event is None:
        raise AttendanceError(_("Onbekende registratie."), code="unknown_event", status=404)
    return event


def _need_reason(reason: str) -> str:
    reason = (reason or "").strip()
    if len(reason) < 3:
        raise AttendanceError(_("Geef een reden op."), field="reason")
    return reason[:500]


def correct(ctx, event_id: int, *, new_at: datetime, reason: str,
            actor_id: int | None) -> AttendanceEvent:
    """A director's correction of an accepted time: the original is voided and a new event
    carries the time and the reason; both are written to the audit log."""
    session = ctx.session
    org = ctx.org
    reason = _need_reason(reason)
    original = _get_event(ctx, event_id)
    if original.status != EventStatus.ACCEPTED:
        raise AttendanceError(_("Enkel geldige registraties kunnen verbeterd worden."), code="not_accepted", status=409)
    if care_day(new_at) != original.day:
        raise AttendanceError(_("Een verbetering blijft op dezelfde dag."), field="time")
    others = [e for e in _day_events(session, original.child_id, original.day) if e.id != original.id]
    replacement = AttendanceEvent(
        organisation_id=org.id, client_id=f"corr-{uuid.uuid4()}", location_id=original.location_id,
        child_id=original.child_id, day=original.day, kind=original.kind, at=new_at, offline=False,
        received_at=ctx.now(), device_id=None, recorded_by_id=actor_id, status=EventStatus.ACCEPTED,
        reason=reason, corrects_id=original.id)
    check = stays(others + [replacement])
    if any(i.end is not None and i.end < i.start for i in check) or not _alternates(others + [replacement]):
        raise AttendanceError(_("Met dit tijdstip kloppen aankomst en vertrek niet meer."), field="time")
    original.status = EventStatus.VOIDED
    original.reason = reason
    session.add(replacement)
    session.flush()
    _audit(ctx, replacement, "update", {
        "at": [original.at.isoformat(), new_at.isoformat()], "reason": [None, reason], "corrects": [None, original.id]})
    _notify(ctx, replacement)
    return replacement


def _alternates(events) -> bool:
    kinds = [e.kind for e in sorted(events, key=lambda e: (e.at, e.client_id))]
    return all(k == (EventKind.ARRIVAL if i % 2 == 0 else EventKind.DEPARTURE) for i, k in enumerate(kinds))


def add_manual(ctx, *, child_id: int, location_id: int, kind: str,
               at: datetime, reason: str, actor_id: int | None) -> AttendanceEvent:
    """A director adds a missing arrival or departure afterwards, with a reason (audited)."""
    session = ctx.session
    org = ctx.org
    reason = _need_reason(reason)
    try:
        event_kind = EventKind(kind)
    except ValueError:
        raise AttendanceError(_("Kies aankomst of vertrek."), field="kind") from None
    window = timedelta(0)
    _validate(ctx, child_id=child_id, location_id=location_id, kind=event_kind, at=at,
              device_id=None, offline=False, window=window)
    event = AttendanceEvent(organisation_id=org.id, client_id=f"manual-{uuid.uuid4()}", location_id=location_id,
                            child_id=child_id, day=care_day(at), kind=event_kind, at=at, offline=False,
                            received_at=ctx.now(), recorded_by_id=actor_id, reason=reason)
    session.add(event)
    session.flush()
    _audit(ctx, event, "create", {"kind": [None, event_kind.value], "at": [None, at.isoformat()],
                                           "reason": [None, reason]})
    _notify(ctx, event)
    return event


def decide_rejected(ctx, event_id: int, *, accept: bool, reason: str,
                    actor_id: int | None) -> AttendanceEvent:
    """A director's decision on a registration that was refused after an offline sync: accept it
    (it must fit the day now) or dismiss it. Both with a reason, in the audit log."""
    session = ctx.session
    reason = _need_reason(reason)
    event = _get_event(ctx, event_id)
    if event.status != EventStatus.REJECTED:
        raise AttendanceError(_("Over deze registratie is al beslist."), code="decided", status=409)
    if accept:
        window = timedelta(0)
        _validate(ctx, child_id=event.child_id, location_id=event.location_id, kind=event.kind,
                  at=event.at, device_id=None, offline=True, window=window)
        event.status = EventStatus.ACCEPTED
    else:
        event.status = EventStatus.DISMISSED
    event.reason = reason
    session.flush()
    _audit(ctx, event, "update", {"status": ["rejected", event.status.value], "reason": [None, reason]})
    if accept:
        _notify(ctx, event)
    return event


def undo(ctx, device: Device, client_id, *, staff_id: int) -> AttendanceEvent:
    """Undo the last registration of this tablet, shortly after the tap (``undo_seconds``), by
    whoever has it unlocked: it no longer counts, with the reason in the audit log."""
    session = ctx.session
    org = ctx.org
    client_id = _check_client_id(client_id if isinstance(client_id, str) else None)
    seconds = int(setting(ctx, "undo_seconds"))
    last = session.scalar(
        select(AttendanceEvent).where(AttendanceEvent.organisation_id == org.id,
                                      AttendanceEvent.device_id == device.id,
                                      AttendanceEvent.status == EventStatus.ACCEPTED,
                                      AttendanceEvent.offline.is_(False))
        .order_by(AttendanceEvent.received_at.desc(), AttendanceEvent.id.desc()).limit(1).with_for_update())
    if last is None or last.client_id != client_id:
        raise AttendanceError(_("Enkel de laatste registratie van deze tablet kan ongedaan gemaakt worden."),
                              code="not_last", status=409)
    if ctx.now() - last.received_at > timedelta(seconds=seconds):
        raise AttendanceError(_("Te laat om ongedaan te maken: vraag de verantwoordelijke om het te verbeteren."),
                              code="undo_too_late", status=409)
    reason = _("ongedaan gemaakt op de tablet")
    last.status = EventStatus.DISMISSED
    last.reason = reason
    session.flush()
    _audit(ctx, last, "update", {"status": ["accepted", "dismissed"], "reason": [None, reason],
                                          "by": [None, staff_id]})
    _notify_changed(ctx, last)
    return last


def remove(ctx, event_id: int, *, reason: str, actor_id: int | None) -> AttendanceEvent:
    """A director removes a wrong registration (a tap on the wrong child) with a reason: it no
    longer counts; the day's other registrations must still pair into stays."""
    session = ctx.session
    reason = _need_reason(reason)
    event = _get_event(ctx, event_id)
    if event.status != EventStatus.ACCEPTED:
        raise AttendanceError(_("Enkel geldige registraties kunnen verwijderd worden."), code="not_accepted",
                              status=409)
    others = [e for e in _day_events(session, event.child_id, event.day) if e.id != event.id]
    if not _alternates(others):
        raise AttendanceError(_("Zonder deze registratie kloppen aankomst en vertrek niet meer: verwijder eerst "
                                "het vertrek."), code="would_break_day", status=409)
    event.status = EventStatus.DISMISSED
    event.reason = reason
    session.flush()
    _audit(ctx, event, "update", {"status": ["accepted", "dismissed"], "reason": [None, reason]})
    _notify_changed(ctx, event)
    return event


def _notify_changed(ctx, event: AttendanceEvent) -> None:
    session = ctx.session
    org = ctx.org
    from core.tenancy import tenant_hook

    if event.child_id is not None:
        tenant_hook(session, org).on_attendance_recorded(event=AttendanceRecorded(
            organisation_id=org.id, location_id=event.location_id, child_id=event.child_id, day=event.day,
            kind="correction"))
