"""The progress of a background job of the organisation, as JSON for the progress component
(``core/_job_progress.html`` + ``core/job-progress.js``)."""
from __future__ import annotations

from flask import abort, g
from flask_babel import gettext as _

from core.db import session
from core.models.job import Job, JobStatus
from core.security import JOB_VIEW, TenantBlueprint, requires

bp = TenantBlueprint("jobs", __name__, url_prefix="/jobs")


def status_label(job: Job) -> str:
    return {
        JobStatus.PENDING: _("wacht"),
        JobStatus.RUNNING: _("bezig"),
        JobStatus.DONE: _("klaar"),
        JobStatus.FAILED: _("mislukt"),
    }[job.status]


def progress_of(job: Job) -> dict:
    """What the component shows; the same for the first render and every poll."""
    done, total = job.progress_done, job.progress_total
    percent = None
    if job.status == JobStatus.DONE:
        percent = 100
    elif done is not None and total:
        percent = min(100, round(100 * done / total))
    return {"id": job.id, "status": job.status.value, "label": status_label(job), "done": done, "total": total,
            "percent": percent, "message": job.progress_message or "",
            "finished": job.status in (JobStatus.DONE, JobStatus.FAILED)}


@bp.route("/<int:job_id>")
@requires(JOB_VIEW)
def progress(job_id: int):
    job = session().get(Job, job_id)
    if job is None or job.organisation_id != g.org.id:  # another organisation's job does not exist here
        abort(404)
    return progress_of(job)
