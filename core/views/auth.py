"""Login, logout and language choice."""
from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlparse

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    send_from_directory,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user
from sqlalchemy import func, select

from core import sessions
from core.clock import clock
from core.db import session, upsert_ignore
from core.models import LoginThrottle, Role, User
from core.passwords import hash_password, needs_rehash, verify_password
from core.security import ALL_STAFF, Action, public, requires

bp = Blueprint("auth", __name__)
LOGOUT = Action("auth.logout", ALL_STAFF | {Role.LOKET})


def _throttle(email: str) -> LoginThrottle:
    """The address's throttle row, created if new and locked for this transaction
    (docs/concurrency.md): parallel failed logins count one after the other, and two first
    failures for a new address do not both insert it."""
    sess = session()
    sess.execute(upsert_ignore(sess, LoginThrottle.__table__, ["key"]).values(key=email, failures=0))
    return sess.scalar(select(LoginThrottle).where(LoginThrottle.key == email)
                       .with_for_update().execution_options(populate_existing=True))


def _safe_next(target: str | None) -> str | None:
    if not target:
        return None
    parsed = urlparse(target)
    if parsed.scheme or parsed.netloc or not target.startswith("/"):
        return None
    return target


@bp.route("/")
@public
def home():
    if not current_user.is_authenticated:
        return redirect(url_for("auth.login"))
    if current_user.role == Role.COORDINATOR:
        return redirect(url_for("koepel.index"))
    if current_user.organisation is None:
        return redirect(url_for("auth.login"))
    landing = _landing_page(current_user.organisation)
    return redirect(landing or url_for("org.dashboard", org=current_user.organisation.slug))


def _landing_page(org) -> str | None:
    """The page an enabled module offers as this role's start page (MenuItem.landing_for)."""
    from core.tenancy import collect, tenant_hook

    items = [item for item in collect(tenant_hook(session(), org).menu_items(org=org, user=current_user))
             if current_user.role in item.landing_for]
    if not items:
        return None
    return url_for(min(items, key=lambda item: item.weight).endpoint, org=org.slug)


@bp.route("/login", methods=["GET", "POST"])
@public
def login():
    from core.forms import LoginForm

    form = LoginForm()
    if form.validate_on_submit():
        email = form.email.data.strip().lower()
        now = clock.now()
        throttle = _throttle(email)
        if throttle.locked_until and throttle.locked_until > now:
            flash(_("Te veel mislukte pogingen. Probeer het over enkele minuten opnieuw."), "error")
            return render_template("core/login.html", form=form), 429
        user = session().scalar(select(User).where(func.lower(User.email) == email))
        ok = verify_password(user.password_hash if user else None, form.password.data)
        if ok and user.active and user.role != Role.LOKET:
            throttle.failures = 0
            throttle.locked_until = None
            user.last_login_at = now
            if needs_rehash(user.password_hash):  # older, slower parameters: store today's
                user.password_hash = hash_password(form.password.data)
            login_user(user)
            sessions.start(session(), user)
            return redirect(_safe_next(request.args.get("next")) or url_for("auth.home"))
        throttle.failures = (throttle.failures or 0) + 1
        throttle.first_failure_at = throttle.first_failure_at or now
        if throttle.failures >= current_app.config["KOEPEL_LOGIN_MAX_FAILURES"]:
            throttle.locked_until = now + timedelta(seconds=current_app.config["KOEPEL_LOGIN_LOCK_SECONDS"])
            throttle.failures = 0
        session().commit()  # the failure must count even though the answer is an error
        flash(_("E-mailadres of wachtwoord is onjuist."), "error")
        return render_template("core/login.html", form=form), 401
    return render_template("core/login.html", form=form)


@bp.route("/logout", methods=["POST"])
@requires(LOGOUT)
def logout():
    sessions.end(session())  # server-side: a copy of the cookie no longer signs in
    logout_user()
    return redirect(url_for("auth.login"))


@bp.route("/lang/<code>")
@public
def language(code: str):
    target = _safe_next(request.args.get("next")) or url_for("auth.home")
    response = redirect(target)
    if code in current_app.config["KOEPEL_LANGUAGES"]:
        response.set_cookie("lang", code, max_age=365 * 24 * 3600, samesite="Lax", httponly=True)
    return response


@bp.route("/favicon.ico")
@public
def favicon():
    """Browsers ask for /favicon.ico whatever the page links (older Safari, PDFs, JSON answers)."""
    return send_from_directory(current_app.static_folder, "core/favicon.ico",
                               mimetype="image/vnd.microsoft.icon", max_age=7 * 24 * 3600)


@bp.route("/healthz")
@public
def healthz():
    session().execute(select(1))
    return {"status": "ok"}
