"""The one outbound HTTP client (KOT today; the loket sync and billing next).

Calls leave the process only from job handlers (``core.jobs``): a handler calls ``request`` and
lets ``TemporaryFailure`` propagate, so the *job* is retried with exponential backoff and jitter;
there is no sleep loop here. What it guarantees on every call:

* **Address rule**: ``https://``, or plain ``http://`` only to this machine (127.0.0.0/8, ::1,
  ``localhost``: a local stand-in in tests and development). Anything else raises
  ``AddressRefused`` before a byte is sent. Redirects are never followed (a redirect could lead a
  bearer token elsewhere): a 3xx comes back as an answer.
* **Timeouts**: ``timeout`` seconds for connecting and for each read (default 30).
* **Temporary or final**: no connection, a timeout, or an answer in ``RETRY_STATUSES`` (408, 425,
  429, 5xx gateways) raises ``TemporaryFailure``; any other answer is returned (a 4xx is an
  answer, to be recorded, not retried).
* **Idempotency keys** (``idempotency_key=``): the header ``Idempotency-Key``; derive it from the
  job (``core.jobs.idempotency_key_for_job(job)``) so that every retry of one job carries the same key.
* **Request signing** (``signing=Signing(key_id, secret)``): HTTP Message Signatures (RFC 9421)
  with HMAC-SHA256 through the ``http-message-signatures`` library, covering the method, the
  target URI, the content type, the idempotency key and a ``Content-Digest`` of the body.
* **Verifying** (``verify_request``): the receiver's side of the same scheme (the reference loket,
  and the partner's inbound push endpoint): required components, a ``created`` window in both
  directions, a required ``nonce`` and replay refusal through a caller-given store. One place, so
  that sender and receiver cannot drift apart.
* **Secrets at rest**: tokens and signing keys of an organisation are kept encrypted
  (``core.crypto``) in ``outbound_secret`` (``set_secret`` / ``get_secret``), never shown again.
"""
from __future__ import annotations

import ipaddress
import json as jsonlib
import secrets as secretslib
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.clock import clock

TIMEOUT = 30.0
RETRY_STATUSES = frozenset({408, 425, 429, 500, 502, 503, 504})
MAX_ANSWER = 1024 * 1024  # bytes of an answer kept; the rest is not read
LOCAL_NAMES = frozenset({"localhost"})


class AddressRefused(ValueError):
    """The address breaks the rule (https, or plain http only to this machine): nothing was sent."""


class TemporaryFailure(RuntimeError):
    """Not reached, timed out, or asked to come back later: let it propagate, the job is retried."""

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class Signing:
    """HMAC-SHA256 signing (RFC 9421). ``secret`` is the shared key; ``key_id`` names it for the
    receiver."""

    key_id: str
    secret: bytes = field(repr=False)
    label: str = "koepel"


@dataclass(frozen=True)
class HttpResponse:
    status: int
    headers: dict[str, str]
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")

    def json(self):
        return jsonlib.loads(self.body) if self.body else None


# --- the address rule --------------------------------------------------------------------------------


def is_local_host(hostname: str | None) -> bool:
    if not hostname:
        return False
    if hostname.lower() in LOCAL_NAMES:
        return True
    try:
        return ipaddress.ip_address(hostname).is_loopback
    except ValueError:
        return False  # a name such as localhost.example.org or 127.0.0.1.example.org


def safe_url(url: str) -> bool:
    """https, or plain http only to this machine. Parsed, so that look-alikes do not pass."""
    try:
        parts = urlsplit(str(url))
        parts.port  # noqa: B018 - raises on a bad port
    except ValueError:
        return False
    if parts.username or parts.password:
        return False  # credentials in the address would be logged everywhere
    if parts.scheme == "https":
        return bool(parts.hostname)
    return parts.scheme == "http" and is_local_host(parts.hostname)


def check_url(url: str) -> str:
    if not safe_url(url):
        raise AddressRefused(f"refused address (https, or http only to this machine): {url!r}")
    return url


# --- idempotency and signing --------------------------------------------------------------------------


@dataclass
class _Message:
    """What http-message-signatures signs: method, url, headers (a mutable mapping)."""

    method: str
    url: str
    headers: dict[str, str]


def sign(method: str, url: str, headers: dict[str, str], body: bytes | None, signing: Signing) -> dict[str, str]:
    """Add ``Signature``, ``Signature-Input`` (and ``Content-Digest`` for a body) to ``headers``."""
    from http_message_signatures import HTTPMessageSigner, algorithms
    from http_message_signatures.resolvers import MappingKeyResolver

    covered = ["@method", "@target-uri"]
    covered += [name for name in ("content-type", "idempotency-key") if _has(headers, name)]
    message = _Message(method, url, headers)
    signer = HTTPMessageSigner(signature_algorithm=algorithms.HMAC_SHA256,
                               key_resolver=MappingKeyResolver(public_keys={},
                                                               private_keys={signing.key_id: signing.secret}))
    signer.sign(message, key_id=signing.key_id, label=signing.label, created=clock.now(),
                nonce=secretslib.token_urlsafe(16),  # a retry is signed anew: the receiver refuses replays
                covered_component_ids=tuple(covered), body=body if body is not None else None)
    return message.headers


