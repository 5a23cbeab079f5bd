"""Per-organisation settings: documented defaults from the modules, overrides in the database."""
from __future__ import annotations

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session

from core.models import Organisation, OrganisationSetting
from core.plugins import SettingDefinition


def collect_setting_definitions(pm) -> dict[str, SettingDefinition]:
    """Ask core and every installed module for their settings, once at start-up."""
    found: dict[str, SettingDefinition] = {}
    for chunk in pm.hook.setting_definitions():
        for definition in chunk or []:
            if definition.key in found:
                raise RuntimeError(f"setting {definition.key} defined twice")
            found[definition.key] = definition
    return found


def definitions() -> dict[str, SettingDefinition]:
    """Every setting definition of the app (collected once by ``create_app``)."""
    return current_app.extensions["koepel_setting_definitions"]


def get_setting(session: Session, org: Organisation, key: str):
    """One setting of ``org`` (through its TenantContext: all values are read once)."""
    from core.context import context_for

    if key not in definitions():
        raise KeyError(key)
    return context_for(session, org).setting(key)


class SettingError(ValueError):
    """A value the setting does not allow; ``message`` is translated and shown as is."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def below_minimum(definition: SettingDefinition, value) -> str | None:
    """The translated refusal when ``value`` is under the setting's legal floor, else None."""
    if definition.minimum is None:
        return None
    try:
        number = int(value)
    except (TypeError, ValueError):
        return _("Geef een geheel getal.")
    if number < definition.minimum:
        return _("Minstens %(minimum)s: de wet laat een kortere termijn niet toe (een langere mag).",
                 minimum=definition.minimum)
    return None


def set_setting(session: Session, org: Organisation, key: str, value) -> None:
    """Store one setting of ``org``; a value below a legal floor raises SettingError, nothing is written."""
    if key not in definitions():
        raise KeyError(key)
    refusal = below_minimum(definitions()[key], value)
    if refusal:
        raise SettingError(refusal)
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
    from core.context import context_for

    context_for(session, org).forget_settings()
