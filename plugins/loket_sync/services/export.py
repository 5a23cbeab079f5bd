"""The Excel workbook for a loket that works with files (the second adapter): the vacancies as
last published and the current placements."""
from __future__ import annotations

from datetime import date

from sqlalchemy import select

import plugins.planning.api as planning
import plugins.wachtlijst.api as wachtlijst
from core.models import Location

from ..models import VacancyState
from .adapters import workbook
from .outbox import location_ref


def workbook_for(ctx) -> bytes:
    locations = {loc.id: loc for loc in ctx.session.scalars(
        select(Location).where(Location.organisation_id == ctx.org.id))}
    vacancies = []
    for s in ctx.session.scalars(select(VacancyState).where(VacancyState.organisation_id == ctx.org.id)
                                 .order_by(VacancyState.location_id, VacancyState.month, VacancyState.age_band,
                                           VacancyState.day_parts)):
        loc = locations.get(s.location_id)
        if loc is None:
            continue
        vacancies.append({"location_ref": location_ref(loc), "location": loc.name,
                          "municipality": loc.municipality or "", "month": s.month, "age_band": s.age_band,
                          "day_parts": s.day_parts, "free": s.free, "last_minute": s.last_minute})
    today = ctx.today()
    loket = {p.care_plan_id: p.external_id for p in wachtlijst.placements(ctx) if p.external_source == "loket"}
    placements = []
    for a in planning.agreements(ctx, start=today, end=date(today.year + 5, 12, 31)):
        loc = locations.get(a.location_id)
        if loc is None:
            continue
        placements.append({"location_ref": location_ref(loc), "location": loc.name, "start_date": a.start,
                           "end_date": a.end, "loket_request_id": loket.get(a.care_plan_id)})
    return workbook(vacancies, placements, partner=ctx.org.slug)
