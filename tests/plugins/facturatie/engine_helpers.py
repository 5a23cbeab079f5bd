"""Helpers of the billing engine's tests: real care plans through planning's api, taps written
as accepted attendance events, attests and plans through facturatie's services."""
from __future__ import annotations

from datetime import date, datetime, time
from decimal import Decimal

from core.clock import BRUSSELS, app_clock
from core.context import context_for
from core.models import Organisation
from plugins.aanwezigheden.models import AttendanceEvent, EventKind, EventStatus
from plugins.planning import api as planning

NOV = date(2026, 11, 1)


def freeze(year=2026, month=12, day=2, hour=9):
    app_clock().freeze(datetime(year, month, day, hour, 0, tzinfo=BRUSSELS))


def ctx_of(session, org):
    return context_for(session, session.get(Organisation, org.id))


def plan(session, org, child, location, *, weekdays=range(5), start=date(2026, 11, 2), family_id=None,
         part="full", **kw) -> int:
    days = [planning.DayPlan(weekday=d, day_part=part) for d in weekdays]
    plan_id = planning.create_care_plan(ctx_of(session, org), child_id=child.id, location_id=location.id,
                                        start_date=start, days=days, family_id=family_id, **kw)
    session.flush()
    return plan_id


def stay(session, org, child, location, day: date, start: time, end: time | None):
    for kind, t in ((EventKind.ARRIVAL, start), (EventKind.DEPARTURE, end)):
        if t is None:
            continue
        moment = datetime.combine(day, t, tzinfo=BRUSSELS)
        session.add(AttendanceEvent(organisation_id=org.id, client_id=f"{child.id}-{day}-{kind}-{t}",
                                    location_id=location.id, child_id=child.id, day=day, kind=kind, at=moment,
                                    received_at=moment, status=EventStatus.ACCEPTED))
    session.flush()


def weekdays_of(year: int, month: int):
    d = date(year, month, 1)
    while d.month == month:
        if d.weekday() < 5:
            yield d
        d = date.fromordinal(d.toordinal() + 1)


def money(value) -> Decimal:
    return Decimal(str(value)).quantize(Decimal("0.01"))


def store_as_finalised(session, org, proposal, number_start=1):
    """Test stand-in for fact-docs' finalise: the drafts stored as invoices with their line days
    and the month's run marked finalised (numbers simply counted)."""
    from plugins.facturatie.models import (
        BillingRun,
        Invoice,
        InvoiceLine,
        InvoiceLineDay,
        RunState,
    )

    run = session.query(BillingRun).filter_by(organisation_id=org.id, year=proposal.year,
                                              month=proposal.month).one_or_none()
    if run is None:
        run = BillingRun(organisation_id=org.id, year=proposal.year, month=proposal.month, snapshot={},
                         previous_snapshot={})
        session.add(run)
    run.state = RunState.FINALISED
    invoices = []
    for n, draft in enumerate(proposal.invoices, start=number_start):
        inv = Invoice(organisation_id=org.id, year=proposal.year, number=n, display_number=f"T-{n}",
                      period_year=proposal.year, period_month=proposal.month, family_id=draft.family_id,
                      debtor_name=draft.debtor_name, issue_date=date(2026, 12, 1), due_date=date(2026, 12, 31),
                      total=draft.total, ogm=f"{n:012d}")
        for pos, line in enumerate(draft.lines, start=1):
            row = InvoiceLine(organisation_id=org.id, position=pos, kind=line.kind, child_id=line.child_id,
                              description=line.description, rule=line.rule, quantity=line.quantity,
                              unit_price=line.unit_price, amount=line.amount, summary=line.summary,
                              corrects_invoice_id=line.corrects_invoice_id)
            row.days = [InvoiceLineDay(organisation_id=org.id, child_id=d.child_id, day=d.day, category=d.category,
                                       rule=d.rule, fraction=d.fraction, day_price=d.day_price, amount=d.amount,
                                       detail={k: v for k, v in d.detail.items()}) for d in line.days]
            inv.lines.append(row)
        session.add(inv)
        invoices.append(inv)
    session.flush()
    return invoices


def victim_plan(factory, org, session) -> int:
    """A tariff plan of another organisation (tests/contracts/route_objects.py)."""
    from plugins.facturatie.models import PlanMode, TariffPlan

    plan = TariffPlan(organisation_id=org.id, name=f"Plan slachtoffer {org.id}", mode=PlanMode.DAY)
    session.add(plan)
    session.flush()
    return plan.id
