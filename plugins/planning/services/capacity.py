"""How many children a location may have at the same time on a given day (domain-rules §4.1).

Family daycare (gezinsopvang): at most 8 children at the same time until 31/12/2026 and at most 7
from 1/1/2027 [P7], whatever the licence says (the maximum comes from the rule set in force, see
rules/kindratio.json). Other care types: the licensed places. Every computation of free places,
last-minute places and plan checks asks :func:`effective_capacity` instead of reading
``licensed_places`` itself, so a new rule is one entry in the rule file."""
from __future__ import annotations

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


@dataclass(frozen=True)
class RuleHorizon:
    """The rule sets that start after today and within the warning horizon (in the rule file's
    order), and the days on which today's plans are checked against them: [first, last]."""

    starting: tuple
    first: date
    last: date

    def rule_on(self, day: date):
        """The starting rule set in force on ``day`` (None before the first starts)."""
        return next((x for x in reversed(self.starting) if x.valid_from <= day), None)


def rule_horizon(ctx, today: date, months: int) -> RuleHorizon | None:
    """None when no rule set starts after ``today`` and within ``months`` months, or when the
    organisation forces a rule set by setting (no queries: settings and the rule file)."""
    from .ratio import rule_sets

    if str(ctx.setting("planning.ratio_rule_set") or "auto") != "auto" or months <= 0:
        return None
    horizon = Period.of(today)
    for _ in range(months):
        horizon = horizon.next()
    last = horizon.last_day
    starting = tuple(rs for rs in rule_sets() if rs.valid_from is not None and today < rs.valid_from <= last)
    if not starting:
        return None
    return RuleHorizon(starting, min(rs.valid_from for rs in starting), last)


def rule_warnings(horizon: RuleHorizon, homes, plans, hours, closed, split: time) -> list[RuleWarning]:
    """The warnings of already loaded data (no queries): ``homes`` (family daycare locations: id,
    name, licensed_places), ``plans`` (PlanData; other locations' plans are left out), ``hours``
    {location: {weekday: (opens, closes)}} and ``closed`` {location: days} covering the horizon.
    Children at the same time are counted per weekly pattern and run of days (``peaks``), and
    only the days over the limit are listed, in the order of home name and day."""
    from .peaks import days_over

    homes = {home.id: home for home in homes}
    plans = [p for p in plans if p.location_id in homes]

    def limit_of(loc_id: int, day: date) -> int:
        rs = horizon.rule_on(day)
        licensed = homes[loc_id].licensed_places
        return 10**9 if rs is None else rs.family_max if licensed is None else min(licensed, rs.family_max)

    out = []
    for loc_id, day, children in days_over(plans, hours, closed, split, horizon.first, horizon.last, limit_of,
                                           [rs.valid_from for rs in horizon.starting]):
        rs = horizon.rule_on(day)
        out.append(RuleWarning(loc_id, homes[loc_id].name, day, children, limit_of(loc_id, day), rs.label,
                               rs.valid_from))
    out.sort(key=lambda w: (w.location_name, w.day, w.location_id))
    return out


def upcoming_rule_warnings(ctx, today: date, months: int) -> list[RuleWarning]:
    """Homes (family daycare locations) and days where the plans as they stand today exceed the
    capacity of a rule set that starts after today and within ``months`` months (domain-rules
    §4.1, §4.4: "plan admissions for it now"), so directors can act before the date. Nothing when
    the organisation forces a rule set by setting. A fixed number of queries (the dashboard card
    loads the same data together with today's plans, ``views.widgets``)."""
    from .bulk_plans import load_location_plans
    from .closing_days import closing_calendar
    from .reservations import opening_hours
    from .settings import day_part_split

    horizon = rule_horizon(ctx, today, months)
    if horizon is None:
        return []
    homes = ctx.session.execute(select(Location.id, Location.name, Location.licensed_places).where(
        Location.organisation_id == ctx.org.id, Location.care_type == CareType.GEZINSOPVANG)).all()
    if not homes:
        return []
    ids = [home.id for home in homes]
    plans = load_location_plans(ctx.session, ctx.org, horizon.first, horizon.last, ids)
    return rule_warnings(horizon, homes, plans, opening_hours(ctx, ids),
                         closing_calendar(ctx, ids, horizon.first, horizon.last), day_part_split(ctx))
