"""Care plans (opvangplannen) on the child's file: list, create, new version from an effective
date, end, extra days, and the reserved days as an iCalendar file for the parents.

A plan change that would exceed capacity or the child-staff ratio is not refused: the domain's
``check_plan_change`` warnings are shown and the user must tick "toch bewaren" to save anyway.
Bad input is reported before any warning (the domain's checks run first, writing nothing)."""
from __future__ import annotations

from datetime import date, timedelta

from flask import abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from core.clock import clock
from core.context import context_for, current_context
from core.db import session
from core.filenames import safe_filename
from core.models import Child, ChildFamily, Family, LivingGroup, Location
from core.security import can, location_scope, requires
from core.views.helpers import get_or_404, render_form

from .. import api
from ..forms import WEEKDAY_NAMES, CarePlanForm, EndPlanForm, ExtraDayForm
from ..models import CarePlan, CarePlanVersion
from ..services.care_plans import validate_care_plan, validate_care_plan_version
from .blueprint import AGREEMENTS_VIEW, EXPORT, PLANS_EDIT, PLANS_VIEW, bp, parse_day

# PlanningError.field -> form field name
FIELD_MAP = {"own_child": "own_child", "settling_in_until": "settling_in_end", "days": "week_a",
             "schedule": "schedule", "effective_date": "start_date", "child_id": "start_date", "kind": "start_date"}
PART_LABELS = {"morning": "voormiddag", "afternoon": "namiddag", "full": "volledige dag", "hours": "uren"}


def get_child(child_id: int) -> Child:
    """A child of this organisation within the user's location scope, or 404."""
    scope = location_scope(current_user)
    return get_or_404(Child, child_id, *(() if scope is None else (Child.location_id.in_(scope),)))


def get_plan(care_plan_id: int) -> CarePlan:
    plan = get_or_404(CarePlan, care_plan_id)
    get_child(plan.child_id)  # scope check
    return plan


def part_label(day_part: str, start=None, end=None) -> str:
    if day_part == "hours" and start and end:
        return f"{start:%H:%M}–{end:%H:%M}"
    return _(PART_LABELS.get(day_part, day_part))


def days_text(value) -> str:
    """A Decimal number of days in Dutch notation without trailing zeros: 10,5 / 18 / 0."""
    text = f"{value.normalize():f}" if value else "0"
    return text.replace(".", ",")


def describe_schedule(version: CarePlanVersion) -> str:
    """A custom (shift-work) schedule in one line: how many days, first and last date."""
    days = [s.day for s in version.schedule]
    if not days:
        return ""
    return ngettext("%(num)s dag van %(first)s tot en met %(last)s", "%(num)s dagen van %(first)s tot en met %(last)s",
                    len(days), first=min(days).strftime("%d/%m/%Y"), last=max(days).strftime("%d/%m/%Y"))


def describe_version(version: CarePlanVersion) -> list[dict]:
    """Pattern of a version as rows (week, weekday, label) for templates."""
    rows = []
    for d in sorted(version.days, key=lambda d: (d.week or "", d.weekday)):
        rows.append({"week": d.week, "weekday": str(WEEKDAY_NAMES[d.weekday]),
                     "label": part_label(d.day_part, d.start_time, d.end_time)})
    return rows


def plans_for_child(child_id: int) -> list[CarePlan]:
    """The child's plans with versions, pattern days and extra days: four queries."""
    return list(session().scalars(
        select(CarePlan).where(CarePlan.organisation_id == g.org.id, CarePlan.child_id == child_id)
        .options(selectinload(CarePlan.versions).selectinload(CarePlanVersion.days),
                 selectinload(CarePlan.versions).selectinload(CarePlanVersion.schedule),
                 selectinload(CarePlan.extra_days))
        .order_by(CarePlan.start_date.desc(), CarePlan.id.desc())))


