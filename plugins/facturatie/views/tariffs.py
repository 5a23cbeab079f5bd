"""Tariffs and attests: the attests inkomenstarief per child (history, add, import from a
spreadsheet template), free-price tariff plans with dated prices, the extras catalogue, a
child's plan, cost shares and extras, and a family's billing profile. Finance staff edit, the
director reads."""
from __future__ import annotations

from flask import Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from core.context import current_context
from core.errors import DomainError
from core.filenames import attachment
from core.models import Child, ChildFamily, Family
from core.security import can, requires
from core.views.helpers import get_or_404

from ..models import (
    BillingProfile,
    ChildBilling,
    CostShare,
    ExtraItem,
    ExtraUse,
    IncomeTariffAttest,
    PaymentMethod,
    PlanMode,
    TariffPlan,
)
from ..services import attest_import
from ..services import tariffs as service
from ..services.errors import BillingError
from .blueprint import BILLING_EDIT, BILLING_VIEW, bp

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _org_id() -> int:
    return current_context().org.id


def _plans():
    return list(current_context().session.scalars(select(TariffPlan).where(TariffPlan.organisation_id == _org_id())
                                                  .options(selectinload(TariffPlan.prices))
                                                  .order_by(TariffPlan.name)))


def _items():
    return list(current_context().session.scalars(select(ExtraItem).where(ExtraItem.organisation_id == _org_id())
                                                  .order_by(ExtraItem.name)))


@bp.route("/tariffs")
@requires(BILLING_VIEW)
def tariffs():
    """Children with their attest in force today, the plans and the extras catalogue."""
    ctx = current_context()
    today = ctx.today()
    children = list(ctx.session.scalars(select(Child).where(Child.organisation_id == ctx.org.id)
                                        .order_by(Child.last_name, Child.first_name)))
    attests: dict[int, list[IncomeTariffAttest]] = {}
    for row in ctx.session.scalars(select(IncomeTariffAttest).where(IncomeTariffAttest.organisation_id == ctx.org.id)
                                   .order_by(IncomeTariffAttest.valid_from)):
        attests.setdefault(row.child_id, []).append(row)
    current = {cid: service.attest_on(rows, today, None) or rows[-1] for cid, rows in attests.items()}
    return render_template("facturatie/tariffs.html", children=children, current=current,
                           counts={cid: len(rows) for cid, rows in attests.items()}, plans=_plans(), items=_items(),
                           modes=list(PlanMode), can_edit=can(current_user, BILLING_EDIT), errors={}, values={})


def _tariffs_with_errors(err: DomainError, values: dict):
    flash(err.message, "error")
    ctx = current_context()
    children = list(ctx.session.scalars(select(Child).where(Child.organisation_id == ctx.org.id)
                                        .order_by(Child.last_name, Child.first_name)))
    return render_template("facturatie/tariffs.html", children=children, current={}, counts={}, plans=_plans(),
                           items=_items(), modes=list(PlanMode), can_edit=True,
                           errors={err.field or "form": err.message}, values=values), 422


@bp.route("/tariffs/plans", methods=["POST"])
@requires(BILLING_EDIT)
def plan_add():
    form = request.form
    try:
        plan = service.save_plan(current_context(), name=form.get("name", ""), mode=form.get("mode", ""),
                                 is_default=form.get("is_default") == "1",
                                 sibling_reduction_pct=form.get("sibling_reduction_pct") or "0")
        service.add_plan_price(current_context(), plan, valid_from=form.get("valid_from"),
                               full_day=form.get("full_day"), half_day=form.get("half_day"),
                               hour=form.get("hour"), month_fee=form.get("month_fee"))
    except DomainError as err:
        return _tariffs_with_errors(err, form.to_dict())
    flash(_("Tariefplan %(name)s bewaard.", name=plan.name), "success")
    return redirect(url_for(".tariffs"))


@bp.route("/tariffs/plans/<int:plan_id>/prices", methods=["POST"])
@requires(BILLING_EDIT)
def plan_price_add(plan_id: int):
    plan = get_or_404(TariffPlan, plan_id, options=(selectinload(TariffPlan.prices),))
    form = request.form
    try:
        service.add_plan_price(current_context(), plan, valid_from=form.get("valid_from"),
                               full_day=form.get("full_day"), half_day=form.get("half_day"),
                               hour=form.get("hour"), month_fee=form.get("month_fee"))
    except DomainError as err:
        return _tariffs_with_errors(err, form.to_dict())
    flash(_("Nieuwe prijzen bewaard."), "success")
    return redirect(url_for(".tariffs"))


