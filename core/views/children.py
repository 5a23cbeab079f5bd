"""Children: list, file (every opening audited), create and edit."""
from __future__ import annotations

from flask import abort, flash, g, jsonify, redirect, render_template, request, url_for
from flask_babel import format_date
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, or_, select
from sqlalchemy.orm import selectinload

from core.audit import record_view
from core.crypto import lookup_hash, lookup_hashes
from core.db import session
from core.models import Child, ChildFamily, Family, Location
from core.security import CHILD_EDIT, CHILD_VIEW, TenantBlueprint, location_scope, requires
from core.views.helpers import get_or_404, render_form
from core.views.listing import LIKE_ESCAPE, escape_like, paginate

bp = TenantBlueprint("children", __name__, url_prefix="/children")


def scoped_children():
    stmt = select(Child).where(Child.organisation_id == g.org.id)
    scope = location_scope(current_user)
    if scope is not None:
        stmt = stmt.where(Child.location_id.in_(scope))
    return stmt


SEARCH_LIMIT = 20


def child_options(child_ids) -> list[dict]:
    """Children of this organisation (within the user's locations) as picker options: the name, and
    what tells look-alikes apart (date of birth, family name). Two queries whatever the number."""
    ids = list(child_ids)
    if not ids:
        return []
    rows = session().execute(scoped_children().with_only_columns(
        Child.id, Child.first_name, Child.last_name, Child.date_of_birth, Child.expected_birth_date)
        .where(Child.id.in_(ids)).order_by(Child.last_name, Child.first_name, Child.id)).all()
    families: dict[int, list[str]] = {}
    for child_id, name in session().execute(
            select(ChildFamily.child_id, Family.name).join(Family, Family.id == ChildFamily.family_id)
            .where(ChildFamily.organisation_id == g.org.id, ChildFamily.child_id.in_(ids)).order_by(Family.name)):
        families.setdefault(child_id, []).append(name)
    options = []
    for c in rows:
        born = (_("geboren %(date)s", date=format_date(c.date_of_birth, "dd/MM/yyyy")) if c.date_of_birth
                else _("verwacht %(date)s", date=format_date(c.expected_birth_date, "dd/MM/yyyy"))
                if c.expected_birth_date else "")
        names = ", ".join(families.get(c.id, []))
        detail = " · ".join(part for part in (born, _("gezin %(names)s", names=names) if names else "") if part)
        options.append({"id": c.id, "name": f"{c.first_name} {c.last_name}", "detail": detail})
    return options


@bp.route("/search.json")
@requires(CHILD_VIEW)
def search():
    """Search-as-you-type for the child pickers: up to 20 children of this organisation (a
    caregiver: of her locations) whose first, last or family name contains ``q`` (2 to 100
    characters); ``location`` limits them to one location, ``placed`` to children with one."""
    q = (request.args.get("q") or "").strip()
    if len(q) < 2 or len(q) > 100:
        return jsonify(error=_("Typ minstens 2 tekens (hoogstens 100).")), 400
    pattern = f"%{escape_like(q.lower())}%"
    family_match = (select(ChildFamily.child_id).join(Family, Family.id == ChildFamily.family_id)
                    .where(ChildFamily.organisation_id == g.org.id,
                           func.lower(Family.name).like(pattern, escape=LIKE_ESCAPE)))
    stmt = scoped_children().with_only_columns(Child.id).where(or_(
        func.lower(Child.first_name).like(pattern, escape=LIKE_ESCAPE),
        func.lower(Child.last_name).like(pattern, escape=LIKE_ESCAPE),
        func.lower(Child.first_name + " " + Child.last_name).like(pattern, escape=LIKE_ESCAPE),
        Child.id.in_(family_match)))
    location_id = request.args.get("location", type=int)
    if location_id:
        stmt = stmt.where(Child.location_id == location_id)
    if request.args.get("placed"):  # only children with a location (forms that need one)
        stmt = stmt.where(Child.location_id.is_not(None))
    ids = session().scalars(stmt.order_by(Child.last_name, Child.first_name, Child.id).limit(SEARCH_LIMIT)).all()
    return jsonify(results=child_options(ids))


def get_child(child_id: int) -> Child:
    scope = location_scope(current_user)
    return get_or_404(Child, child_id, *(() if scope is None else (Child.location_id.in_(scope),)))


@bp.route("/")
@requires(CHILD_VIEW)
def index():
    stmt = scoped_children().options(selectinload(Child.location)).order_by(Child.last_name, Child.first_name, Child.id)
    location_id = request.args.get("location", type=int)
    if location_id:
        stmt = stmt.where(Child.location_id == location_id)
    page = paginate(session(), stmt, search_columns=(Child.first_name, Child.last_name))
    locations = session().scalars(
        select(Location).where(Location.organisation_id == g.org.id).order_by(Location.name)
    ).all()
    scope = location_scope(current_user)
    if scope is not None:
        locations = [loc for loc in locations if loc.id in scope]
    return render_template("core/children/index.html", page=page, locations=locations, location_id=location_id)


@bp.route("/<int:child_id>")
@requires(CHILD_VIEW)
def detail(child_id: int):
    child = get_child(child_id)
    families = session().scalars(
        select(Family).join(ChildFamily).where(ChildFamily.child_id == child.id).options(selectinload(Family.contacts))
    ).all()
    record_view(session(), child, "dossier")
    return render_template("core/children/detail.html", child=child, families=families)


