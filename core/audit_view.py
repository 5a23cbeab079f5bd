"""The audit page's rows in the reader's words.

Every field by its label, every value by its label (enums, Ja/Nee, dates), a foreign key by the name
of what it points to. The names are loaded per page in one statement per kind of thing pointed to
(child, family, location...), never per entry. A model names its rows for others with
``__audit_name__`` (the columns that make its name, e.g. ``("first_name", "last_name")``).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from core.audit import REGISTER_SUMMARY, SECRET_FIELDS
from core.labels import HIDDEN_FIELDS, field_label, model_for, value_label

ACTIONS = {"create": _l("aangemaakt"), "update": _l("gewijzigd"), "delete": _l("verwijderd"),
           "view": _l("geopend"), "erase": _l("gewist (bewaartermijn)")}
# entries about no single row
ENTITIES = {"retention": _l("Bewaartermijn")}
# what ``record_view`` says was opened
OPENED = {"dossier": _l("dossier"), "rijksregisternummer": _l("rijksregisternummer"),
          "opvangvraag": _l("opvangvraag"), "export": _l("export")}

@dataclass
class Change:
    label: str
    old: str | None = None
    new: str | None = None
    text: str | None = None  # a change without values ("gewijzigd") or a single value


@dataclass
class Row:
    entry: Any
    action: str
    what: str
    summary: str
    changes: list[Change] = field(default_factory=list)


def _targets(model) -> dict[str, type]:
    """column -> the model its foreign key points to."""
    if model is None:
        return {}
    result = {}
    for column in model.__table__.columns:
        for fk in column.foreign_keys:
            target = model_for(fk.column.table.name)
            if target is not None:
                result[column.key] = target
    return result


def _summary_values(model, summary: str) -> dict[str, Any] | None:
    """The values a model's ``__audit_summary__`` names, read back from the stored summary: three
    fields for a register row (see ``register_summary``), one for a summary that starts with a kind,
    none when the changes say it all."""
    fields = getattr(model, "__audit_summary__", None)
    if fields is not None and len(fields) < 3:
        first = (summary or "").split(" ", 1)[0]
        return {fields[0]: first} if fields and first else {}
    match = REGISTER_SUMMARY.match(summary or "") if fields else None
    if not match:
        return None
    kind, child_id, day = match.groups()
    values = {fields[1]: int(child_id), fields[2]: day}
    if kind and str(kind) in getattr(model, "__audit_values__", {}).get(fields[0], {}):
        values[fields[0]] = kind
    return values


def _references(entries) -> dict[type, set[int]]:
    wanted: dict[type, set[int]] = {}
    for entry in entries:
        model = model_for(entry.entity)
        targets = _targets(model)
        values: list[tuple[str, Any]] = []
        for key, value in (entry.changes or {}).items():
            pair = value if isinstance(value, list) and len(value) == 2 else [value]
            values.extend((key, v) for v in pair)
        values.extend((_summary_values(model, entry.summary) or {}).items())
        for key, value in values:
            if key in targets and isinstance(value, int) and not isinstance(value, bool):
                wanted.setdefault(targets[key], set()).add(value)
    return wanted


def load_names(session: Session, entries, organisation_id: int | None) -> dict[tuple[str, int], str]:
    """(table, id) -> name, for every foreign key the entries mention: one statement per model."""
    names: dict[tuple[str, int], str] = {}
    for model, ids in _references(entries).items():
        columns = getattr(model, "__audit_name__", None)
        if not columns:
            continue
        stmt = select(model.id, *(getattr(model, c) for c in columns)).where(model.id.in_(ids))
        if organisation_id is not None and "organisation_id" in model.__table__.columns:
            stmt = stmt.where(model.organisation_id == organisation_id)
        for row in session.execute(stmt):
            names[(model.__tablename__, row[0])] = " ".join(str(v) for v in row[1:] if v) or f"#{row[0]}"
    return names


def _value(model, key: str, value, targets, names, labels) -> str:
    target = targets.get(key)
    if target is not None and isinstance(value, int) and not isinstance(value, bool):
        name = names.get((target.__tablename__, value))
        if name is not None:
            return name
        return f"{labels.get(target.__tablename__, _('ander gegeven'))} #{value}"
    return value_label(key, value, model.__tablename__ if model is not None else None)


def audit_rows(session: Session, entries, organisation_id: int | None, labels: dict[str, str]) -> list[Row]:
    names = load_names(session, entries, organisation_id)
    rows = []
    for entry in entries:
        model = model_for(entry.entity)
        entity = entry.entity
        targets = _targets(model)
        summary = "" if entry.entity == "retention" else entry.summary  # Dutch; the changes say it
        parsed = _summary_values(model, entry.summary)
        if parsed is not None:
            summary = " · ".join(_value(model, k, parsed[k], targets, names, labels)
                                 for k in model.__audit_summary__ if k in parsed)
        row = Row(entry, str(ACTIONS.get(entry.action, _("gewijzigd"))),
                  labels.get(entry.entity) or str(ENTITIES.get(entry.entity, _("ander gegeven"))), summary)
        for key, value in (entry.changes or {}).items():
            if key in HIDDEN_FIELDS:
                continue
            label = field_label(key, entity)
            if key == "opened":
                row.changes.append(Change(label, text=str(OPENED.get(value, _("dossier")))))
            elif key in SECRET_FIELDS:
                row.changes.append(Change(label, text=_("gewijzigd")))
            elif isinstance(value, list) and len(value) == 2:
                if all(v in (None, "", []) for v in value):
                    continue  # nothing before, nothing after (an empty field of a new row)
                if key == "organisation_id" and all(v in (None, organisation_id) for v in value):
                    continue  # the organisation whose log this is
                row.changes.append(Change(label, _value(model, key, value[0], targets, names, labels),
                                          _value(model, key, value[1], targets, names, labels)))
            else:
                row.changes.append(Change(label, text=_value(model, key, value, targets, names, labels)))
        rows.append(row)
    return rows