def panel_context(child: Child, user) -> dict:
    """Plain data for the care-plan panel (child's file) and the plans page."""
    sess = session()
    today = clock.today()
    plans = plans_for_child(child.id)
    ids = {p.location_id for p in plans}
    names = dict(sess.execute(select(Location.id, Location.name).where(Location.id.in_(ids))).all()) if ids else {}
    fam_ids = {p.family_id for p in plans if p.family_id}
    families = dict(sess.execute(select(Family.id, Family.name).where(Family.id.in_(fam_ids))).all()) if fam_ids else {}
    groups_ids = {p.living_group_id for p in plans if p.living_group_id}
    groups = dict(sess.execute(select(LivingGroup.id, LivingGroup.name).where(LivingGroup.id.in_(groups_ids))).all()
                  ) if groups_ids else {}
    rows = []
    for plan in plans:
        current = plan.start_date <= today and (plan.end_date is None or plan.end_date >= today)
        rows.append({
            "id": plan.id, "location": names.get(plan.location_id, ""), "family": families.get(plan.family_id, ""),
            "group": groups.get(plan.living_group_id, ""), "start": plan.start_date, "end": plan.end_date,
            "settling_in_until": plan.settling_in_until, "current": current, "notes": plan.notes or "",
            "ended": plan.end_date is not None and plan.end_date < today,
            "versions": [{"start": v.start_date, "end": v.end_date, "kind": v.kind, "days": describe_version(v),
                          "schedule": describe_schedule(v) if v.kind == "custom" else ""}
                         for v in reversed(plan.versions)],
            "extras": [{"day": e.day, "label": part_label(e.day_part, e.start_time, e.end_time)}
                       for e in plan.extra_days if e.day >= today],
        })
    year = today.year
    respite = None
    if rows:
        entitled = api.respite_entitlement(current_context(), child.id, year)
        used = api.respite_used(current_context(), child.id, year)
        respite = {"year": year, "entitled": days_text(entitled), "used": days_text(used),
                   "balance": days_text(entitled - used)}
        # each agreement its own balance (co-parenting: one household never uses the other's days)
        per_agreement = {a.care_plan_id: a for a in api.respite_per_agreement(context_for(sess, g.org), child.id, year)}
        for row in rows:
            mine = per_agreement.get(row["id"])
            row["respite"] = None if mine is None else {
                "year": year, "entitled": days_text(mine.entitled), "used": days_text(mine.used),
                "balance": days_text(mine.balance)}
    return {"child": {"id": child.id, "name": child.full_name}, "plans": rows, "respite": respite,
            "can_manage": can(user, PLANS_EDIT), "can_export": can(user, EXPORT),
            "can_agreements": can(user, AGREEMENTS_VIEW)}


@bp.route("/children/<int:child_id>/plans")
@requires(PLANS_VIEW)
def child_plans(child_id: int):
    child = get_child(child_id)
    context = panel_context(child, current_user)
    extra_form = _extra_form(child) if context["can_manage"] and any(
        not p["ended"] for p in context["plans"]) else None
    return render_template("planning/child_plans.html", extra_form=extra_form, **context)


# --- the care plan form -------------------------------------------------------------------------

def _choices(form: CarePlanForm, child: Child) -> None:
    from core.views.locations import location_picker

    sess = session()
    locations = list(sess.scalars(select(Location).where(Location.organisation_id == g.org.id)
                                  .options(selectinload(Location.living_groups)).order_by(Location.name)))
    # a large organisation (dozens of homes) searches the location instead of listing them all
    location_picker(form.location_id, {child.location_id, request.form.get("location_id", type=int)})
    form.living_group_id.choices = [(0, _("geen / later"))] + [
        (grp.id, f"{loc.name} – {grp.name}") for loc in locations for grp in loc.living_groups]
    families = sess.execute(select(Family.id, Family.name).join(ChildFamily, ChildFamily.family_id == Family.id)
                            .where(ChildFamily.child_id == child.id, Family.organisation_id == g.org.id)
                            .order_by(Family.name)).all()
    form.family_id.choices = [(fid, name) for fid, name in families]


def _day_plans(form: CarePlanForm) -> list[api.DayPlan]:
    if form.schedule_days:
        return []
    weeks = [("A", form.week_a), ("B", form.week_b)] if form.alternating.data else [(None, form.week_a)]
    days = []
    for week, sub in weeks:
        for weekday, slot in enumerate(sub.days):
            if slot.kind.data:
                days.append(api.DayPlan(weekday=weekday, day_part=slot.kind.data, start=slot.start.data,
                                        end=slot.end.data, week=week))
    return days


def _fill_pattern(form: CarePlanForm, version: CarePlanVersion) -> None:
    form.alternating.data = version.kind == "alternating"
    if version.kind == "custom":
        form.schedule.data = "\n".join(
            f"{s.day:%d/%m/%Y} " + (f"{s.start_time:%H:%M}-{s.end_time:%H:%M}" if s.day_part == "hours"
                                    else {"morning": "voormiddag", "afternoon": "namiddag"}.get(s.day_part,
                                                                                                "volledige dag"))
            for s in version.schedule)
    for d in version.days:
        sub = form.week_b if d.week == "B" else form.week_a
        slot = sub.days[d.weekday]
        slot.kind.data = d.day_part
        slot.start.data, slot.end.data = d.start_time, d.end_time