def _form(child: Child | None):
    from core.forms import ChildForm
    from core.views.locations import location_picker

    form = ChildForm(obj=child)
    chosen = {child.location_id} if child is not None and child.location_id else set()
    if request.method == "POST":
        chosen.add(request.form.get("location_id", type=int))
    location_picker(form.location_id, chosen, empty=(0, "—"))
    _family_choices(form, child)
    if request.method == "GET" and child is not None:
        form.family_ids.data = [link.family_id for link in child.family_links]
        form.location_id.data = child.location_id or 0
        form.national_number.data = None  # never back into the page in full (see ChildForm)
    if request.method == "GET" and child is None and request.args.get("family", type=int):
        form.family_ids.data = [request.args.get("family", type=int)]
    return form


PICKER_FROM = 30  # more families than this: only the chosen ones are options, the rest is searched


def _family_choices(form, child: Child | None) -> None:
    """All families as options for a small organisation; for a large one only the chosen ones (the
    child's, the posted ones of this organisation, ?family=), with a search-as-you-type picker that
    asks ``families.search`` for the others."""
    from core.views.families import family_options

    sess = session()
    total = sess.scalar(select(func.count(Family.id)).where(Family.organisation_id == g.org.id))
    if total <= PICKER_FROM:
        ids = sess.scalars(select(Family.id).where(Family.organisation_id == g.org.id)).all()
    else:
        wanted = {link.family_id for link in child.family_links} if child is not None else set()
        if request.method == "POST":
            wanted |= {int(v) for v in request.form.getlist("family_ids") if v.isdigit()}
        elif request.args.get("family", type=int):
            wanted.add(request.args.get("family", type=int))
        ids = list(wanted)
        form.family_ids.render_kw = {"data-search-url": url_for("families.search"),
                                     "data-search-placeholder": _("Zoek een gezin: naam, kind of adres"),
                                     "data-search-empty": _("Geen gezin gevonden."),
                                     "data-search-remove": _("Verwijderen")}
    form.family_ids.choices = [(o["id"], f'{o["name"]} ({o["detail"]})' if o["detail"] else o["name"])
                               for o in family_options(ids)]


def _save(form, child: Child) -> None:
    for field in ("first_name", "last_name", "date_of_birth", "expected_birth_date", "care_need"):
        setattr(child, field, getattr(form, field).data)
    if form.national_number.data:  # typed: replaces the stored number
        child.national_number = form.national_number.data
        child.national_number_hash = lookup_hash(form.national_number.data)
    elif form.clear_national_number.data:
        child.national_number = None
        child.national_number_hash = None
    child.location_id = form.location_id.data or None
    wanted = set(form.family_ids.data)
    for link in list(child.family_links):
        if link.family_id not in wanted:
            child.family_links.remove(link)
    have = {link.family_id for link in child.family_links}
    for family_id in wanted - have:
        child.family_links.append(ChildFamily(family_id=family_id, organisation_id=g.org.id))


def _duplicate_national_number(form, child_id: int | None) -> bool:
    if not form.national_number.data:
        return False
    stmt = select(Child.id).where(
        Child.organisation_id == g.org.id, Child.national_number_hash.in_(lookup_hashes(form.national_number.data))
    )
    if child_id:
        stmt = stmt.where(Child.id != child_id)
    return session().scalar(stmt) is not None


@bp.route("/new", methods=["GET", "POST"])
@requires(CHILD_EDIT)
def create():
    form = _form(None)
    if form.validate_on_submit():
        if _duplicate_national_number(form, None):
            form.national_number.errors.append(_("Er is al een kind met dit rijksregisternummer."))
        else:
            child = Child(organisation_id=g.org.id)
            _save(form, child)
            session().add(child)
            session().flush()
            flash(_("Kind %(name)s aangemaakt.", name=child.full_name), "success")
            return redirect(url_for("children.detail", child_id=child.id))
    return render_form("core/children/form.html", form, child=None)


@bp.route("/<int:child_id>/edit", methods=["GET", "POST"])
@requires(CHILD_EDIT)
def edit(child_id: int):
    child = get_child(child_id)
    form = _form(child)
    if form.validate_on_submit():
        if _duplicate_national_number(form, child.id):
            form.national_number.errors.append(_("Er is al een kind met dit rijksregisternummer."))
        else:
            _save(form, child)
            flash(_("Gegevens bewaard."), "success")
            return redirect(url_for("children.detail", child_id=child.id))
    return render_form("core/children/form.html", form, child=child, masked=mask_national_number(child.national_number))


def mask_national_number(number: str | None) -> str | None:
    """What a screen may show of a national register number without the audit: the birth date
    part (also on the file), the serial and check digits hidden."""
    return f"{number[:6]}-•••-••" if number else None


@bp.route("/<int:child_id>/national-number", methods=["POST"])
@requires(CHILD_EDIT)
def reveal_national_number(child_id: int):
    """The number in full, on the director's request (a POST), with an audit entry."""
    child = get_child(child_id)
    if not child.national_number:
        abort(404)
    record_view(session(), child, "rijksregisternummer")
    from core.validators import format_national_number

    return render_template("core/children/national_number.html", child=child,
                           number=format_national_number(child.national_number))
