"""``upcoming_rule_warnings`` as it was before the per-pattern counting (main b0bc80a), kept as an
oracle: ``test_equivalence_rule_warnings`` holds the new code to exactly its results. It expands
every plan of every home day by day and sweeps the blocks' start and end times."""
from __future__ import annotations

from collections import defaultdict
from datetime import date, time

from sqlalchemy import select

from core.models import CareType, Location
from core.values import Period
from plugins.planning.services.capacity import RuleWarning
from plugins.planning.services.closing_days import closing_calendar
from plugins.planning.services.ratio import rule_sets
from plugins.planning.services.reservations import expand_plans, load_plans, opening_hours
from plugins.planning.services.settings import day_part_split


def _peak(blocks: list[tuple[time, time]]) -> int:
    events = sorted([(s, 1) for s, _e in blocks] + [(e, -1) for _s, e in blocks], key=lambda x: (x[0], x[1]))
    now = peak = 0
    for _moment, step in events:
        now += step
        peak = max(peak, now)
    return peak


def upcoming_rule_warnings(ctx, today: date, months: int) -> list[RuleWarning]:
    session = ctx.session
    org = ctx.org
    if str(ctx.setting("planning.ratio_rule_set") or "auto") != "auto" or months <= 0:
        return []
    horizon = Period.of(today)
    for _ in range(months):
        horizon = horizon.next()
    last = horizon.last_day
    starting = [rs for rs in rule_sets() if rs.valid_from is not None and today < rs.valid_from <= last]
    if not starting:
        return []
    homes = {loc.id: loc for loc in session.scalars(select(Location).where(
        Location.organisation_id == org.id, Location.care_type == CareType.GEZINSOPVANG).order_by(Location.name))}
    if not homes:
        return []
    first = min(rs.valid_from for rs in starting)
    plans = load_plans(ctx, first, last, location_ids=list(homes))
    hours = opening_hours(ctx, homes)
    closed = closing_calendar(ctx, homes, first, last)
    blocks: dict[tuple[int, date], list[tuple[time, time]]] = defaultdict(list)
    for r in expand_plans(plans, first, last, hours, closed, day_part_split(ctx)):
        if r.start and r.end:
            blocks[(r.location_id, r.day)].append((r.start, r.end))
    out = []
    for (loc_id, day), spans in sorted(blocks.items(), key=lambda kv: (homes[kv[0][0]].name, kv[0][1])):
        rs = next((x for x in reversed(starting) if x.valid_from <= day), None)
        if rs is None:
            continue
        home = homes[loc_id]
        limit = rs.family_max if home.licensed_places is None else min(home.licensed_places, rs.family_max)
        children = _peak(spans)
        if children > limit:
            out.append(RuleWarning(loc_id, home.name, day, children, limit, rs.label, rs.valid_from))
    return out
