"""Retention (core/retention.py asks every module): a child or family whose care plan runs on or
after the cutoff is still in care, or left less than the retention period ago, so planning holds
it. Plans that ended before the cutoff go with the child (foreign keys cascade)."""
from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from core.models import Organisation
from core.plugins import RetentionHold
from plugins.planning.models import CarePlan, RespiteUse

REASON = "opvangplan loopt nog of eindigde na de bewaargrens"


def retention_holds(session: Session, org: Organisation, child_ids: Sequence[int], family_ids: Sequence[int],
                    cutoff: date) -> list[RetentionHold]:
    if not child_ids and not family_ids:
        return []
    recent = (CarePlan.organisation_id == org.id) & or_(CarePlan.end_date.is_(None), CarePlan.end_date >= cutoff)
    children = set(session.scalars(select(CarePlan.child_id).where(recent, CarePlan.child_id.in_(child_ids))))
    children |= set(session.scalars(select(RespiteUse.child_id).where(
        RespiteUse.organisation_id == org.id, RespiteUse.day >= cutoff, RespiteUse.child_id.in_(child_ids))))
    families = set(session.scalars(select(CarePlan.family_id).where(recent, CarePlan.family_id.in_(family_ids))))
    if not children and not families:
        return []
    return [RetentionHold("planning", child_ids=children, family_ids=families, reason=REASON)]
