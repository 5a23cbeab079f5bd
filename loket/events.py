"""Applying a batch of partner events: each event id once per partner, never an older sequence
over a newer one, never a location of another partner. The partner's row is locked for the batch
(SELECT ... FOR UPDATE on PostgreSQL, BEGIN IMMEDIATE on SQLite), so two batches of one partner
cannot interleave; location refs are claimed with an insert that ignores a conflict."""
from __future__ import annotations

import hashlib
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.clock import clock
from core.db import chunks, upsert_ignore
from loket import registrations
from loket.db import for_update
from loket.models import (
    Location,
    Partner,
    Placement,
    ReceivedEvent,
    Registration,
    RequestStatus,
    Vacancy,
)


class Rejected(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def lock_partner(sess: Session, partner_id: str) -> Partner:
    return sess.scalar(for_update(select(Partner).where(Partner.id == partner_id), sess))


class _Batch:
    """What one batch touches, loaded with one query per kind (not one per event): the event ids
    already received, the aggregates, the locations; rows created during the batch join the cache."""

    MODELS = {"vacancy": Vacancy, "placement": Placement, "request": RequestStatus}

    def __init__(self, sess: Session, partner: Partner, events: list[dict]) -> None:
        self.sess, self.partner = sess, partner
        ids = list({e["id"].lower() for e in events})
        self.known = {r.event_id: r for chunk in chunks(ids) for r in sess.scalars(
            select(ReceivedEvent).where(ReceivedEvent.partner_id == partner.id, ReceivedEvent.event_id.in_(chunk)))}
        self.aggregates: dict[tuple[str, str], object] = {}
        for kind, model in self.MODELS.items():
            agg_ids = list({e["aggregate"]["id"] for e in events if e["aggregate"]["type"] == kind})
            for chunk in chunks(agg_ids):
                for row in sess.scalars(select(model).where(model.partner_id == partner.id,
                                                            model.aggregate_id.in_(chunk))):
                    self.aggregates[(kind, row.aggregate_id)] = row
        refs = list({(e.get("data") or {}).get("location", {}).get("ref") for e in events} - {None})
        self.locations = {loc.ref: loc for chunk in chunks(refs)
                          for loc in sess.scalars(select(Location).where(Location.ref.in_(chunk)))}

    def aggregate(self, kind: str, event: dict):
        """The stored aggregate (or None) and whether this event is newer than it."""
        row = self.aggregates.get((kind, event["aggregate"]["id"]))
        return row, row is None or event["sequence"] > row.sequence

    def new_aggregate(self, kind: str, event: dict):
        row = self.MODELS[kind](partner_id=self.partner.id, aggregate_id=event["aggregate"]["id"])
        self.sess.add(row)
        self.aggregates[(kind, row.aggregate_id)] = row
        return row

    def location(self, loc: dict) -> Location:
        ref = loc["ref"]
        location = self.locations.get(ref)
        if location is None:  # a new ref: claimed by this partner unless a parallel batch was first
            sess = self.sess
            sess.execute(upsert_ignore(sess, Location.__table__, ["ref"]).values(
                ref=ref, partner_id=self.partner.id, name=loc.get("name") or ref, postcode=loc.get("postcode") or "",
                municipality=loc.get("municipality") or "", care_type=loc.get("care_type") or ""))
            location = sess.scalar(select(Location).where(Location.ref == ref)
                                   .execution_options(populate_existing=True))
            self.locations[ref] = location
        if location.partner_id != self.partner.id:
            raise Rejected("location_of_other_partner", f"location {ref} belongs to another partner")
        for name in ("name", "postcode", "municipality", "care_type"):
            if loc.get(name) and getattr(location, name) != loc[name]:
                setattr(location, name, loc[name])
        return location


def apply_batch(sess: Session, partner_id: str, events: list[dict]) -> dict:
    """Every event's outcome. A rejection is decided before the event writes anything, so the
    batch needs no savepoint per event."""
    partner = lock_partner(sess, partner_id)
    batch = _Batch(sess, partner, events)
    result = {"accepted": [], "duplicates": [], "stale": [], "rejected": []}
    seen: set[str] = set()
    now = clock.now()
    for event in events:
        event_id = event["id"]
        key = event_id.lower()
        if key in seen:
            result["duplicates"].append(event_id)
            continue
        seen.add(key)
        known = batch.known.get(key)
        if known is not None:
            known.times_received += 1
            if known.outcome == "rejected":
                result["rejected"].append({"id": event_id, "code": known.reject_code, "message": known.reject_message})
            else:
                result["duplicates"].append(event_id)
            continue
        record = ReceivedEvent(partner_id=partner.id, event_id=key, type=event["type"],
                               aggregate_type=event["aggregate"]["type"], aggregate_id=event["aggregate"]["id"],
                               sequence=event["sequence"], received_at=now, times_received=1)
        try:
            _printable(event["data"])
            applied = _apply(batch, event)
        except Rejected as rej:
            record.outcome, record.reject_code, record.reject_message = "rejected", rej.code, rej.message[:300]
            result["rejected"].append({"id": event_id, "code": rej.code, "message": rej.message})
        else:
            record.outcome = "accepted" if applied else "stale"
            result["accepted" if applied else "stale"].append(event_id)
        sess.add(record)
    partner.events_applied += len(result["accepted"])
    sess.flush()
    return result


def _printable(value) -> None:
    """No NUL or other control characters (but tab and newline) in any text: PostgreSQL refuses
    NUL, and no screen wants the rest."""
    if isinstance(value, str):
        if any(ord(ch) < 32 and ch not in "\t\n\r" for ch in value):
            raise Rejected("invalid_data", "control characters in a text field")
    elif isinstance(value, dict):
        for item in value.values():
            _printable(item)
    elif isinstance(value, list):
        for item in value:
            _printable(item)


def _apply(batch: _Batch, event: dict) -> bool:
    """True when applied, False when stale; raises Rejected."""
    partner = batch.partner
    if event["partner"] != partner.id:
        raise Rejected("partner_mismatch", f"event of partner {event['partner']} sent with a key of {partner.id}")
    kind = event["type"]
    data = event["data"]
    if kind.startswith("vacancy."):
        return _vacancy(batch, event, data)
    if kind.startswith("placement."):
        return _placement(batch, event, data)
    return _request_status(batch, event, data)


def _vacancy(batch, event, data) -> bool:
    location = batch.location(data["location"])
    row, newer = batch.aggregate("vacancy", event)
    if not newer:
        return False
    if row is None:
        row = batch.new_aggregate("vacancy", event)
    row.sequence, row.updated_at, row.location_id = event["sequence"], clock.now(), location.id
    if event["type"] == "vacancy.withdrawn":
        row.withdrawn = True
        row.free_places = 0
        for name in ("age_band", "month"):
            if isinstance(data.get(name), str):
                setattr(row, name, data[name][:40])
    else:
        row.withdrawn = False
        row.age_band, row.days, row.month = data["age_band"], data["days"], data["month"]
        row.free_places, row.last_minute = data["free_places"], data["last_minute"]
    return True


def _placement(batch, event, data) -> bool:
    sess, partner = batch.sess, batch.partner
    started = event["type"] == "placement.started"
    if started and not data.get("start_date"):
        raise Rejected("invalid_data", "placement.started needs start_date")
    if not started and not data.get("end_date"):
        raise Rejected("invalid_data", "placement.ended needs end_date")
    request_id = data.get("loket_request_id")
    if data.get("child") and not request_id:
        raise Rejected("invalid_data", "child data only for a placement of a loket request")
    start, end = _date(data.get("start_date")), _date(data.get("end_date"))
    if start and end and end < start:
        raise Rejected("invalid_data", "end_date before start_date")
    reg = _registration(sess, partner, request_id) if request_id else None
    location = batch.location(data["location"])
    row, newer = batch.aggregate("placement", event)
    if not newer:
        return False
    if row is None:
        row = batch.new_aggregate("placement", event)
    row.sequence, row.updated_at, row.location_id = event["sequence"], clock.now(), location.id
    row.status = "started" if started else "ended"
    if "loket_request_id" in data:
        row.loket_request_id = request_id
    if start:
        row.start_date = start
    if "end_date" in data:
        row.end_date = end
    if "child" in data:
        child = data.get("child") or {}
        row.child_first_name, row.child_initial = child.get("first_name", ""), child.get("initial", "")[:2]
    if started and reg is not None:
        registrations.mark_placed(sess, reg, partner.id)
    return True


def _request_status(batch, event, data) -> bool:
    sess, partner = batch.sess, batch.partner
    reg = _registration(sess, partner, data["loket_request_id"])
    row, newer = batch.aggregate("request", event)
    if not newer:
        return False
    if row is None:
        row = batch.new_aggregate("request", event)
    row.sequence, row.updated_at, row.registration_id = event["sequence"], clock.now(), reg.id
    row.status, row.at = data["status"], _datetime(data["at"])
    row.location_ref = (data.get("location") or {}).get("ref", "")
    if data["status"] == "placed":
        registrations.mark_placed(sess, reg, partner.id)
    return True


def _registration(sess, partner, public_id: str) -> Registration:
    reg = sess.scalar(select(Registration).where(Registration.public_id == public_id))
    if reg is None or not registrations.visible_to(reg, partner.id):
        raise Rejected("unknown_request", f"no loket request {public_id} for this partner")
    return reg


def _date(value) -> date | None:
    if value in (None, ""):
        return None
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(value)
    except (TypeError, ValueError):
        raise Rejected("invalid_data", f"not a date: {value!r}") from None


def _datetime(value) -> datetime:
    if isinstance(value, datetime):
        moment = value
    else:
        try:
            moment = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
        except ValueError:
            raise Rejected("invalid_data", f"not a date-time: {value!r}") from None
    if moment.tzinfo is None:
        from datetime import UTC

        moment = moment.replace(tzinfo=UTC)
    return moment


# --- state and checksums (GET /state) ----------------------------------------------------------------


def checksum(lines: list[str]) -> str:
    return hashlib.sha256("\n".join(sorted(lines)).encode("utf-8")).hexdigest()


def partner_state(sess: Session, partner: Partner) -> dict:
    vacancies = sess.execute(select(Vacancy.aggregate_id, Vacancy.free_places, Vacancy.last_minute)
                             .where(Vacancy.partner_id == partner.id, Vacancy.withdrawn.is_(False))).all()
    placements = sess.execute(select(Placement.aggregate_id, Placement.start_date, Placement.end_date)
                              .where(Placement.partner_id == partner.id)).all()
    v_lines = [f"{a}|{f}|{int(bool(lm))}" for a, f, lm in vacancies]
    p_lines = [f"{a}|{s.isoformat() if s else ''}|{e.isoformat() if e else ''}" for a, s, e in placements]
    return {"partner": partner.id, "events_applied": partner.events_applied,
            "vacancies": {"count": len(v_lines), "checksum": checksum(v_lines)},
            "placements": {"count": len(p_lines), "checksum": checksum(p_lines)},
            "as_of": clock.now().isoformat().replace("+00:00", "Z")}


def partner_vacancies(sess: Session, partner: Partner) -> list[dict]:
    rows = sess.execute(select(Vacancy, Location.ref).join(Location, Location.id == Vacancy.location_id)
                        .where(Vacancy.partner_id == partner.id, Vacancy.withdrawn.is_(False))
                        .order_by(Vacancy.aggregate_id)).all()
    return [{"aggregate_id": v.aggregate_id, "sequence": v.sequence, "location_ref": ref, "age_band": v.age_band,
             "days": v.days, "month": v.month, "free_places": v.free_places, "last_minute": v.last_minute}
            for v, ref in rows]


def received_events(app, partner_id: str | None = None) -> dict[str, int]:
    """Tests and checks: every event id received (lowercase) → how many times it was delivered.
    Each id appears once (it was applied at most once); the count shows the retries."""
    with app.app_context(), app.extensions["loket_db"].unit_of_work() as sess:
        stmt = select(ReceivedEvent.event_id, ReceivedEvent.times_received)
        if partner_id:
            stmt = stmt.where(ReceivedEvent.partner_id == partner_id)
        return dict(sess.execute(stmt).all())
