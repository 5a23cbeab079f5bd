"""The client of Opgroeien's childcare-allowance (KOT) API, behind the jobs outbox.

A director's "send" only writes a job (``core.jobs.enqueue``) in the request's transaction; the
worker (``koepel jobs run``) builds the payload from the data *at sending time*, posts it with the
bearer token and records a ``ReportSubmission`` with the answer. When the API cannot be reached,
answers 5xx, 408 or 429, the handler raises, so the job is retried with exponential backoff (up to
``MAX_ATTEMPTS``): nothing is lost while Opgroeien is down. The call itself goes through core's
one outbound client (``core.http``: address rule, timeouts, idempotency key). Any other answer (accepted, or refused
with a 4xx) is final and recorded for the director. One job per location and month is pending at
a time (pressing "send" twice queues it once).

The token is kept encrypted at rest (``core.crypto``, table ``aanwezigheden_kot_credential``,
re-encrypted by ``koepel crypto rotate`` like every EncryptedString),
entered on its own page and never shown again; only the fact that it changed is audited.
"""
from __future__ import annotations

import json

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session

from core import http
from core.clock import clock
from core.context import build_context, context_for
from core.jobs import Job, JobStatus, enqueue_job, report_progress
from core.models import AuditEntry, Location, Organisation, OrganisationSetting
from core.values import Period

from ..models import KotCredential, ReportSubmission
from . import AttendanceError
from .settings import setting

JOB_KIND = "aanwezigheden.kot_send"
MAX_ATTEMPTS = 12  # with the outbox's doubling backoff from 30 s: retries for about a day and a half
TIMEOUT = 30.0
LEGACY_TOKEN_KEY = "aanwezigheden.kot_api_token"  # plain-text setting of earlier versions
MAX_TOKEN = 4000


class KotUnavailable(http.TemporaryFailure):
    """The API could not be reached or asked to come back later: the job is retried."""


# --- the token --------------------------------------------------------------------------------------


def _migrate_legacy(session: Session, org: Organisation) -> None:
    """A token saved as a plain setting by an earlier version is encrypted and the setting removed."""
    legacy = session.scalar(select(OrganisationSetting).where(OrganisationSetting.organisation_id == org.id,
                                                              OrganisationSetting.key == LEGACY_TOKEN_KEY))
    if legacy is None:
        return
    value = str(legacy.value or "").strip()
    session.delete(legacy)
    session.flush()
    if value and _credential(session, org) is None:
        set_token(session, org, value, actor_id=None, migrated=True)


def _credential(session: Session, org: Organisation) -> KotCredential | None:
    return session.scalar(select(KotCredential).where(KotCredential.organisation_id == org.id))


def token_info(session: Session, org: Organisation) -> KotCredential | None:
    """Whether (and since when, by whom) a token is set; never the token itself."""
    _migrate_legacy(session, org)
    return _credential(session, org)


def get_token(session: Session, org: Organisation) -> str | None:
    _migrate_legacy(session, org)
    row = _credential(session, org)
    return row.token if row is not None else None


def set_token(session: Session, org: Organisation, token: str | None, *, actor_id: int | None,
              migrated: bool = False) -> None:
    """Store (encrypted) or, with an empty ``token``, remove the organisation's KOT token."""
    token = (token or "").strip()
    if len(token) > MAX_TOKEN or any(c.isspace() for c in token):
        raise AttendanceError(_("Dit is geen geldige toegangssleutel."), field="token")
    row = _credential(session, org)
    if not token:
        if row is None:
            return
        session.delete(row)
        action = "delete"
    else:
        if row is None:
            row = KotCredential(organisation_id=org.id)
            session.add(row)
        row.token = token  # EncryptedText: encrypted on its way to the database
        row.set_at = clock.now()
        row.set_by_id = actor_id
        action = "update"
    session.flush()
    session.add(AuditEntry(organisation_id=org.id, user_id=actor_id, at=clock.now(), action=action,
                           entity=KotCredential.__tablename__, entity_id=row.id,
                           summary="KOT-toegangssleutel" + (" (versleuteld overgezet)" if migrated else ""),
                           changes={"token": ["***", "***" if token else None]}))
    session.flush()


# --- sending through the outbox ------------------------------------------------------------------------


def _check_url(session: Session, org: Organisation) -> str:
    url = str(setting(context_for(session, org), "kot_api_url") or "").strip().rstrip("/")
    if not url:
        raise AttendanceError(_("Er is geen adres voor de KOT-API ingesteld: download het bestand en laad het op."),
                              code="not_configured", status=409)
    if not http.safe_url(url):
        raise AttendanceError(_("Het adres van de KOT-API moet met https:// beginnen."), code="bad_url", status=409)
    return url


