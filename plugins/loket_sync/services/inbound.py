"""Requests from the loket: pulled by cursor on a schedule (and pushed, when the loket pushes),
mapped onto wachtlijst requests through ``plugins.wachtlijst.api`` under the loket's request id.

A request is applied once per version (``loket_sync_inbound``): a new one is created, a newer
version changes an open request, a withdrawal (or a place elsewhere) withdraws it. A request that
cannot be mapped (no location of this partner, no child data, data the wachtlijst refuses) is
kept with the reason and shown on the sync page, never dropped."""
from __future__ import annotations

import json
import logging
from datetime import date, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

import plugins.wachtlijst.api as wachtlijst
from core.errors import DomainError, register_messages
from core.http import AddressRefused, TemporaryFailure
from core.jobs import enqueue

from ..models import InboundRequest
from . import connection
from .adapters import AuthRefused, FinalFailure
from .outbox import locations_by_ref

log = logging.getLogger(__name__)
PULL = "loket_sync.pull"
SOURCE = "loket"
CLOSED = {"withdrawn": "ingetrokken bij het loket", "placed_elsewhere": "elders geplaatst (loket)"}
WEEKDAYS = {"mon": 0, "tue": 1, "wed": 2, "thu": 3, "fri": 4, "sat": 5, "sun": 6}


REFUSED = "loket_sync.refused"
register_messages({
    "loket_sync.no_request_id": _l("zonder nummer van de aanvraag bij het loket"),
    "loket_sync.date_missing": _l("%(what)s ontbreekt"),
    "loket_sync.not_a_date": _l("%(what)s is geen datum: %(value)s"),
    "loket_sync.no_child": _l("geen gegevens over het kind"),
    "loket_sync.no_applicant": _l("geen gegevens over de aanvrager"),
    "loket_sync.no_location": _l("geen gekende locatie van deze partner (%(refs)s)"),
    "loket_sync.no_preference": _l("geen gekende locatie van deze partner (geen voorkeur)"),
    "loket_sync.no_birth_date": _l("geen (verwachte) geboortedatum van het kind"),
    REFUSED: _l("geweigerd door de wachtlijst: %(reason)s"),
})
DATE_FIELDS = {"date_of_birth": _l("geboortedatum"), "expected_birth_date": _l("verwachte geboortedatum"),
               "desired_start": _l("gewenste startdatum")}


class Unmappable(DomainError, ValueError):
    """The request cannot become a wachtlijst request: a code and its parameters are stored
    (``stored``) and shown to the director in their language (``reason_text``)."""

    def __init__(self, code: str, **params) -> None:
        super().__init__(code, None, **params)

    def stored(self) -> str:
        """Code and parameters as JSON for ``unmapped_reason`` (300 characters at most)."""
        params = {k: v[:100] if isinstance(v, str) else v for k, v in self.params.items()}
        text = json.dumps({"code": self.code, "params": params}, ensure_ascii=False, sort_keys=True)
        return text if len(text) <= 300 else json.dumps({"code": self.code, "params": {}})


def refused(exc: Exception) -> Unmappable:
    """The wachtlijst refused the data: its codes are kept, translated when shown."""
    errors = getattr(exc, "errors", None)
    if errors:
        return Unmappable(REFUSED, errors={str(k)[:40]: str(v)[:40] for k, v in sorted(errors.items())[:5]})
    return Unmappable(REFUSED, wl_code=str(getattr(exc, "code", "")), detail=str(getattr(exc, "detail", "")))


def _refusal(errors: dict | None, code: str | None, detail: str) -> str:
    from core.labels import field_label

    if errors:
        return ", ".join(f"{field_label(k)}: {wachtlijst.WachtlijstError(v).message_in(None)}"
                         for k, v in errors.items())
    return wachtlijst.WachtlijstError(code or "", detail=detail).message_in(None)