def _attach(form, exc: api.PlanningError) -> None:
    """Show the domain's message (in the screen's language) on the field it names (the pattern: above week A)."""
    name = FIELD_MAP.get(exc.field or "", exc.field or "start_date")
    if name in ("week_a", "week_b"):
        form.pattern_errors["A" if name == "week_a" else "B"].append(exc.message)
        return
    target = form[name] if name in form else form["start_date"]
    if not isinstance(target.errors, list):
        target.errors = list(target.errors)
    target.errors.append(exc.message)


def _warnings(child: Child, location_id: int, start: date, end: date | None, days, *, living_group_id=None,
              care_plan_id: int | None = None, schedule=None) -> list[str]:
    """The domain's capacity and ratio warnings for this change (never blocks)."""
    found = api.check_plan_change(current_context(), child_id=child.id, location_id=location_id, start_date=start,
                                  end_date=end, days=days, living_group_id=living_group_id,
                                  care_plan_id=care_plan_id, schedule=schedule or None)
    return [w.message for w in found]


def _render_form(form, child, heading, warnings, previous=None, status=200):
    """The care-plan form; 422 when the form or the planning service refused the input."""
    page, code = render_form(
        "planning/plan_form.html", form, child_name=child.full_name, heading=heading, warnings=warnings,
        weekday_names=[str(n) for n in WEEKDAY_NAMES], previous=previous,
        cancel_url=url_for("planning.child_plans", child_id=child.id),
    )
    return page, max(code, status)


@bp.route("/children/<int:child_id>/plans/new", methods=["GET", "POST"])
@requires(PLANS_EDIT)
def new_plan(child_id: int):
    child = get_child(child_id)
    form = CarePlanForm()
    _choices(form, child)
    if request.method == "GET":
        form.location_id.data = child.location_id
        if len(form.family_id.choices) == 1:
            form.family_id.data = form.family_id.choices[0][0]
    warnings: list[str] = []
    if request.method == "POST":
        if form.validate():
            days = _day_plans(form)
            group = form.living_group_id.data or None
            try:
                validate_care_plan(current_context(), child_id=child.id, location_id=form.location_id.data,
                                   start_date=form.start_date.data, days=days, end_date=form.end_date.data,
                                   family_id=form.family_id.data, settling_in_until=form.settling_in_end.data,
                                   living_group_id=group, schedule=form.schedule_days or None,
                                   own_child=form.own_child.data)
                warnings = _warnings(child, form.location_id.data, form.start_date.data, form.end_date.data, days,
                                     living_group_id=group, schedule=form.schedule_days)
                if not warnings or form.confirm.data:
                    plan_id = api.create_care_plan(current_context(), child_id=child.id, location_id=form.location_id.data,
                        family_id=form.family_id.data, start_date=form.start_date.data, end_date=form.end_date.data,
                        settling_in_until=form.settling_in_end.data, living_group_id=group, days=days,
                        schedule=form.schedule_days or None, actor_id=current_user.id,
                        own_child=form.own_child.data, notes=form.notes.data or "")
                    flash(_("Opvangplan bewaard.") + (" " + _("De waarschuwingen werden bevestigd.")
                                                      if warnings else ""), "success")
                    return redirect(url_for("planning.child_plans", child_id=child.id, _anchor=f"plan-{plan_id}"))
            except api.PlanningError as exc:
                _attach(form, exc)
                return _render_form(form, child, _("Nieuw opvangplan"), [], status=422)
        else:
            return _render_form(form, child, _("Nieuw opvangplan"), [], status=422)
    return _render_form(form, child, _("Nieuw opvangplan"), warnings)


@bp.route("/plans/<int:care_plan_id>/versions/new", methods=["GET", "POST"])
@requires(PLANS_EDIT)
def new_version(care_plan_id: int):
    plan = get_plan(care_plan_id)
    child = get_child(plan.child_id)
    form = CarePlanForm()
    for name in ("location_id", "family_id", "end_date", "settling_in_end", "living_group_id", "own_child"):
        del form[name]
    form.start_date.label.text = _("Ingangsdatum van de wijziging")
    last = plan.versions[-1]
    if request.method == "GET":
        _fill_pattern(form, last)
        form.notes.data = plan.notes
        form.start_date.data = max(clock.today() + timedelta(days=1), last.start_date + timedelta(days=1))
    warnings: list[str] = []
    heading = _("Opvangplan wijzigen (nieuwe versie)")
    if request.method == "POST":
        if not form.validate():
            return _render_form(form, child, heading, [], previous=last, status=422)
        days = _day_plans(form)
        try:
            validate_care_plan_version(current_context(), plan.id, effective_date=form.start_date.data, days=days,
                                       schedule=form.schedule_days or None)
            warnings = _warnings(child, plan.location_id, form.start_date.data, plan.end_date, days,
                                 living_group_id=plan.living_group_id, care_plan_id=plan.id,
                                 schedule=form.schedule_days)
            if not warnings or form.confirm.data:
                api.new_care_plan_version(current_context(), plan.id, effective_date=form.start_date.data, days=days,
                                          schedule=form.schedule_days or None, actor_id=current_user.id)
                plan.notes = (form.notes.data or "").strip()  # the plan's remarks, shown and edited with each version
                flash(_("Nieuwe versie van het opvangplan bewaard."), "success")
                return redirect(url_for("planning.child_plans", child_id=child.id, _anchor=f"plan-{plan.id}"))
        except api.PlanningError as exc:
            _attach(form, exc)
            return _render_form(form, child, heading, [], previous=last, status=422)
    return _render_form(form, child, heading, warnings, previous=last)


