"""Billable days per child for a month, from the care plans (reserved days, closing days
excluded) less the respijtdagen used: what finance staff need until the facturatie module lands.

A day counts as a full day from ``planning.full_day_hours`` hours of reserved care (default 5: under
5 hours is a half day at 60 %, domain-rules §2.2) when the plan gives hours; a morning or an
afternoon is a half day, both together a full day."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import select

from core.models import Child, Location

from .. import api
from ..models import RespiteUse


@dataclass(frozen=True)
class BillableRow:
    child_id: int
    child_name: str
    location: str
    full_days: int
    half_days: int
    respite_days: Decimal
    billable_full: int
    billable_half: int


def _hours(start, end) -> float | None:
    if start is None or end is None:
        return None
    return (datetime.combine(date.min, end) - datetime.combine(date.min, start)).total_seconds() / 3600


def day_kinds(reserved, full_from_hours: float) -> dict[tuple[int, date], str]:
    """(child, day) -> 'full' | 'half', all blocks of that day together."""
    hours: dict[tuple[int, date], float] = defaultdict(float)
    parts: dict[tuple[int, date], set[str]] = defaultdict(set)
    for r in reserved:
        key = (r.child_id, r.day)
        parts[key].add(r.day_part)
        if r.day_part == "hours":  # a morning or afternoon reserves a half day, whatever the opening hours
            hours[key] += _hours(r.start, r.end) or 0.0
    kinds = {}
    for key, seen in parts.items():
        whole = "full" in seen or {"morning", "afternoon"} <= seen or hours[key] >= full_from_hours
        kinds[key] = "full" if whole else "half"
    return kinds


def billable_days(ctx, first: date, last: date) -> list[BillableRow]:
    """One row per child with reserved care in [first, last], sorted by name. A fixed number of
    queries whatever the number of children."""
    session, org = ctx.session, ctx.org
    full_from = float(ctx.setting("planning.full_day_hours"))
    reserved = api.reserved_days(ctx, start=first, end=last)
    kinds = day_kinds(reserved, full_from)
    location_of = {r.child_id: r.location_id for r in reserved}
    respite: dict[tuple[int, date], Decimal] = {
        (child_id, day): Decimal(str(amount)) for child_id, day, amount in session.execute(
            select(RespiteUse.child_id, RespiteUse.day, RespiteUse.amount).where(
                RespiteUse.organisation_id == org.id, RespiteUse.day >= first, RespiteUse.day <= last))}
    ids = {child_id for child_id, _day in kinds}
    names = {cid: f"{first_name} {last_name}" for cid, first_name, last_name in session.execute(
        select(Child.id, Child.first_name, Child.last_name).where(Child.organisation_id == org.id,
                                                                  Child.id.in_(ids)))} if ids else {}
    locations = dict(session.execute(select(Location.id, Location.name).where(
        Location.organisation_id == org.id, Location.id.in_(set(location_of.values())))).all()) if ids else {}
    totals: dict[int, dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    for (child_id, day), kind in kinds.items():
        row = totals[child_id]
        row[kind] += 1
        used = respite.get((child_id, day), Decimal(0))
        row["respite"] += used
        if used >= 1 or (kind == "half" and used > 0):
            continue  # a respijtdag covers the day: nothing to bill
        if used > 0:  # half a respijtdag on a full day: the other half is billed as a half day
            row["billable_half"] += 1
        else:
            row[f"billable_{kind}"] += 1
    rows = [BillableRow(cid, names.get(cid, f"#{cid}"), locations.get(location_of[cid], ""), int(t["full"]),
                        int(t["half"]), t["respite"], int(t["billable_full"]), int(t["billable_half"]))
            for cid, t in totals.items()]
    return sorted(rows, key=lambda r: (r.child_name.lower(), r.child_id))
