"""Modules per organisation: the one place that enables or disables them, and the hook relay
that makes runtime hooks reach only the enabled ones."""
from __future__ import annotations

import weakref
from dataclasses import dataclass

from flask import current_app, g, has_request_context
from flask_babel import lazy_gettext as _l
from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from core.clock import clock
from core.errors import DomainError, register_messages
from core.models import Organisation, OrganisationModule
from core.plugins import ModuleChanged


class ModuleError(ValueError):
    """Unknown module, or a change that cannot be made."""


class ModuleRefused(DomainError):
    """The module's ``can_enable`` refuses this organisation (e.g. billing without an IBAN)."""

    status = 409


register_messages({"modules.refused": _l("%(module)s kan niet ingeschakeld worden: %(reason)s")})


def plugin_manager():
    return current_app.extensions["koepel_plugins"]


def enabled_modules(session: Session, org: Organisation) -> set[str]:
    """Names of the modules enabled for ``org`` (read once per TenantContext)."""
    from core.context import context_for

    return set(context_for(session, org).modules)


_ORG_WITH_MODULES = (
    select(Organisation, OrganisationModule.module)
    .outerjoin(OrganisationModule, OrganisationModule.organisation_id == Organisation.id)
    .where(Organisation.slug == bindparam("slug"))
)


def load_organisation(session: Session, slug: str) -> Organisation | None:
    """The organisation of a URL slug together with its enabled modules, in one round trip, made
    the request's TenantContext (every organisation page needs both: the module gates ask the
    enabled modules next). The modules are read fresh from the database on every request, so
    switching a module off closes its pages at once in every worker."""
    rows = session.execute(_ORG_WITH_MODULES, {"slug": slug}).all()
    if not rows:
        return None
    org = rows[0][0]
    prime_modules(org, (m for _org, m in rows))
    return org


def prime_modules(org: Organisation, modules) -> None:
    """Make the request's TenantContext for ``org`` from module rows read together with it."""
    if has_request_context():
        from core.context import set_request_context

        set_request_context(org, modules)


def _forget(session: Session, org: Organisation) -> None:
    from core.context import context_for

    context_for(session, org).reload_modules()


def _check_known(name: str) -> None:
    if name not in plugin_manager().infos:
        raise ModuleError(f"onbekende module: {name}")


def plan_enable(enabled: set[str], name: str) -> list[str]:
    """Modules that enabling ``name`` switches on, requirements first (``name`` last)."""
    _check_known(name)
    infos = plugin_manager().infos
    order: list[str] = []

    def visit(module: str) -> None:
        if module in enabled or module in order:
            return
        for dep in sorted(infos[module].requires):
            visit(dep)
        order.append(module)

    visit(name)
    return order


def plan_disable(enabled: set[str], name: str) -> list[str]:
    """Modules that disabling ``name`` switches off, dependents first (``name`` last)."""
    _check_known(name)
    infos = plugin_manager().infos
    order: list[str] = []

    def visit(module: str) -> None:
        if module not in enabled or module in order:
            return
        for other in sorted(enabled):
            if module in infos[other].requires:
                visit(other)
        order.append(module)

    visit(name)
    return order


def _fire(session: Session, org: Organisation, module: str, enabled: bool, actor_id) -> None:
    tenant_hook(session, org).on_module_changed(
        event=ModuleChanged(organisation_id=org.id, module=module, enabled=enabled, actor_id=actor_id)
    )


def enable_refusal(session: Session, org: Organisation, name: str) -> ModuleRefused | None:
    """Why ``name`` (or a module it would switch on with it) may not be enabled for ``org``, or
    None. Asks each module's ``PluginInfo.can_enable`` with the organisation's context."""
    from core.context import context_for

    ctx = context_for(session, org)
    infos = plugin_manager().infos
    for module in plan_enable(set(ctx.modules), name):
        check = infos[module].can_enable
        reason = check(ctx) if check is not None else None
        if reason:
            return ModuleRefused("modules.refused", module=infos[module].title, reason=reason)
    return None


def _callback(session: Session, org: Organisation, module: str, which: str) -> None:
    from core.context import context_for

    callback = getattr(plugin_manager().infos[module], which)
    if callback is not None:
        callback(context_for(session, org))


