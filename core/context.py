"""One TenantContext for a web request, a job and a CLI command.

Everything a service needs to act for one organisation travels in one object: the database
session, the organisation, the clock (``today``/``now``), the modules the organisation has
enabled with the hook relay that reaches only those, the per-organisation settings (definitions
collected once at start-up, values read once per context) and the language. A month's invoice
run in the job worker, a loket call and a web request therefore see exactly the same things.

Built in one place (:func:`build_context`): by the tenant blueprints for a request
(:func:`current_context`), by the job worker for a job with an organisation, by CLI commands.
New services and every ``plugins.<name>.api`` function take it as their first parameter.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from flask import current_app, g, has_request_context
from sqlalchemy import select
from sqlalchemy.orm import Session

from core.clock import Clock, app_clock
from core.models import Organisation, OrganisationModule, OrganisationSetting

DEFAULT_LOCALE = "nl"


class UnknownSetting(KeyError):
    """A setting key no installed module defines (a programming error, not bad user input)."""


@dataclass(eq=False)
class TenantContext:
    """What a service may know about where and when it runs. Cheap to build; one per request,
    job run or command. Not shared between threads."""

    session: Session
    org: Organisation
    clock: Clock
    modules: frozenset[str]
    locale: str = DEFAULT_LOCALE
    user: Any = None
    device: Any = None  # the paired device a tablet request authenticated with (aanwezigheden)
    _settings: dict[str, Any] | None = field(default=None, repr=False)
    _hook: Any = field(default=None, repr=False)

    # --- time -------------------------------------------------------------------------------
    def today(self) -> date:
        """Today's care date in Brussels, from the context's clock (tests freeze it)."""
        return self.clock.today()

    def now(self) -> datetime:
        """The current moment, timezone-aware UTC, from the context's clock."""
        return self.clock.now()

    # --- modules and hooks ------------------------------------------------------------------
    def is_enabled(self, module: str) -> bool:
        return module in self.modules

    @property
    def hook(self):
        """``ctx.hook.<name>(**kwargs)`` calls only the implementations of core and the modules
        enabled for this organisation, in the plugin manager's order."""
        if self._hook is None:
            from core.tenancy import hook_relay

            self._hook = _FiringRelay(self, hook_relay(self.modules))
        return self._hook

    def reload_modules(self) -> None:
        """Re-read the enabled modules after enabling or disabling one in this transaction."""
        self.modules = read_modules(self.session, self.org.id)
        self._hook = None

    # --- settings ---------------------------------------------------------------------------
    @property
    def settings(self) -> Mapping[str, Any]:
        """Every setting of the organisation: documented defaults overlaid with its overrides,
        read with one query the first time it is asked for."""
        if self._settings is None:
            values = {key: d.default for key, d in setting_definitions().items()}
            rows = self.session.execute(
                select(OrganisationSetting.key, OrganisationSetting.value).where(
                    OrganisationSetting.organisation_id == self.org.id
                )
            )
            values.update({key: value for key, value in rows if value is not None and key in values})
            self._settings = values
        return self._settings

    def setting(self, key: str) -> Any:
        try:
            return self.settings[key]
        except KeyError:
            raise UnknownSetting(key) from None

    def prime_settings(self, overrides: Mapping[str, Any]) -> None:
        """Fill the settings from overrides read together with something else (hot paths such
        as the tablet tap read them in the same round trip as the organisation)."""
        values = {key: d.default for key, d in setting_definitions().items()}
        values.update({k: v for k, v in overrides.items() if v is not None and k in values})
        self._settings = values

    def forget_settings(self) -> None:
        """After a setting was written in this context: the next read sees the new value."""
        self._settings = None


_FIRING: ContextVar[TenantContext | None] = ContextVar("koepel_firing_context", default=None)


class _FiringRelay:
    """The hook relay of a context: while a hook runs, ``firing_context()`` is that context, so
    an event listener works in the transaction (session) and with the clock of the code that
    fired the event, also where two sessions exist side by side (tests, side sessions)."""

    __slots__ = ("_ctx", "_relay")

    def __init__(self, ctx: TenantContext, relay) -> None:
        self._ctx, self._relay = ctx, relay

    def __getattr__(self, name: str):
        caller = getattr(self._relay, name)

        def call(*args, **kwargs):
            token = _FIRING.set(self._ctx)
            try:
                return caller(*args, **kwargs)
            finally:
                _FIRING.reset(token)

        return call


