"""How many children a location may have at the same time on a given day (domain-rules §4.1).

Family daycare (gezinsopvang): at most 8 children at the same time until 31/12/2026 and at most 7
from 1/1/2027 [P7], whatever the licence says (the maximum comes from the rule set in force, see
rules/kindratio.json). Other care types: the licensed places. Every computation of free places,
last-minute places and plan checks asks :func:`effective_capacity` instead of reading
``licensed_places`` itself, so a new rule is one entry in the rule file."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, time

from sqlalchemy import select

from core.models import CareType, Location
from core.values import Period

from .ratio import rule_set_for


def effective_capacity(location, day: date, forced: str | None = None) -> int | None:
    """Children allowed at the same time at ``location`` on ``day`` (None: no licence known and
    no rule caps it). ``forced``: the organisation's ratio rule-set setting (``auto`` = by date)."""
    licensed = location.licensed_places
    if location.care_type != CareType.GEZINSOPVANG:
        return licensed
    cap = rule_set_for(day, forced).family_max
    return cap if licensed is None else min(licensed, cap)


@dataclass(frozen=True)
class RuleWarning:
    """Today's plans break a rule that has not started yet: ``children`` at the same time at
    ``location_id`` on ``day`` where the rule starting on ``starts`` allows ``limit``."""

    location_id: int
    location_name: str
    day: date
    children: int
    limit: int
    rule_label: str
    starts: date


def _peak(blocks: list[tuple[time, time]]) -> int:
    """Most blocks overlapping at one moment (a sweep over starts and ends; an end frees the
    place before a start at the same minute takes it)."""
    events = sorted([(s, 1) for s, _e in blocks] + [(e, -1) for _s, e in blocks], key=lambda x: (x[0], x[1]))
    now = peak = 0
    for _moment, step in events:
        now += step
        peak = max(peak, now)
    return peak


def upcoming_rule_warnings(ctx, today: date, months: int) -> list[RuleWarning]:
    """Homes (family daycare locations) and days where the plans as they stand today exceed the
    capacity of a rule set that starts after today and within ``months`` months (domain-rules
    §4.1, §4.4: "plan admissions for it now"), so directors can act before the date. Nothing when
    the organisation forces a rule set by setting. A fixed number of queries."""
    session = ctx.session
    org = ctx.org
    from .closing_days import closing_calendar
    from .ratio import rule_sets
    from .reservations import expand_plans, load_plans, opening_hours
    from .settings import day_part_split

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
