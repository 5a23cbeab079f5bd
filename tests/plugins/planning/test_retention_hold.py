"""Retention: planning holds a child (and its household) whose care plan still runs or ended on or
after the cutoff, also when the organisation has switched planning off; a plan that ended long
before goes with the child."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import select

from core.clock import BRUSSELS, app_clock
from core.context import context_for
from core.models import AuditEntry, Child, Family
from core.retention import erase, plan
from core.tenancy import disable_module
from plugins.planning import api
from plugins.planning.models import CarePlan
from tests.plugins.planning.conftest import full_week

WRITTEN = datetime(2019, 6, 3, 10, 0, tzinfo=BRUSSELS)
TODAY = datetime(2026, 11, 18, 10, 0, tzinfo=BRUSSELS)  # cutoff 18/11/2021 with 5 years


def _old_child(factory, org, location, name, *, start, end):
    """A child, its family and a care plan, all written in 2019 and untouched since."""
    family = factory.family(org, name=f"Gezin {name}")
    child = factory.child(org, family=family, location=location, born=date(2018, 9, 1), first_name=name)
    plan_id = api.create_care_plan(context_for(factory.session, org), child_id=child.id, location_id=location.id,
                                   start_date=start, end_date=end, days=full_week(), family_id=family.id,
                                   end_description="" if end else "tot de kleuterschool")
    return child.id, family.id, plan_id


def test_running_and_recent_plans_hold_their_child_and_family(factory, session, org, location):
    app_clock().freeze(WRITTEN)
    try:
        ended, ended_family, ended_plan = _old_child(factory, org, location, "Vroeger",
                                                     start=date(2019, 6, 3), end=date(2020, 6, 30))
        running, running_family, _ = _old_child(factory, org, location, "Loopt",
                                                start=date(2019, 6, 3), end=None)
        recent, recent_family, _ = _old_child(factory, org, location, "Onlangs",
                                              start=date(2019, 6, 3), end=date(2022, 3, 31))
        session.commit()
        app_clock().freeze(TODAY)
        planned = plan(context_for(session, org))
        assert planned.child_ids == [ended]
        assert set(planned.family_ids) == {ended_family}
        assert planned.held_children == {"planning": 2} and planned.held_families == {"planning": 2}

        erase(context_for(session, org), planned)
        session.flush()
        left = set(session.scalars(select(Child.id).where(Child.organisation_id == org.id)))
        assert left == {running, recent}
        assert session.scalar(select(CarePlan.id).where(CarePlan.id == ended_plan)) is None  # went with its child
        logged = session.scalars(select(AuditEntry).where(AuditEntry.entity.like("planning_%"),
                                                          AuditEntry.organisation_id == org.id)).all()
        ended_entries = [e for e in logged if e.entity == "planning_care_plan" and e.entity_id == ended_plan]
        assert ended_entries and all(e.changes is None and e.summary == "" for e in ended_entries)
        kept = [e for e in logged if e.entity == "planning_care_plan" and e.entity_id != ended_plan]
        assert kept and all(e.changes for e in kept)  # the others keep their values
        families = set(session.scalars(select(Family.id).where(Family.organisation_id == org.id)))
        assert {running_family, recent_family} <= families and ended_family not in families
    finally:
        app_clock().freeze(None)


def test_a_switched_off_planning_still_holds(factory, session, org, location):
    app_clock().freeze(WRITTEN)
    try:
        running, _family, _ = _old_child(factory, org, location, "Loopt", start=date(2019, 6, 3), end=None)
        disable_module(session, org, "planning")
        session.commit()
        app_clock().freeze(TODAY)
        assert running not in plan(context_for(session, org)).child_ids
    finally:
        app_clock().freeze(None)
