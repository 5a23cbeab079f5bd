"""Requests the loket pushes (webhook ``loketRequest`` of docs/loket-api.yaml): the signature is
checked with the partner's key (the previous one too during a rotation), a replayed signature is
refused (its nonce was seen within the window), and the request is applied like a pulled one
(idempotent on the loket's id and version). Pulling by cursor stays the source of truth."""
from __future__ import annotations

import json
from datetime import timedelta

from sqlalchemy import delete

from core.db import upsert_ignore
from core.http import SIGNATURE_WINDOW, SignatureRefused, verify_request

from ..models import SeenNonce
from . import connection, inbound


class PushRefused(ValueError):
    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code = status, code


def receive(ctx, method: str, url: str, headers, body: bytes) -> str:
    """Verify and apply one pushed LoketRequest; returns the outcome or raises PushRefused."""
    keys = connection.verification_keys(ctx)

    def seen(key_id: str, nonce: str, created) -> bool:
        ctx.session.execute(delete(SeenNonce).where(SeenNonce.organisation_id == ctx.org.id,
                                                    SeenNonce.created < ctx.now() - 2 * SIGNATURE_WINDOW
                                                    - timedelta(minutes=1)))
        inserted = ctx.session.execute(upsert_ignore(ctx.session, SeenNonce.__table__,
                                                     ["organisation_id", "key_id", "nonce"]).values(
            organisation_id=ctx.org.id, key_id=key_id[:200], nonce=nonce[:200], created=created)
            .returning(SeenNonce.id)).scalar()
        return inserted is None  # the nonce was there already: a replay

    try:
        verify_request(method, url, headers, body or None, secret_for=keys.get, now=ctx.now(), seen=seen)
    except SignatureRefused as exc:
        raise PushRefused(401, exc.code, str(exc)) from None
    try:
        item = json.loads(body or b"null")
    except ValueError:
        raise PushRefused(400, "bad_json", "the body is not JSON") from None
    if not isinstance(item, dict):
        raise PushRefused(400, "bad_request", "a LoketRequest object is expected")
    try:
        return inbound.apply(ctx, item)
    except inbound.Unmappable as exc:
        raise PushRefused(400, "bad_request", str(exc)) from None