def reason_text(stored: str | None) -> str:
    """``unmapped_reason`` in the reader's language; a row kept before codes (Dutch text) as it is."""
    if not stored:
        return ""
    try:
        data = json.loads(stored)
    except ValueError:
        return stored
    if not isinstance(data, dict) or not isinstance(data.get("code"), str):
        return stored
    params = dict(data.get("params") or {})
    if "what" in params:
        params["what"] = DATE_FIELDS.get(params["what"], params["what"])
    if data["code"] == REFUSED:
        params = {"reason": _refusal(params.get("errors"), params.get("wl_code"), params.get("detail", ""))}
    return Unmappable(data["code"], **params).message


def _date(value, name: str, required: bool = False) -> date | None:
    if value in (None, ""):
        if required:
            raise Unmappable("loket_sync.date_missing", what=name)
        return None
    try:
        return date.fromisoformat(str(value)[:10])
    except ValueError:
        raise Unmappable("loket_sync.not_a_date", what=name, value=str(value)[:40]) from None


def _days(value) -> list[dict]:
    days = []
    for item in value if isinstance(value, list) else ():
        if isinstance(item, dict):
            weekday, part = item.get("day", item.get("weekday")), item.get("part", item.get("day_part", "full"))
        else:
            weekday, part = item, "full"
        if isinstance(weekday, str):
            weekday = WEEKDAYS.get(weekday.lower()[:3])
        if isinstance(weekday, int) and 0 <= weekday <= 6 and part in ("full", "morning", "afternoon"):
            days.append({"weekday": weekday, "day_part": part})
    return days


def to_request_data(ctx, item: dict) -> wachtlijst.RequestData:
    """A LoketRequest as wachtlijst's RequestData (raises Unmappable)."""
    applicant, child = item.get("applicant"), item.get("child")
    if not isinstance(child, dict) or not (child.get("last_name") or "").strip():
        raise Unmappable("loket_sync.no_child")
    if not isinstance(applicant, dict):
        raise Unmappable("loket_sync.no_applicant")
    ours = locations_by_ref(ctx)
    prefs = sorted((p for p in item.get("preferences") or () if isinstance(p, dict)),
                   key=lambda p: (p.get("rank") if isinstance(p.get("rank"), int) else 99))
    location_ids = []
    for p in prefs:
        loc = ours.get(str(p.get("location_ref")))
        if loc is not None and loc.id not in location_ids:
            location_ids.append(loc.id)
    if not location_ids:
        refs = ", ".join(str(p.get("location_ref")) for p in prefs)[:100]
        raise Unmappable("loket_sync.no_location", refs=refs) if refs else Unmappable("loket_sync.no_preference")
    priority = item.get("priority") if isinstance(item.get("priority"), dict) else {}
    facts = {str(flag): True for flag in priority.get("flags") or () if isinstance(flag, str)}
    urgency = item.get("urgency") if isinstance(item.get("urgency"), dict) else {}
    if urgency.get("urgent") is True:
        facts["urgent"] = True
    if not child.get("date_of_birth") and not child.get("expected_birth_date"):
        raise Unmappable("loket_sync.no_birth_date")
    notes = "via het lokaal loket" + (f"; dringend: {urgency.get('reason')}"[:300] if urgency.get("urgent") else "")
    return wachtlijst.RequestData(
        applicant_first_name=str(applicant.get("first_name") or "").strip() or "?",
        applicant_last_name=str(applicant.get("last_name") or "").strip(),
        email=str(applicant.get("email") or "").strip(), phone=str(applicant.get("phone") or ""),
        street=str(applicant.get("street") or ""), postcode=str(applicant.get("postcode") or ""),
        municipality=str(applicant.get("municipality") or ""), language=str(applicant.get("language") or "nl"),
        child_first_name=str(child.get("first_name") or ""), child_last_name=str(child.get("last_name")).strip(),
        child_birth_date=_date(child.get("date_of_birth"), "date_of_birth"),
        expected_birth_date=_date(child.get("expected_birth_date"), "expected_birth_date"),
        desired_start=_date(item.get("desired_start"), "desired_start", required=True),
        location_ids=location_ids, days=_days(item.get("days")), facts=facts,
        notes=notes)


