"""An organisation's dashboard, details, modules, users and audit log."""
from __future__ import annotations

from flask import current_app, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, select

from core.audit import audit_labels
from core.audit_view import audit_rows
from core.db import session
from core.models import AuditEntry, Child, ChildFamily, Family, Location, Organisation, Role, User
from core.passwords import hash_password
from core.security import (
    AUDIT_VIEW,
    DASHBOARD_VIEW,
    MODULES_MANAGE,
    ORG_EDIT,
    ORG_VIEW,
    USERS_MANAGE,
    TenantBlueprint,
    location_scope,
    public,
    requires,
)
from core.tenancy import (
    ModuleError,
    ModuleRefused,
    disable_module,
    enable_module,
    enable_refusal,
    enabled_modules,
    plan_disable,
    plan_enable,
)
from core.views.helpers import render_form
from core.views.listing import paginate

bp = TenantBlueprint("org", __name__)
MAX_LOGO_READ = 600 * 1024  # a little over core.branding.MAX_LOGO_BYTES, so that too large is recognised


def organisation_counts(org: Organisation, user) -> dict:
    """Three aggregate queries, whatever the size of the organisation."""
    sess = session()
    scope = location_scope(user)
    loc_stmt = select(func.count(Location.id), func.coalesce(func.sum(Location.licensed_places), 0)).where(
        Location.organisation_id == org.id
    )
    child_stmt = select(func.count(Child.id)).where(Child.organisation_id == org.id)
    family_stmt = select(func.count(Family.id)).where(Family.organisation_id == org.id)
    if scope is not None:
        # A caregiver counts only what she may see: her locations, their children and those
        # children's families (a family with children at two of her locations counts once).
        loc_stmt = loc_stmt.where(Location.id.in_(scope))
        child_stmt = child_stmt.where(Child.location_id.in_(scope))
        family_stmt = family_stmt.where(Family.id.in_(
            select(ChildFamily.family_id).join(Child, Child.id == ChildFamily.child_id).where(
                ChildFamily.organisation_id == org.id, Child.location_id.in_(scope))
        ))
    locations, places = sess.execute(loc_stmt).one()
    families = sess.scalar(family_stmt)
    return {"locations": locations, "places": places, "children": sess.scalar(child_stmt), "families": families}


@bp.route("/")
@requires(DASHBOARD_VIEW)
def dashboard():
    return render_template("core/org/dashboard.html", org=g.org)


@bp.route("/organisation")
@requires(ORG_VIEW)
def detail():
    pm = current_app.extensions["koepel_plugins"]
    return render_template(
        "core/org/detail.html", org=g.org, enabled=enabled_modules(session(), g.org), infos=pm.infos
    )


@bp.route("/organisation/edit", methods=["GET", "POST"])
@requires(ORG_EDIT)
def edit():
    from core.forms import OrganisationForm

    org = g.org
    form = OrganisationForm(obj=org)
    if request.method == "GET":
        form.price_regime.data = org.price_regime.value
        form.subsidy_level.data = org.subsidy_level.value
    if form.validate_on_submit():
        clash = form.enterprise_number.data and session().scalar(
            select(Organisation.id).where(
                Organisation.enterprise_number == form.enterprise_number.data, Organisation.id != org.id
            )
        )
        if clash:
            form.enterprise_number.errors.append(_("Er bestaat al een organisatie met dit ondernemingsnummer."))
        else:
            form.populate_obj(org)
            flash(_("Gegevens bewaard."), "success")
            return redirect(url_for("org.detail"))
    return render_form("core/org/form.html", form, org=org)


@bp.route("/organisation/logo", methods=["POST"])
@requires(ORG_EDIT)
def upload_logo():
    """Upload (or with ``remove``, delete) the logo shown on PDFs, the page header and the parents' pages."""
    from core.branding import clear_logo, set_logo
    from core.errors import DomainError, flash_error

    org = g.org
    if request.form.get("remove") == "1":
        clear_logo(org)
        flash(_("Logo verwijderd."), "success")
        return redirect(url_for("org.edit"), 303)
    upload = request.files.get("logo")
    data = upload.read(MAX_LOGO_READ) if upload else b""
    try:
        set_logo(org, data)
    except DomainError as err:
        session().rollback()
        flash_error(err)
        return redirect(url_for("org.edit"), 303)
    flash(_("Logo bewaard."), "success")
    return redirect(url_for("org.edit"), 303)


@bp.route("/logo")
@public
def logo():
    """The logo, for anyone (parents' pages, mails): long-cached, the URL carries its hash."""
    from flask import Response, abort

    from core.branding import logo_bytes

    found = logo_bytes(session(), g.org.id)
    if found is None:
        abort(404)
    data, content_type, digest = found
    etag = digest[:32]
    if request.if_none_match.contains(etag):
        return Response(status=304, headers={"ETag": f'"{etag}"'})
    return Response(data, mimetype=content_type, headers={
        "ETag": f'"{etag}"', "Cache-Control": "public, max-age=31536000, immutable" if request.args.get("v")
        else "public, max-age=3600", "X-Content-Type-Options": "nosniff",
        "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; sandbox"})


