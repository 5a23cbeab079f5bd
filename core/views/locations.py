"""Locations (opvanglocaties) of an organisation."""
from __future__ import annotations

from flask import abort, flash, g, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, or_, select

from core.db import session
from core.models import CareType, Child, LivingGroup, Location, OpeningHours
from core.security import LOCATION_EDIT, LOCATION_VIEW, TenantBlueprint, location_scope, requires
from core.views.helpers import get_or_404, render_form
from core.views.listing import LIKE_ESCAPE, escape_like, paginate

bp = TenantBlueprint("locations", __name__, url_prefix="/locations")


def get_location(location_id: int) -> Location:
    """A location of the current organisation within the user's scope, or 404."""
    scope = location_scope(current_user)
    return get_or_404(Location, location_id, *(() if scope is None else (Location.id.in_(scope),)))


SEARCH_LIMIT = 20
PICKER_FROM = 30  # more locations than this: a form's location field searches instead of listing them all


def scoped_locations():
    stmt = select(Location).where(Location.organisation_id == g.org.id)
    scope = location_scope(current_user)
    return stmt if scope is None else stmt.where(Location.id.in_(scope))


def location_detail(location) -> str:
    """What tells look-alike locations apart: "municipality · care type" (a Location or a row;
    missing attributes are left out)."""
    from core.forms import CARE_TYPES

    care_type = getattr(location, "care_type", None)
    care_type = getattr(care_type, "value", care_type)
    label = next((str(text) for value, text in CARE_TYPES if value == care_type), "")
    return " · ".join(p for p in (getattr(location, "municipality", "") or "", label) if p)


def many_locations(locations) -> bool:
    """Whether a location field or filter becomes a picker (templates: ``location_filter``)."""
    return len(locations) > PICKER_FROM


def location_options(location_ids) -> list[dict]:
    """Locations of this organisation (within the user's scope) as picker options: the name, and
    what tells look-alikes apart (municipality, care type). One query whatever the number."""
    ids = list(location_ids)
    if not ids:
        return []
    rows = session().execute(scoped_locations().with_only_columns(
        Location.id, Location.name, Location.municipality, Location.care_type)
        .where(Location.id.in_(ids)).order_by(Location.name, Location.id)).all()
    return [{"id": r.id, "name": r.name, "detail": location_detail(r)} for r in rows]


def location_picker(field, chosen_ids, *, empty: tuple | None = None) -> None:
    """Give a location SelectField of a form either every location of the organisation (a small
    one) or only the chosen ones plus a search-as-you-type picker (``core/picker.js``) asking
    ``locations.search``. ``empty``: a leading (value, label) choice such as (0, "—")."""
    total = session().scalar(scoped_locations().with_only_columns(func.count(Location.id)))
    if total <= PICKER_FROM:
        ids = session().scalars(scoped_locations().with_only_columns(Location.id)).all()
    else:
        ids = [i for i in chosen_ids if i]
        field.render_kw = {"data-search-url": url_for("locations.search"),
                           "data-search-placeholder": _("Zoek een locatie: naam of gemeente"),
                           "data-search-empty": _("Geen locatie gevonden."),
                           "data-search-remove": _("Verwijderen")}
    options = [(o["id"], f'{o["name"]} ({o["detail"]})' if o["detail"] else o["name"]) for o in location_options(ids)]
    field.choices = ([empty] if empty else []) + options


@bp.route("/search.json")
@requires(LOCATION_VIEW)
def search():
    """Search-as-you-type for the location pickers: up to 20 locations of this organisation (a
    caregiver: her own) whose name, municipality or postcode contains ``q`` (2 to 100 characters)."""
    q = (request.args.get("q") or "").strip()
    if len(q) < 2 or len(q) > 100:
        return jsonify(error=_("Typ minstens 2 tekens (hoogstens 100).")), 400
    pattern = f"%{escape_like(q.lower())}%"
    ids = session().scalars(scoped_locations().with_only_columns(Location.id).where(or_(
        *(func.lower(col).like(pattern, escape=LIKE_ESCAPE)
          for col in (Location.name, Location.municipality, Location.postcode, Location.caregiver_name))))
        .order_by(Location.name, Location.id).limit(SEARCH_LIMIT)).all()
    return jsonify(results=location_options(ids))


