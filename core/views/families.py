"""Families (gezinnen) and their contact persons."""
from __future__ import annotations

from flask import flash, g, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import func, or_, select
from sqlalchemy.orm import selectinload

from core.db import session
from core.models import Child, ChildFamily, ContactPerson, Family, Language
from core.security import FAMILY_EDIT, FAMILY_VIEW, TenantBlueprint, requires
from core.views.helpers import get_or_404, render_form
from core.views.listing import LIKE_ESCAPE, escape_like, paginate

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


SEARCH_LIMIT = 20


def family_options(family_ids) -> list[dict]:
    """Families of this organisation as picker options: name, and what tells look-alikes apart
    (the children's first names, the address). Two queries whatever the number of families."""
    ids = list(family_ids)
    if not ids:
        return []
    families = session().execute(select(Family.id, Family.name, Family.street, Family.postcode, Family.municipality)
                                 .where(Family.organisation_id == g.org.id, Family.id.in_(ids))
                                 .order_by(Family.name, Family.id)).all()
    children: dict[int, list[str]] = {}
    for family_id, first_name in session().execute(
            select(ChildFamily.family_id, Child.first_name).join(Child, Child.id == ChildFamily.child_id)
            .where(ChildFamily.organisation_id == g.org.id, ChildFamily.family_id.in_(ids))
            .order_by(Child.first_name)):
        children.setdefault(family_id, []).append(first_name)
    options = []
    for f in families:
        address = ", ".join(part for part in (f.street, f"{f.postcode} {f.municipality}".strip()) if part)
        kids = ", ".join(children.get(f.id, []))
        detail = " · ".join(part for part in ((_("kinderen: %(names)s", names=kids) if kids else ""), address) if part)
        options.append({"id": f.id, "name": f.name, "detail": detail})
    return options


@bp.route("/search.json")
@requires(FAMILY_VIEW)
def search():
    """Search-as-you-type for the family pickers: up to 20 of this organisation's families whose
    name, address or children's names contain ``q`` (at least 2 characters)."""
    q = (request.args.get("q") or "").strip()
    if len(q) < 2 or len(q) > 100:
        return jsonify(error=_("Typ minstens 2 tekens (hoogstens 100).")), 400
    pattern = f"%{escape_like(q.lower())}%"
    child_match = (select(ChildFamily.family_id).join(Child, Child.id == ChildFamily.child_id)
                   .where(ChildFamily.organisation_id == g.org.id,
                          or_(func.lower(Child.first_name).like(pattern, escape=LIKE_ESCAPE),
                              func.lower(Child.last_name).like(pattern, escape=LIKE_ESCAPE))))
    ids = session().scalars(
        select(Family.id).where(Family.organisation_id == g.org.id, or_(
            *(func.lower(col).like(pattern, escape=LIKE_ESCAPE)
              for col in (Family.name, Family.street, Family.municipality, Family.postcode)),
            Family.id.in_(child_match)))
        .order_by(Family.name, Family.id).limit(SEARCH_LIMIT)).all()
    return jsonify(results=family_options(ids))


@bp.route("/<int:family_id>")
@requires(FAMILY_VIEW)
def detail(family_id: int):
    family = get_family(family_id)
    children = session().scalars(
        select(Child).join(ChildFamily).where(ChildFamily.family_id == family.id).order_by(Child.first_name)
    ).all()
    from core.forms import RELATIONS

    return render_template("core/families/detail.html", family=family, children=children, relations=dict(RELATIONS))


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
