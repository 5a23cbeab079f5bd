"""Loket staff screens: login, the vacancy overview of every partner (filters), placements,
registrations (file one for a parent, withdraw it) and the partners. Every route needs a logged-in
staff member; nothing here is reachable by a partner's key."""
from __future__ import annotations

from datetime import timedelta

from flask import (
    Blueprint,
    abort,
    flash,
    redirect,
    render_template,
    request,
    send_from_directory,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from core.clock import clock
from core.passwords import verify_password
from loket import registrations
from loket.db import session
from loket.forms import DAY_LABELS, FLAG_LABELS, PART_LABELS, LoginForm, RegistrationForm
from loket.models import (
    Location,
    Partner,
    Placement,
    Preference,
    Registration,
    RequestStatus,
    StaffUser,
    Vacancy,
)

MAX_FAILURES = 5
LOCK = timedelta(minutes=15)
bp = Blueprint("loket", __name__, static_folder="static", static_url_path="/static")


def _error_message(code: str) -> str:
    messages = {
        "duplicate_child": _("Dit kind heeft al een actieve inschrijving bij het loket."),
        "birth": _("Geef de geboortedatum of de verwachte geboortedatum (één van beide)."),
        "preferences": _("Kies minstens één opvanglocatie, elke locatie één keer."),
        "urgency_reason": _("Een dringende vraag heeft een reden nodig."),
        "days": _("Kies geldige dagen."),
        "priority": _("Onbekende voorrangsgrond."),
    }
    return messages.get(code, _("De inschrijving kon niet bewaard worden."))


@bp.route("/favicon.ico")
def favicon():
    """Browsers ask for /favicon.ico whatever the page links."""
    return send_from_directory(bp.static_folder, "favicon.ico", mimetype="image/vnd.microsoft.icon",
                               max_age=7 * 24 * 3600)


@bp.route("/login", methods=["GET", "POST"])
def login():
    form = LoginForm()
    if form.validate_on_submit():
        sess = session()
        user = sess.scalar(select(StaffUser).where(StaffUser.email == form.email.data.strip().lower()))
        ok = verify_password(user.password_hash if user else None, form.password.data)  # same work either way
        now = clock.now()
        locked = user is not None and user.locked_until is not None and user.locked_until > now
        if ok and user is not None and user.active and not locked:
            user.failed_logins, user.locked_until = 0, None
            login_user(user)
            return redirect(url_for("loket.overview"))
        if user is not None and not locked:
            user.failed_logins += 1
            if user.failed_logins >= MAX_FAILURES:  # a guessed password gets 5 tries per 15 minutes
                user.failed_logins, user.locked_until = 0, now + LOCK
        sess.commit()  # the count survives the error answer
        flash(_("E-mailadres of wachtwoord klopt niet.") if not locked
              else _("Te veel mislukte pogingen: probeer later opnieuw."), "error")
    return render_template("loket/login.html", form=form)


@bp.post("/logout")
@login_required
def logout():
    logout_user()
    return redirect(url_for("loket.login"))


@bp.get("/language/<code>")
def language(code):
    if code not in ("nl", "fr", "en"):
        abort(404)
    response = redirect(request.referrer if request.referrer and request.referrer.startswith(request.host_url)
                        else url_for("loket.overview"))
    response.set_cookie("lang", code, max_age=365 * 86400, samesite="Lax", httponly=True)
    return response


@bp.get("/")
@login_required
def overview():
    """Free places of every connected partner, filtered by municipality, age band, weekday and month."""
    sess = session()
    municipality = request.args.get("municipality", "").strip()
    age_band = request.args.get("age_band", "").strip()
    day = request.args.get("day", "").strip()
    month = request.args.get("month", "").strip()
    stmt = (select(Vacancy, Location, Partner.name)
            .join(Location, Location.id == Vacancy.location_id).join(Partner, Partner.id == Vacancy.partner_id)
            .where(Vacancy.withdrawn.is_(False), Vacancy.free_places > 0, Partner.active.is_(True))
            .order_by(Vacancy.month, Location.municipality, Location.name, Vacancy.age_band))
    if municipality:
        stmt = stmt.where(Location.municipality == municipality)
    if age_band:
        stmt = stmt.where(Vacancy.age_band == age_band)
    if month:
        stmt = stmt.where(Vacancy.month == month)
    rows = sess.execute(stmt).all()
    if day in DAY_LABELS:  # days is a weekday list or a pattern key: filter in Python (JSON differs per database)
        rows = [r for r in rows if _has_day(r[0].days, day)]
    options = {
        "municipalities": sess.scalars(select(Location.municipality).distinct().where(Location.municipality != "")
                                       .order_by(Location.municipality)).all(),
        "age_bands": sess.scalars(select(Vacancy.age_band).distinct().order_by(Vacancy.age_band)).all(),
        "months": sess.scalars(select(Vacancy.month).distinct().where(Vacancy.withdrawn.is_(False))
                               .order_by(Vacancy.month)).all(),
    }
    totals = {"partners": sess.scalar(select(func.count(Partner.id)).where(Partner.active.is_(True))),
              "places": sum(r[0].free_places for r in rows)}
    return render_template("loket/overview.html", rows=rows, options=options, totals=totals, day_labels=DAY_LABELS,
                           filters={"municipality": municipality, "age_band": age_band, "day": day, "month": month},
                           days_text=_days_text)


def _has_day(days, day: str) -> bool:
    if isinstance(days, list):
        return day in days
    return True  # a partner's pattern key: not interpretable here, shown under every day


def _days_text(days) -> str:
    if isinstance(days, list):
        return ", ".join(str(DAY_LABELS.get(d, d))[:2] for d in days)
    return str(days)


@bp.get("/placements")
@login_required
def placements():
    rows = session().execute(select(Placement, Location, Partner.name)
                             .join(Location, Location.id == Placement.location_id)
                             .join(Partner, Partner.id == Placement.partner_id)
                             .order_by(Placement.start_date.desc().nulls_last(), Placement.aggregate_id)).all()
    return render_template("loket/placements.html", rows=rows)


@bp.get("/requests")
@login_required
def requests_list():
    sess = session()
    status = request.args.get("status", "active")
    stmt = (select(Registration).options(selectinload(Registration.preferences).selectinload(Preference.location))
            .order_by(Registration.filed_at.desc()))
    if status in ("active", "withdrawn", "placed"):
        stmt = stmt.where(Registration.status == status)
    regs = sess.scalars(stmt.limit(500)).all()
    statuses = _partner_statuses(sess, [r.id for r in regs])
    return render_template("loket/requests.html", regs=regs, statuses=statuses, status=status)


def _partner_statuses(sess, reg_ids):
    out: dict[int, list[RequestStatus]] = {}
    if reg_ids:
        for row in sess.scalars(select(RequestStatus).where(RequestStatus.registration_id.in_(reg_ids))
                                .order_by(RequestStatus.at)):
            out.setdefault(row.registration_id, []).append(row)
    return out


@bp.get("/requests/<int:reg_id>")
@login_required
def request_detail(reg_id):
    sess = session()
    reg = sess.get(Registration, reg_id) or abort(404)
    return render_template("loket/request.html", reg=reg, statuses=_partner_statuses(sess, [reg.id]).get(reg.id, []),
                           day_labels=DAY_LABELS, part_labels=PART_LABELS, flag_labels=FLAG_LABELS)


@bp.route("/requests/new", methods=["GET", "POST"])
@login_required
def request_new():
    sess = session()
    form = RegistrationForm()
    locations = sess.execute(select(Location, Partner.name).join(Partner, Partner.id == Location.partner_id)
                             .where(Partner.active.is_(True)).order_by(Location.municipality, Location.name)).all()
    choices = [(loc.id, f"{loc.name} ({loc.municipality or '-'}, {pname})") for loc, pname in locations]
    form.preference_1.choices = choices
    form.preference_2.choices = form.preference_3.choices = [(0, "—"), *choices]
    if form.validate_on_submit():
        data = registrations.RegistrationInput(
            applicant_first_name=form.applicant_first_name.data, applicant_last_name=form.applicant_last_name.data,
            email=form.email.data, phone=form.phone.data or "", street=form.street.data or "",
            postcode=form.postcode.data or "", municipality=form.municipality.data or "",
            language=form.language.data, child_first_name=form.child_first_name.data or "",
            child_last_name=form.child_last_name.data, date_of_birth=form.date_of_birth.data,
            expected_birth_date=form.expected_birth_date.data, desired_start=form.desired_start.data,
            location_ids=form.location_ids(), days=[{"day": d, "part": form.day_part.data} for d in form.days.data],
            priority_flags=form.priority_flags.data or [], urgent=form.urgent.data,
            urgency_reason=form.urgency_reason.data or "")
        try:
            reg = registrations.file_registration(sess, data)
        except registrations.RegistrationError as err:
            flash(_error_message(err.code), "error")
        else:
            flash(_("Inschrijving %(id)s bewaard.", id=reg.public_id), "ok")
            return redirect(url_for("loket.request_detail", reg_id=reg.id))
    return render_template("loket/request_new.html", form=form), (422 if request.method == "POST" else 200)


@bp.post("/requests/<int:reg_id>/withdraw")
@login_required
def request_withdraw(reg_id):
    sess = session()
    reg = sess.get(Registration, reg_id) or abort(404)
    if reg.status == "withdrawn":
        flash(_("Deze inschrijving was al ingetrokken."), "error")
    else:
        registrations.withdraw(sess, reg)
        flash(_("Inschrijving %(id)s ingetrokken.", id=reg.public_id), "ok")
    return redirect(url_for("loket.request_detail", reg_id=reg.id))


@bp.get("/partners")
@login_required
def partners():
    sess = session()
    rows = sess.scalars(select(Partner).options(selectinload(Partner.keys)).order_by(Partner.name)).all()
    counts = dict(sess.execute(select(Location.partner_id, func.count(Location.id)).group_by(Location.partner_id)).all())
    return render_template("loket/partners.html", partners=rows, counts=counts, user=current_user)