@bp.route("/plans/<int:care_plan_id>/end", methods=["GET", "POST"])
@requires(PLANS_EDIT)
def end_plan(care_plan_id: int):
    plan = get_plan(care_plan_id)
    child = get_child(plan.child_id)
    form = EndPlanForm()
    status = 200
    if form.validate_on_submit():
        try:
            api.end_care_plan(current_context(), plan.id, end_date=form.end_date.data, actor_id=current_user.id)
        except api.PlanningError as exc:
            form.end_date.errors.append(exc.message)
        else:
            flash(_("Opvangplan beëindigd op %(d)s.", d=form.end_date.data.strftime("%d/%m/%Y")), "success")
            return redirect(url_for("planning.child_plans", child_id=child.id))
    if form.errors:
        status = 422
    label = _("vanaf %(d)s", d=plan.start_date.strftime("%d/%m/%Y"))
    return render_template("planning/end_plan.html", form=form, child_name=child.full_name, plan_label=label,
                           cancel_url=url_for("planning.child_plans", child_id=child.id)), status


def _extra_form(child: Child) -> ExtraDayForm:
    form = ExtraDayForm()
    return form


@bp.route("/children/<int:child_id>/extra-days", methods=["POST"])
@requires(PLANS_EDIT)
def add_extra_day(child_id: int):
    child = get_child(child_id)
    form = ExtraDayForm()
    if form.validate():
        today_plans = [p for p in plans_for_child(child.id)
                       if p.start_date <= form.day.data and (p.end_date is None or p.end_date >= form.day.data)]
        if not today_plans:
            form.day.errors.append(_("Er loopt geen opvangplan op %(d)s.", d=form.day.data.strftime("%d/%m/%Y")))
        else:
            try:
                api.add_extra_day(current_context(), today_plans[0].id,
                                  api.ScheduledDay(form.day.data, form.kind.data, form.start.data, form.end.data),
                                  actor_id=current_user.id)
            except api.PlanningError as exc:
                form.day.errors.append(exc.message)
            else:
                flash(_("Extra opvangdag toegevoegd."), "success")
                return redirect(url_for("planning.child_plans", child_id=child.id))
    context = panel_context(child, current_user)
    return render_template("planning/child_plans.html", extra_form=form, **context), 422


@bp.route("/children/<int:child_id>/reserved.ics")
@requires(EXPORT)
def child_ics(child_id: int):
    """The child's reserved days (default: today and the next 6 months) as an iCalendar file."""
    from flask import Response

    from ..services.exports import ReservedDay, reserved_days_calendar

    child = get_child(child_id)
    today = clock.today()
    start = parse_day(request.args.get("from"), today)
    end = parse_day(request.args.get("to"), start + timedelta(days=183))
    if end < start or (end - start).days > 400:
        abort(404, description=_("Kies een periode van hoogstens 400 dagen."))
    days = api.reserved_days(current_context(), start=start, end=end, child_ids=[child.id])
    loc_ids = {d.location_id for d in days} or ({child.location_id} if child.location_id else set())
    locations = {loc.id: loc for loc in session().scalars(select(Location).where(
        Location.organisation_id == g.org.id, Location.id.in_(loc_ids)))} if loc_ids else {}
    location = locations.get(next(iter(loc_ids))) if loc_ids else None
    address = ", ".join(p for p in (location.street, f"{location.postcode} {location.municipality}".strip())
                        if p) if location else ""
    data = reserved_days_calendar(
        child_key=f"koepel-{g.org.slug}-child{child.id}", child_name=child.full_name,
        location_name=location.name if location else "", location_address=address, organisation_name=g.org.name,
        days=[ReservedDay(d.day, d.start, d.end, part_label(d.day_part) + (" – extra" if d.extra else ""))
              for d in days],
        stamp=clock.now())
    filename = safe_filename(f"opvangdagen-{child.first_name}-{child.last_name}-{start:%Y%m%d}.ics")
    return Response(data, mimetype="text/calendar", headers={
        "Content-Disposition": f'attachment; filename="{filename}"', "Cache-Control": "private, no-store"})
