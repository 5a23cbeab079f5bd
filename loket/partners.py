"""Partners and their keys: creation (a key id + a random secret, shown once), rotation with an
overlap, and the key lookup the signature check uses. Secrets are Fernet-encrypted at rest with
the loket's own key (LOKET_ENCRYPTION_KEY or ``loket-encryption.key`` in the data folder), not
core's global one, so a koepel and a loket can live in one process (tests)."""
from __future__ import annotations

import re
import secrets
from collections.abc import Iterable
from datetime import datetime, timedelta

from cryptography.fernet import Fernet, MultiFernet
from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import Session

from core.clock import clock
from core.crypto import parse_keys
from loket.models import Location, Partner, PartnerKey

PARTNER_ID = re.compile(r"^[a-z0-9][a-z0-9_-]{0,39}$")
OVERLAP = timedelta(days=14)


class PartnerError(ValueError):
    pass


def make_fernet(keys: str) -> MultiFernet:
    return MultiFernet([Fernet(k) for k in parse_keys(keys)])


def _fernet() -> MultiFernet:
    return current_app.extensions["loket_fernet"]


def add_partner(sess: Session, partner_id: str, name: str, *, key_id: str | None = None,
                secret: str | None = None, locations: Iterable[str] = (), inbound_url: str = "") -> tuple[str, str]:
    """Create a partner with its first key; returns (key_id, secret). ``locations``: refs assigned now."""
    from core.http import safe_url

    if inbound_url and not safe_url(inbound_url):
        raise PartnerError(f"ongeldig adres {inbound_url!r}: https, of http alleen naar deze machine")
    if not PARTNER_ID.match(partner_id or ""):
        raise PartnerError(f"ongeldige partner-id {partner_id!r}: kleine letters, cijfers, - en _ (max. 40)")
    if sess.get(Partner, partner_id) is not None:
        raise PartnerError(f"partner {partner_id} bestaat al")
    partner = Partner(id=partner_id, name=name.strip() or partner_id, inbound_url=inbound_url)
    sess.add(partner)
    sess.flush()
    for ref in locations:
        assign_location(sess, partner, ref)
    return add_key(sess, partner, key_id=key_id, secret=secret)


def assign_location(sess: Session, partner: Partner, ref: str, **fields) -> Location:
    location = sess.scalar(select(Location).where(Location.ref == ref))
    if location is not None and location.partner_id != partner.id:
        raise PartnerError(f"locatie {ref} hoort bij partner {location.partner_id}")
    if location is None:
        location = Location(ref=ref, partner_id=partner.id, name=fields.pop("name", "") or ref)
        sess.add(location)
    for key, value in fields.items():
        setattr(location, key, value)
    sess.flush()
    return location


def add_key(sess: Session, partner: Partner, *, key_id: str | None = None, secret: str | None = None,
            overlap: timedelta | None = None) -> tuple[str, str]:
    """A new key for ``partner``; its older keys stay valid for ``overlap`` (rotation), or forever
    for the first key. Returns (key_id, secret)."""
    now = clock.now()
    if overlap is not None:
        for old in partner.keys:
            if old.expires_at is None or old.expires_at > now + overlap:
                old.expires_at = now + overlap
    key_id = key_id or f"{partner.id}-{secrets.token_hex(4)}"
    secret = secret or secrets.token_urlsafe(32)
    if sess.get(PartnerKey, key_id) is not None:
        raise PartnerError(f"sleutel-id {key_id} bestaat al")
    sess.add(PartnerKey(key_id=key_id, partner_id=partner.id, created_at=now,
                        secret_encrypted=_fernet().encrypt(secret.encode()).decode()))
    sess.flush()
    return key_id, secret


def rotate_key(sess: Session, partner_id: str, overlap: timedelta = OVERLAP) -> tuple[str, str]:
    partner = sess.get(Partner, partner_id)
    if partner is None:
        raise PartnerError(f"onbekende partner {partner_id}")
    return add_key(sess, partner, overlap=overlap)


def key_secret(sess: Session, key_id: str, now: datetime | None = None) -> tuple[PartnerKey, bytes] | None:
    """The key and its secret when it may sign now (partner active, key not expired)."""
    key = sess.get(PartnerKey, key_id)
    now = now or clock.now()
    if key is None or not key.partner.active or (key.expires_at is not None and key.expires_at <= now):
        return None
    return key, _fernet().decrypt(key.secret_encrypted.encode())


def current_secret(sess: Session, partner: Partner) -> tuple[str, bytes] | None:
    """The newest valid key (for signing pushes to the partner)."""
    now = clock.now()
    valid = [k for k in partner.keys if k.expires_at is None or k.expires_at > now]
    if not valid:
        return None
    key = max(valid, key=lambda k: k.created_at)
    return key.key_id, _fernet().decrypt(key.secret_encrypted.encode())
