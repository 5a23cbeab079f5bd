"""Paired tablets and staff PINs.

A director pairs a device with one location: the device keeps a random token (a long-lived
device session, only its SHA-256 is stored) that allows that location's attendance and nothing
else. Staff unlock the device with a personal PIN (argon2-hashed); failures are counted per
device and lock it for a while after too many.

Offline unlocking: with every PIN the server keeps a PBKDF2-SHA256 hash of it with its own salt
(``StaffPin.offline_*``). A device gets, per staff member who may unlock it, the salt, the
iteration count and ``HMAC-SHA256(device.offline_key, pbkdf2)`` — a verifier that is different on
every device and useless elsewhere — and checks a PIN with Web Crypto while offline, counting
failures per device in its own storage. The set is replaced at every sync: a changed PIN (new
salt) or a staff member who left stops working offline then, and a revoked or expired device
receives nothing and wipes what it had.
"""
from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from datetime import datetime, timedelta

from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import and_, bindparam, select
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.orm import Session, aliased, make_transient_to_detached

from core.models import (
    Child,
    Location,
    Organisation,
    OrganisationModule,
    OrganisationSetting,
    Role,
    User,
)
from core.passwords import hash_password, verify_password
from core.tenancy import prebuilt

from ..models import Device, StaffPin
from . import AttendanceError
from .settings import setting

PIN_RE = re.compile(r"^[0-9]{4,8}$")
OFFLINE_ITERATIONS = 210_000  # PBKDF2-SHA256; what a tablet can afford per unlock attempt
OFFLINE_ITERATIONS_FAST = 1_000  # tests (KOEPEL_PASSWORD_HASH_FAST)
MAX_REPORTED_FAILURES = 50


def _offline_iterations() -> int:
    from flask import current_app, has_app_context

    fast = has_app_context() and current_app.config.get("KOEPEL_PASSWORD_HASH_FAST")
    return OFFLINE_ITERATIONS_FAST if fast else OFFLINE_ITERATIONS


def _pbkdf2(pin: str, salt_hex: str, iterations: int) -> str:
    return hashlib.pbkdf2_hmac("sha256", pin.encode(), bytes.fromhex(salt_hex), iterations).hex()


def _set_offline_base(row: StaffPin, pin: str) -> None:
    row.offline_salt = secrets.token_hex(16)
    row.offline_iterations = _offline_iterations()
    row.offline_hash = _pbkdf2(pin, row.offline_salt, row.offline_iterations)


def device_verifier(device_key_hex: str, base_hex: str) -> str:
    """What a device stores for one staff member: HMAC-SHA256(device key, PBKDF2 of the PIN)."""
    return hmac.new(bytes.fromhex(device_key_hex), bytes.fromhex(base_hex), hashlib.sha256).hexdigest()


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def pair_device(ctx, location: Location, name: str, *,
                actor_id: int | None) -> tuple[Device, str]:
    """Create a device for ``location``; returns it and the token (shown once, kept in a cookie)."""
    session = ctx.session
    org = ctx.org
    if location.organisation_id != org.id:
        raise AttendanceError(_("Onbekende locatie."), code="unknown_location", status=404)
    name = (name or "").strip()
    if not name:
        raise AttendanceError(_("Geef het toestel een naam."), field="name")
    token = secrets.token_urlsafe(32)
    days = int(setting(ctx, "device_valid_days"))
    device = Device(organisation_id=org.id, location_id=location.id, name=name[:100],
                    token_hash=token_hash(token), paired_by_id=actor_id,
                    expires_at=ctx.now() + timedelta(days=days), failed_pins=0,
                    offline_key=secrets.token_hex(32))
    session.add(device)
    session.flush()
    return device, token


_DEVICE = prebuilt(select(Device).where(Device.token_hash == bindparam("token_hash"),
                                        Device.organisation_id == bindparam("org_id")))

_ORG_FIELDS = tuple(attr.key for attr in sa_inspect(Organisation).column_attrs)
_DEVICE_FIELDS = tuple(attr.key for attr in sa_inspect(Device).column_attrs)