@bp.route("/")
@requires(LOCATION_VIEW)
def index():
    stmt = select(Location).where(Location.organisation_id == g.org.id).order_by(Location.name)
    scope = location_scope(current_user)
    if scope is not None:
        stmt = stmt.where(Location.id.in_(scope))
    page = paginate(session(), stmt, search_columns=(Location.name, Location.municipality, Location.caregiver_name))
    ids = [loc.id for loc in page.items]
    counts = dict(
        session().execute(
            select(Child.location_id, func.count()).where(Child.location_id.in_(ids)).group_by(Child.location_id)
        ).all()
    )
    return render_template("core/locations/index.html", page=page, counts=counts)


@bp.route("/<int:location_id>")
@requires(LOCATION_VIEW)
def detail(location_id: int):
    location = get_location(location_id)
    return render_template("core/locations/detail.html", location=location)


def _apply(form, location: Location) -> None:
    for field in ("name", "street", "postcode", "municipality", "opgroeien_file_no", "licensed_places",
                  "caregiver_name", "flex_subsidy", "out_of_school_permission"):
        setattr(location, field, getattr(form, field).data)
    location.care_type = CareType(form.care_type.data)
    if form.opens.data and form.closes.data:
        days = sorted({int(d) for d in form.weekdays.data})
        existing = {oh.weekday: oh for oh in location.opening_hours}
        for weekday in range(7):
            if weekday in days:
                oh = existing.get(weekday) or OpeningHours(weekday=weekday, organisation_id=g.org.id)
                oh.opens, oh.closes = form.opens.data, form.closes.data
                if weekday not in existing:
                    location.opening_hours.append(oh)
            elif weekday in existing:
                location.opening_hours.remove(existing[weekday])


@bp.route("/new", methods=["GET", "POST"])
@requires(LOCATION_EDIT)
def create():
    from core.forms import LocationForm

    form = LocationForm()
    if form.validate_on_submit():
        location = Location(organisation_id=g.org.id)
        _apply(form, location)
        session().add(location)
        session().flush()
        flash(_("Locatie %(name)s aangemaakt.", name=location.name), "success")
        return redirect(url_for("locations.detail", location_id=location.id))
    return render_form("core/locations/form.html", form, location=None)


@bp.route("/<int:location_id>/edit", methods=["GET", "POST"])
@requires(LOCATION_EDIT)
def edit(location_id: int):
    from core.forms import LocationForm

    location = get_location(location_id)
    form = LocationForm(obj=location)
    if request.method == "GET":
        form.care_type.data = location.care_type.value
        if location.opening_hours:
            form.opens.data = location.opening_hours[0].opens
            form.closes.data = location.opening_hours[0].closes
            form.weekdays.data = [str(oh.weekday) for oh in location.opening_hours]
    if form.validate_on_submit():
        _apply(form, location)
        flash(_("Gegevens bewaard."), "success")
        return redirect(url_for("locations.detail", location_id=location.id))
    return render_form("core/locations/form.html", form, location=location)


@bp.route("/<int:location_id>/groups/new", methods=["GET", "POST"])
@requires(LOCATION_EDIT)
def add_group(location_id: int):
    from core.forms import LivingGroupForm

    location = get_location(location_id)
    form = LivingGroupForm()
    if form.validate_on_submit():
        if any(group.name.lower() == form.name.data.strip().lower() for group in location.living_groups):
            form.name.errors.append(_("Deze locatie heeft al een leefgroep met die naam."))
        else:
            group = LivingGroup(organisation_id=g.org.id, location_id=location.id, name=form.name.data.strip())
            form.populate_obj(group)
            group.name = group.name.strip()
            session().add(group)
            session().flush()
            flash(_("Leefgroep %(name)s toegevoegd.", name=group.name), "success")
            return redirect(url_for("locations.detail", location_id=location.id))
    return render_form("core/locations/group_form.html", form, location=location)


@bp.route("/<int:location_id>/groups/<int:group_id>/delete", methods=["POST"])
@requires(LOCATION_EDIT)
def delete_group(location_id: int, group_id: int):
    location = get_location(location_id)
    group = session().scalar(
        select(LivingGroup).where(LivingGroup.id == group_id, LivingGroup.location_id == location.id)
    )
    if group is None:
        abort(404)
    session().delete(group)
    flash(_("Leefgroep %(name)s verwijderd.", name=group.name), "success")
    return redirect(url_for("locations.detail", location_id=location.id))
