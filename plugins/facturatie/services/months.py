"""The billing month: which days it has, whether it may be billed (it exists and has begun), and
its run row, locked while a proposal is recorded or the month is finalised. One of each for the
proposal and for finalising."""
from __future__ import annotations

import calendar
from datetime import date

from sqlalchemy import select

from core.context import TenantContext
from core.db import upsert_ignore

from ..models import BillingRun, RunState
from .errors import BillingError


def month_bounds(year: int, month: int) -> tuple[date, date]:
    return date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1])


def check_month(ctx, year: int, month: int) -> tuple[date, date]:
    """The month's first and last day; a month that does not exist or has not begun is refused."""
    try:
        year, month = int(year), int(month)
        if not 2000 <= year <= 2100:
            raise ValueError
        start, end = month_bounds(year, month)
    except (TypeError, ValueError):
        raise BillingError("facturatie.month_invalid", "month") from None
    if start > ctx.today():
        raise BillingError("facturatie.month_future", "month", month=f"{month:02d}/{year}")
    return start, end


def lock_run(ctx: TenantContext, year: int, month: int) -> BillingRun:
    """The month's run row, created if needed and locked until the transaction ends."""
    session = ctx.session
    session.execute(upsert_ignore(session, BillingRun.__table__, ["organisation_id", "year", "month"]).values(
        organisation_id=ctx.org.id, year=year, month=month, state=RunState.DRAFT, snapshot={},
        previous_snapshot={}, created_at=ctx.now(), updated_at=ctx.now()))
    return session.scalars(select(BillingRun).where(
        BillingRun.organisation_id == ctx.org.id, BillingRun.year == year, BillingRun.month == month)
        .with_for_update().execution_options(populate_existing=True)).one()