@bp.route("/modules")
@requires(MODULES_MANAGE)
def modules():
    pm = current_app.extensions["koepel_plugins"]
    enabled = enabled_modules(session(), g.org)
    refusals = {name: refusal.message for name in pm.infos if name not in enabled
                if (refusal := enable_refusal(session(), g.org, name)) is not None}
    return render_template(
        "core/org/modules.html", org=g.org, infos=pm.infos, enabled=enabled, refusals=refusals
    )


@bp.route("/modules/<module>/<any(enable, disable):change>", methods=["GET", "POST"])
@requires(MODULES_MANAGE)
def change_module(module: str, change: str):
    """GET shows the cascade to confirm; POST carries it out."""
    from core.forms import ConfirmForm

    sess = session()
    enabled = enabled_modules(sess, g.org)
    try:
        plan = plan_enable(enabled, module) if change == "enable" else plan_disable(enabled, module)
    except ModuleError:
        return render_template("core/error.html", code=404, error=None), 404
    form = ConfirmForm()
    pm = current_app.extensions["koepel_plugins"]
    if form.validate_on_submit():
        if change == "enable":
            try:
                done = enable_module(sess, g.org, module, actor_id=current_user.id)
            except ModuleRefused as err:
                flash(err.message, "error")
                return redirect(url_for("org.modules")), 303
            titles = ", ".join(str(pm.infos[m].title) if m in pm.infos else m for m in done)
            message = _("Ingeschakeld: %(modules)s.", modules=titles) if done else _("Niets gewijzigd.")
        else:
            done = disable_module(sess, g.org, module, actor_id=current_user.id)
            titles = ", ".join(str(pm.infos[m].title) if m in pm.infos else m for m in done)
            message = _("Uitgeschakeld: %(modules)s.", modules=titles) if done else _("Niets gewijzigd.")
        flash(message, "success")
        return redirect(url_for("org.modules"))
    refusal = enable_refusal(sess, g.org, module) if change == "enable" else None
    return render_template(
        "core/org/module_confirm.html", org=g.org, module=module, change=change, plan=plan, form=form, infos=pm.infos,
        refusal=refusal.message if refusal else None,
    )


@bp.route("/users")
@requires(USERS_MANAGE)
def users():
    stmt = select(User).where(User.organisation_id == g.org.id).order_by(User.name)
    page = paginate(session(), stmt, search_columns=(User.name, User.email))
    return render_template("core/org/users.html", org=g.org, page=page)


@bp.route("/users/new", methods=["GET", "POST"])
@requires(USERS_MANAGE)
def create_user():
    from core.forms import UserForm
    from core.views.locations import location_picker

    sess = session()
    form = UserForm()
    # a partner with dozens of homes: only the chosen ones listed, a picker searches the others
    location_picker(form.location_ids, request.form.getlist("location_ids", type=int))
    if form.validate_on_submit():
        email = form.email.data.strip().lower()
        if sess.scalar(select(User.id).where(func.lower(User.email) == email)):
            form.email.errors.append(_("Dit e-mailadres is al in gebruik."))
        elif form.role.data == Role.CAREGIVER.value and not form.location_ids.data:
            form.location_ids.errors.append(_("Kies minstens één locatie voor een begeleider."))
        else:
            user = User(
                email=email, name=form.name.data, role=Role(form.role.data), language=form.language.data,
                password_hash=hash_password(form.password.data), organisation_id=g.org.id,
                koepel_id=g.org.koepel_id,
            )
            allowed = {loc_id for loc_id, _label in form.location_ids.choices}
            user.locations = [sess.get(Location, i) for i in form.location_ids.data if i in allowed]
            sess.add(user)
            sess.flush()
            flash(_("Gebruiker %(name)s aangemaakt.", name=user.name), "success")
            return redirect(url_for("org.users"))
    return render_form("core/org/user_form.html", form, org=g.org)


@bp.route("/audit")
@requires(AUDIT_VIEW)
def audit():
    stmt = select(AuditEntry).where(AuditEntry.organisation_id == g.org.id).order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
    entity = request.args.get("entity")
    if entity:
        stmt = stmt.where(AuditEntry.entity == entity)
    page = paginate(session(), stmt, search_columns=(AuditEntry.summary,))
    users = {u.id: u for u in session().scalars(select(User).where(User.id.in_({e.user_id for e in page.items if e.user_id})))}
    labels = audit_labels()
    return render_template("core/org/audit.html", org=g.org, page=page, users=users, entity=entity,
                           labels=labels, rows=audit_rows(session(), page.items, g.org.id, labels))