# Organisation of the URL slug, its enabled modules, the device of a token and every setting of the
# organisation, in one statement of plain columns; every join filtered on the organisation in the
# statement itself (the criteria the ORM tenant guard would add), so it runs on the connection.
_ORG_WITH_DEVICE = (
    select(*(getattr(Organisation, f) for f in _ORG_FIELDS), OrganisationModule.module,
           *(getattr(Device, f) for f in _DEVICE_FIELDS), OrganisationSetting.key, OrganisationSetting.value)
    .select_from(Organisation)
    .outerjoin(OrganisationModule, OrganisationModule.organisation_id == Organisation.id)
    .outerjoin(Device, and_(Device.organisation_id == Organisation.id,
                            Device.token_hash == bindparam("token_hash")))
    .outerjoin(OrganisationSetting, and_(Device.id.is_not(None),
                                         OrganisationSetting.organisation_id == Organisation.id))
    .where(Organisation.slug == bindparam("slug"))
)

# The tap (``api_register``) also locks the row of the child it registers, in this same statement
# (PostgreSQL; docs/concurrency.md): an uncorrelated ``SELECT ... FOR UPDATE`` sub-SELECT, run
# once, that names a child of the organisation only for a known device token (an unpaired caller
# locks nothing). The statement that reads the child's day then starts after the lock is granted,
# with a fresh snapshot that holds a parallel tap's event. The column is the locked id, or NULL.
_lock_device, _lock_org = aliased(Device), aliased(Organisation)
_LOCKED_CHILD = (
    select(Child.id)
    .where(Child.id == bindparam("child_id"),
           Child.organisation_id == select(_lock_device.organisation_id)
           .join(_lock_org, _lock_org.id == _lock_device.organisation_id)
           .where(_lock_org.slug == bindparam("slug"), _lock_device.token_hash == bindparam("token_hash"))
           .scalar_subquery())
    .with_for_update()
    .correlate(None)
    .scalar_subquery()
)
_ORG_WITH_DEVICE_LOCKING_CHILD = _ORG_WITH_DEVICE.add_columns(_LOCKED_CHILD.label("locked_child"))
LOCKED_CHILD_KEY = "aanwezigheden.locked_child"  # ``session.info``: (child id, the transaction holding its lock)


def _attached(session: Session, model, fields: tuple[str, ...], values):
    """The entity of a row read as plain columns: the session's own instance when it has one,
    else a new one attached as if loaded (no query; a later change is flushed as usual)."""
    found = session.identity_map.get(session.identity_key(model, values[0]))
    if found is not None:
        return found
    entity = model(**dict(zip(fields, values, strict=True)))
    make_transient_to_detached(entity)
    session.add(entity)
    return entity


def load_org_with_device(session: Session, slug: str, token: str | None,
                         lock_child_id: int | None = None) -> Organisation | None:
    """The organisation of the URL made the request's TenantContext in one round trip: with its
    enabled modules, the device of ``token`` (``ctx.device``) and, when there is one, every
    setting of the organisation (``ctx.prime_settings``). ``device_for_token`` then checks the
    device without a query of its own (the tablet's requests; see ``TenantBlueprint._load_org``).
    ``lock_child_id`` (the tap): on PostgreSQL the same statement locks that child's row, and
    ``session.info`` records it, so the registration needs no locking statement of its own."""
    from core.context import set_request_context
    from core.tenancy import load_organisation

    if not token:
        return load_organisation(session, slug)
    digest = token_hash(token)
    connection = session.connection()
    params = {"slug": slug, "token_hash": digest}
    locking = lock_child_id is not None and connection.dialect.name != "sqlite"  # SQLite: see registrations
    if locking:
        params["child_id"] = lock_child_id
    rows = connection.execute(_ORG_WITH_DEVICE_LOCKING_CHILD if locking else _ORG_WITH_DEVICE, params).all()
    if not rows:
        return None
    if locking and rows[0][-1] is not None:
        session.info[LOCKED_CHILD_KEY] = (rows[0][-1], session.get_transaction())
    n_org, n_dev = len(_ORG_FIELDS), len(_DEVICE_FIELDS)
    first = rows[0]
    org = _attached(session, Organisation, _ORG_FIELDS, first[:n_org])
    ctx = set_request_context(org, (row[n_org] for row in rows))
    device_at, key_at = n_org + 1, n_org + 1 + n_dev
    if first[device_at] is not None:
        ctx.device = _attached(session, Device, _DEVICE_FIELDS, first[device_at:key_at])
        ctx.prime_settings({row[key_at]: row[key_at + 1] for row in rows if row[key_at] is not None})
    else:
        ctx.device = NO_DEVICE
    return org


