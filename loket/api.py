"""The loket's API (``/api/v1``), enforced against docs/loket-api.yaml with openapi-core: every
request is checked after its signature, every answer before it leaves (a mismatch is logged and,
with LOKET_STRICT_RESPONSES, turned into a 500 so that tests and fuzzing see it)."""
from __future__ import annotations

import functools
import hashlib
import json
import logging
from datetime import timedelta
from importlib import resources

from flask import Blueprint, current_app, g, jsonify, request
from sqlalchemy import delete, select
from werkzeug.exceptions import HTTPException

from core import http
from core.clock import clock
from core.db import upsert_ignore
from loket import events, registrations
from loket.db import session
from loket.models import IdempotencyRecord, Partner, SeenNonce

log = logging.getLogger(__name__)
bp = Blueprint("loket_api", __name__, url_prefix="/api/v1")
MAX_EVENTS = 500
MAX_BODY = 2 * 1024 * 1024
VERSION = "1.0.0"
PUBLIC = {"loket_api.health"}
KEEP_ANSWERS = timedelta(days=7)


@functools.cache
def load_openapi():
    """The spec shipped in the package (a link to docs/loket-api.yaml), with a relative server so
    that any host matches."""
    import yaml
    from openapi_core import OpenAPI

    spec = yaml.safe_load(resources.files("loket").joinpath("loket-api.yaml").read_text(encoding="utf-8"))
    spec["servers"] = [{"url": "/api/v1"}]
    return OpenAPI.from_dict(spec)


def error(status: int, code: str, message: str):
    response = jsonify({"error": {"code": code, "message": message}})
    response.status_code = status
    return response


# --- before every API request: body size, signature, schema ----------------------------------------------


@bp.before_request
def authenticate():
    if request.endpoint in PUBLIC or request.endpoint is None:
        return None
    body = request.get_data(cache=True)  # 413 past MAX_CONTENT_LENGTH
    sess = session()
    found = {}

    def secret_for(key_id: str):
        hit = _key_secret(sess, key_id)
        if hit is None:
            return None
        found["partner_id"] = hit[0].partner_id
        return hit[1]

    window = timedelta(seconds=int(current_app.config["LOKET_SIGNATURE_WINDOW"]))
    try:
        http.verify_request(request.method, _target_uri(), request.headers, body, secret_for=secret_for,
                            now=clock.now(), window=window, seen=_seen_nonce(sess, window))
    except http.SignatureRefused as refused:
        log.info("loket api: signature refused (%s): %s", refused.code, refused.message)
        return error(401, refused.code, refused.message)
    g.partner_id = found["partner_id"]
    if request.method == "POST":
        try:
            payload = json.loads(body)
        except (ValueError, UnicodeDecodeError):
            return error(400, "bad_json", "the body is not valid JSON")
        if isinstance(payload, dict) and isinstance(payload.get("events"), list) and len(payload["events"]) > MAX_EVENTS:
            return error(413, "batch_too_large", f"at most {MAX_EVENTS} events per batch")
        g.payload = payload
    return _validate_request()


def _key_secret(sess, key_id):
    from loket.partners import key_secret

    return key_secret(sess, key_id)


def _seen_nonce(sess, window):
    def seen(key_id: str, nonce: str, created) -> bool:
        now = clock.now()
        sess.execute(delete(SeenNonce).where(SeenNonce.created < now - 2 * window))
        inserted = sess.execute(upsert_ignore(sess, SeenNonce.__table__, ["key_id", "nonce"]).values(
            key_id=key_id, nonce=nonce[:200], created=created).returning(SeenNonce.key_id)).first()
        if inserted is None:  # (rowcount is not reliable for ON CONFLICT DO NOTHING on every driver)
            return True
        # kept even when the request then fails: a replay of a refused request stays refused
        sess.commit()
        return False
    return seen


def _target_uri() -> str:
    return target_uri(request.environ, current_app.config.get("LOKET_PUBLIC_URL"))


def target_uri(environ, public_url: str | None = None) -> str:
    """The address the sender signed: its own bytes (REQUEST_URI as sent, never re-quoted), under
    LOKET_PUBLIC_URL when set (behind a proxy), else the scheme and Host header of the request."""
    from urllib.parse import quote

    raw = environ.get("REQUEST_URI") or environ.get("RAW_URI")
    if not raw or not raw.startswith("/"):
        raw = quote(environ.get("SCRIPT_NAME", "") + environ.get("PATH_INFO", ""), safe="/%;,=:@!$&'()*+~")
        if environ.get("QUERY_STRING"):
            raw += "?" + environ["QUERY_STRING"]
    if public_url:
        return public_url.rstrip("/") + raw
    host = environ.get("HTTP_HOST") or f"{environ.get('SERVER_NAME')}:{environ.get('SERVER_PORT')}"
    return f"{environ.get('wsgi.url_scheme', 'http')}://{host}{raw}"


