"""Finance staff's page: last month's billable days per child (reserved days less respijtdagen),
on screen and as Excel, until the facturatie module lands. Finance lands here after sign-in."""
from __future__ import annotations

from calendar import monthrange
from datetime import timedelta

from flask import Response, g, render_template, request
from flask_babel import format_date
from flask_babel import gettext as _

from core.clock import clock
from core.context import current_context
from core.filenames import attachment
from core.models import Role
from core.security import Action, requires

from ..services.billable import billable_days
from ..services.exports import billable_workbook
from .blueprint import bp, parse_month

# The organisation's own staff only: the koepel coordinator sees partners, not children.
BILLABLE_VIEW = Action("planning.billable.view", frozenset({Role.DIRECTOR, Role.FINANCE}),
                       "Aan te rekenen dagen per kind bekijken en exporteren")


def _month():
    today = clock.today()
    default = (today.replace(day=1) - timedelta(days=1)).replace(day=1)
    first = parse_month(request.args.get("month"), default)
    last = first.replace(day=monthrange(first.year, first.month)[1])
    return first, last


@bp.route("/billable")
@requires(BILLABLE_VIEW)
def billable():
    first, last = _month()
    rows = billable_days(current_context(), first, last)
    prev = (first.replace(day=1) - timedelta(days=1)).replace(day=1)
    nxt = last + timedelta(days=1)
    return render_template("planning/billable.html", rows=rows, first=first,
                           month_label=format_date(first, "MMMM y"), prev=prev, next=nxt,
                           totals={"full": sum(r.billable_full for r in rows),
                                   "half": sum(r.billable_half for r in rows)})


@bp.route("/billable.xlsx")
@requires(BILLABLE_VIEW)
def billable_xlsx():
    first, last = _month()
    rows = billable_days(current_context(), first, last)
    title = _("Aan te rekenen dagen %(month)s", month=format_date(first, "MMMM y"))
    data = billable_workbook(title, rows)
    return Response(data, mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", headers={
        "Content-Disposition": attachment(f"aan-te-rekenen-dagen-{g.org.slug}-{first:%Y-%m}.xlsx"),
        "Cache-Control": "private, no-store"})
