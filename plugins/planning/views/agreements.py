"""The written agreement on the child's file, the dated house rules, and the parent's acceptance
page (public, answering only to a signed token, rate-limited like the waiting list's pages)."""
from __future__ import annotations

from flask import abort, current_app, flash, g, redirect, render_template, request, url_for
from flask_babel import force_locale, ngettext
from flask_babel import gettext as _
from flask_login import current_user

from core.context import current_context
from core.db import session
from core.pdf import pdf_response
from core.security import can, public, requires

from ..forms import AgreementForm, HouseRulesForm, SignedCopyForm
from ..services import agreements as service
from ..services.agreement_document import render_agreement_pdf
from ..services.house_rules import add_house_rules, earliest_detrimental_date, list_house_rules
from ..services.types import PlanningError
from .blueprint import AGREEMENTS_EDIT, AGREEMENTS_VIEW, HOUSE_RULES_EDIT, HOUSE_RULES_VIEW, bp
from .plans import get_child


@bp.route("/house-rules", methods=["GET", "POST"])
@requires(HOUSE_RULES_VIEW)
def house_rules():
    ctx = current_context()
    form = HouseRulesForm()
    status, concerned = 200, None
    if request.method == "POST":
        if not can(current_user, HOUSE_RULES_EDIT):
            abort(403)
        if form.validate():
            upload = form.pdf.data
            data = upload.read() if upload else None
            try:
                rules, concerned = add_house_rules(
                    ctx, effective_date=form.effective_date.data, title=form.title.data, text=form.text.data,
                    pdf=data or None, pdf_name=getattr(upload, "filename", "") or "",
                    to_detriment=form.to_detriment.data)
            except PlanningError as exc:
                session().rollback()
                getattr(form, exc.field if exc.field in form else "effective_date").errors.append(exc.message)
                status = 422
            else:
                session().commit()
                flash(ngettext("Nieuwe versie van het huishoudelijk reglement bewaard; %(num)s gezin verwittigd.",
                               "Nieuwe versie van het huishoudelijk reglement bewaard; %(num)s gezinnen verwittigd.",
                               rules.families_notified), "success")
                if not concerned:
                    return redirect(url_for("planning.house_rules"))
        else:
            status = 422
    return render_template("planning/house_rules.html", form=form, versions=list_house_rules(ctx),
                           concerned=concerned, earliest=earliest_detrimental_date(ctx),
                           can_manage=can(current_user, HOUSE_RULES_EDIT)), status


@bp.route("/house-rules/<int:house_rules_id>.pdf")
@requires(HOUSE_RULES_VIEW)
def house_rules_pdf(house_rules_id: int):
    from core.views.helpers import get_or_404

    from ..models import HouseRules

    rules = get_or_404(HouseRules, house_rules_id)
    if rules.pdf is not None:
        return pdf_response(rules.pdf, f"huishoudelijk-reglement-{rules.effective_date}.pdf")
    from core.pdf import render_pdf

    data = render_pdf("planning/house_rules_pdf.html", {"title": rules.title, "text": rules.text,
                                                        "org": g.org.name, "day": rules.effective_date})
    return pdf_response(data, f"huishoudelijk-reglement-{rules.effective_date}.pdf")