NO_DEVICE = object()  # ``ctx.device`` once the token was looked up and matched no device


def device_for_token(ctx, token: str | None) -> Device:
    """The device behind a token, or an AttendanceError saying why not (401/403)."""
    if not token:
        raise AttendanceError(_("Dit toestel is niet gekoppeld. Vraag de verantwoordelijke om het te koppelen."),
                              code="not_paired", status=401)
    digest = token_hash(token)
    device = ctx.device
    if device is NO_DEVICE:
        device = None
    elif device is None or device.token_hash != digest:  # not read with the organisation
        device = ctx.session.scalar(_DEVICE, {"token_hash": digest, "org_id": ctx.org.id})
    if device is None:
        raise AttendanceError(_("Dit toestel is niet gekoppeld. Vraag de verantwoordelijke om het te koppelen."),
                              code="not_paired", status=401)
    if device.revoked_at is not None:
        raise AttendanceError(_("De koppeling van dit toestel is ingetrokken."), code="revoked", status=403)
    if device.expires_at <= ctx.now():
        raise AttendanceError(_("De koppeling van dit toestel is verlopen. Koppel het opnieuw."),
                              code="expired", status=403)
    return device


def revoke_device(ctx, device_id: int) -> Device:
    session = ctx.session
    org = ctx.org
    device = session.scalar(select(Device).where(Device.id == device_id, Device.organisation_id == org.id))
    if device is None:
        raise AttendanceError(_("Onbekend toestel."), code="unknown_device", status=404)
    if device.revoked_at is None:
        device.revoked_at = ctx.now()
    session.flush()
    return device


def set_pin(ctx, user: User, pin: str) -> None:
    """Set (or replace) a staff member's tablet PIN: 4 to 8 digits, stored hashed."""
    session = ctx.session
    org = ctx.org
    if user.organisation_id != org.id:
        raise AttendanceError(_("Onbekende medewerker."), code="unknown_user", status=404)
    if not PIN_RE.match(pin or ""):
        raise AttendanceError(_("Een pincode bestaat uit 4 tot 8 cijfers."), field="pin")
    if len(set(pin)) == 1 or pin in "0123456789" or pin in "9876543210":
        raise AttendanceError(_("Kies een minder voorspelbare pincode."), field="pin")
    row = session.scalar(select(StaffPin).where(StaffPin.user_id == user.id))
    if row is None:
        row = StaffPin(organisation_id=org.id, user_id=user.id)
        session.add(row)
    row.pin_hash = hash_password(pin)
    _set_offline_base(row, pin)  # new salt: verifiers of the old PIN stop working at the next sync
    session.flush()


def staff_for_location(ctx, location_id: int) -> list[User]:
    """Who may unlock a tablet of the location: its caregivers and the directors (with a PIN)."""
    session = ctx.session
    org = ctx.org
    from core.models import user_location

    stmt = (
        select(User).join(StaffPin, StaffPin.user_id == User.id)
        .where(User.organisation_id == org.id, User.active.is_(True))
        .where(
            (User.role == Role.DIRECTOR)
            | (User.id.in_(select(user_location.c.user_id).where(user_location.c.location_id == location_id)))
        )
        .order_by(User.name)
    )
    return list(session.scalars(stmt))