@bp.route("/tariffs/extras", methods=["POST"])
@requires(BILLING_EDIT)
def extra_add():
    form = request.form
    try:
        item = service.save_extra(current_context(), name=form.get("name", ""), kind=form.get("kind", ""),
                                  price=form.get("price"), per_present_day=form.get("per_present_day") == "1")
    except DomainError as err:
        return _tariffs_with_errors(err, form.to_dict())
    flash(_("Extra %(name)s bewaard.", name=item.name), "success")
    return redirect(url_for(".tariffs"))


# --- a child's attests, plan, cost shares and extras ---------------------------------------------

def _child_page(child: Child, errors: dict | None = None, values: dict | None = None, status: int = 200):
    ctx = current_context()
    families = list(ctx.session.scalars(select(Family).join(ChildFamily, ChildFamily.family_id == Family.id)
                                        .where(ChildFamily.organisation_id == ctx.org.id,
                                               ChildFamily.child_id == child.id).order_by(Family.name)))
    billing = ctx.session.scalar(select(ChildBilling).where(ChildBilling.organisation_id == ctx.org.id,
                                                            ChildBilling.child_id == child.id))
    shares = {s.family_id: s.percent for s in ctx.session.scalars(select(CostShare).where(
        CostShare.organisation_id == ctx.org.id, CostShare.child_id == child.id))}
    uses = list(ctx.session.execute(select(ExtraUse, ExtraItem.name).join(ExtraItem, ExtraItem.id == ExtraUse.item_id)
                                    .where(ExtraUse.organisation_id == ctx.org.id, ExtraUse.child_id == child.id)
                                    .order_by(ExtraUse.day.desc()).limit(60)))
    return render_template("facturatie/child_tariffs.html", child=child, attests=service.attests_of(ctx, child.id),
                           families={f.id: f for f in families}, plans=_plans(), items=_items(),
                           plan_id=billing.tariff_plan_id if billing else None, shares=shares, uses=uses,
                           can_edit=can(current_user, BILLING_EDIT), errors=errors or {}, values=values or {},
                           today=ctx.today()), status


@bp.route("/children/<int:child_id>/tariff")
@requires(BILLING_VIEW)
def child_tariffs(child_id: int):
    return _child_page(get_or_404(Child, child_id))


@bp.route("/children/<int:child_id>/tariff", methods=["POST"])
@requires(BILLING_EDIT)
def child_tariffs_post(child_id: int):
    """One of the child's forms, named by ``action``: attest, plan, shares or extra."""
    child = get_or_404(Child, child_id)
    ctx = current_context()
    form = request.form
    action = form.get("action", "")
    try:
        if action == "attest":
            service.add_attest(ctx, child_id=child.id, kindcode=form.get("kindcode", ""),
                               day_price=form.get("day_price"), valid_from=form.get("valid_from"),
                               valid_to=form.get("valid_to"), ivt=form.get("ivt") == "1",
                               family_id=_int_or_none(form.get("family_id"), "family_id"),
                               notes=form.get("notes", ""))
            flash(_("Attest bewaard."), "success")
        elif action == "plan":
            service.set_child_plan(ctx, child.id, _int_or_none(form.get("tariff_plan_id"), "tariff_plan_id"))
            flash(_("Tariefplan bewaard."), "success")
        elif action == "shares":
            shares = {}
            for key, value in form.items():
                if key.startswith("share_"):
                    shares[_int_or_none(key[6:], key) or 0] = value
            service.set_cost_shares(ctx, child.id, shares)
            flash(_("Verdeling bewaard."), "success")
        elif action == "extra":
            service.record_extra(ctx, child_id=child.id, item_id=_int_or_none(form.get("item_id"), "item_id"),
                                 day=form.get("day"), quantity=form.get("quantity", "1"))
            flash(_("Extra bewaard."), "success")
        else:
            raise BillingError("facturatie.action_unknown", "form")
    except DomainError as err:
        return _child_page(child, {err.field or "form": err.message}, {**form.to_dict(), "action": action}, 422)
    return redirect(url_for(".child_tariffs", child_id=child.id))


def _int_or_none(value, field: str) -> int | None:
    if value in (None, ""):
        return None
    text = str(value).strip()
    if not text.isdigit() or len(text) > 9:
        codes = {"family_id": "facturatie.family_unknown", "tariff_plan_id": "facturatie.plan_unknown",
                 "item_id": "facturatie.item_unknown"}
        raise BillingError(codes.get(field, "facturatie.family_unknown"), field)
    return int(text)


# --- import ---------------------------------------------------------------------------------------

@bp.route("/attests/import")
@requires(BILLING_EDIT)
def attest_import_form():
    return render_template("facturatie/attest_import.html", errors=[], message=None)


