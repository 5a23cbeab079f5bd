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
from core.retention import scrub_audit

from ..models import CarePlan, CarePlanVersion, ExtraDay, RespiteUse

REASON = "opvangplan loopt nog of eindigde na de bewaargrens"


def before_erase(session: Session, org: Organisation, child_ids: Sequence[int]) -> None:
    """The plans go with the child (foreign keys); their audit entries keep who did what, not the
    values."""
    if not child_ids:
        return
    plans = list(session.scalars(select(CarePlan.id).where(CarePlan.organisation_id == org.id,
                                                           CarePlan.child_id.in_(child_ids))))
    rows = {
        CarePlan.__tablename__: plans,
        CarePlanVersion.__tablename__: session.scalars(select(CarePlanVersion.id).where(
            CarePlanVersion.care_plan_id.in_(plans))).all() if plans else [],
        ExtraDay.__tablename__: session.scalars(select(ExtraDay.id).where(
            ExtraDay.care_plan_id.in_(plans))).all() if plans else [],
        RespiteUse.__tablename__: session.scalars(select(RespiteUse.id).where(
            RespiteUse.organisation_id == org.id, RespiteUse.child_id.in_(child_ids))).all(),
    }
    for entity, ids in rows.items():
        scrub_audit(session, org, entity, ids)


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
