"""The register of complaints and crisis situations (decree art. 24, domain rules §3.2): date,
summary and follow-up, kept ``core.complaint_retention_years`` years (never fewer than 10) after
the entry's last activity, then erased by core's retention run (``core/retention.py``)."""
from __future__ import annotations

from datetime import date

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session

from core.context import TenantContext
from core.models import IncidentEntry, IncidentKind, Organisation

SUMMARY_MAX = 5000



class IncidentError(ValueError):
    """Bad input for the register; ``message`` is translated, ``field`` names the form field."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message, self.field = message, field


def incidents(ctx: TenantContext) -> list[IncidentEntry]:
    """The organisation's register, newest first."""
    return list(ctx.session.scalars(select(IncidentEntry).where(IncidentEntry.organisation_id == ctx.org.id)
                                    .order_by(IncidentEntry.occurred_on.desc(), IncidentEntry.id.desc())))


def _checked(ctx: TenantContext, occurred_on: date | None, kind: str, summary: str, follow_up: str):
    if occurred_on is None:
        raise IncidentError(_("Geef een datum als JJJJ-MM-DD."), "occurred_on")
    if occurred_on > ctx.today():
        raise IncidentError(_("De datum ligt in de toekomst."), "occurred_on")
    if kind not in {k.value for k in IncidentKind}:
        raise IncidentError(_("Kies een van de mogelijkheden."), "kind")
    summary, follow_up = (summary or "").strip(), (follow_up or "").strip()
    if not summary:
        raise IncidentError(_("Vul een korte beschrijving in."), "summary")
    if len(summary) > SUMMARY_MAX or len(follow_up) > SUMMARY_MAX:
        raise IncidentError(_("Maximaal %(n)s tekens.", n=SUMMARY_MAX), "summary")
    return IncidentKind(kind), summary, follow_up


def record_incident(ctx: TenantContext, *, occurred_on: date | None, kind: str, summary: str,
                    follow_up: str = "") -> IncidentEntry:
    """Add an entry; bad input raises IncidentError and writes nothing."""
    kind_, summary, follow_up = _checked(ctx, occurred_on, kind, summary, follow_up)
    entry = IncidentEntry(organisation_id=ctx.org.id, occurred_on=occurred_on, kind=kind_, summary=summary,
                          follow_up=follow_up, last_activity_on=max(occurred_on, ctx.today()))
    ctx.session.add(entry)
    ctx.session.flush()
    return entry


def update_follow_up(ctx: TenantContext, entry_id: int, follow_up: str) -> IncidentEntry:
    """Record what was done; the retention period starts again from today."""
    entry = ctx.session.scalar(select(IncidentEntry).where(IncidentEntry.organisation_id == ctx.org.id,
                                                           IncidentEntry.id == entry_id))
    if entry is None:
        raise IncidentError(_("Niet gevonden."), None)
    _checked(ctx, entry.occurred_on, entry.kind.value, entry.summary, follow_up)
    entry.follow_up = (follow_up or "").strip()
    entry.last_activity_on = ctx.today()
    ctx.session.flush()
    return entry


def complaint_retention_years(session: Session, org: Organisation) -> int:
    """The organisation's period, never below the decree's 10 years (a row stored before the floor
    was enforced keeps the floor)."""
    from core.retention import LEGAL_MINIMUM_YEARS
    from core.settings import get_setting

    floor = LEGAL_MINIMUM_YEARS["complaint_crisis"]
    try:
        return max(int(get_setting(session, org, "core.complaint_retention_years")), floor)
    except (TypeError, ValueError):
        return floor


def expired_incidents(session: Session, org: Organisation, cutoff: date) -> list[int]:
    """Entries whose last activity lies before ``cutoff``."""
    return list(session.scalars(select(IncidentEntry.id).where(
        IncidentEntry.organisation_id == org.id, IncidentEntry.last_activity_on < cutoff).order_by(IncidentEntry.id)))
