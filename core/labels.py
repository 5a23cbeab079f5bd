"""Words for what the database stores: field names, enum values, yes/no and dates, in the reader's
language. Screens that show stored values generically (the audit log, the settings' defaults) go
through here so that no column name or enum value reaches a user.

Field labels and value labels are taken from the forms that edit those fields (one source of
truth: the label a user typed the value under), completed by ``EXTRA_FIELDS`` for columns that no
form shows.
"""
from __future__ import annotations

import re
from datetime import date, datetime
from functools import lru_cache

from flask_babel import format_date, format_datetime
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
    "family_id": _l("Gezin"),
    "child_id": _l("Kind"),
    "location_id": _l("Locatie"),
    "living_group_id": _l("Leefgroep"),
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
}
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
def _from_forms() -> tuple[dict, dict]:
    """field name -> label, and field name -> {stored value -> label}, from every form's fields
    (lazy strings: translated when shown)."""
    import wtforms

    import core.forms  # noqa: F401 - the core forms are always known

    labels: dict[str, object] = {}
    values: dict[str, dict[str, object]] = {}
    for cls in _form_classes():
        for name in dir(cls):
            unbound = getattr(cls, name, None)
            if not isinstance(unbound, wtforms.fields.core.UnboundField):
                continue
            label = unbound.kwargs.get("label") or (unbound.args[0] if unbound.args else None)
            if label and name not in labels:
                labels[name] = label
            choices = unbound.kwargs.get("choices")
            if isinstance(choices, list | tuple):
                table = values.setdefault(name, {})
                for choice in choices:
                    if isinstance(choice, tuple | list) and len(choice) == 2 and str(choice[0]):
                        table.setdefault(str(choice[0]), choice[1])
    return labels, values


def field_label(key: str) -> str:
    """The label of a stored field, e.g. 'first_name' -> 'Voornaam' (fr: 'Prénom')."""
    labels, _values = _from_forms()
    label = labels.get(key) or EXTRA_FIELDS.get(key)
    return str(label) if label is not None else key.replace("_", " ")


def yes_no(value) -> str:
    return _("Ja") if value else _("Nee")


def value_label(key: str, value) -> str:
    """A stored value in words: Ja/Nee, a date as dd/mm/yyyy, an enum value by its form label."""
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
        _labels, values = _from_forms()
        known = values.get(key, {}).get(value)
        if known is not None:
            return str(known)
    if isinstance(value, list | tuple):
        return ", ".join(value_label(key, v) for v in value)
    return str(value)
