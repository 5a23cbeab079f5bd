"""Day planning per half hour and the "what would this plan change do" check.

``compute_profile`` is pure (presences in, slots out) so the screens, the check before saving and
the tests share one calculation."""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from sqlalchemy import select

from core.errors import render
from core.models import CareType, Child, LivingGroup, Location

from ..models import StaffShift
from .capacity import effective_capacity
from .care_plans import age_in_months, fmt
from .closing_days import closing_calendar
from .expansion import Block, PatternEntry, VersionSpec
from .ratio import (
    RuleSet,
    countable_staff,
    in_window,
    org_rule_set,
    rule_set_for,
    staff_needed,
)
from .reservations import PlanData, expand_plans, load_plans, opening_hours
from .settings import day_part_split, ratio_scope, rest_period
from .types import DayPlan, HalfHourSlot, PlanWarning, ScheduledDay

STEP = timedelta(minutes=30)
PART_WORDS = {"morning": _l("voormiddag"), "afternoon": _l("namiddag")}
MAX_LISTED = 10


@dataclass(frozen=True)
class Presence:
    child_id: int
    start: time
    end: time
    age_months: int
    living_group_id: int | None


@dataclass(frozen=True)
class Shift:
    start: time
    end: time
    caregivers: int
    living_group_id: int | None = None
    logistics: int = 0


def half_hours(opens: time, closes: time) -> list[tuple[time, time]]:
    out, moment = [], datetime.combine(date.min, opens)
    last = datetime.combine(date.min, closes)
    while moment < last:
        nxt = min(moment + STEP, last)
        out.append((moment.time(), nxt.time()))
        moment = nxt
    return out


def compute_profile(presences: Sequence[Presence], opens: time, closes: time, rules: RuleSet, *,
                    family_daycare: bool = False, rest: tuple[time, time] | None = None,
                    shifts: Sequence[Shift] | None = None, scope: str | None = None) -> list[HalfHourSlot]:
    """Per half hour: children present, babies (under 12 months), caregivers required and planned.
    ``scope``: "location" (the rule text, domain-rules §4.4) or "living_group" (the other reading,
    setting ``planning.ratio_scope``); default: the rule set's own. The per-living-group need is
    always given too (``staff_needed_by_group``), for a warning when the location judges."""
    by_group = (scope or rules.group.get("scope")) == "living_group"
    result = []
    for start, end in half_hours(opens, closes):
        present = {p.child_id: p for p in presences if p.start < end and p.end > start}
        babies = sum(1 for p in present.values() if rules.is_baby(p.age_months))
        resting = in_window(start, end, rest)
        location_need = staff_needed(rules, len(present), babies, rest=resting, family_daycare=family_daycare)
        group_need = None
        if not family_daycare:
            groups: dict[int | None, list[Presence]] = defaultdict(list)
            for p in present.values():
                groups[p.living_group_id].append(p)
            group_need = sum(staff_needed(rules, len(ps), sum(1 for p in ps if rules.is_baby(p.age_months)),
                                          rest=resting) for ps in groups.values())
        need = group_need if by_group and group_need is not None else location_need
        planned = None
        if shifts:
            on_duty = [s for s in shifts if s.start <= start and s.end >= end]
            planned = countable_staff(rules, sum(s.caregivers for s in on_duty), sum(s.logistics for s in on_duty),
                                      need)
        result.append(HalfHourSlot(start, end, len(present), babies, need, rules.key, resting, planned, group_need))
    return result


def _shifts(ctx, location_id: int, weekday: int, living_group_id: int | None) -> list[Shift]:
    session = ctx.session
    org = ctx.org
    query = select(StaffShift.start_time, StaffShift.end_time, StaffShift.caregivers, StaffShift.living_group_id,
                   StaffShift.logistics).where(
        StaffShift.organisation_id == org.id, StaffShift.location_id == location_id, StaffShift.weekday == weekday)
    if living_group_id is not None:
        query = query.where(StaffShift.living_group_id == living_group_id)
    return [Shift(*row) for row in session.execute(query)]


def _location(ctx, location_id: int) -> Location:
    from .care_plans import _location as load

    return load(ctx, location_id)


def half_hour_profile(ctx, location_id: int, day: date, living_group_id: int | None = None,
                      ) -> list[HalfHourSlot]:
    from .reservations import expected_children

    location = _location(ctx, location_id)
    hours = {oh.weekday: (oh.opens, oh.closes) for oh in location.opening_hours}
    if day.weekday() not in hours:
        return []
    children = expected_children(ctx, location_id, day)
    if living_group_id is not None:
        children = [c for c in children if c.living_group_id == living_group_id]
    presences = [Presence(c.child_id, c.start, c.end, c.age_months, c.living_group_id) for c in children]
    opens, closes = hours[day.weekday()]
    return compute_profile(presences, opens, closes, org_rule_set(ctx, day),
                           family_daycare=location.care_type == CareType.GEZINSOPVANG,
                           rest=rest_period(ctx),
                           shifts=_shifts(ctx, location_id, day.weekday(), living_group_id),
                           scope=ratio_scope(ctx))