def firing_context(org_id: int | None = None) -> TenantContext | None:
    """In a hook implementation: the context whose ``ctx.hook`` called it (None outside a hook
    call, or when it belongs to another organisation than ``org_id``)."""
    ctx = _FIRING.get()
    if ctx is None or (org_id is not None and ctx.org.id != org_id):
        return None
    return ctx


def setting_definitions() -> dict:
    """The setting definitions of core and every installed module, collected once at start-up
    (``create_app``) and kept on the app."""
    return current_app.extensions["koepel_setting_definitions"]


def installed_modules() -> frozenset[str]:
    return frozenset(current_app.extensions["koepel_plugins"].infos)


def read_modules(session: Session, org_id: int) -> frozenset[str]:
    rows = session.scalars(
        select(OrganisationModule.module).where(OrganisationModule.organisation_id == org_id)
    )
    return frozenset(rows) & installed_modules()


def build_context(session: Session, org: Organisation, *, modules: Iterable[str | None] | None = None,
                  clock: Clock | None = None, locale: str | None = None, user: Any = None) -> TenantContext:
    """The one way to make a TenantContext. ``modules``: the enabled module names when they were
    already read with the organisation (else one query); ``clock``: the app's clock unless a
    job or test runs "as of" another moment; ``locale``: the language messages and documents
    for this context are rendered in (default Dutch)."""
    enabled = (
        read_modules(session, org.id) if modules is None
        else frozenset(m for m in modules if m is not None) & installed_modules()
    )
    return TenantContext(session=session, org=org, clock=clock or app_clock(), modules=enabled,
                         locale=locale or DEFAULT_LOCALE, user=user)


def request_locale() -> str:
    from flask_babel import get_locale

    locale = get_locale()
    return str(locale.language) if locale is not None else DEFAULT_LOCALE


def set_request_context(org: Organisation, modules: Iterable[str | None] | None = None) -> TenantContext:
    """Called by the tenant blueprints once the organisation of the URL is known: the request's
    context, kept on ``g`` for the rest of the request."""
    from flask_login import current_user

    from core.db import session

    ctx = build_context(session(), org, modules=modules, locale=request_locale(), user=current_user)
    g.koepel_ctx = ctx
    g.org = org
    return ctx


def current_context() -> TenantContext:
    """The context of the current request (views under ``/o/<org>``)."""
    ctx = g.get("koepel_ctx") if has_request_context() else None
    if ctx is None:
        raise RuntimeError("no TenantContext: not inside an organisation's request")
    return ctx


def context_for(session: Session, org: Organisation, **kwargs) -> TenantContext:
    """The context for ``org``: the request's own when the request is for that organisation
    (so its cached modules and settings are reused), else a new one (jobs, CLI, koepel-wide
    pages looping over partners)."""
    ctx = g.get("koepel_ctx") if has_request_context() else None
    if ctx is not None and ctx.org.id == org.id and ctx.session is session and not kwargs:
        return ctx
    return build_context(session, org, **kwargs)


def context_for_org_id(session: Session, org_id: int, **kwargs) -> TenantContext:
    """Jobs and commands that know only the organisation's id."""
    org = session.get(Organisation, org_id)
    if org is None:
        raise LookupError(f"organisation {org_id} does not exist")
    return build_context(session, org, **kwargs)


def context_for_slug(session: Session, slug: str, **kwargs) -> TenantContext | None:
    """CLI commands given an organisation's slug: its context, or None when there is none."""
    org = session.scalar(select(Organisation).where(Organisation.slug == slug))
    return build_context(session, org, **kwargs) if org is not None else None


def context_for_job(session: Session, job, **kwargs) -> TenantContext | None:
    """A job handler's context: the organisation the job was queued for (``job.organisation_id``),
    with its modules, settings and the app's clock, as a request for it would see them; None for
    a koepel-wide job."""
    if job.organisation_id is None:
        return None
    return context_for_org_id(session, job.organisation_id, **kwargs)