@bp.route("/children/<int:child_id>/agreements", methods=["GET", "POST"])
@requires(AGREEMENTS_VIEW)
def child_agreements(child_id: int):
    ctx = current_context()
    child = get_child(child_id)
    form = AgreementForm()
    status = 200
    if request.method == "POST":
        if not can(current_user, AGREEMENTS_EDIT):
            abort(403)
        if form.validate():
            try:
                made = service.generate_agreements(ctx, child.id, deposit_amount=form.deposit_amount.data,
                                                   low_income=form.low_income.data, language=form.language.data)
            except PlanningError as exc:
                session().rollback()
                getattr(form, exc.field if exc.field in form else "deposit_amount").errors.append(exc.message)
                status = 422
            else:
                mailed = service.send_acceptance_links(ctx, made, lambda a: url_for(
                    "planning.accept_agreement", token=service.acceptance_token(ctx, a), lang=a.language,
                    _external=True))
                session().commit()
                flash(_("Overeenkomsten opgemaakt: %(n)s; e-mails met de link verstuurd: %(m)s.", n=len(made),
                        m=mailed), "success")
                return redirect(url_for("planning.child_agreements", child_id=child.id))
        else:
            status = 422
    rows = [{"agreement": a, "link": url_for("planning.accept_agreement", token=service.acceptance_token(ctx, a),
                                             _external=True) if a.accepted_at is None else None}
            for a in service.child_agreements(ctx, child.id)]
    return render_template("planning/agreements.html", child=child, form=form, rows=rows,
                           scan_form=SignedCopyForm(), can_manage=can(current_user, AGREEMENTS_EDIT),
                           threshold=ctx.setting("planning.deposit_low_income_threshold")), status


def _agreement(agreement_id: int):
    try:
        agreement = service.get_agreement(current_context(), agreement_id)
    except PlanningError:
        abort(404)
    get_child(agreement.child_id)  # the caregiver's location scope
    return agreement


@bp.route("/agreements/<int:agreement_id>.pdf")
@requires(AGREEMENTS_VIEW)
def agreement_pdf(agreement_id: int):
    agreement = _agreement(agreement_id)
    lang = request.args.get("lang")
    data = render_agreement_pdf(current_context(), agreement, lang)
    return pdf_response(data, f"overeenkomst-{agreement.id}-{agreement.number}.pdf")


@bp.route("/agreements/<int:agreement_id>/signed-copy", methods=["POST"])
@requires(AGREEMENTS_EDIT)
def agreement_signed_copy(agreement_id: int):
    agreement = _agreement(agreement_id)
    form = SignedCopyForm()
    if not form.validate():
        flash(_("Kies een bestand."), "error")
        return redirect(url_for("planning.child_agreements", child_id=agreement.child_id))
    upload = form.scan.data
    try:
        service.attach_signed_copy(current_context(), agreement, upload.filename or "", upload.read())
    except PlanningError as exc:
        session().rollback()
        flash(exc.message, "error")
    else:
        session().commit()
        flash(_("Ondertekend exemplaar toegevoegd."), "success")
    return redirect(url_for("planning.child_agreements", child_id=agreement.child_id))


# --- the parent's page ----------------------------------------------------------------------

def _throttled() -> bool:
    from core.throttle import hit

    limit = int(current_app.config.get("WACHTLIJST_PUBLIC_RATE", 30))
    return not hit(session(), "planning.agreement", request.remote_addr or "-", limit=limit, seconds=60)


def _lang() -> str:
    lang = request.args.get("lang") or request.accept_languages.best_match(["nl", "fr", "en"])
    return lang if lang in ("nl", "fr", "en") else "nl"


@bp.route("/accept/<token>", methods=["GET", "POST"])
@public
def accept_agreement(token: str):
    """The link the parent receives opens a page with a button; only the button (POST) accepts,
    so a mail scanner that opens the link changes nothing."""
    lang = _lang()
    with force_locale(lang):
        if _throttled():
            return render_template("planning/accept.html", error=_("Te veel pogingen. Probeer het over een minuut "
                                                                    "opnieuw."), lang=lang), 429
        ctx = current_context()
        try:
            agreement = service.agreement_by_token(ctx, token)
        except PlanningError as exc:
            return render_template("planning/accept.html", error=exc.message, lang=lang), 404
        done = None
        if request.method == "POST":
            if not _csrf_ok():
                abort(400)
            done = service.accept_by_link(ctx, agreement, request.remote_addr)
            session().commit()
        return render_template("planning/accept.html", agreement=agreement, token=token, lang=lang, done=done,
                               org=g.org.name, rules=agreement.house_rules)


def _csrf_ok() -> bool:
    from ..forms import AcceptForm

    return AcceptForm().validate_on_submit()
