"""Domain events of the planning module, fired inside the transaction through tenant_hook."""
from __future__ import annotations

from datetime import date

from core.plugins.events import CarePlanChanged, VacanciesChanged


def care_plan_changed(ctx, plan, change: str, effective_date: date, actor_id: int | None) -> None:
    org = ctx.org
    ctx.hook.on_care_plan_changed(event=CarePlanChanged(
        organisation_id=org.id, child_id=plan.child_id, care_plan_id=plan.id, location_id=plan.location_id,
        change=change, effective_date=effective_date, actor_id=actor_id))
    vacancies_changed(ctx, plan.location_id, effective_date)


def vacancies_changed(ctx, location_id: int, from_date: date) -> None:
    ctx.hook.on_vacancies_changed(
        event=VacanciesChanged(organisation_id=ctx.org.id, location_id=location_id, from_date=from_date))
