"""Words for what the database stores: field names, enum values, yes/no and dates, in the reader's
language. Screens that show stored values generically (the audit log, the settings' defaults) go
through here so that no column name or enum value reaches a user.

Field labels: an audited model names its columns in ``__audit_fields__`` (column -> lazy label, the
one registry every plugin fills in, beside ``__audit_label__``); columns many models share
(``organisation_id``, ``child_id``, ``street``...) are named once in ``EXTRA_FIELDS``. Enum values:
the model's ``__audit_values__`` (column -> {stored value -> lazy label}), else the choices of the
forms that edit the field. A column nobody named is shown as "ander gegeven", never by its name.
"""
from __future__ import annotations

import re
from datetime import date, datetime
from functools import lru_cache

from flask_babel import format_date, format_datetime, ngettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from core.clock import to_local

EXTRA_FIELDS = {
    "password_hash": _l("Wachtwoord"),
    "active": _l("Actief"),
    "last_login_at": _l("Laatst aangemeld"),
    "status": _l("Status"),
    "settling_in_until": _l("Wenperiode tot en met"),
    "end_description": _l("Omschrijving van het einde"),
    "day_part": _l("Opvang"),
    "start_time": _l("Van"),
    "end_time": _l("Tot"),
    "decline_reason": _l("Reden van weigering"),
    "deadline": _l("Antwoord tegen"),
    "organisation_id": _l("Organisatie"),
    "koepel_id": _l("Koepel"),
    "family_id": _l("Gezin"),
    "child_id": _l("Kind"),
    "location_id": _l("Locatie"),
    "living_group_id": _l("Leefgroep"),
    "care_plan_id": _l("Opvangplan"),
    "weekday": _l("Weekdag"),
    "opens": _l("Opent om"),
    "closes": _l("Sluit om"),
    "value": _l("Waarde"),
    "key": _l("Instelling"),
    "module": _l("Module"),
    "rules": _l("Voorrangsregels"),
    "created_by_id": _l("Aangemaakt door"),
    "kind": _l("Soort"),
    "reason": _l("Reden"),
    "day": _l("Datum"),
    "start_date": _l("Begindatum"),
    "end_date": _l("Einddatum"),
    "name": _l("Naam"),
    "first_name": _l("Voornaam"),
    "last_name": _l("Familienaam"),
    "street": _l("Straat en nummer"),
    "postcode": _l("Postcode"),
    "municipality": _l("Gemeente"),
    "email": _l("E-mailadres"),
    "phone": _l("Telefoon"),
    "language": _l("Taal"),
    "notes": _l("Opmerkingen"),
    "note": _l("Opmerking"),
    "iban": _l("IBAN"),
    "bic": _l("BIC"),
    "amount": _l("Bedrag"),
    "year": _l("Jaar"),
    "month": _l("Maand"),
    "number": _l("Nummer"),
    "national_number": _l("Rijksregisternummer"),
    "expected_birth_date": _l("Verwachte geboortedatum"),
    "care_need": _l("Specifieke zorgbehoefte"),
    "opened": _l("Geopend"),
}
# audit entries about no single row (a retention run): their fields' names
UNMAPPED_FIELDS = {
    "retention": {"cutoff": _l("Gewist tot en met"), "children": _l("Kinderen"), "families": _l("Gezinnen"),
                  "contact_persons": _l("Contactpersonen"), "child_ids": _l("Kinderen"),
                  "family_ids": _l("Gezinnen"), "incidents": _l("Klachten en crisissituaties"),
                  "incident_ids": _l("Klachten en crisissituaties")},
}
# never shown, not even that they changed: technical mirrors of a secret
HIDDEN_FIELDS = {"national_number_hash", "token_hash", "offline_salt", "offline_hash", "offline_key",
                 "offline_iterations"}
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_ISO_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")


def _form_classes():
    import wtforms

    todo, seen = list(wtforms.Form.__subclasses__()), []
    while todo:
        cls = todo.pop()
        todo.extend(cls.__subclasses__())
        if cls.__module__.startswith(("core.", "plugins.")):
            seen.append(cls)
    return sorted(seen, key=lambda c: (c.__module__, c.__name__))