def lock_device(session: Session, device: Device) -> Device:
    """The device row, locked for this transaction and re-read (docs/concurrency.md): PIN
    failures of parallel requests then count one after the other, none is lost."""
    locked = session.scalar(select(Device).where(Device.id == device.id,
                                                 Device.organisation_id == device.organisation_id)
                            .with_for_update().execution_options(populate_existing=True))
    if locked is None:  # pragma: no cover - the device was read in this request
        raise AttendanceError(_("Dit toestel is niet gekoppeld. Vraag de verantwoordelijke om het te koppelen."),
                              code="not_paired", status=401)
    return locked


def unlock(ctx, device: Device, user_id: int | None, pin: str) -> User:
    """Check a PIN on a device. Failures count per device (whoever tried) and lock the device
    after the configured number; the caller must commit even when this raises. The device row
    is locked first, so that parallel guesses are counted one after the other."""
    session = ctx.session
    device = lock_device(session, device)
    now = ctx.now()
    if device.locked_until is not None and device.locked_until > now:
        minutes = max(1, int((device.locked_until - now).total_seconds() // 60) + 1)
        raise AttendanceError(ngettext("Te veel foute pincodes. Dit toestel is vergrendeld voor nog %(num)s minuut.",
                                       "Te veel foute pincodes. Dit toestel is vergrendeld voor nog %(num)s minuten.",
                                       minutes), code="device_locked", status=429)
    allowed = {u.id: u for u in staff_for_location(ctx, device.location_id)}
    user = allowed.get(user_id) if user_id is not None else None
    row = session.scalar(select(StaffPin).where(StaffPin.user_id == user.id)) if user else None
    if user is None or row is None or not verify_password(row.pin_hash, pin or ""):
        if row is None:
            verify_password(None, pin or "")  # same work whether or not the user exists
        device.failed_pins = (device.failed_pins or 0) + 1
        limit = int(setting(ctx, "pin_max_failures"))
        if device.failed_pins >= limit:
            device.locked_until = now + timedelta(minutes=int(setting(ctx, "pin_lock_minutes")))
            device.failed_pins = 0
            session.flush()
            raise AttendanceError(_("Te veel foute pincodes. Dit toestel is tijdelijk vergrendeld."),
                                  code="device_locked", status=429)
        session.flush()
        raise AttendanceError(_("Verkeerde pincode."), code="wrong_pin", status=401, field="pin")
    device.failed_pins = 0
    device.locked_until = None
    device.last_seen_at = now
    if row.offline_hash is None:  # a PIN set before offline unlocking existed
        _set_offline_base(row, pin)
    session.flush()
    return user


def offline_verifiers(ctx, device: Device) -> dict:
    """Everything a device needs to check PINs offline (see the module docstring)."""
    session = ctx.session
    org = ctx.org
    from core.models import user_location

    if not device.offline_key:
        device.offline_key = secrets.token_hex(32)
    rows = session.execute(
        select(User.id, User.name, StaffPin.offline_salt, StaffPin.offline_iterations, StaffPin.offline_hash)
        .join(StaffPin, StaffPin.user_id == User.id)
        .where(User.organisation_id == org.id, User.active.is_(True), StaffPin.organisation_id == org.id,
               StaffPin.offline_hash.is_not(None))
        .where((User.role == Role.DIRECTOR)
               | (User.id.in_(select(user_location.c.user_id).where(user_location.c.location_id == device.location_id))))
    ).all()
    now = ctx.now()
    locked = device.locked_until if device.locked_until is not None and device.locked_until > now else None
    return {
        "device": device.id,
        "device_key": device.offline_key,
        "expires_at": device.expires_at.isoformat(),
        "max_failures": int(setting(ctx, "pin_max_failures")),
        "lock_minutes": int(setting(ctx, "pin_lock_minutes")),
        "locked_until": locked.isoformat() if locked else None,
        "staff": {str(uid): {"salt": salt, "iterations": iterations, "verifier": device_verifier(device.offline_key, base)}
                  for uid, _name, salt, iterations, base in rows},
    }


def record_offline_failures(ctx, device: Device, count) -> None:
    """Wrong PINs tried on the device while offline count like online ones once it syncs."""
    session = ctx.session
    try:
        count = max(0, min(int(count or 0), MAX_REPORTED_FAILURES))
    except (TypeError, ValueError):
        return
    if not count:
        return
    device = lock_device(session, device)
    device.failed_pins = (device.failed_pins or 0) + count
    if device.failed_pins >= int(setting(ctx, "pin_max_failures")):
        device.locked_until = ctx.now() + timedelta(minutes=int(setting(ctx, "pin_lock_minutes")))
        device.failed_pins = 0
    session.flush()


UNLOCK_SKEW = timedelta(minutes=5)  # the tablet's clock against the server's


def proof_message(device_id, staff_id, unlock_at, client_id, child_id, at) -> bytes:
    """What a tablet signs for a registration it queues (``signItem`` in tablet.js joins the same
    JSON values with "|"; a missing value is empty)."""
    return "|".join("" if v is None else str(v) for v in (device_id, staff_id, unlock_at, client_id, child_id,
                                                          at)).encode()


class UnlockedStaff:
    """Who a queued registration is on behalf of: a staff member who unlocked *this* device.

    Accepted are (1) an offline unlock: the item carries ``staff_id``, ``unlock_at`` and
    ``staff_proof`` = HMAC(PBKDF2 of the PIN, ``proof_message``), which only someone who typed
    the PIN on this device can compute, and the item's time lies within the offline unlock
    validity after ``unlock_at``; or (2) an online unlock of this device by that staff member in
    this browser session, still within the validity. The device cookie alone proves nothing."""

    def __init__(self, ctx, device: Device, online_unlock: dict | None) -> None:
        session, org = ctx.session, ctx.org
        self.ctx = ctx
        self.device = device
        self.validity = timedelta(hours=int(setting(ctx, "offline_unlock_hours")))
        allowed = [u.id for u in staff_for_location(ctx, device.location_id)]
        self.bases = dict(session.execute(select(StaffPin.user_id, StaffPin.offline_hash).where(
            StaffPin.organisation_id == org.id, StaffPin.user_id.in_(allowed or [0]))).all())
        self.online_user = None
        info = online_unlock or {}
        try:
            last = datetime.fromisoformat(info.get("t", ""))
        except (TypeError, ValueError):
            last = None
        if info.get("d") == device.id and info.get("u") in self.bases and last is not None \
                and ctx.now() - last <= self.validity:
            self.online_user = info["u"]

    def who(self, item: dict, at) -> int:
        staff_id = item.get("staff_id")
        if isinstance(staff_id, bool) or not isinstance(staff_id, int):
            staff_id = None
        proof, unlock_raw = item.get("staff_proof"), item.get("unlock_at")
        if staff_id in self.bases and isinstance(proof, str) and isinstance(unlock_raw, str):
            base = self.bases[staff_id]
            unlock_at = _parse_moment(unlock_raw)
            if base and unlock_at is not None and at is not None \
                    and unlock_at <= self.ctx.now() + UNLOCK_SKEW and unlock_at - UNLOCK_SKEW <= at <= unlock_at + self.validity:
                message = proof_message(self.device.id, staff_id, unlock_raw, item.get("client_id"),
                                        item.get("child_id"), item.get("at"))
                expected = hmac.new(bytes.fromhex(base), message, hashlib.sha256).hexdigest()
                if hmac.compare_digest(expected, proof.lower()):
                    return staff_id
        if self.online_user is not None and staff_id in (None, self.online_user):
            return self.online_user
        raise AttendanceError(_("Niet geregistreerd door een medewerker die deze tablet ontgrendelde."),
                              code="not_unlocked", status=403)


def _parse_moment(value: str):
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else None
