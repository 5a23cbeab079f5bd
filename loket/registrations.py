"""Registrations (one per child) and the per-partner change feed.

Every change of a registration bumps its ``version`` and gives a new feed ``seq`` to each partner
that sees it now or saw it before (a partner dropped from the preferences sees it once more, as
withdrawn). ``seq`` comes from one counter row, locked, so it only grows in commit order and a
cursor never skips a change."""
from __future__ import annotations

import base64
import secrets
import unicodedata
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from core.clock import clock
from loket.db import for_update
from loket.models import Counter, FeedEntry, Location, Preference, Registration

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
PARTS = ("full", "morning", "afternoon")
PRIORITY_FLAGS = ("work", "single_parent", "low_income", "foster_child", "sibling_in_care", "care_need",
                  "low_education", "family_member_handicap", "social_pedagogical")


class RegistrationError(ValueError):
    """``code`` names the problem for the screens (translated there)."""

    def __init__(self, code: str, message: str = "") -> None:
        super().__init__(message or code)
        self.code = code


@dataclass
class RegistrationInput:
    applicant_first_name: str
    applicant_last_name: str
    email: str
    child_first_name: str
    child_last_name: str
    desired_start: date
    location_ids: list[int]  # in order of preference
    date_of_birth: date | None = None
    expected_birth_date: date | None = None
    phone: str = ""
    street: str = ""
    postcode: str = ""
    municipality: str = ""
    language: str = "nl"
    days: list[dict[str, str]] = field(default_factory=list)
    priority_flags: list[str] = field(default_factory=list)
    urgent: bool = False
    urgency_reason: str = ""


def child_key(first_name: str, last_name: str, birth: date) -> str:
    """The child's identity at the loket (no national number): names folded, and the birth date."""
    def fold(text: str) -> str:
        text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
        return " ".join(text.casefold().split())
    return f"{fold(first_name)}|{fold(last_name)}|{birth.isoformat()}"


def file_registration(sess: Session, data: RegistrationInput) -> Registration:
    """File the one registration of a child; a second active one for the same child is refused."""
    if (data.date_of_birth is None) == (data.expected_birth_date is None):
        raise RegistrationError("birth", "give either the date of birth or the expected birth date")
    if not data.location_ids:
        raise RegistrationError("preferences", "at least one location")
    if len(set(data.location_ids)) != len(data.location_ids):
        raise RegistrationError("preferences", "a location twice")
    if any(d.get("day") not in WEEKDAYS or d.get("part") not in PARTS for d in data.days):
        raise RegistrationError("days")
    if any(f not in PRIORITY_FLAGS for f in data.priority_flags):
        raise RegistrationError("priority")
    if data.urgent and not data.urgency_reason.strip():
        raise RegistrationError("urgency_reason", "an urgent request needs a reason")
    key = child_key(data.child_first_name, data.child_last_name, data.date_of_birth or data.expected_birth_date)
    _lock_counter(sess)  # serialises filings: the duplicate check below cannot race
    if sess.scalar(select(Registration.id).where(Registration.child_key == key, Registration.status == "active")):
        raise RegistrationError("duplicate_child", "this child already has an active registration")
    locations = sess.scalars(select(Location).where(Location.id.in_(data.location_ids))).all()
    if len(locations) != len(data.location_ids):
        raise RegistrationError("preferences", "unknown location")
    now = clock.now()
    reg = Registration(
        public_id=f"tmp-{secrets.token_hex(8)}", version=1, status="active", filed_at=now, changed_at=now, child_key=key,
        applicant_first_name=data.applicant_first_name.strip(), applicant_last_name=data.applicant_last_name.strip(),
        email=data.email.strip().lower(), phone=data.phone.strip(), street=data.street.strip(),
        postcode=data.postcode.strip(), municipality=data.municipality.strip(), language=data.language,
        child_first_name=data.child_first_name.strip(), child_last_name=data.child_last_name.strip(),
        date_of_birth=data.date_of_birth, expected_birth_date=data.expected_birth_date,
        desired_start=data.desired_start, days=list(data.days), priority_flags=sorted(set(data.priority_flags)),
        urgent=data.urgent, urgency_reason=data.urgency_reason.strip() if data.urgent else "")
    sess.add(reg)
    sess.flush()
    reg.public_id = f"LK-{now.year}-{reg.id:06d}"
    for rank, location_id in enumerate(data.location_ids, start=1):
        reg.preferences.append(Preference(location_id=location_id, rank=rank))
    sess.flush()
    _publish(sess, reg, bump=False)
    return reg


def withdraw(sess: Session, reg: Registration) -> None:
    if reg.status == "withdrawn":
        return
    reg.status = "withdrawn"
    touch(sess, reg)


