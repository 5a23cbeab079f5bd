"""Hook implementations of the planning module, nothing else: the blueprint, menu, dashboard
widget and care-plan panel (screens in views/), settings, expected children and retention (work
in services/)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from core.models import Role
from core.plugins import DashboardWidget, MenuItem, Panel, hookimpl
from core.security import can


@hookimpl
def register_jinja(env):
    """Free places' pattern and age band keys in the reader's words, for every module's pages."""
    from .services import labels

    env.globals.update(pattern_label=labels.pattern_label, age_band_label=labels.age_band_label,
                       age_bands_label=labels.age_bands_label, weekday_short=labels.weekday_short,
                       day_part_label=labels.day_part_label)


@hookimpl
def register_blueprints(app):
    from .views import bp

    app.register_blueprint(bp)


@hookimpl
def menu_items(org, user):
    from .views.blueprint import CLOSING_VIEW, DAY_VIEW, HOUSE_RULES_VIEW, OCCUPANCY_VIEW

    items = []
    if can(user, DAY_VIEW):
        items.append(MenuItem(_l("Dagplanning"), "planning.day", weight=40, module="planning"))
    if can(user, OCCUPANCY_VIEW):
        items.append(MenuItem(_l("Bezetting"), "planning.occupancy", weight=42, module="planning"))
    if can(user, CLOSING_VIEW):
        items.append(MenuItem(_l("Sluitingsdagen"), "planning.closing_days", weight=44, module="planning"))
    from .views.billable import BILLABLE_VIEW

    if can(user, BILLABLE_VIEW):
        items.append(MenuItem(_l("Aan te rekenen dagen"), "planning.billable", weight=46, module="planning",
                              landing_for=frozenset({Role.FINANCE})))
    if can(user, HOUSE_RULES_VIEW):
        items.append(MenuItem(_l("Huishoudelijk reglement"), "planning.house_rules", weight=46, module="planning"))
    return items


@hookimpl
def dashboard_widgets(org, user):
    from .views.blueprint import DAY_VIEW
    from .views.widgets import today_widget

    if not can(user, DAY_VIEW):
        return []
    title, html = today_widget(org, user)
    return [DashboardWidget(title, html, weight=20, module="planning")]


@hookimpl
def populate_demo(session, org, seed):
    """Synthetic care plans and closing days for the demo (plugins/planning/services/demo.py)."""
    from .services.demo import populate

    populate(session, org, seed)


@hookimpl
def child_detail_panels(org, child, user):
    from flask import render_template

    from .views.blueprint import PLANS_VIEW
    from .views.plans import panel_context

    if not can(user, PLANS_VIEW):
        return []
    html = render_template("planning/_plans_panel.html", in_panel=True, **panel_context(child, user))
    return [Panel(_l("Opvangplan en respijtdagen"), html, weight=20, module="planning")]


@hookimpl
def setting_definitions():
    """Respijtdagen, age limits, day-part split, ratio rule set, rest period, last-minute weeks."""
    from .services.settings import DEFINITIONS

    return list(DEFINITIONS)


@hookimpl
def resolve_expected_children(org, location_id, day):
    """Who is expected at a location on a day, from the care plans (planning.api.ExpectedChild)."""
    from core.context import context_for
    from core.db import session

    from .services.reservations import expected_children

    return expected_children(context_for(session(), org), location_id, day)


@hookimpl
def retention_holds(session, org, child_ids, family_ids, cutoff):
    """Children and families with a care plan that runs on or after the retention cutoff."""
    from .services.retention import retention_holds as holds

    return holds(session, org, child_ids, family_ids, cutoff)


@hookimpl
def before_retention_erase(session, org, child_ids, family_ids):
    """Scrub the values from the audit entries of the care plans that go with erased children."""
    from .services.retention import before_erase

    before_erase(session, org, child_ids)
