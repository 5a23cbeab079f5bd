"""Families (gezinnen) and their contact persons."""
from __future__ import annotations

from flask import flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from core.db import session
from core.models import Child, ChildFamily, ContactPerson, Family, Language
from core.security import FAMILY_EDIT, FAMILY_VIEW, TenantBlueprint, requires
from core.views.helpers import get_or_404, render_form
from core.views.listing import paginate

bp = TenantBlueprint("families", __name__, url_prefix="/families")


def get_family(family_id: int) -> Family:
    return get_or_404(Family, family_id)


@bp.route("/")
@requires(FAMILY_VIEW)
def index():
    stmt = (
        select(Family)
        .where(Family.organisation_id == g.org.id)
        .options(selectinload(Family.contacts), selectinload(Family.child_links).selectinload(ChildFamily.child))
        .order_by(Family.name, Family.id)
    )
    page = paginate(session(), stmt, search_columns=(Family.name, Family.municipality))
    return render_template("core/families/index.html", page=page)


@bp.route("/<int:family_id>")
@requires(FAMILY_VIEW)
def detail(family_id: int):
    family = get_family(family_id)
    children = session().scalars(
        select(Child).join(ChildFamily).where(ChildFamily.family_id == family.id).order_by(Child.first_name)
    ).all()
    return render_template("core/families/detail.html", family=family, children=children)


@bp.route("/new", methods=["GET", "POST"])
@requires(FAMILY_EDIT)
def create():
    from core.forms import FamilyForm

    form = FamilyForm()
    if form.validate_on_submit():
        family = Family(organisation_id=g.org.id)
        form.populate_obj(family)
        session().add(family)
        session().flush()
        flash(_("Gezin %(name)s aangemaakt.", name=family.name), "success")
        return redirect(url_for("families.detail", family_id=family.id))
    return render_form("core/families/form.html", form, family=None)


@bp.route("/<int:family_id>/edit", methods=["GET", "POST"])
@requires(FAMILY_EDIT)
def edit(family_id: int):
    from core.forms import FamilyForm

    family = get_family(family_id)
    form = FamilyForm(obj=family)
    if form.validate_on_submit():
        form.populate_obj(family)
        flash(_("Gegevens bewaard."), "success")
        return redirect(url_for("families.detail", family_id=family.id))
    return render_form("core/families/form.html", form, family=family)


@bp.route("/<int:family_id>/contacts/new", methods=["GET", "POST"])
@requires(FAMILY_EDIT)
def add_contact(family_id: int):
    from core.forms import ContactForm

    family = get_family(family_id)
    form = ContactForm()
    if request.method == "GET":
        form.street.data, form.postcode.data, form.municipality.data = family.street, family.postcode, family.municipality
    if form.validate_on_submit():
        contact = ContactPerson(organisation_id=g.org.id, family_id=family.id)
        form.populate_obj(contact)
        contact.language = Language(form.language.data)
        session().add(contact)
        session().flush()
        flash(_("Contactpersoon %(name)s toegevoegd.", name=contact.full_name), "success")
        return redirect(url_for("families.detail", family_id=family.id))
    return render_form("core/families/contact_form.html", form, family=family)