def add_staff_shift(ctx, *, location_id: int, weekday: int, start: time, end: time, caregivers: int,
                    living_group_id: int | None = None, logistics: int = 0) -> int:
    """Planned caregivers (and logistics staff) for a weekday and time span (ratio warnings)."""
    session = ctx.session
    org = ctx.org
    from .types import PlanningError

    _location(ctx, location_id)
    if not 0 <= weekday <= 6 or end <= start or caregivers < 0 or logistics < 0:
        raise PlanningError("planning.shift_invalid")
    shift = StaffShift(organisation_id=org.id, location_id=location_id, weekday=weekday, start_time=start,
                       end_time=end, caregivers=caregivers, living_group_id=living_group_id, logistics=logistics)
    session.add(shift)
    session.flush()
    return shift.id


def _proposal(*, child_id, location_id, start_date, end_date, days, schedule, reference_date, living_group_id,
              ) -> PlanData:
    if schedule:
        spec = VersionSpec(start_date, end_date, "custom", None, (),
                           tuple((s.day, Block(s.day_part, s.start, s.end)) for s in schedule))
    else:
        kind = "alternating" if any(d.week for d in days) else "weekly"
        spec = VersionSpec(start_date, end_date, kind, reference_date or start_date,
                           tuple(PatternEntry(d.weekday, d.week, Block(d.day_part, d.start, d.end)) for d in days))
    return PlanData(0, child_id or 0, location_id, None, living_group_id, start_date, end_date, None, [spec])


def _listed(dates: Sequence[date]) -> str:
    shown = ", ".join(fmt(d) for d in sorted(dates)[:MAX_LISTED])
    return shown + (ngettext(" en nog %(num)s dag", " en nog %(num)s dagen", len(dates) - MAX_LISTED) if len(dates) > MAX_LISTED else "")


