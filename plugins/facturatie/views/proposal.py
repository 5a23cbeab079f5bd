"""The month's proposal: families with their totals, the warnings to decide (accept with a
reason), what changed since the last computation, a recompute button, and per family the draft
invoice whose every line explains itself day by day."""
from __future__ import annotations

from datetime import date

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import format_date, ngettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from core.context import current_context
from core.errors import DomainError, message_template, render
from core.models import Family
from core.security import can, requires
from core.views.helpers import get_or_404

from ..models import RunState
from ..services import proposal as service
from .blueprint import BILLING_EDIT, BILLING_VIEW, bp

RULE_LABELS = {
    "ikt.full": _l("IKT 100 %"), "ikt.flex": _l("IKT 100 % (11 u of meer)"), "ikt.half": _l("IKT 60 %"), "ikt.third": _l("IKT 60 %"),
    "no_attest.maximum": _l("maximumtarief (geen attest)"), "no_attest.skip": _l("geen attest: niet aangerekend"),
    "free.full": _l("volle dag"), "free.half": _l("halve dag"), "free.hour": _l("per begonnen uur"),
    "free.half_hour": _l("per begonnen half uur"), "free.month": _l("maandprijs"), "ikt.outside_hours": _l("uren buiten 06-20 u"),
    "fine.late_pickup": _l("laattijdig afhalen"), "not_billed.respijt": _l("respijtdag"),
    "not_billed.gerechtvaardigd": _l("gewettigd afwezig"), "not_billed.sluiting": _l("sluitingsdag"),
    "not_billed.settling_in": _l("wenmoment"), "absence.capped_maximum": _l("afwezig (begrensd op maximumtarief)"),
}


CATEGORY_LABELS = {"half": _l("minder dan 5 uur"), "full": _l("5 tot 11 uur"), "flex": _l("11 uur of meer"),
                   "third": _l("minder dan 3 uur"), "hours": _l("uren"), "late": _l("te laat"),
                   "extra": _l("extra")}
PART_LABELS = {"morning": _l("voormiddag"), "afternoon": _l("namiddag"), "full": _l("volle dag"),
               "hours": _l("uren")}


def warning_text(w) -> str:
    template = message_template(w.code)
    return render(template, w.params) if template is not None else w.code


def _computation(year: int, month: int):
    ctx = current_context()
    result = service.compute(ctx, year, month)
    run = service.run_of(ctx, year, month)
    current = service.snapshot_of(result.proposal, result.debtors)
    return ctx, result, run, current


@bp.route("/<int:year>/<int:month>/")
@requires(BILLING_VIEW)
def proposal(year: int, month: int):
    ctx, result, run, current = _computation(year, month)
    p = result.proposal
    changes = service.since_last(run, current)
    return render_template("facturatie/proposal.html", p=p, run=run, debtors=result.debtors, changes=changes,
                           warning_text=warning_text, month_label=format_date(date(year, month, 1), "MMMM y"),
                           year=year, month=month, can_edit=can(current_user, BILLING_EDIT),
                           finalised=run is not None and run.state == RunState.FINALISED,
                           total=sum((inv.total for inv in p.invoices), 0), error=None)


@bp.route("/<int:year>/<int:month>/recompute", methods=["POST"])
@requires(BILLING_EDIT)
def recompute(year: int, month: int):
    ctx = current_context()
    result = service.compute(ctx, year, month)
    service.record(ctx, result.proposal, result.debtors)
    flash(_("Voorstel herberekend."), "success")
    return redirect(url_for(".proposal", year=year, month=month))


@bp.route("/<int:year>/<int:month>/accept", methods=["POST"])
@requires(BILLING_EDIT)
def accept(year: int, month: int):
    """Accept one warning, or with several ``key`` values all of them with the same reason (all or
    none: a refusal rolls the request back)."""
    ctx = current_context()
    result = service.compute(ctx, year, month)
    keys = {w.key for w in result.proposal.warnings}
    chosen = request.form.getlist("key") or [""]
    try:
        for key in chosen:
            service.accept_warning(ctx, year, month, key, request.form.get("reason", ""), keys, current_user.id)
    except DomainError as err:
        run = service.run_of(ctx, year, month)
        p = result.proposal
        return render_template("facturatie/proposal.html", p=p, run=run, debtors=result.debtors,
                               changes=service.since_last(run, service.snapshot_of(p, result.debtors)),
                               warning_text=warning_text, month_label=format_date(date(year, month, 1), "MMMM y"),
                               year=year, month=month, can_edit=True, finalised=False,
                               total=sum((inv.total for inv in p.invoices), 0), error=err.message,
                               error_key=chosen[0] if len(chosen) == 1 else "*"), 422
    flash(ngettext("%(num)s waarschuwing aanvaard.", "%(num)s waarschuwingen aanvaard.", len(chosen)), "success")
    return redirect(url_for(".proposal", year=year, month=month) + "#warnings")


@bp.route("/<int:year>/<int:month>/families/<int:family_id>")
@requires(BILLING_VIEW)
def draft(year: int, month: int, family_id: int):
    """One family's draft invoice; ``?line=n`` opens the explanation of line n (every day:
    reservation, registered times, category, rule, price)."""
    family = get_or_404(Family, family_id)
    ctx = current_context()
    result = service.compute(ctx, year, month, family_id=family.id)
    invoice = next((inv for inv in result.proposal.invoices if inv.family_id == family.id), None)
    if invoice is None:
        abort(404)
    line_no = request.args.get("line", type=int)
    if line_no is not None and not 0 <= line_no < len(invoice.lines):
        abort(404)
    children = result.children
    return render_template("facturatie/draft.html", inv=invoice, family=family, year=year, month=month,
                           month_label=format_date(date(year, month, 1), "MMMM y"), line_no=line_no,
                           children=children, rule_labels=RULE_LABELS, category_labels=CATEGORY_LABELS,
                           part_labels=PART_LABELS,
                           warnings=[w for w in result.proposal.warnings if w.family_id == family.id
                                     or (w.child_id and any(line.child_id == w.child_id for line in invoice.lines))],
                           warning_text=warning_text)
