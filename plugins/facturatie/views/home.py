"""The landing page of finance staff: the month to bill and where it stands."""
from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from flask import render_template
from flask_babel import format_date
from sqlalchemy import select

from core.context import current_context
from core.security import requires

from ..models import BillingRun, RunState
from .blueprint import BILLING_VIEW, bp


@bp.route("/")
@requires(BILLING_VIEW)
def index():
    """Last month (the one to bill at the start of a month) and the recent months' states."""
    ctx = current_context()
    first = (ctx.today().replace(day=1) - timedelta(days=1)).replace(day=1)
    runs = {(r.year, r.month): r for r in ctx.session.scalars(
        select(BillingRun).where(BillingRun.organisation_id == ctx.org.id)
        .order_by(BillingRun.year.desc(), BillingRun.month.desc()).limit(12))}
    months = []
    day = first
    for _ in range(6):
        run = runs.get((day.year, day.month))
        months.append({"year": day.year, "month": day.month, "label": format_date(day, "MMMM y"), "run": run,
                       "state": run.state if run else None,
                       "total": sum((Decimal(v["total"]) for v in (run.snapshot or {}).values()),
                                    0) if run else None,
                       "families": len(run.snapshot or {}) if run else 0})
        day = (day - timedelta(days=1)).replace(day=1)
    return render_template("facturatie/index.html", current=months[0], months=months, RunState=RunState,
                           today=ctx.today(), this_month=date(ctx.today().year, ctx.today().month, 1))