def mark_placed(sess: Session, reg: Registration, partner_id: str) -> None:
    """A partner placed the child: the others see ``placed_elsewhere``."""
    if reg.status != "active":
        return
    reg.status = "placed"
    reg.placed_by_partner_id = partner_id
    touch(sess, reg)


def touch(sess: Session, reg: Registration) -> None:
    """A change of ``reg``: new version, new feed entries."""
    _publish(sess, reg, bump=True)


def _publish(sess: Session, reg: Registration, *, bump: bool) -> None:
    seq = _lock_counter(sess)
    if bump:
        reg.version += 1
        reg.changed_at = clock.now()
    partners = {p.location.partner_id for p in reg.preferences}
    partners |= set(sess.scalars(select(FeedEntry.partner_id).where(FeedEntry.registration_id == reg.id)))
    existing = {e.partner_id: e for e in sess.scalars(select(FeedEntry).where(FeedEntry.registration_id == reg.id))}
    for partner_id in sorted(partners):
        seq.value += 1
        entry = existing.get(partner_id)
        if entry is None:
            sess.add(FeedEntry(partner_id=partner_id, registration_id=reg.id, seq=seq.value))
        else:
            entry.seq = seq.value
    sess.flush()


def _lock_counter(sess: Session) -> Counter:
    counter = sess.scalar(for_update(select(Counter).where(Counter.name == "feed"), sess))
    if counter is None:
        from core.db import upsert_ignore

        sess.execute(upsert_ignore(sess, Counter.__table__, ["name"]).values(name="feed", value=0))
        counter = sess.scalar(for_update(select(Counter).where(Counter.name == "feed"), sess))
    return counter


# --- the feed as the API shows it ------------------------------------------------------------------


def encode_cursor(seq: int) -> str:
    return base64.urlsafe_b64encode(str(seq).encode()).decode().rstrip("=") or "MA"


def decode_cursor(cursor: str | None) -> int:
    if not cursor:
        return 0
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode("ascii")
    except (ValueError, UnicodeDecodeError):
        raise RegistrationError("cursor", "unknown cursor") from None
    if not raw.isdigit() or len(raw) > 18:
        raise RegistrationError("cursor", "unknown cursor")
    return int(raw)


def feed_page(sess: Session, partner_id: str, cursor: str | None, limit: int) -> dict:
    after = decode_cursor(cursor)
    rows = sess.execute(select(FeedEntry.seq, Registration)
                        .join(Registration, Registration.id == FeedEntry.registration_id)
                        .where(FeedEntry.partner_id == partner_id, FeedEntry.seq > after)
                        .order_by(FeedEntry.seq).limit(limit + 1)
                        .options(selectinload(Registration.preferences).selectinload(Preference.location))).all()
    has_more = len(rows) > limit
    rows = rows[:limit]
    last = rows[-1][0] if rows else after
    return {"requests": [as_api(reg, partner_id) for _seq, reg in rows],
            "next_cursor": encode_cursor(last), "has_more": has_more}


def status_for(reg: Registration, partner_id: str) -> str:
    mine = [p for p in reg.preferences if p.location.partner_id == partner_id]
    if reg.status == "withdrawn" or (not mine and reg.placed_by_partner_id != partner_id):
        return "withdrawn"
    if reg.status == "placed" and reg.placed_by_partner_id != partner_id:
        return "placed_elsewhere"
    return "active"


def visible_to(reg: Registration, partner_id: str) -> bool:
    return reg.placed_by_partner_id == partner_id or any(p.location.partner_id == partner_id for p in reg.preferences)


def as_api(reg: Registration, partner_id: str) -> dict:
    """The LoketRequest a partner sees: only its own locations among the preferences."""
    return {
        "loket_request_id": reg.public_id,
        "version": reg.version,
        "status": status_for(reg, partner_id),
        "filed_at": _iso(reg.filed_at),
        "applicant": {"first_name": reg.applicant_first_name, "last_name": reg.applicant_last_name,
                      "email": reg.email, "phone": reg.phone, "street": reg.street, "postcode": reg.postcode,
                      "municipality": reg.municipality, "language": reg.language},
        "child": {"first_name": reg.child_first_name, "last_name": reg.child_last_name,
                  "date_of_birth": reg.date_of_birth.isoformat() if reg.date_of_birth else None,
                  "expected_birth_date": reg.expected_birth_date.isoformat() if reg.expected_birth_date else None},
        "preferences": [{"location_ref": p.location.ref, "rank": p.rank}
                        for p in reg.preferences if p.location.partner_id == partner_id],
        "desired_start": reg.desired_start.isoformat(),
        "days": [{"day": d["day"], "part": d["part"]} for d in reg.days],
        "priority": {"flags": list(reg.priority_flags)},
        "urgency": {"urgent": reg.urgent, "reason": reg.urgency_reason},
    }


def _iso(moment) -> str:
    return moment.isoformat().replace("+00:00", "Z")
