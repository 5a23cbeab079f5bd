"""Who may do what, where.

Every view declares one Action (``@requires(ACTION)``) or is explicitly ``@public``; a contract
test walks the URL map and fails on any view without a declaration. The organisation comes from
the URL (``/o/<org>/...``) and a user outside it gets 404, as if it did not exist.
"""
from __future__ import annotations

import functools
from dataclasses import dataclass

from flask import Blueprint, abort, g, request
from flask_login import current_user

from core.db import session
from core.models import Organisation, Role, User

ALL_STAFF = frozenset({Role.COORDINATOR, Role.DIRECTOR, Role.FINANCE, Role.CAREGIVER})
ORG_STAFF = frozenset({Role.DIRECTOR, Role.FINANCE, Role.CAREGIVER})


@dataclass(frozen=True)
class Action:
    """A named permission: the roles that may perform it."""

    name: str
    roles: frozenset[Role]
    description: str = ""


# Core actions. Plugins define their own Action constants the same way.
DASHBOARD_VIEW = Action("dashboard.view", ALL_STAFF, "Dashboard van een organisatie")
KOEPEL_VIEW = Action("koepel.view", frozenset({Role.COORDINATOR}), "Overzicht van alle partners")
ORG_VIEW = Action("organisation.view", frozenset({Role.COORDINATOR, Role.DIRECTOR, Role.FINANCE}))
ORG_EDIT = Action("organisation.edit", frozenset({Role.COORDINATOR, Role.DIRECTOR}))
ORG_CREATE = Action("organisation.create", frozenset({Role.COORDINATOR}))
MODULES_MANAGE = Action("modules.manage", frozenset({Role.COORDINATOR, Role.DIRECTOR}))
LOCATION_VIEW = Action("location.view", ALL_STAFF)
LOCATION_EDIT = Action("location.edit", frozenset({Role.COORDINATOR, Role.DIRECTOR}))
FAMILY_VIEW = Action("family.view", frozenset({Role.DIRECTOR, Role.FINANCE}))
FAMILY_EDIT = Action("family.edit", frozenset({Role.DIRECTOR}))
CHILD_VIEW = Action("child.view", ORG_STAFF)
CHILD_EDIT = Action("child.edit", frozenset({Role.DIRECTOR}))
AUDIT_VIEW = Action("audit.view", frozenset({Role.DIRECTOR}))
USERS_MANAGE = Action("users.manage", frozenset({Role.COORDINATOR, Role.DIRECTOR}))
JOB_VIEW = Action("job.view", frozenset({Role.COORDINATOR, Role.DIRECTOR, Role.FINANCE}),
                  "Voortgang van een achtergrondtaak van de organisatie")
DOCUMENT_VIEW = Action("document.view", frozenset({Role.COORDINATOR, Role.DIRECTOR, Role.FINANCE}),
                       "Een aangemaakt document van de organisatie downloaden")


def can(user: User, action: Action) -> bool:
    return bool(user and user.is_authenticated and user.role in action.roles)


def may_open(user: User, endpoint: str, modules=None) -> bool:
    """Would ``user`` get past the gates of ``endpoint``? Read from the view's declared Action
    (``koepel_action``) and, for a module's blueprint, whether the module is in ``modules``: the
    menus show a link only when this holds, so a menu and its page's gate cannot disagree."""
    from flask import current_app

    view = current_app.view_functions.get(endpoint)
    if view is None:
        return False
    blueprint = current_app.blueprints.get(endpoint.rpartition(".")[0])
    module = getattr(blueprint, "module", None)
    if module and modules is not None and module not in modules:
        return False
    action = getattr(view, "koepel_action", None)
    if action is None:
        return bool(getattr(view, "koepel_public", False))
    return can(user, action)


def user_may_enter(user: User, org: Organisation) -> bool:
    if user.role == Role.COORDINATOR:
        return user.koepel_id == org.koepel_id
    return user.organisation_id == org.id


def requires(action: Action):
    """Declare the action a view performs; enforce login, role and organisation membership."""

    def decorator(view):
        @functools.wraps(view)
        def wrapper(*args, **kwargs):
            if not current_user.is_authenticated:
                from flask import redirect, url_for

                return redirect(url_for("auth.login", next=request.full_path))
            org = g.get("org")
            if org is not None and not user_may_enter(current_user, org):
                abort(404)
            if current_user.role not in action.roles:
                abort(403)
            g.action = action
            return view(*args, **kwargs)

        wrapper.koepel_action = action
        return wrapper

    return decorator


def public(view):
    """Mark a view as open to anyone (login page, health check, static)."""
    view.koepel_public = True
    return view


def location_scope(user: User) -> list[int] | None:
    """Location ids a caregiver is limited to; None means the whole organisation."""
    if user.role == Role.CAREGIVER:
        return [loc.id for loc in user.locations]
    return None


class TenantBlueprint(Blueprint):
    """A blueprint under ``/o/<org>``: loads ``g.org`` from the slug; with ``module`` set, answers
    404 whenever that module is disabled for the organisation (gate 1 of 3)."""

    def __init__(self, name: str, import_name: str, *, module: str | None = None, url_prefix: str = "", **kw):
        super().__init__(name, import_name, url_prefix="/o/<org>" + url_prefix, **kw)
        self.module = module
        self.url_value_preprocessor(self._load_org)
        self.url_defaults(self._add_org)
        if module:
            self.before_request(self._gate)

    @staticmethod
    def _load_org(endpoint, values):
        from flask import current_app

        from core.tenancy import load_organisation

        slug = values.pop("org", None) if values else None
        # A hot view may load the organisation itself together with what it needs next, in the same
        # round trip (``view.koepel_org_loader(session, slug) -> Organisation | None``); it must
        # prime the enabled modules as ``load_organisation`` does.
        view = current_app.view_functions.get(endpoint) if endpoint else None
        loader = getattr(view, "koepel_org_loader", None) or load_organisation
        org = loader(session(), slug) if slug else None
        if org is None:
            abort(404)
        if g.get("koepel_ctx") is None or g.koepel_ctx.org is not org:
            from core.context import set_request_context

            set_request_context(org)  # a loader that did not read the modules with the organisation
        g.org = org

    @staticmethod
    def _add_org(_endpoint, values):
        if "org" not in values and g.get("org") is not None:
            values["org"] = g.org.slug

    def _gate(self):
        from core.tenancy import enabled_modules

        if self.module not in enabled_modules(session(), g.org):
            abort(404)
