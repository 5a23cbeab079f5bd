"""Domain events of the planning module, fired inside the transaction through tenant_hook."""
from __future__ import annotations

from datetime import date

from core.plugins.events import CarePlanChanged, VacanciesChanged
from core.tenancy import tenant_hook


def care_plan_changed(session, org, plan, change: str, effective_date: date, actor_id: int | None) -> None:
    relay = tenant_hook(session, org)
    relay.on_care_plan_changed(event=CarePlanChanged(
        organisation_id=org.id, child_id=plan.child_id, care_plan_id=plan.id, location_id=plan.location_id,
        change=change, effective_date=effective_date, actor_id=actor_id))
    vacancies_changed(session, org, plan.location_id, effective_date)


def vacancies_changed(session, org, location_id: int, from_date: date) -> None:
    tenant_hook(session, org).on_vacancies_changed(
        event=VacanciesChanged(organisation_id=org.id, location_id=location_id, from_date=from_date))