def check_plan_change(ctx, *, location_id: int, start_date: date, days: Sequence[DayPlan] = (),
                      end_date: date | None = None, child_id: int | None = None, care_plan_id: int | None = None,
                      living_group_id: int | None = None, schedule: Sequence[ScheduledDay] | None = None,
                      reference_date: date | None = None, horizon_days: int = 91) -> list[PlanWarning]:
    session = ctx.session
    org = ctx.org
    location = _location(ctx, location_id)
    window_end = start_date + timedelta(days=horizon_days - 1)
    if end_date is not None:
        window_end = min(window_end, end_date)
    warnings: list[PlanWarning] = []
    closed = closing_calendar(ctx, [location_id], start_date, window_end)
    if start_date in closed[location_id] and care_plan_id is None:  # a version may take effect on any day
        warnings.append(PlanWarning("closing_day", _("De begindatum %(day)s is een sluitingsdag (%(reason)s).",
                                                     day=fmt(start_date), reason=closed[location_id][start_date].reason),
                                    (start_date,)))
    hours = opening_hours(ctx, [location_id])
    split = day_part_split(ctx)
    proposal = _proposal(child_id=child_id, location_id=location_id, start_date=start_date, end_date=end_date,
                         days=list(days or ()), schedule=list(schedule or ()), reference_date=reference_date,
                         living_group_id=living_group_id)
    new_days = expand_plans([proposal], start_date, window_end, hours, closed, split)
    if not new_days:
        return warnings
    others = load_plans(ctx, start_date, window_end, location_ids=[location_id],
                        exclude_plan_id=care_plan_id)
    if child_id is not None and care_plan_id is None:
        others = [p for p in others if p.child_id != child_id or p.living_group_id != living_group_id]
    existing = expand_plans(others, start_date, window_end, hours, closed, split)
    group_of = {p.id: p.living_group_id for p in others}
    births = dict(session.execute(select(Child.id, Child.date_of_birth).where(
        Child.organisation_id == org.id, Child.id.in_({r.child_id for r in existing} | {child_id or 0}))).all())
    by_day: dict[date, list[Presence]] = defaultdict(list)
    for r in existing:
        born = births.get(r.child_id)
        by_day[r.day].append(Presence(r.child_id, r.start, r.end, age_in_months(born, r.day) if born and
                                      born <= r.day else 0, group_of.get(r.care_plan_id)))
    groups = {g.id: g for g in session.scalars(select(LivingGroup).where(
        LivingGroup.organisation_id == org.id, LivingGroup.location_id == location_id))}
    shifts_by_weekday = defaultdict(list)
    for w, s, e, n, g, lg in session.execute(select(
            StaffShift.weekday, StaffShift.start_time, StaffShift.end_time, StaffShift.caregivers,
            StaffShift.living_group_id, StaffShift.logistics).where(StaffShift.organisation_id == org.id,
                                              StaffShift.location_id == location_id)):
        shifts_by_weekday[w].append(Shift(s, e, n, g, lg))
    rest = rest_period(ctx)
    forced = str(ctx.setting("planning.ratio_rule_set") or "auto")
    family = location.care_type == CareType.GEZINSOPVANG
    over_capacity: dict[date, set[str]] = {}
    over_staff: dict[date, set[str]] = {}
    over_staff_groups: dict[date, set[str]] = {}  # enough for the location, not per living group
    scope = ratio_scope(ctx)
    over_group: dict[date, set[str]] = {}
    over_group_capacity: dict[date, set[str]] = {}
    limit: int | None = None
    group_max: int | None = None
    new_born = births.get(child_id) if child_id else None
    new_by_day: dict[date, list] = defaultdict(list)
    for r in new_days:
        new_by_day[r.day].append(r)
    for day, blocks in sorted(new_by_day.items()):
        opens, closes = hours[location_id][day.weekday()]
        rules = rule_set_for(day, forced)
        age = age_in_months(new_born, day) if new_born and new_born <= day else 0
        presences = by_day[day] + [Presence(-1, b.start, b.end, age, living_group_id) for b in blocks]
        profile = compute_profile(presences, opens, closes, rules, family_daycare=family, rest=rest,
                                  shifts=shifts_by_weekday.get(day.weekday()), scope=scope)
        limit = effective_capacity(location, day, forced)
        for slot in profile:
            label = f"{slot.start:%H:%M}"
            if limit is not None and slot.children > limit:
                over_capacity.setdefault(day, set()).add(label)
            if slot.staff_planned is not None and slot.staff_needed > slot.staff_planned:
                over_staff.setdefault(day, set()).add(label)
            elif (slot.staff_planned is not None and slot.staff_needed_by_group is not None
                  and slot.staff_needed_by_group > slot.staff_planned):
                over_staff_groups.setdefault(day, set()).add(label)
        if living_group_id is not None and not family:
            group = groups.get(living_group_id)
            group_max = rules.living_group_max if rules.living_group_max is not None else group_max
            for start, end in [(s.start, s.end) for s in profile]:
                in_group = {p.child_id for p in presences
                            if p.living_group_id == living_group_id and p.start < end and p.end > start}
                if group_max is not None and len(in_group) > group_max:
                    over_group.setdefault(day, set()).add(f"{start:%H:%M}")
                if group is not None and group.capacity is not None and len(in_group) > group.capacity:
                    over_group_capacity.setdefault(day, set()).add(f"{start:%H:%M}")
    place_word = (ngettext("%(num)s kind tegelijk", "%(num)s kinderen tegelijk", limit) if family
                  else ngettext("%(num)s vergunde plaats", "%(num)s vergunde plaatsen", limit))
    for code, found, text in (
        ("capacity", over_capacity, _l("Meer kinderen dan %(places)s op %(days)s.")),
        ("ratio", over_staff, _l("Er zijn meer begeleiders nodig dan ingepland op %(days)s.")),
        ("ratio_living_group", over_staff_groups,
         _l("Voor de locatie volstaan de begeleiders, maar per leefgroep gerekend zijn er meer nodig op %(days)s.")),
        ("living_group", over_group, _l("De leefgroep telt meer dan %(children)s tegelijk op %(days)s.")),
        ("group_capacity", over_group_capacity, _l("De leefgroep is voller dan haar capaciteit op %(days)s.")),
    ):
        if found:
            slots = sorted({s for v in found.values() for s in v})
            children = ngettext("%(num)s kind", "%(num)s kinderen", group_max) if group_max is not None else ""
            message = render(text, {"places": place_word, "children": children, "days": _listed(list(found))})
            warnings.append(PlanWarning(code, message, tuple(sorted(found)), tuple(slots)))
    warnings += _full_by_duration(new_days)
    return warnings


def _full_by_duration(new_days) -> list[PlanWarning]:
    """A morning or afternoon whose hours last 5 hours or more is a full day by duration
    (domain-rules §1.4: < 5 h is a half day): billing and FO-SU-05 count it as one."""
    long_parts: dict[str, set[date]] = defaultdict(set)
    for r in new_days:
        if r.day_part in ("morning", "afternoon") and r.start and r.end:
            minutes = (r.end.hour * 60 + r.end.minute) - (r.start.hour * 60 + r.start.minute)
            if minutes >= 300:
                long_parts[f"{PART_WORDS[r.day_part]} {r.start:%H:%M}-{r.end:%H:%M}"].add(r.day)
    return [PlanWarning("day_part_full", _("De %(part)s duurt 5 uur of meer: naar duur is dat een volle dag "
                                           "(facturatie en Opgroeien), op %(days)s.",
                                           part=part, days=_listed(list(found))), tuple(sorted(found)))
            for part, found in sorted(long_parts.items())]
