"""Where a parent's request stands, in words a parent understands and without naming anyone:
the priority group it counts in and, per chosen location, how many requests are ranked before it
that want to start no later than its month on at least one of the same half days."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from flask_babel import force_locale
from sqlalchemy import select

from core.models import Location

from ..models import WAITING_STATUSES, CareRequest
from . import offers, placing
from .policy import RULES, flags_of, get_rules, rule_label


@dataclass
class Standing:
    group: str | None  # the first rule of the policy the request meets, in the parent's language
    month: date  # first day of the desired start month
    ahead: list[tuple[str, int]] = field(default_factory=list)  # (location name, requests before it)


def standing(ctx, req: CareRequest, lang: str) -> Standing | None:
    """None while the request does not wait (not confirmed yet, offered, placed, closed)."""
    session = ctx.session
    org = ctx.org
    if req.status not in WAITING_STATUSES:
        return None
    min_criteria = int(ctx.setting("wachtlijst.vulnerable_min_criteria"))
    flags = flags_of(req, min_criteria)
    group_key = next((rule for rule in get_rules(ctx) if rule in RULES and rule in flags), None)
    with force_locale(lang):
        group = rule_label(group_key) if group_key else None
    month = req.desired_start.replace(day=1)
    wish = placing.wish_cells(req.days or [])
    result = Standing(group, month)
    names = dict(session.execute(select(Location.id, Location.name).where(
        Location.organisation_id == org.id, Location.id.in_([p.location_id for p in req.preferences]))).all())
    for preference in sorted(req.preferences, key=lambda p: p.rank):
        ranked, rows = offers.ranking(ctx, preference.location_id)
        ahead = 0
        for item in ranked:
            if item.request_id == req.id:
                break
            other = rows[item.request_id]
            if other.desired_start.replace(day=1) <= month and placing.wish_cells(other.days or []) & wish:
                ahead += 1
        result.ahead.append((names.get(preference.location_id, ""), ahead))
    return result