def apply(ctx, item: dict) -> str:
    """Apply one LoketRequest; returns what happened (created, changed, withdrawn, unchanged,
    unmapped, stale)."""
    loket_id = str(item.get("loket_request_id") or "").strip()[:100]
    if not loket_id:
        raise Unmappable("loket_sync.no_request_id")  # nothing to keep it under: the caller logs it
    version = item.get("version") if isinstance(item.get("version"), int) else 0
    row = ctx.session.scalar(select(InboundRequest).where(InboundRequest.organisation_id == ctx.org.id,
                                                          InboundRequest.loket_request_id == loket_id))
    if row is not None and version <= row.version and row.unmapped_reason is None:
        return "stale"
    if row is None:
        row = InboundRequest(organisation_id=ctx.org.id, loket_request_id=loket_id, version=version)
        ctx.session.add(row)
    row.version, row.payload, row.received_at = version, item, ctx.now()
    status = str(item.get("status") or "active")
    row.status = status[:20]
    existing = wachtlijst.find_external_request(ctx, SOURCE, loket_id)
    if status in CLOSED:
        row.unmapped_reason = None
        if existing is None:
            return "withdrawn"
        row.care_request_id = existing.id
        try:
            wachtlijst.withdraw_request(ctx, existing.id, reason=CLOSED[status])
        except wachtlijst.WachtlijstError:
            return "unchanged"  # already closed (placed here, withdrawn)
        return "withdrawn"
    try:
        data = to_request_data(ctx, item)
        if existing is None:
            with ctx.session.begin_nested():
                info = wachtlijst.create_external_request(ctx, SOURCE, loket_id, data)
            outcome = "created"
        else:
            with ctx.session.begin_nested():
                info = wachtlijst.update_external_request(ctx, SOURCE, loket_id, data)
            outcome = "changed"
    except Unmappable as exc:
        row.unmapped_reason = exc.stored()
        return "unmapped"
    except wachtlijst.ValidationFailed as exc:
        row.unmapped_reason = refused(exc).stored()
        return "unmapped"
    except wachtlijst.WachtlijstError as exc:
        if exc.code == "not_waiting":
            row.unmapped_reason = None
            return "unchanged"
        row.unmapped_reason = refused(exc).stored()
        return "unmapped"
    row.care_request_id, row.unmapped_reason = info.id, None
    ctx.session.flush()
    return outcome


def pull(ctx, adapter=None, *, max_pages: int = 20) -> dict[str, int]:
    """Fetch requests after the stored cursor, page by page; the cursor advances with each page."""
    from .sender import adapter_for

    adapter = adapter or adapter_for(ctx)
    counts: dict[str, int] = {}
    if adapter is None:
        return counts
    conn = connection.get_or_create(ctx)
    try:
        for _page in range(max_pages):
            page = adapter.fetch_requests(conn.cursor or None, 100)
            for item in page.requests:
                try:
                    outcome = apply(ctx, item)
                except Unmappable as exc:
                    log.warning("loket %s: request skipped: %s", ctx.org.slug, exc)
                    outcome = "invalid"
                counts[outcome] = counts.get(outcome, 0) + 1
            if page.next_cursor:
                conn.cursor = page.next_cursor[:200]
            if not page.requests or not page.next_cursor or not page.has_more:
                break
        conn.last_pull_at = ctx.now()
    except AuthRefused as exc:
        connection.set_state(ctx, conn, "auth_refused", str(exc))
    except (TemporaryFailure, FinalFailure, AddressRefused) as exc:
        connection.set_state(ctx, conn, "error", f"ophalen: {exc}")
        log.warning("loket %s: pull: %s", ctx.org.slug, exc)
    ctx.session.flush()
    return counts


def schedule(ctx, *, delay: float | None = None):
    """The organisation's next pull (one waiting at a time)."""
    seconds = float(ctx.setting("loket_sync.pull_interval_seconds")) if delay is None else delay
    return enqueue(ctx.session, PULL, {}, key=f"{PULL}:{ctx.org.id}", organisation_id=ctx.org.id,
                   run_at=ctx.now() + timedelta(seconds=seconds), module="loket_sync")
