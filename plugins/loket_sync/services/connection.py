"""The organisation's loket connection: address, key id and secret (encrypted at rest in core's
``outbound_secret``, never shown again), rotation with an overlap period, and the state of the
exchange the sync page shows ("Aanmelding geweigerd", ...)."""
from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import select

from core.http import Signing, get_secret, safe_url, set_secret

from ..models import Connection
from .errors import LoketSyncError

SECRET = "loket_sync.secret"
OLD_SECRET = "loket_sync.secret_old"
ADAPTERS = ("http", "excel")
PARTNER_ID = re.compile(r"^[a-z0-9][a-z0-9_-]{0,39}$")


def get(ctx) -> Connection | None:
    return ctx.session.scalar(select(Connection).where(Connection.organisation_id == ctx.org.id))


def get_or_create(ctx) -> Connection:
    conn = get(ctx)
    if conn is None:
        conn = Connection(organisation_id=ctx.org.id, adapter="http", base_url="", partner_id="", key_id="",
                          old_key_id="",
                          cursor="", state="new", state_message="")
        ctx.session.add(conn)
        ctx.session.flush()
    return conn


def configure(ctx, *, base_url: str, key_id: str, secret: str = "", adapter: str = "http", partner_id: str = "",
              actor_id: int | None = None) -> Connection:
    """Save the settings. An empty ``secret`` keeps the stored one; a new one replaces it and the
    previous one stays valid for ``loket_sync.rotation_overlap_days`` (shown with its end date)."""
    base_url, key_id, secret = (base_url or "").strip().rstrip("/"), (key_id or "").strip(), (secret or "").strip()
    partner_id = (partner_id or "").strip() or ctx.org.slug
    if adapter not in ADAPTERS:
        raise LoketSyncError("adapter_unknown", "adapter")
    if not PARTNER_ID.match(partner_id):
        raise LoketSyncError("partner_id_invalid", "partner_id")
    if adapter == "http":
        if not base_url or not safe_url(base_url):
            raise LoketSyncError("url_refused", "base_url")
        if not key_id or len(key_id) > 200:
            raise LoketSyncError("key_id_required", "key_id")
        if len(secret) > 500 or (secret and len(secret) < 16):
            raise LoketSyncError("secret_invalid", "secret")
    conn = get_or_create(ctx)
    old = get_secret(ctx.session, ctx.org, SECRET)
    if adapter == "http" and not secret and old is None:
        raise LoketSyncError("secret_required", "secret")
    if secret and old is not None and secret != old:
        days = int(ctx.setting("loket_sync.rotation_overlap_days"))
        set_secret(ctx.session, ctx.org, OLD_SECRET, old, key_id=conn.key_id, actor_id=actor_id)
        conn.old_key_id, conn.old_until = conn.key_id, ctx.now() + timedelta(days=days)
    if secret:
        set_secret(ctx.session, ctx.org, SECRET, secret, key_id=key_id, actor_id=actor_id)
    elif old is not None and key_id != conn.key_id:
        set_secret(ctx.session, ctx.org, SECRET, old, key_id=key_id, actor_id=actor_id)
    conn.adapter, conn.base_url, conn.key_id, conn.partner_id = adapter, base_url, key_id, partner_id
    if conn.state in ("auth_refused", "error", "new"):
        set_state(ctx, conn, "new", "")
    ctx.session.flush()
    return conn


def signing(ctx) -> Signing | None:
    conn = get(ctx)
    value = get_secret(ctx.session, ctx.org, SECRET)
    if conn is None or value is None or not conn.key_id:
        return None
    return Signing(key_id=conn.key_id, secret=value.encode("utf-8"))


def verification_keys(ctx) -> dict[str, bytes]:
    """Key id -> secret the loket may sign a push with: the current one and, during the overlap,
    the previous one."""
    conn = get(ctx)
    keys: dict[str, bytes] = {}
    if conn is None:
        return keys
    current = get_secret(ctx.session, ctx.org, SECRET)
    if current:
        keys[conn.key_id] = current.encode("utf-8")
    old = get_secret(ctx.session, ctx.org, OLD_SECRET)
    if old and conn.old_key_id and conn.old_until and conn.old_until > ctx.now():
        keys.setdefault(conn.old_key_id, old.encode("utf-8"))
    return keys


def has_secret(ctx) -> bool:
    return get_secret(ctx.session, ctx.org, SECRET) is not None


def set_state(ctx, conn: Connection, state: str, message: str) -> None:
    conn.state, conn.state_message, conn.state_at = state, (message or "")[:500], ctx.now()