def enable_module(session: Session, org: Organisation, name: str, actor_id: int | None = None) -> list[str]:
    """Enable ``name`` and whatever it requires. Returns the modules switched on. Raises
    ModuleRefused (nothing written) when one of them may not be enabled for ``org``."""
    enabled = enabled_modules(session, org)
    plan = plan_enable(enabled, name)
    refusal = enable_refusal(session, org, name)
    if refusal is not None:
        raise refusal
    for module in plan:
        session.add(
            OrganisationModule(
                organisation_id=org.id, module=module, enabled_at=clock.now(), enabled_by_id=actor_id
            )
        )
    session.flush()
    _forget(session, org)
    for module in plan:
        _callback(session, org, module, "on_enable")
        _fire(session, org, module, True, actor_id)
    return plan


def disable_module(session: Session, org: Organisation, name: str, actor_id: int | None = None) -> list[str]:
    """Disable ``name`` and every enabled module that depends on it. Returns those switched off."""
    enabled = enabled_modules(session, org)
    plan = plan_disable(enabled, name)
    for module in plan:
        _callback(session, org, module, "on_disable")
        _fire(session, org, module, False, actor_id)
    if plan:
        rows = session.scalars(
            select(OrganisationModule).where(
                OrganisationModule.organisation_id == org.id, OrganisationModule.module.in_(plan)
            )
        )
        for row in rows:
            session.delete(row)
        session.flush()
    _forget(session, org)
    return plan


@dataclass
class _TenantHookRelay:
    """``relay.<hook>(**kwargs)`` calls only the implementations of enabled modules (and core)."""

    pm: object
    disabled: tuple

    def __getattr__(self, name: str):
        return self.pm.subset_hook_caller(name, remove_plugins=self.disabled)


def hook_relay(enabled: frozenset[str]) -> _TenantHookRelay:
    """The hook relay for a set of enabled modules (one per TenantContext)."""
    pm = plugin_manager()
    return _TenantHookRelay(pm, tuple(pm.modules[n] for n in pm.infos if n not in enabled))


def tenant_hook(session: Session, org: Organisation) -> _TenantHookRelay:
    """The hook relay of ``org``'s TenantContext."""
    from core.context import context_for

    return context_for(session, org).hook


def collect(results) -> list:
    """Flatten collector hook results and sort them by weight, then label/title."""
    items = [item for chunk in results if chunk for item in chunk]
    return sorted(items, key=lambda i: (i.weight, getattr(i, "label", getattr(i, "title", ""))))


# --- defence in depth ----------------------------------------------------------------------------
# Views filter on organisation_id explicitly. As a second line, every ORM SELECT issued while a
# request is scoped to an organisation (``g.org``) only sees that organisation's tenant rows.

def _install_tenant_guard() -> None:
    from sqlalchemy import event
    from sqlalchemy.orm import Session as _Session
    from sqlalchemy.orm import with_loader_criteria

    from core.models.base import TenantMixin

    @event.listens_for(_Session, "do_orm_execute")
    def _tenant_guard(state):
        if not state.is_select or state.is_column_load or state.is_relationship_load:
            return
        if not has_request_context():
            return
        org = g.get("org")
        if org is None:
            return
        org_id = org.id
        statement = state.statement
        if statement.get_execution_options().get("koepel_prebuilt"):
            # A statement built once at import (see ``prebuilt``): guard it once per organisation
            # and reuse the result, so that SQLAlchemy's compiled cache key is kept too.
            per_org = _GUARDED.get(statement)
            if per_org is None:
                per_org = _GUARDED.setdefault(statement, {})
            guarded = per_org.get(org_id)
            if guarded is None:
                guarded = per_org[org_id] = _guard(statement, org_id)
            state.statement = guarded
            return
        state.statement = _guard(statement, org_id)

    def _guard(statement, org_id):
        return statement.options(
            with_loader_criteria(TenantMixin, lambda cls: cls.organisation_id == org_id, include_aliases=True)
        )


_GUARDED: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def prebuilt(statement):
    """Mark a statement built once (module level, values as ``bindparam``) for hot paths: the
    tenant guard below still applies, but is added once per organisation instead of per call."""
    return statement.execution_options(koepel_prebuilt=True)


_install_tenant_guard()
