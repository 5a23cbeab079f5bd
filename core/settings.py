"""Per-organisation settings: documented defaults from the modules, overrides in the database."""
from __future__ import annotations

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import Session

from core.models import Organisation, OrganisationSetting
from core.plugins import SettingDefinition


def definitions() -> dict[str, SettingDefinition]:
    pm = current_app.extensions["koepel_plugins"]
    found: dict[str, SettingDefinition] = {}
    for chunk in pm.hook.setting_definitions():
        for definition in chunk or []:
            if definition.key in found:
                raise RuntimeError(f"setting {definition.key} defined twice")
            found[definition.key] = definition
    return found


def get_setting(session: Session, org: Organisation, key: str):
    definition = definitions()[key]
    value = session.scalar(
        select(OrganisationSetting.value).where(
            OrganisationSetting.organisation_id == org.id, OrganisationSetting.key == key
        )
    )
    return definition.default if value is None else value


def set_setting(session: Session, org: Organisation, key: str, value) -> None:
    if key not in definitions():
        raise KeyError(key)
    row = session.scalar(
        select(OrganisationSetting).where(
            OrganisationSetting.organisation_id == org.id, OrganisationSetting.key == key
        )
    )
    if row is None:
        session.add(OrganisationSetting(organisation_id=org.id, key=key, value=value))
    else:
        row.value = value
    session.flush()