def job_key(org: Organisation, location: Location, period: Period) -> str:
    """One sending per location and month waits at a time (coalesced) and runs at a time (lock)."""
    return f"{JOB_KIND}:{org.id}:{location.id}:{period.year}-{period.month:02d}"


def queue_send(session: Session, org: Organisation, location: Location, period: Period, *,
               actor_id: int | None) -> tuple[Job, bool]:
    """Check what can be checked now and queue the sending. Returns the job and whether it is new
    (False: one for this location and month was still waiting)."""
    from .reports import kot_payload

    _check_url(session, org)
    if not get_token(session, org):
        raise AttendanceError(_("Er is geen toegangssleutel voor de KOT-API ingesteld."), code="no_token",
                              status=409)
    _body, problems = kot_payload(context_for(session, org), location, period)
    if problems:
        raise AttendanceError(_("Los eerst deze problemen op: %(list)s", list="; ".join(problems)), code="problems",
                              status=409)
    key = job_key(org, location, period)
    return enqueue_job(session, JOB_KIND, {"organisation_id": org.id, "location_id": location.id,
                                           "period": f"{period.year}-{period.month:02d}", "actor_id": actor_id},
                       key=key, lock_key=key, organisation_id=org.id, max_attempts=MAX_ATTEMPTS)


def pending_jobs(session: Session, org: Organisation) -> dict[tuple[int, str], Job]:
    """Waiting KOT jobs of ``org`` by (location id, "YYYY-MM"), for the reports page."""
    rows = session.scalars(select(Job).where(Job.kind == JOB_KIND, Job.organisation_id == org.id,
                                             Job.status.in_((JobStatus.PENDING, JobStatus.RUNNING))))
    return {(job.payload["location_id"], job.payload["period"]): job for job in rows}


def post(url: str, token: str, body: dict, *, job_id: int | None = None,
         timeout: float = TIMEOUT) -> tuple[int, str]:
    """POST the payload through core.http; (status, answer text). Raises KotUnavailable when worth
    retrying (the job retries with backoff)."""
    headers = {"Authorization": f"Bearer {token}"}
    key = None
    if job_id is not None:
        key = f"koepel-kot-{job_id}"  # the same on every retry of one job
        headers["X-Correlation-ID"] = key
    try:
        answer = http.post(f"{url}/opvangprestaties", json=body, headers=headers, timeout=timeout,
                           idempotency_key=key)
    except http.TemporaryFailure as exc:
        if exc.status is not None:
            raise KotUnavailable(f"KOT-API antwoordde {exc.status}: {exc}") from None
        raise KotUnavailable(f"KOT-API onbereikbaar: {exc}") from None
    return answer.status, answer.text[:4000]


def send_job(session: Session, job: Job) -> None:
    """The worker's side: build, post, record. Raising means: retry later."""
    from .reports import kot_payload

    data = job.payload
    org = session.get(Organisation, data["organisation_id"])
    location = session.get(Location, data["location_id"])
    if org is None or location is None or location.organisation_id != org.id:
        return  # removed meanwhile: nothing to send
    ctx = build_context(session, org)  # the job's organisation: its modules, settings and clock
    if not ctx.is_enabled("aanwezigheden"):
        return
    year, month = (int(x) for x in data["period"].split("-"))
    report_progress(job, 0, 2, _("gegevens samenstellen"))
    submission = ReportSubmission(organisation_id=org.id, location_id=location.id, period=data["period"],
                                  kind="kot", at=ctx.now(), sent_by_id=data.get("actor_id"))
    try:
        url = _check_url(session, org)
        token = get_token(session, org)
        if not token:
            raise AttendanceError(_("Er is geen toegangssleutel voor de KOT-API ingesteld."), code="no_token")
        body, problems = kot_payload(ctx, location, Period(year, month))
        if problems:
            raise AttendanceError(_("Los eerst deze problemen op: %(list)s", list="; ".join(problems)),
                                  code="problems")
    except AttendanceError as exc:  # settings or data changed since the director pressed send: final
        submission.ok = False
        submission.response = exc.message[:2000]
        session.add(submission)
        session.flush()
        return
    report_progress(job, 1, 2, _("versturen naar Opgroeien"))
    status, text = post(url, token, body, job_id=job.id)
    try:
        answer = json.loads(text) if text else {}
    except ValueError:
        answer = {}
    submission.http_status = status
    submission.response = text[:2000]
    submission.ok = status in (200, 201) and not (isinstance(answer, dict) and answer.get("success") is False)
    session.add(submission)
    session.flush()
