"""One interface for every kind of loket (``LoketAdapter``): the reference protocol over signed
HTTP (docs/loket-api.yaml) first, an Excel workbook for lokets that work with files second.

``send`` returns an ``Answer`` per event or raises: ``TemporaryFailure`` (core.http: not reached,
timeout, 5xx, 408/425/429; also 409 and an answer that is not the JSON the API promises) to try
again later, ``AuthRefused`` (401/403) and ``FinalFailure`` (another 4xx or a redirect) for a
state the director must see."""
from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass
from typing import Protocol

from core.http import HttpResponse, Signing, TemporaryFailure
from core.http import request as http_request

API = "/api/v1"
OUTCOMES = ("accepted", "duplicates", "stale")


class AuthRefused(RuntimeError):
    """The loket does not accept our credentials (401/403)."""


class FinalFailure(RuntimeError):
    """An answer that trying again will not change (a 4xx other than 401/403/409, a redirect)."""


@dataclass(frozen=True)
class Answer:
    event_id: str
    outcome: str  # accepted | duplicate | stale | rejected
    reason: str = ""


@dataclass(frozen=True)
class RequestPage:
    requests: list[dict]
    next_cursor: str | None
    has_more: bool = False


class LoketAdapter(Protocol):
    name: str

    def send(self, events: list[dict]) -> list[Answer]:
        """Deliver a batch of events (wire format); one answer per event the loket settled."""

    def fetch_requests(self, cursor: str | None, limit: int) -> RequestPage:
        """Requests for this partner's locations after ``cursor``."""


def batch_key(event_ids: list[str]) -> str:
    """The Idempotency-Key of a batch: derived from its event ids, the same on every retry."""
    return "koepel-loket-" + hashlib.sha256(",".join(sorted(event_ids)).encode()).hexdigest()[:40]


def _check(response: HttpResponse) -> object:
    if response.status in (401, 403):
        raise AuthRefused(f"{response.status}: {response.text[:200]}")
    if response.status == 409:
        raise TemporaryFailure(f"409: {response.text[:200]}", status=409)
    if not 200 <= response.status < 300:
        raise FinalFailure(f"{response.status}: {response.text[:300]}")
    try:
        return response.json()
    except ValueError:
        raise TemporaryFailure(f"{response.status} with an answer that is not JSON: {response.text[:120]!r}",
                               status=response.status) from None


def _ids(value) -> list[tuple[str, str]]:
    """A list of event ids, or of {"id", "reason"} objects -> (id, reason)."""
    found = []
    for item in value if isinstance(value, list) else ():
        if isinstance(item, str):
            found.append((item, ""))
        elif isinstance(item, dict) and isinstance(item.get("id"), str):
            found.append((item["id"], ": ".join(str(item[k]) for k in ("code", "message", "reason")
                                                 if item.get(k))[:300]))
    return found


def parse_answer(body, sent_ids: list[str]) -> list[Answer]:
    """``{"accepted": [...], "duplicates": [...], "stale": [...], "rejected": [{"id", "reason"}]}``;
    counts instead of lists settle every event not rejected. Anything else is garbage (retry)."""
    if not isinstance(body, dict) or not any(k in body for k in (*OUTCOMES, "rejected")):
        raise TemporaryFailure(f"answer without outcome: {str(body)[:120]}")
    sent = set(sent_ids)
    answers: dict[str, Answer] = {}
    for key, outcome in (("accepted", "accepted"), ("duplicates", "duplicate"), ("stale", "stale")):
        for event_id, _reason in _ids(body.get(key)):
            if event_id in sent:
                answers[event_id] = Answer(event_id, outcome)
    for event_id, reason in _ids(body.get("rejected")):
        if event_id in sent:
            answers[event_id] = Answer(event_id, "rejected", reason or "rejected")
    if all(isinstance(body.get(k, 0), int) for k in OUTCOMES):  # counts only: the rest went through
        for event_id in sent_ids:
            answers.setdefault(event_id, Answer(event_id, "accepted"))
    return list(answers.values())


class HttpAdapter:
    """The reference protocol: signed JSON over HTTPS (http only to this machine)."""

    name = "http"

    def __init__(self, base_url: str, signing: Signing, *, timeout: float = 20.0) -> None:
        self.base_url, self.signing, self.timeout = base_url.rstrip("/"), signing, timeout

    def send(self, events: list[dict]) -> list[Answer]:
        ids = [e["id"] for e in events]
        response = http_request("POST", f"{self.base_url}{API}/events", json={"events": events},
                                idempotency_key=batch_key(ids), signing=self.signing, timeout=self.timeout)
        return parse_answer(_check(response), ids)

    def fetch_requests(self, cursor: str | None, limit: int) -> RequestPage:
        from urllib.parse import urlencode

        query = urlencode({k: v for k, v in (("cursor", cursor), ("limit", limit)) if v})
        response = http_request("GET", f"{self.base_url}{API}/requests?{query}", signing=self.signing,
                                timeout=self.timeout)
        body = _check(response)
        if not isinstance(body, dict) or not isinstance(body.get("requests"), list):
            raise TemporaryFailure(f"requests answer without a list: {str(body)[:120]}")
        next_cursor = body.get("next_cursor")
        return RequestPage([r for r in body["requests"] if isinstance(r, dict)],
                           str(next_cursor) if next_cursor not in (None, "") else None,
                           bool(body.get("has_more")))


def fetch_state(adapter: HttpAdapter) -> dict:
    """``GET /state``: what the loket holds for this partner (counts and checksums)."""
    body = _check(http_request("GET", f"{adapter.base_url}{API}/state", signing=adapter.signing,
                               timeout=adapter.timeout))
    if not isinstance(body, dict) or not isinstance(body.get("vacancies"), dict):
        raise TemporaryFailure(f"state answer without vacancies: {str(body)[:120]}")
    return body


class ExcelAdapter:
    """For a loket that works with files: events are settled at once (the workbook the director
    downloads always shows the current state), nothing comes back."""

    name = "excel"

    def send(self, events: list[dict]) -> list[Answer]:
        return [Answer(e["id"], "accepted") for e in events]

    def fetch_requests(self, cursor: str | None, limit: int) -> RequestPage:
        return RequestPage([], None)


def workbook(vacancies: list[dict], placements: list[dict], *, partner: str) -> bytes:
    """The Excel file for the loket: free places and placements, one sheet each."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "Vrije plaatsen"
    sheet.append(["Partner", "Locatie-ref", "Locatie", "Gemeente", "Maand", "Leeftijd", "Dagen", "Vrij",
                  "Last minute"])
    for v in vacancies:
        sheet.append([partner, v["location_ref"], v["location"], v["municipality"], v["month"], v["age_band"],
                      v["day_parts"], v["free"], "ja" if v["last_minute"] else "nee"])
    sheet2 = book.create_sheet("Plaatsingen")
    sheet2.append(["Partner", "Locatie-ref", "Locatie", "Start", "Einde", "Loket-vraag"])
    for p in placements:
        sheet2.append([partner, p["location_ref"], p["location"], p["start_date"], p["end_date"] or "",
                       p["loket_request_id"] or ""])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
