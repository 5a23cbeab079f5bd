"""The module's per-organisation settings read in one query per request (the tablet API is hot)."""
from __future__ import annotations

from flask import current_app, g, has_request_context
from sqlalchemy import select
from sqlalchemy.orm import Session

from core.models import Organisation, OrganisationSetting
from core.settings import definitions

PREFIX = "aanwezigheden."


def _defaults() -> dict:
    """The documented defaults of this module's settings, collected once per app (the hook that
    declares them runs at every call of ``core.settings.definitions``)."""
    cached = current_app.extensions.get("aanwezigheden_setting_defaults")
    if cached is None:
        cached = {k: d.default for k, d in definitions().items() if k.startswith(PREFIX)}
        current_app.extensions["aanwezigheden_setting_defaults"] = cached
    return cached


def module_settings(session: Session, org: Organisation) -> dict:
    """Every ``aanwezigheden.*`` setting of ``org`` (overrides over the documented defaults)."""
    cache = g.setdefault("_aanwezigheden_settings", {}) if has_request_context() else {}
    if org.id not in cache:
        values = dict(_defaults())
        rows = session.execute(select(OrganisationSetting.key, OrganisationSetting.value).where(
            OrganisationSetting.organisation_id == org.id, OrganisationSetting.key.startswith(PREFIX)))
        values.update({key: value for key, value in rows if value is not None})
        cache[org.id] = values
    return cache[org.id]


def prime(org: Organisation, overrides: dict) -> None:
    """Fill the request cache from overrides loaded together with something else."""
    if not has_request_context():
        return
    values = dict(_defaults())
    values.update({k: v for k, v in overrides.items() if v is not None})
    g.setdefault("_aanwezigheden_settings", {})[org.id] = values


def setting(session: Session, org: Organisation, name: str):
    return module_settings(session, org)[PREFIX + name]