@lru_cache(maxsize=1)
def _choices_from_forms() -> dict[str, dict[str, object]]:
    """field name -> {stored value -> label}, from every form's choices (lazy strings: translated
    when shown)."""
    import wtforms

    import core.forms  # noqa: F401 - the core forms are always known

    values: dict[str, dict[str, object]] = {}
    for cls in _form_classes():
        for name in dir(cls):
            unbound = getattr(cls, name, None)
            if not isinstance(unbound, wtforms.fields.core.UnboundField):
                continue
            choices = unbound.kwargs.get("choices")
            if isinstance(choices, list | tuple):
                table = values.setdefault(name, {})
                for choice in choices:
                    if isinstance(choice, tuple | list) and len(choice) == 2 and str(choice[0]):
                        table.setdefault(str(choice[0]), choice[1])
    return values


def model_for(entity: str | None):
    """The mapped class of an audit entry's table name (None for a table no model maps)."""
    return _models().get(entity) if entity else None


@lru_cache(maxsize=1)
def _models() -> dict[str, type]:
    from core.db import Base

    return {m.class_.__tablename__: m.class_ for m in Base.registry.mappers}


def field_label(key: str, entity: str | None = None) -> str:
    """The label of a stored field, e.g. 'first_name' -> 'Voornaam' (fr: 'Prénom'): the entity's
    own ``__audit_fields__`` first, then the shared names. Never the column name itself."""
    own = getattr(model_for(entity), "__audit_fields__", None) or UNMAPPED_FIELDS.get(entity, {})
    label = own.get(key) or EXTRA_FIELDS.get(key)
    return str(label) if label is not None else _("ander gegeven")


def yes_no(value) -> str:
    return _("Ja") if value else _("Nee")


def value_label(key: str, value, entity: str | None = None) -> str:
    """A stored value in words: Ja/Nee, a date as dd/mm/yyyy, an enum value by the entity's
    ``__audit_values__`` (else by its form label), a list of day slots as "ma volle dag"."""
    if value is None or value == "":
        return "∅"
    if isinstance(value, bool):
        return yes_no(value)
    if isinstance(value, datetime):
        return format_datetime(to_local(value), "short")
    if isinstance(value, date):
        return format_date(value, "short")
    if isinstance(value, str):
        if _ISO_DATE.match(value):
            return format_date(date.fromisoformat(value), "short")
        if _ISO_DATETIME.match(value):
            try:
                return format_datetime(to_local(datetime.fromisoformat(value)), "short")
            except ValueError:
                return value
        known = enum_label(key, value, entity)
        if known is not None:
            return known
    if isinstance(value, dict) and "weekday" in value:
        return day_slot(value)
    if isinstance(value, list | tuple):
        if value and all(isinstance(v, list | tuple) for v in value):
            return ngettext("%(num)d regel", "%(num)d regels", len(value))  # a bulk entry's rows
        return ", ".join(value_label(key, v, entity) for v in value)
    if isinstance(value, dict):
        return ", ".join(f"{field_label(k, entity)}: {value_label(k, v, entity)}" for k, v in value.items())
    return str(value)


def enum_label(key: str, value: str, entity: str | None = None) -> str | None:
    own = getattr(model_for(entity), "__audit_values__", {}).get(key)
    if callable(own):
        return own(value)
    if own is not None:
        label = own.get(value)
        return None if label is None else str(label)
    label = _choices_from_forms().get(key, {}).get(value)
    return None if label is None else str(label)


DAY_PARTS = {"full": _l("volle dag"), "morning": _l("voormiddag"), "afternoon": _l("namiddag"),
             "hours": _l("uren")}


def day_slot(slot: dict) -> str:
    """{'weekday': 0, 'day_part': 'full'} -> 'ma volle dag' (fr 'lun. journée complète')."""
    from babel.dates import get_day_names
    from flask_babel import get_locale

    try:
        day = get_day_names("abbreviated", locale=get_locale())[int(slot["weekday"]) % 7]
    except (TypeError, ValueError):
        day = "?"
    part = slot.get("day_part") or slot.get("kind")
    return f"{day} {DAY_PARTS[part]}" if part in DAY_PARTS else str(day)
