"""Objects of another organisation for the tenancy contract test (tests/contracts/route_objects.py)."""
from __future__ import annotations

from datetime import date

from core.context import context_for


def victim_care_plan(factory, org, session) -> int:
    from plugins.planning import api

    location = factory.location(org)
    child = factory.child(org, location=location)
    plan_id = api.create_care_plan(context_for(session, org), child_id=child.id, location_id=location.id,
                                   start_date=date(2026, 11, 2), days=[api.DayPlan(0, "full")])
    session.commit()
    return plan_id


def victim_closing_day(factory, org, session) -> int:
    from plugins.planning import api

    period_id = api.add_closing_period(context_for(session, org), start_date=date(2026, 12, 24), reason="Brugdag",
                                       kind="bridge")
    session.commit()
    return period_id


def victim_house_rules(factory, org, session) -> int:
    from sqlalchemy import select

    from plugins.planning.models import HouseRules

    existing = session.scalar(select(HouseRules.id).where(HouseRules.organisation_id == org.id))
    if existing:
        return existing
    rules = HouseRules(organisation_id=org.id, effective_date=date(2026, 1, 1), title="Reglement", text="Tekst")
    session.add(rules)
    session.commit()
    return rules.id


def victim_agreement(factory, org, session) -> int:
    from plugins.planning.models import CareAgreement, CarePlan

    plan = session.get(CarePlan, victim_care_plan(factory, org, session))
    agreement = CareAgreement(organisation_id=org.id, care_plan_id=plan.id, number=1, child_id=plan.child_id,
                              family_id=plan.family_id, house_rules_id=victim_house_rules(factory, org, session))
    session.add(agreement)
    session.commit()
    return agreement.id
