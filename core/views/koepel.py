"""The koepel coordinator's overview of all partner organisations."""
from __future__ import annotations

import re

from flask import Blueprint, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, select

from core.db import session
from core.models import Child, Location, Organisation, OrganisationModule
from core.security import KOEPEL_VIEW, ORG_CREATE, requires
from core.views.helpers import render_form
from core.views.listing import paginate

bp = Blueprint("koepel", __name__, url_prefix="/koepel")


def slugify(name: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
    return slug[:60] or "organisatie"


def unique_slug(name: str) -> str:
    base, n = slugify(name), 1
    slug = base
    while session().scalar(select(Organisation.id).where(Organisation.slug == slug)):
        n += 1
        slug = f"{base}-{n}"
    return slug


@bp.route("/")
@requires(KOEPEL_VIEW)
def index():
    sess = session()
    stmt = (
        select(Organisation)
        .where(Organisation.koepel_id == current_user.koepel_id)
        .order_by(Organisation.name)
    )
    page = paginate(sess, stmt, search_columns=(Organisation.name, Organisation.municipality))
    ids = [o.id for o in page.items]
    locations = {}
    for loc in sess.scalars(select(Location).where(Location.organisation_id.in_(ids)).order_by(Location.name)):
        locations.setdefault(loc.organisation_id, []).append(loc)
    children = dict(
        sess.execute(
            select(Child.organisation_id, func.count()).where(Child.organisation_id.in_(ids)).group_by(Child.organisation_id)
        ).all()
    )
    modules: dict[int, list[str]] = {}
    for org_id, module in sess.execute(
        select(OrganisationModule.organisation_id, OrganisationModule.module).where(
            OrganisationModule.organisation_id.in_(ids)
        )
    ):
        modules.setdefault(org_id, []).append(module)
    totals = sess.execute(
        select(func.count(Location.id), func.coalesce(func.sum(Location.licensed_places), 0))
        .join(Organisation)
        .where(Organisation.koepel_id == current_user.koepel_id)
    ).one()
    return render_template(
        "core/koepel/index.html", page=page, locations=locations, children=children,
        modules=modules, totals=totals, infos=current_app.extensions["koepel_plugins"].infos,
    )


@bp.route("/organisations/new", methods=["GET", "POST"])
@requires(ORG_CREATE)
def create_organisation():
    from core.forms import OrganisationForm

    form = OrganisationForm()
    if form.validate_on_submit():
        sess = session()
        if form.enterprise_number.data and sess.scalar(
            select(Organisation.id).where(Organisation.enterprise_number == form.enterprise_number.data)
        ):
            form.enterprise_number.errors.append(_("Er bestaat al een organisatie met dit ondernemingsnummer."))
        else:
            org = Organisation(koepel_id=current_user.koepel_id, slug=unique_slug(form.name.data))
            form.populate_obj(org)
            sess.add(org)
            sess.flush()
            flash(_("Organisatie %(name)s aangemaakt.", name=org.name), "success")
            return redirect(url_for("org.detail", org=org.slug))
    return render_form("core/org/form.html", form, org=None)