def _validate_request():
    """openapi-core's validation (not its unmarshalling: 20 times slower on a batch of 500); the
    handlers read the JSON as sent."""
    from openapi_core.contrib.flask import FlaskOpenAPIRequest
    from openapi_core.exceptions import OpenAPIError
    from openapi_core.validation.request.exceptions import RequestBodyValidationError

    try:
        current_app.extensions["loket_openapi"].validate_request(FlaskOpenAPIRequest(request))
    except RequestBodyValidationError as exc:
        return error(422, "invalid_body", _explain(exc)[:1000])
    except OpenAPIError as exc:
        return error(400, "bad_request", _explain(exc)[:1000])
    return None


def _explain(exc) -> str:
    inner = [str(getattr(e, "message", e)) for e in (getattr(exc.__cause__, "schema_errors", None) or [])]
    return f"{exc}" if not inner else f"{type(exc).__name__}: " + "; ".join(inner)


@bp.after_request
def validate_response(response):
    if request.endpoint is None or not current_app.config.get("LOKET_VALIDATE_RESPONSES", True):
        return response
    if (request.content_length or 0) > current_app.config["MAX_CONTENT_LENGTH"]:
        return response  # the body cannot be read again to match the operation: our own 413 error shape
    from openapi_core.contrib.flask import FlaskOpenAPIRequest, FlaskOpenAPIResponse
    from openapi_core.exceptions import OpenAPIError

    try:
        current_app.extensions["loket_openapi"].validate_response(
            FlaskOpenAPIRequest(request), FlaskOpenAPIResponse(response))
    except OpenAPIError as exc:
        problems = _explain(exc)
        log.error("loket api: answer does not match the spec: %s %s -> %s: %s",
                  request.method, request.path, response.status_code, problems)
        current_app.extensions["loket_response_errors"].append(problems)
        if current_app.config.get("LOKET_STRICT_RESPONSES"):
            g.rollback_only = True
            return error(500, "server_error", "answer does not match the spec")
    return response


# --- the operations ----------------------------------------------------------------------------------------


@bp.get("/health")
def health():
    return jsonify({"status": "ok", "version": VERSION, "time": clock.now().isoformat().replace("+00:00", "Z")})


@bp.post("/events")
def post_events():
    sess = session()
    body = request.get_data(cache=True)
    digest = hashlib.sha256(body).hexdigest()
    key = request.headers["Idempotency-Key"]
    events.lock_partner(sess, g.partner_id)
    sess.execute(delete(IdempotencyRecord).where(  # a week is far beyond any retry; events stay idempotent by id
        IdempotencyRecord.partner_id == g.partner_id, IdempotencyRecord.created_at < clock.now() - KEEP_ANSWERS))
    record = sess.get(IdempotencyRecord, (g.partner_id, key))
    if record is not None:
        if record.body_sha256 != digest:
            return error(409, "idempotency_key_reused", "this Idempotency-Key was used for another body")
        answer = jsonify(record.response)
        answer.headers["Idempotent-Replayed"] = "true"
        return answer
    result = events.apply_batch(sess, g.partner_id, g.payload["events"])
    sess.add(IdempotencyRecord(partner_id=g.partner_id, key=key, body_sha256=digest, response=result,
                               created_at=clock.now()))
    return jsonify(result)


@bp.get("/requests")
def list_requests():
    limit = request.args.get("limit", default=100, type=int)
    try:
        page = registrations.feed_page(session(), g.partner_id, request.args.get("cursor"), limit)
    except registrations.RegistrationError:
        return error(400, "bad_request", "unknown cursor")
    return jsonify(page)


@bp.get("/state")
def state():
    sess = session()
    return jsonify(events.partner_state(sess, sess.get(Partner, g.partner_id)))


@bp.get("/vacancies")
def vacancies():
    sess = session()
    return jsonify({"vacancies": events.partner_vacancies(sess, sess.get(Partner, g.partner_id))})


def json_errors(app) -> None:
    """404, 405, 413 and 500 under /api/ answer JSON in the spec's shape."""
    codes = {400: "bad_request", 404: "not_found", 405: "method_not_allowed", 413: "batch_too_large"}

    @app.errorhandler(HTTPException)
    def _http_error(exc: HTTPException):
        if not request.path.startswith("/api/"):
            return exc
        if exc.code == 413:
            return error(413, "batch_too_large", f"at most {MAX_BODY // (1024 * 1024)} MiB per request")
        return error(exc.code or 500, codes.get(exc.code, "server_error"), exc.description or exc.name)

    @app.errorhandler(Exception)
    def _crash(exc: Exception):
        if isinstance(exc, HTTPException):
            return _http_error(exc)
        log.exception("loket: unhandled error")
        if request.path.startswith("/api/"):
            return error(500, "server_error", "internal error")
        return "internal error", 500


__all__ = ["bp", "json_errors", "load_openapi", "select", "target_uri"]
