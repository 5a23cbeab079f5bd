"""The attendance register (aanwezigheidsregister) of one location for one month, as plain data
for the screen and the PDF: per child and day the arrival and departure times, absences, parents'
confirmations; own children marked; reserved days after today shown as planned, never as
absences. A fixed number of queries, whatever the number of children."""
from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.clock import BRUSSELS
from core.context import context_for
from core.models import Child, Location, Organisation
from core.values import Period

from ..api import billable_days
from ..models import AttendanceEvent, ChildCode, Confirmation, EventStatus
from .registrations import stays

ABSENCE_LABEL = {"respijt": "R", "gerechtvaardigd": "G", "ongerechtvaardigd": "O", "sluiting": "S"}


def _hhmm(moment) -> str:
    return moment.astimezone(BRUSSELS).strftime("%H:%M") if moment else ""


def register_data(session: Session, org: Organisation, location: Location, period: Period) -> dict:
    start, end = period.first_day, period.last_day
    days = [start + timedelta(n) for n in range((end - start).days + 1)]
    events = list(session.scalars(select(AttendanceEvent).where(
        AttendanceEvent.organisation_id == org.id, AttendanceEvent.location_id == location.id,
        AttendanceEvent.day >= start, AttendanceEvent.day <= end, AttendanceEvent.child_id.is_not(None),
        AttendanceEvent.status == EventStatus.ACCEPTED)))
    per: dict[tuple[int, date], list] = defaultdict(list)
    for e in events:
        per[(e.child_id, e.day)].append(e)
    billing = {(b.child_id, b.day): b for b in billable_days(context_for(session, org), start=start,
                                                               end=end, location_id=location.id)}
    confirmations = list(session.scalars(select(Confirmation).where(
        Confirmation.organisation_id == org.id, Confirmation.location_id == location.id,
        Confirmation.end_day >= start, Confirmation.start_day <= end)))
    confirmed: dict[tuple[int, date], str] = {}
    for c in confirmations:
        d = max(c.start_day, start)
        while d <= min(c.end_day, end):
            confirmed[(c.child_id, d)] = c.confirmed_by
            d += timedelta(days=1)
    child_ids = {cid for cid, _ in per} | {cid for cid, _ in billing}
    children = list(session.scalars(select(Child).where(Child.organisation_id == org.id, Child.id.in_(child_ids))
                                    .order_by(Child.last_name, Child.first_name, Child.id)))
    own = set(session.scalars(select(ChildCode.child_id).where(ChildCode.organisation_id == org.id,
                                                               ChildCode.own_child.is_(True),
                                                               ChildCode.child_id.in_(child_ids))))
    rows = []
    for child in children:
        cells = []
        totals = {"present": 0, "absent": 0, "late": 0, "planned": 0}
        for d in days:
            spans = stays(per.get((child.id, d), []))
            b = billing.get((child.id, d))
            cell = {
                "day": d, "times": [f"{_hhmm(s.start)}–{_hhmm(s.end) if s.end else '…'}" for s in spans],
                "offline": any(s.offline for s in spans),
                "absence": ABSENCE_LABEL.get(b.absence.value, "") if b and b.absence and not b.present else "",
                "late": bool(b and b.late_pickup), "confirmed_by": confirmed.get((child.id, d), ""),
                "category": b.category.value if b and b.category and b.present else "",
                "planned": bool(b and b.planned),  # a reserved day after today: never an absence
            }
            if spans:
                totals["present"] += 1
            elif cell["absence"]:
                totals["absent"] += 1
            elif cell["planned"]:
                totals["planned"] += 1
            totals["late"] += int(cell["late"])
            if spans or cell["absence"] or cell["planned"]:
                cells.append(cell)
        rows.append({"child_id": child.id, "name": f"{child.last_name} {child.first_name}",
                     "own_child": child.id in own, "cells": cells, "totals": totals})
    return {"location": location.name, "location_id": location.id, "file_no": location.opgroeien_file_no or "",
            "period": f"{period.month:02d}/{period.year}", "rows": rows}