def verify(method: str, url: str, headers: dict[str, str], body: bytes | None, key_id: str, secret: bytes,
           max_age: timedelta = timedelta(minutes=5)):
    """The receiver's side (tests, and later webhooks from the loket): raises when invalid."""
    from http_message_signatures import HTTPMessageVerifier, algorithms
    from http_message_signatures.resolvers import MappingKeyResolver

    verifier = HTTPMessageVerifier(signature_algorithm=algorithms.HMAC_SHA256,
                                   key_resolver=MappingKeyResolver(public_keys={key_id: secret}, private_keys={}))
    results = verifier.verify(_Message(method, url, dict(headers)), max_age=max_age)
    if body is not None:
        results = verifier.verify_body(_Message(method, url, dict(headers)), results, body)
    return results


def _has(headers: dict[str, str], name: str) -> bool:
    return any(key.lower() == name for key in headers)


SIGNATURE_WINDOW = timedelta(seconds=300)


class SignatureRefused(Exception):
    """The request's signature is refused: answer 401 with ``code`` and ``message``. Codes:
    signature_missing, signature_invalid, unknown_key, signature_expired, signature_replayed."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class VerifiedSignature:
    key_id: str
    created: datetime
    nonce: str
    covered: tuple[str, ...]


def verify_request(method: str, url: str, headers, body: bytes | None, *,
                   secret_for: Callable[[str], bytes | None], now: datetime | None = None,
                   window: timedelta = SIGNATURE_WINDOW, label: str = "koepel",
                   seen: Callable[[str, str, datetime], bool] | None = None) -> VerifiedSignature:
    """Verify an incoming request signed by ``sign`` or raise ``SignatureRefused``.

    ``secret_for(key_id)`` gives the shared secret of a key id (None: unknown or expired key).
    ``created`` must lie within ``window`` of ``now`` (either way: clock skew); the ``nonce`` is
    required, and ``seen(key_id, nonce, created)`` must record it and answer True when it was
    already recorded within the window (a replay). A body needs a signed ``Content-Digest``;
    ``idempotency-key`` and ``content-type`` must be covered when sent."""
    from http_message_signatures import HTTPMessageVerifier, InvalidSignature, algorithms
    from http_message_signatures.resolvers import MappingKeyResolver

    headers = {str(k): str(v) for k, v in dict(headers).items()}
    if not _has(headers, "signature") or not _has(headers, "signature-input"):
        raise SignatureRefused("signature_missing", "Signature and Signature-Input headers are required")
    key_id = _key_id(headers, label)
    secret = secret_for(key_id)
    if not secret:
        raise SignatureRefused("unknown_key", "unknown or expired key id")
    required = ["@method", "@target-uri"] + [n for n in ("content-type", "idempotency-key") if _has(headers, n)]
    verifier = HTTPMessageVerifier(signature_algorithm=algorithms.HMAC_SHA256,
                                   key_resolver=MappingKeyResolver(public_keys={key_id: secret}, private_keys={}))
    verifier.max_clock_skew = window  # the window is checked below against ``now``
    try:
        results = verifier.verify(_Message(method.upper(), url, headers), max_age=None,
                                  require_components=required, body=body if body else None)
    except InvalidSignature as exc:
        if "future" in str(exc):
            raise SignatureRefused("signature_expired", f"created is outside the window of "
                                                        f"{int(window.total_seconds())} s") from None
        raise SignatureRefused("signature_invalid", f"signature does not verify: {exc}") from None
    except Exception as exc:  # noqa: BLE001 - a malformed header of any kind is a refused signature
        raise SignatureRefused("signature_invalid", f"malformed signature: {exc}") from None
    result = next((r for r in results if r.label == label), None)
    if result is None:
        raise SignatureRefused("signature_invalid", f"no signature labelled {label}")
    created = datetime.fromtimestamp(result.parameters["created"], tz=UTC)
    now = now or clock.now()
    if now.tzinfo is None:
        now = now.replace(tzinfo=UTC)
    if abs(now - created) > window:
        raise SignatureRefused("signature_expired",
                               f"created is outside the window of {int(window.total_seconds())} s")
    nonce = result.nonce
    if not isinstance(nonce, str) or len(nonce) < 16:
        raise SignatureRefused("signature_invalid", "a nonce of at least 16 characters is required")
    if seen is not None and seen(key_id, nonce, created):
        raise SignatureRefused("signature_replayed", "this nonce was already used")
    return VerifiedSignature(key_id=key_id, created=created, nonce=nonce,
                             covered=tuple(result.covered_components))


def _key_id(headers: dict[str, str], label: str) -> str:
    from http_message_signatures import HTTPMessageVerifier

    raw = next(v for k, v in headers.items() if k.lower() == "signature-input")
    try:
        key_id = HTTPMessageVerifier._parse_signature_dictionary(raw)[label].params["keyid"]
    except Exception:  # noqa: BLE001 - any malformed input is one answer
        raise SignatureRefused("signature_invalid", f"Signature-Input has no {label} signature with a keyid") from None
    if not isinstance(key_id, str) or not key_id:
        raise SignatureRefused("signature_invalid", "keyid must be a string")
    return key_id


# --- the request ---------------------------------------------------------------------------------------


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req, fp, code, msg, headers, newurl):  # noqa: PLR0913
        return None  # the 3xx is returned to the caller as it is


_OPENER = urllib.request.build_opener(_NoRedirect)


def request(method: str, url: str, *, json=None, body: bytes | None = None, headers: dict[str, str] | None = None,
            timeout: float = TIMEOUT, idempotency_key: str | None = None, signing: Signing | None = None,
            retry_statuses: frozenset[int] = RETRY_STATUSES) -> HttpResponse:
    """Send one request. Raises ``AddressRefused`` (nothing sent) or ``TemporaryFailure`` (retry
    the job); returns every other answer."""
    check_url(url)
    method = method.upper()
    if json is not None and body is not None:
        raise ValueError("give json or body, not both")
    send_headers = {"Accept": "application/json", "User-Agent": "Koepel"}
    if json is not None:
        body = jsonlib.dumps(json, ensure_ascii=False).encode("utf-8")
        send_headers["Content-Type"] = "application/json"
    send_headers.update(headers or {})
    if idempotency_key:
        send_headers["Idempotency-Key"] = idempotency_key
    if signing is not None:
        send_headers = sign(method, url, send_headers, body, signing)
    req = urllib.request.Request(url, data=body, method=method, headers=send_headers)
    try:
        with _OPENER.open(req, timeout=timeout) as answer:  # noqa: S310 (https or this machine only)
            return HttpResponse(answer.status, dict(answer.headers.items()), answer.read(MAX_ANSWER))
    except urllib.error.HTTPError as exc:
        data = exc.read(MAX_ANSWER) if exc.fp is not None else b""
        if exc.code in retry_statuses:
            raise TemporaryFailure(f"{urlsplit(url).netloc} answered {exc.code}: "
                                   f"{data[:200].decode('utf-8', 'replace')}", status=exc.code) from None
        return HttpResponse(exc.code, dict(exc.headers.items()) if exc.headers else {}, data)
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        raise TemporaryFailure(f"{urlsplit(url).netloc} unreachable: {exc}") from None


def post(url: str, **kwargs) -> HttpResponse:
    return request("POST", url, **kwargs)


def get(url: str, **kwargs) -> HttpResponse:
    return request("GET", url, **kwargs)


# --- secrets at rest -------------------------------------------------------------------------------------


def set_secret(session: Session, org, name: str, value: str | None, *, key_id: str = "",
               actor_id: int | None = None):
    """Store (encrypted) or, with an empty ``value``, remove a secret of ``org`` (a token, a
    signing key). Returns the row or None."""
    from core.models.secret import OutboundSecret

    row = session.scalar(select(OutboundSecret).where(OutboundSecret.organisation_id == org.id,
                                                      OutboundSecret.name == name))
    value = (value or "").strip()
    if not value:
        if row is not None:
            session.delete(row)
            session.flush()
        return None
    if row is None:
        row = OutboundSecret(organisation_id=org.id, name=name)
        session.add(row)
    row.value = value
    row.key_id = key_id
    row.set_at = clock.now()
    row.set_by_id = actor_id
    session.flush()
    return row


def get_secret(session: Session, org, name: str) -> str | None:
    from core.models.secret import OutboundSecret

    row = session.scalar(select(OutboundSecret).where(OutboundSecret.organisation_id == org.id,
                                                      OutboundSecret.name == name))
    return row.value if row is not None else None


def signing_for(session: Session, org, name: str) -> Signing | None:
    """The organisation's signing key ``name`` as a ``Signing``, or None when none is set."""
    from core.models.secret import OutboundSecret

    row = session.scalar(select(OutboundSecret).where(OutboundSecret.organisation_id == org.id,
                                                      OutboundSecret.name == name))
    if row is None:
        return None
    return Signing(key_id=row.key_id or name, secret=row.value.encode("utf-8"))