@bp.route("/attests/import", methods=["POST"])
@requires(BILLING_EDIT)
def attest_import_post():
    upload = request.files.get("file")
    data = upload.read(5 * 1024 * 1024 + 1) if upload else b""
    try:
        if not data or len(data) > 5 * 1024 * 1024:
            raise BillingError("facturatie.import_format", "file")
        count, errors = attest_import.import_attests(current_context(), upload.filename or "", data)
    except DomainError as err:
        return render_template("facturatie/attest_import.html", errors=[], message=err.message), 422
    if errors:
        message = BillingError("facturatie.import_rows", count=len(errors)).message
        return render_template("facturatie/attest_import.html", errors=errors, message=message), 422
    flash(ngettext("%(num)s attest ingelezen.", "%(num)s attesten ingelezen.", count), "success")
    return redirect(url_for(".tariffs"))


@bp.route("/attests/template.xlsx")
@requires(BILLING_VIEW)
def attest_template_xlsx():
    return Response(attest_import.template_xlsx(), mimetype=XLSX,
                    headers={"Content-Disposition": attachment("attesten-inkomenstarief.xlsx")})


@bp.route("/attests/template.csv")
@requires(BILLING_VIEW)
def attest_template_csv():
    return Response(attest_import.template_csv(), mimetype="text/csv",
                    headers={"Content-Disposition": attachment("attesten-inkomenstarief.csv")})


# --- a family's billing profile --------------------------------------------------------------------

def _profile_page(family: Family, errors: dict, values):
    ctx = current_context()
    profile = ctx.session.scalar(select(BillingProfile).where(BillingProfile.organisation_id == ctx.org.id,
                                                              BillingProfile.family_id == family.id))
    return render_template("facturatie/billing_profile.html", family=family, profile=profile, errors=errors,
                           methods=list(PaymentMethod), can_edit=can(current_user, BILLING_EDIT),
                           values=values), 422 if errors else 200


@bp.route("/families/<int:family_id>/billing")
@requires(BILLING_VIEW)
def billing_profile(family_id: int):
    """Who pays, how and to which address the invoice goes."""
    return _profile_page(get_or_404(Family, family_id, options=(selectinload(Family.contacts),)), {}, {})


@bp.route("/families/<int:family_id>/billing", methods=["POST"])
@requires(BILLING_EDIT)
def billing_profile_post(family_id: int):
    family = get_or_404(Family, family_id, options=(selectinload(Family.contacts),))
    ctx = current_context()
    form = request.form
    errors: dict[str, str] = {}
    contact_id = form.get("paying_contact_id", "")
    method = form.get("payment_method", "")
    email = form.get("invoice_email", "").strip()
    if contact_id and (not contact_id.isdigit() or int(contact_id) not in {c.id for c in family.contacts}):
        errors["paying_contact_id"] = _("Kies een contactpersoon van dit gezin.")
    if method not in {m.value for m in PaymentMethod}:
        errors["payment_method"] = _("Kies een betaalwijze.")
    if email and (len(email) > 254 or "@" not in email or " " in email):
        errors["invoice_email"] = _("Geef een geldig e-mailadres.")
    company = _company_fields(form, errors)
    if errors:
        return _profile_page(family, errors, form)
    profile = ctx.session.scalar(select(BillingProfile).where(BillingProfile.organisation_id == ctx.org.id,
                                                              BillingProfile.family_id == family.id))
    if profile is None:
        profile = BillingProfile(organisation_id=ctx.org.id, family_id=family.id)
        ctx.session.add(profile)
    profile.paying_contact_id = int(contact_id) if contact_id else None
    profile.payment_method = PaymentMethod(method)
    profile.invoice_email = email
    profile.notes = form.get("notes", "")[:2000]
    profile.is_company, profile.company_name, profile.company_kbo, profile.company_vat = company
    ctx.session.flush()
    flash(_("Facturatiegegevens bewaard."), "success")
    return redirect(url_for(".billing_profile", family_id=family.id))


def _company_fields(form, errors: dict[str, str]) -> tuple[bool, str, str, str]:
    """An employer as debtor (Peppol export): a name and a valid KBO number; the VAT number optional."""
    from ..services import peppol

    is_company = form.get("is_company") == "1"
    name = form.get("company_name", "").strip()[:200]
    kbo, vat = form.get("company_kbo", "").strip(), form.get("company_vat", "").strip()
    if not is_company and not (name or kbo or vat):
        return False, "", "", ""
    if is_company and not name:
        errors["company_name"] = _("Geef de naam van het bedrijf.")
    try:
        kbo = peppol.compact_kbo(kbo) if (is_company or kbo) else ""
    except DomainError as err:
        errors["company_kbo"] = err.message
    try:
        vat = peppol.compact_vat(vat)
    except DomainError as err:
        errors["company_vat"] = err.message
    return is_company, name, kbo, vat
