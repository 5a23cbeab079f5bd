"""Pages of the wachtlijst module: staff pages under /o/<org>/wachtlijst, the parent's public pages
(form and token status page, throttled, revealing nothing without the token) and the koepel
coordinator's central allocation and report under /koepel/wachtlijst."""
from __future__ import annotations

from datetime import date

from babel import dates as babel_dates
from flask import (
    Response,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from core.audit import record_view
from core.clock import clock
from core.context import current_context
from core.db import session
from core.models import Location, Organisation
from core.security import can, public, requires
from core.values import Period
from core.views.helpers import get_or_404, render_form
from core.views.listing import page_of, paginate
from core.views.location_choice import chosen_locations

from ..forms import DeclineForm, PolicyForm, RequestForm
from ..models import AllocationRun, CareRequest, Offer, OfferStatus, Status
from ..services import central, intake, offers, placing, policy, privacy, reports, standing
from ..services.errors import ValidationFailed, WachtlijstError
from ..services.texts import TEXTS, t, valid_language
from .blueprint import WL_CENTRAL, WL_EDIT, WL_FIGURES, WL_POLICY, WL_REPORT, WL_VIEW, bp, koepel_bp
from .choices import request_locations

STATUS_LABELS = {s.value: t(f"st_{s.value}", "nl") for s in Status}


def _ui_lang() -> str:
    """The staff screens' language (the NL/FR/EN links), for the texts of ``texts.py``."""
    from flask_babel import get_locale

    return valid_language(str(get_locale()))


def status_label(value, prefix: str = "st_") -> str:
    """A request (``st_``), offer (``of_``) or allocation-run (``run_``) status in the reader's words."""
    value = getattr(value, "value", value)
    return t(f"{prefix}{value}", _ui_lang()) if f"{prefix}{value}" in TEXTS else str(value)


def _locations(org_id: int) -> list[tuple[int, str]]:
    return [(loc.id, loc.name) for loc in session().scalars(
        select(Location).where(Location.organisation_id == org_id).order_by(Location.name))]


def get_request(request_id: int) -> CareRequest:
    return get_or_404(CareRequest, request_id)


def get_offer(offer_id: int) -> Offer:
    return get_or_404(Offer, offer_id)


# --- staff pages ----------------------------------------------------------------------------------


@bp.route("/")
@requires(WL_VIEW)
def index():
    status = request.args.get("status", "")
    stmt = (select(CareRequest).where(CareRequest.organisation_id == g.org.id, CareRequest.anonymised_at.is_(None))
            .options(selectinload(CareRequest.preferences)).order_by(CareRequest.submitted_at.desc(), CareRequest.id))
    if status in STATUS_LABELS:
        stmt = stmt.where(CareRequest.status == Status(status))
    page = paginate(session(), stmt, search_columns=(CareRequest.child_last_name, CareRequest.applicant_last_name,
                                                     CareRequest.email))
    return render_template("wachtlijst/index.html", page=page, status=status,
                           statuses={value: status_label(value) for value in STATUS_LABELS},
                           locations=dict(_locations(g.org.id)), status_label=status_label)


@bp.route("/new", methods=["GET", "POST"])
@requires(WL_EDIT)
def create():
    lang = _ui_lang()
    form = RequestForm()
    if not form.is_submitted():
        form.language.data = "nl"  # the parent's language for messages: chosen, not the staff member's screen
    form.setup(lang, *request_locations(lang, "locations.search"))
    if form.validate_on_submit():
        try:
            created = intake.create_requests(current_context(), form.to_data(), channel="staff", actor=current_user)
        except ValidationFailed as exc:
            form.add_service_errors(exc.errors, lang)
        else:
            flash(_("Aanvraag geregistreerd."), "success")
            return redirect(url_for("wachtlijst.detail", request_id=created[0][0].id))
    elif form.is_submitted():
        form.localise_errors(lang)
    return render_form("wachtlijst/form.html", form, public=False, lang=lang, t=t)


@bp.route("/<int:request_id>")
@requires(WL_VIEW)
def detail(request_id: int):
    req = get_request(request_id)
    record_view(session(), req, "opvangvraag")
    names = dict(_locations(g.org.id))
    min_criteria = int(current_context().setting("wachtlijst.vulnerable_min_criteria"))
    flags = sorted(policy.flags_of(req, min_criteria) - {policy.RESERVED})
    return render_template("wachtlijst/detail.html", req=req, names=names, status_label=status_label,
                           flags=[policy.rule_label(f) for f in flags], decline_form=DeclineForm(),
                           OfferStatus=OfferStatus, today=current_context().today())


@bp.route("/<int:request_id>/close", methods=["POST"])
@requires(WL_EDIT)
def close(request_id: int):
    req = get_request(request_id)
    reason = request.form.get("reason", "").strip()
    try:
        if not reason:
            raise WachtlijstError("reason_required", "reason")
        if request.form.get("how") == "lapse":
            intake.lapse(current_context(), req, actor=current_user, reason=reason)
        else:
            intake.withdraw(current_context(), req, actor=current_user, reason=reason)
    except WachtlijstError as exc:
        flash(exc.message, "error")
        return redirect(url_for("wachtlijst.detail", request_id=req.id)), 303
    flash(_("Aanvraag afgesloten."), "success")
    return redirect(url_for("wachtlijst.detail", request_id=req.id))


@bp.route("/<int:request_id>/export")
@requires(WL_EDIT)
def export(request_id: int):
    req = get_request(request_id)
    record_view(session(), req, "export")
    body = privacy.export_json(current_context(), req.email)
    return Response(body, mimetype="application/json",
                    headers={"Content-Disposition": f"attachment; filename=opvangvraag-{req.id}.json"})


def _location_rows():
    """The organisation's locations as (id, name, municipality, care type) rows, in the order the
    location choosers list them (the last two tell look-alike homes apart)."""
    return session().execute(select(Location.id, Location.name, Location.municipality, Location.care_type)
                             .where(Location.organisation_id == g.org.id)
                             .order_by(Location.name, Location.id)).all()


@bp.route("/ranking")
@requires(WL_VIEW)
def ranking():
    """The policy's order at one location: the chosen one (remembered, shared with the free places
    and planning's pages); "all" has no single order, so it shows the first."""
    locations = session().scalars(select(Location).where(Location.organisation_id == g.org.id)
                                  .order_by(Location.name, Location.id)).all()
    _choice, chosen = chosen_locations(locations)
    wanted = chosen[0].id if chosen else 0
    ranked, reqs = offers.ranking(current_context(), wanted) if locations else ([], {})
    return render_template("wachtlijst/ranking.html", ranked=ranked[:200], total=len(ranked), reqs=reqs,
                           locations=locations, wanted=wanted, status_label=status_label)


@bp.route("/vacancies")
@requires(WL_FIGURES)
def vacancies():
    """Free places to offer in the next 12 months, one row per run of months and age bands, for
    the chosen location (remembered, the same choice as planning's pages) or ``?location=all``;
    computed for those locations only and shown a page of rows at a time."""
    locations = _location_rows()
    choice, chosen = chosen_locations(locations)
    ctx = current_context()
    ids = [loc.id for loc in chosen]
    runs = [r for r in placing.vacancy_runs(ctx, start=Period.of(ctx.today()).first_day, months=12,
                                            location_ids=ids) if not r.last_minute] if ids else []
    return render_template("wachtlijst/vacancies.html", page=page_of(runs), locations=locations, location_id=choice,
                           names={loc.id: loc.name for loc in chosen}, with_candidates=can(current_user, WL_VIEW))


@bp.route("/candidates")
@requires(WL_VIEW)
def candidates():
    try:
        slot = placing.Slot.from_key(request.args.get("slot", ""))
    except ValueError:
        abort(404)
    if slot.location_id not in dict(_locations(g.org.id)):
        abort(404)
    try:
        ranked, reqs = offers.candidates(current_context(), slot)
    except WachtlijstError:
        abort(404)
    free = offers.free_now(current_context(), slot)
    return render_template("wachtlijst/candidates.html", slot=slot, ranked=ranked, reqs=reqs, free=free,
                           names=dict(_locations(g.org.id)), rule_label=policy.rule_label)


def _offer_target(values) -> tuple[CareRequest, placing.Slot]:
    req = get_request(values.get("request_id", type=int) or 0)
    try:
        slot = placing.Slot.from_key(values.get("slot", ""))
    except ValueError:
        abort(404)
    if slot.location_id not in dict(_locations(g.org.id)):
        abort(404)
    return req, slot


def _render_offer_form(req, slot, start, deadline, error=None, status=200):
    return render_template("wachtlijst/offer_form.html", req=req, slot=slot, start=start, deadline=deadline,
                           location=dict(_locations(g.org.id)).get(slot.location_id, ""), error=error,
                           t=t, lang=valid_language(req.language)), status


@bp.route("/offers/new")
@requires(WL_EDIT)
def offer_form():
    """Before an offer is sent: the start date and the answer date, chosen here, and the text the
    parent will read."""
    req, slot = _offer_target(request.args)
    return _render_offer_form(req, slot, offers.offer_start(req, slot, current_context().today()),
                              offers.default_deadline(current_context()))


def _date_field(name: str) -> date | None:
    raw = (request.form.get(name) or "").strip()
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise WachtlijstError("offer_start_outside" if name == "start_date" else "offer_deadline_invalid",
                              name) from None


@bp.route("/offers", methods=["POST"])
@requires(WL_EDIT)
def make_offer():
    req, slot = _offer_target(request.form)
    try:
        start, deadline = _date_field("start_date"), _date_field("deadline")
        if request.form.get("confirm") and (start is None or deadline is None):
            raise WachtlijstError("offer_start_outside" if start is None else "offer_deadline_invalid")
        offers.make_offer(current_context(), req, slot, actor=current_user, start_date=start, deadline=deadline)
    except WachtlijstError as exc:
        if exc.code in ("offer_start_outside", "offer_deadline_invalid"):
            return _render_offer_form(req, slot, request.form.get("start_date", ""), request.form.get("deadline", ""),
                                      error=exc.message_in(_ui_lang()), status=422)
        return render_template("wachtlijst/message.html", message=exc.message,
                               back=url_for("wachtlijst.candidates", slot=slot.key)), 409
    flash(_("Aanbod gedaan; de ouder krijgt een e-mail."), "success")
    return redirect(url_for("wachtlijst.detail", request_id=req.id))


@bp.route("/offers/<int:offer_id>/answer", methods=["POST"])
@requires(WL_EDIT)
def answer_offer(offer_id: int):
    """Staff record the parent's answer given by phone or at the desk."""
    offer = get_offer(offer_id)
    try:
        if request.form.get("answer") == "accept":
            offers.accept(current_context(), offer, actor=current_user)
            flash(_("Aanbod aanvaard: gezin, kind en opvangplan zijn aangemaakt."), "success")
        else:
            offers.decline(current_context(), offer, request.form.get("reason", ""), actor=current_user)
            flash(_("Weigering geregistreerd."), "success")
    except WachtlijstError as exc:
        return render_template("wachtlijst/message.html", message=exc.message,
                               back=url_for("wachtlijst.detail", request_id=offer.request_id)), 409
    return redirect(url_for("wachtlijst.detail", request_id=offer.request_id))


@bp.route("/duplicates", methods=["GET", "POST"])
@requires(WL_EDIT)
def duplicates():
    if request.method == "POST":
        keep = get_request(request.form.get("keep", type=int) or 0)
        drop = get_request(request.form.get("drop", type=int) or 0)
        try:
            intake.merge(current_context(), keep, drop, actor=current_user)
        except WachtlijstError as exc:
            flash(exc.message, "error")
            return redirect(url_for("wachtlijst.duplicates")), 303
        flash(_("Aanvragen samengevoegd."), "success")
        return redirect(url_for("wachtlijst.detail", request_id=keep.id))
    pairs = intake.find_duplicates(current_context())
    return render_template("wachtlijst/duplicates.html", pairs=pairs, status_label=status_label)


@bp.route("/policy", methods=["GET", "POST"])
@requires(WL_POLICY)
def policy_page():
    form = PolicyForm()
    rules = policy.get_rules(current_context())
    error = None
    places = {key: str(i) for i, key in enumerate(rules, start=1)}
    if form.validate_on_submit():
        preset = request.form.get("preset")
        try:
            if preset is not None and preset not in policy.PRESETS:
                raise ValueError(preset)
            wanted = policy.PRESETS[preset] if preset else policy.rules_from_ranks(request.form)
            policy.set_rules(current_context(), wanted)
        except ValueError:
            error = _("Elke regel krijgt een eigen plaats (1, 2, 3 ...), of blijft ongebruikt; "
                      "de twee Brusselse regels sluiten elkaar uit.")
            places = {key: request.form.get(f"rank-{key}", "") for key in policy.RULES}
        else:
            flash(_("Voorrangsbeleid bewaard."), "success")
            return redirect(url_for("wachtlijst.policy_page"))
    share = current_context().setting("wachtlijst.vulnerable_share")
    dutch_share = current_context().setting("wachtlijst.dutch_share")
    return render_template("wachtlijst/policy.html", form=form, rules=rules, catalogue=policy.RULES,
                           presets=policy.PRESET_LABELS, share=share, dutch_share=dutch_share, places=places,
                           error=error, rule_label=policy.rule_label), 422 if error or form.errors else 200


def _month_arg() -> Period:
    raw = request.args.get("month", "")
    try:
        year, month = (int(x) for x in raw.split("-"))
        return Period(year, month)
    except ValueError:
        today = clock.today()  # also the koepel-wide report (no organisation)
        return Period.of(today)


@bp.route("/reports")
@requires(WL_REPORT)
def report():
    period = _month_arg()
    data = reports.monthly(session(), [g.org], period)
    return render_template("wachtlijst/report.html", report=data, chart=reports.chart_svg(data), koepel=False,
                           month=f"{period.year}-{period.month:02d}")


@bp.route("/reports.xlsx")
@requires(WL_REPORT)
def report_xlsx():
    period = _month_arg()
    data = reports.monthly(session(), [g.org], period)
    return Response(reports.excel(data, g.org.name), headers={
        "Content-Disposition": f"attachment; filename=wachtlijst-{period.year}-{period.month:02d}.xlsx"},
        mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


@bp.route("/fo-re-19.xml")
@requires(WL_REPORT)
def fo_re_19():
    year = request.args.get("year", type=int) or current_context().today().year - 1
    try:
        xml = reports.fo_re_19_xml(current_context(), year)
    except reports.ReportError as exc:
        return render_template("wachtlijst/message.html", message=str(exc),
                               back=url_for("wachtlijst.report")), 422
    return Response(xml, mimetype="application/xml",
                    headers={"Content-Disposition": f"attachment; filename=FO-RE-19-{year}.xml"})


# --- public pages (no account) -----------------------------------------------------------------------

def throttled() -> bool:
    """At most WACHTLIJST_PUBLIC_RATE public requests per minute per client address, counted in
    the database so that every worker process shares the count (docs/operations.md)."""
    from core.throttle import hit

    limit = int(current_app.config.get("WACHTLIJST_PUBLIC_RATE", 30))
    return not hit(session(), "wachtlijst", request.remote_addr or "-", limit=limit, seconds=60)


def _lang() -> str:
    return valid_language(request.args.get("lang") or request.form.get("language")
                          or request.accept_languages.best_match(["nl", "fr", "en"]))


def _public_error(code: str, lang: str, status: int):
    return render_template("wachtlijst/public_message.html", message=t(code, lang), lang=lang, t=t), status


def _guard(lang: str):
    if throttled():
        return _public_error("throttled", lang, 429)
    return None


@bp.route("/aanvraag", methods=["GET", "POST"])
@public
def public_form():
    lang = _lang()
    if (blocked := _guard(lang)) is not None:
        return blocked
    if not current_context().setting("wachtlijst.public_form"):
        abort(404)
    form = RequestForm().setup(lang, *request_locations(lang, "wachtlijst.public_locations"))
    if form.validate_on_submit():
        data = form.to_data()
        lang = valid_language(data.language)
        try:
            intake.create_requests(current_context(), data, channel="public")
        except ValidationFailed as exc:
            form.add_service_errors(exc.errors, lang)
        else:
            return render_template("wachtlijst/public_message.html", title=t("thanks_title", lang),
                                   message=t("thanks", lang), lang=lang, t=t)
    elif form.is_submitted():
        form.localise_errors(lang)
    return render_form("wachtlijst/form.html", form, public=True, lang=lang, t=t)


def _request_of_token(token: str):
    """(request, None) for a parent's link, or (None, answer): throttled (429) or an unknown or
    expired token (404), in the visitor's language."""
    lang = _lang()
    if (blocked := _guard(lang)) is not None:
        return None, blocked
    try:
        return intake.find_by_token(current_context(), token), None
    except WachtlijstError:
        return None, _public_error("token_unknown", lang, 404)


@bp.route("/status/<token>")
@public
def public_status(token: str):
    req, refused = _request_of_token(token)
    if refused is not None:
        return refused
    lang = valid_language(request.args.get("lang") or req.language)
    open_offer = next((o for o in req.offers if o.status == OfferStatus.OPEN), None)
    location = session().get(Location, open_offer.location_id).name if open_offer else None
    where = standing.standing(current_context(), req, lang)
    month = babel_dates.format_date(where.month, "MMMM y", locale=lang) if where else ""
    return render_template("wachtlijst/status.html", req=req, lang=lang, t=t, offer=open_offer,
                           location=location, token=token, today=current_context().today(),
                           standing=where, month=month)


@bp.route("/status/<token>/confirm", methods=["GET", "POST"])
@public
def public_confirm(token: str):
    """The link in the confirmation e-mail opens a page with a button; only the button (POST)
    confirms, so that a mail scanner or a link preview that opens the link changes nothing."""
    req, refused = _request_of_token(token)
    if refused is not None:
        return refused
    if request.method == "GET":
        lang = valid_language(request.args.get("lang") or req.language)
        return render_template("wachtlijst/public_confirm.html", lang=lang, t=t, token=token,
                               confirmed=req.status != Status.SUBMITTED)
    intake.confirm(current_context(), req)
    return redirect(url_for("wachtlijst.public_status", token=token, lang=req.language), 303)


@bp.route("/status/<token>/answer", methods=["POST"])
@public
def public_answer(token: str):
    req, refused = _request_of_token(token)
    if refused is not None:
        return refused
    lang = req.language
    try:
        if request.form.get("answer") == "withdraw":
            intake.withdraw(current_context(), req, reason=request.form.get("reason", "").strip())
            done = "withdrawn_now"
        else:
            offer = next((o for o in req.offers if o.id == request.form.get("offer_id", type=int)), None)
            if offer is None:
                return _public_error("offer_closed", lang, 404)
            if request.form.get("answer") == "accept":
                offers.accept(current_context(), offer)
                done = "accepted_now"
            else:
                offers.decline(current_context(), offer, request.form.get("reason", ""))
                done = "declined_now"
    except WachtlijstError as exc:
        return render_template("wachtlijst/public_message.html", message=exc.message_in(lang), lang=lang, t=t,
                               back=url_for("wachtlijst.public_status", token=token)), 409
    return render_template("wachtlijst/public_message.html", message=t(done, lang), lang=lang, t=t,
                           back=url_for("wachtlijst.public_status", token=token))


# --- koepel: central allocation and report ---------------------------------------------------------


def _koepel_orgs() -> list[Organisation]:
    return central.participating(session(), current_user.koepel_id)


@koepel_bp.route("/")
@requires(WL_CENTRAL)
def koepel_index():
    runs = session().scalars(select(AllocationRun).where(AllocationRun.koepel_id == current_user.koepel_id)
                             .order_by(AllocationRun.id.desc()).limit(20)).all()
    return render_template("wachtlijst/koepel_index.html", runs=runs, orgs=_koepel_orgs(),
                           default_start=Period.of(clock.today()).next().first_day, status_label=status_label)


@koepel_bp.route("/runs", methods=["POST"])
@requires(WL_CENTRAL)
def koepel_propose():
    try:
        start = date.fromisoformat(request.form.get("start", ""))
    except ValueError:
        flash(_("Geef een geldige startdatum op."), "error")
        return redirect(url_for("wachtlijst_koepel.koepel_index")), 303
    run = central.propose(session(), current_user.koepel_id, start, actor=current_user)
    return redirect(url_for("wachtlijst_koepel.koepel_run", run_id=run.id))


def _get_run(run_id: int) -> AllocationRun:
    run = session().scalar(select(AllocationRun).where(AllocationRun.id == run_id,
                                                       AllocationRun.koepel_id == current_user.koepel_id))
    if run is None:
        abort(404)
    return run


@koepel_bp.route("/runs/<int:run_id>")
@requires(WL_CENTRAL)
def koepel_run(run_id: int):
    run = _get_run(run_id)
    lines = run.result.get("lines", [])
    ids = [x["request_id"] for x in lines]
    reqs = {r.id: r for r in session().scalars(select(CareRequest).where(CareRequest.id.in_(ids)))} if ids else {}
    orgs = {o.id: o.name for o in _koepel_orgs()}
    return render_template("wachtlijst/koepel_run.html", run=run, lines=lines, reqs=reqs, orgs=orgs,
                           rule_label=policy.rule_label, outcome_label=OUTCOMES, status_label=status_label)


OUTCOMES = {"assigned": _l("toegewezen"), "not_eligible": _l("niet in aanmerking (leeftijd of startdatum)"),
            "no_capacity": _l("geen vrije plaats"), "full_with_better_ranked": _l("volzet met hoger gerangschikten")}


@koepel_bp.route("/runs/<int:run_id>/send", methods=["POST"])
@requires(WL_CENTRAL)
def koepel_send(run_id: int):
    run = _get_run(run_id)
    chosen = {int(x) for x in request.form.getlist("request_id") if x.isdigit()}
    try:
        made, problems = central.send_offers(session(), run, chosen, actor=current_user)
    except WachtlijstError as exc:
        flash(exc.message, "error")
        return redirect(url_for("wachtlijst_koepel.koepel_run", run_id=run.id)), 303
    flash(ngettext("%(num)s aanbod verstuurd.", "%(num)s aanbiedingen verstuurd.", made), "success")
    for problem in problems:
        flash(problem, "error")
    return redirect(url_for("wachtlijst_koepel.koepel_run", run_id=run.id))


@koepel_bp.route("/report")
@requires(WL_CENTRAL)
def koepel_report():
    period = _month_arg()
    data = reports.monthly(session(), _koepel_orgs(), period)
    if request.args.get("format") == "xlsx":
        return Response(reports.excel(data, "Koepel"), headers={
            "Content-Disposition": f"attachment; filename=wachtlijst-koepel-{period.year}-{period.month:02d}.xlsx"},
            mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    return render_template("wachtlijst/report.html", report=data, chart=reports.chart_svg(data), koepel=True,
                           month=f"{period.year}-{period.month:02d}")
