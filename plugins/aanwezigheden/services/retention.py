"""Retention (core/retention.py asks every module): attendance is "use of the location", kept 5
years (decreet art. 24). A child with a tap, an absence or a confirmation on or after the cutoff
is held; for erased children the taps (whose child link would otherwise only be nulled) and the
rejected offline items naming them are deleted too, and the audit entries of its absences,
confirmations, child code and corrections lose their values, so nothing about them is left behind."""
from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from core.models import Organisation
from core.plugins import RetentionHold
from core.retention import scrub_audit

from ..models import (
    Absence,
    AttendanceEvent,
    ChildCode,
    Confirmation,
    RejectedItem,
)

REASON = "aanwezigheden of afwezigheden na de bewaargrens"


def retention_holds(session: Session, org: Organisation, child_ids: Sequence[int], cutoff: date) -> list[RetentionHold]:
    if not child_ids:
        return []
    held: set[int] = set()
    for column, day in ((AttendanceEvent.child_id, AttendanceEvent.day), (Absence.child_id, Absence.day),
                        (Confirmation.child_id, Confirmation.end_day)):
        held |= set(session.scalars(select(column).distinct().where(
            column.table.c.organisation_id == org.id, day >= cutoff, column.in_(child_ids))))
    return [RetentionHold("aanwezigheden", child_ids=held, reason=REASON)] if held else []


def before_erase(session: Session, org: Organisation, child_ids: Sequence[int]) -> None:
    if not child_ids:
        return
    for model in (AttendanceEvent, Absence, Confirmation, ChildCode):  # corrections and decisions are audited too
        ids = session.scalars(select(model.id).where(model.organisation_id == org.id,
                                                     model.child_id.in_(child_ids))).all()
        scrub_audit(session, org, model.__tablename__, ids)
    session.execute(delete(AttendanceEvent).where(AttendanceEvent.organisation_id == org.id,
                                                  AttendanceEvent.child_id.in_(child_ids)))
    erased = set(child_ids)
    for item in session.scalars(select(RejectedItem).where(RejectedItem.organisation_id == org.id)):
        if (item.payload or {}).get("child_id") in erased:
            session.delete(item)
