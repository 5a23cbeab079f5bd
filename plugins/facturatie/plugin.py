"""Hook implementations of the facturatie module (thin: the work is in services/)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from core.models import Role
from core.plugins import MenuItem, Panel, hookimpl


@hookimpl
def register_blueprints(app):
    from .views import bp

    app.register_blueprint(bp)


@hookimpl
def menu_items(org, user):
    if user is None or user.role not in (Role.FINANCE, Role.DIRECTOR):
        return []
    return [MenuItem(_l("Facturatie"), "facturatie.index", weight=45, module="facturatie",
                     landing_for=frozenset({Role.FINANCE})),
            MenuItem(_l("Tarieven"), "facturatie.tariffs", weight=402, module="facturatie")]


@hookimpl
def setting_definitions():
    """Maximum and minimum tariff, no attest, absence and late-pickup fees, deposits, thresholds."""
    from .services.settings import DEFINITIONS

    return list(DEFINITIONS)


@hookimpl
def resolve_kindcodes(org, child_ids, start, end):
    """The attest inkomenstarief is the kindcode's one home (FO-SU-05 asks here first)."""
    from core.context import context_for
    from core.db import session

    from . import api

    return api.kindcodes(context_for(session(), org), child_ids, start, end)


@hookimpl
def populate_demo(session, org, seed):
    """Tariffs, attests, billing profiles and extras for the demo (services/demo.py)."""
    from .services.demo import populate

    populate(session, org, seed)


@hookimpl
def child_detail_panels(org, child, user):
    """The child's attest inkomenstarief in force, with a link to its tariff page."""
    from flask import render_template

    from core.context import context_for
    from core.db import session
    from core.security import can

    from .services import tariffs
    from .views.blueprint import BILLING_VIEW

    if not can(user, BILLING_VIEW):
        return []
    ctx = context_for(session(), org)
    today = ctx.today()
    attest = tariffs.attest_on(tariffs.attests_in(ctx, [child.id], today, today).get(child.id, []), today, None)
    html = render_template("facturatie/_child_panel.html", child=child, attest=attest)
    return [Panel(_l("Attest inkomenstarief"), html, weight=30, module="facturatie")]
