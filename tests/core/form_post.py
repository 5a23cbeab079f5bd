"""Posts a walked form with changed valid values and says which stored values to read back.

Each field saved in a plain column gets a new value: a checkbox is toggled, a select or radio
takes another option, a date moves a day, a number or a numeric text goes up by one, a text
becomes a sample value (a valid one for fields whose format is checked). Fields it cannot change
(hidden, files, passwords, multi-selects) are posted as shown."""
from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta
from decimal import Decimal, InvalidOperation

from sqlalchemy import Boolean, Date, DateTime, Enum, Integer, Numeric, String, Text, Time
from sqlalchemy import inspect as sa_inspect
from werkzeug.datastructures import MultiDict

from tests.core.form_walk import Form, field_key

# Valid values for fields whose format is checked (by field name as shown, digits as ``#``).
SAMPLES = {
    "postcode": "8501", "email": "gewijzigd@example.be", "invoice_email": "factuur@example.be",
    "phone": "+32 470 99 88 77", "iban": "BE71096123456769", "bic": "GKCCBEBB",
    "company_vat": "BE0403170701", "share_#": "50", "kindcode": "130101-010-02", "household_#": "130101-010-02",
    "sepa_creditor_id": "BE11ZZZ0403170701", "opgroeien_file_no": "123456789", "licensed_places": "7",
    # dates a form requires but shows empty
    "day": "2026-11-23", "valid_from": "2026-01-01", "collection_date": "2026-12-01", "occurred_on": "2026-11-16", "date_of_birth": "2025-06-01", "child_birth_date": "2026-06-01",
    "start_date": "2026-11-16", "end_date": "2026-12-08", "time": "09:00", "desired_start": "2027-02-01",
}
# Fields posted as shown (endpoint, key; ``*`` for any endpoint), each with why.
KEEP = {
    ("planning.new_plan", "location_id"): "the living group shown must belong to it",
    ("*", "alternating"): "a second week would have to be filled in",
    ("*", "week_b-days-#-kind"): "the second week counts only for alternating plans (alternating is kept)",
    ("facturatie.payments_match", "invoice_id"): "the invoice the matcher proposes (another one would not match)",
    ("planning.new_plan", "living_group_id"): "a group of the child's location",
    ("planning.new_plan", "own_child"): "only in gezinsopvang (the walked child's location is a group)",
    ("*", "schedule"): "a list of days with their parts (ScheduleDay rows), not one date",
    ("*", "sepa_creditor_id"): "must match the enterprise number",
    ("facturatie.child_tariffs_post", "family_id"): "one of the child's own households",
}
# The button pressed, where the first one would need more than the form (accepting a refused
# registration needs the child still registered there; dismissing keeps the reason just the same).
BUTTONS = {"aanwezigheden.rejected": ("decision", "dismiss")}
# Confirmation checkboxes, ticked as a user does after reading the warnings they stand for.
CONFIRM = {"confirm"}
# Dates that may not lie in the future (a signature): moved back, the others forward.
PAST = {"signed_on"}
# Repeated fields whose values must differ (the waiting list's choices of location).
DISTINCT = {"choice_#"}
_serial = iter(range(10, 10**6))


def _with_check(digits: str, width: int) -> str:
    """A Belgian number (national number, enterprise number) with its mod-97 check digits."""
    return f"{digits}{97 - int(digits) % 97:0{width}d}"


def unique_sample(key: str) -> str | None:
    """Values that must be unique per row: a new valid one on every call."""
    n = next(_serial)
    if key == "national_number":
        return _with_check(f"850730{n:03d}", 2)
    if key in ("enterprise_number", "company_kbo"):
        return _with_check(f"0403{n:04d}", 2)
    return None


def column_of(models: dict[str, type], fate: str):
    """The mapped column a fate names, or None (read-only, a relationship, a computed value)."""
    if fate is None or fate.startswith("read-only:"):
        return None  # no entry: the walk test reports it
    model_name, attribute = fate.split(".")
    model = models[model_name]
    props = sa_inspect(model).column_attrs
    if attribute not in props:
        return None
    return getattr(model, attribute)


def to_stored(column, text: str | None):
    """The value the column holds after ``text`` was posted (a checkbox: None when unchecked)."""
    kind = column.type
    if isinstance(kind, Boolean):
        return text is not None
    if text is None or text == "":
        return None
    if isinstance(kind, Enum) and kind.enum_class is not None:
        try:
            return kind.enum_class(text)
        except ValueError:
            return None  # an option the service maps (e.g. "auto"): read back through the page
    if isinstance(kind, DateTime):
        return None  # combined from several fields: read back through the page
    if isinstance(kind, Date):
        return date.fromisoformat(text)
    if isinstance(kind, Time):
        return time.fromisoformat(text)
    if isinstance(kind, Integer):
        return int(text)
    if isinstance(kind, Numeric):
        try:
            return Decimal(text.replace(",", "."))
        except InvalidOperation as exc:
            raise ValueError(text) from exc
    if isinstance(kind, (String, Text)):
        return text.strip()
    return None


def _number_plus_one(text: str) -> str | None:
    try:
        value = Decimal(text.replace(",", "."))
    except InvalidOperation:
        return None
    return str(value + 1)


def new_value(form: Form, name: str, column, taken: set[tuple[str, str]]) -> str | None:
    """A changed valid value for the field, ``None`` to uncheck a checkbox, ``...`` to keep it.
    ``taken``: (key, value) already chosen for a repeated field (``choice_#`` must differ)."""
    kind, shown = form.kinds[name], form.fields[name]
    key = field_key(name)
    if (form.endpoint, key) in KEEP or ("*", key) in KEEP:
        return ...
    options = [o for o in form.options.get(name, []) if o not in shown and o != ""]
    current = shown[0] if shown else ""
    if kind in ("hidden", "file", "password") or len(shown) > 1:
        return ...
    if kind == "checkbox":
        if len(form.options[name]) > 1:
            return ...
        return None if shown else form.options[name][0]
    if kind in ("select", "radio"):
        options = [o for o in options if o != "0" and (key not in DISTINCT or (key, o) not in taken)]  # "0": none
        first_row = re.search(r"(^|\D)[01](\D|$)", name)  # day_0, week_a-days-0-kind, choice_1
        if not options or ("#" in key and not current and not first_row):  # other unused rows stay so
            return ...
        taken.add((key, options[0]))
        return options[0]
    if kind == "date":
        if not current:
            return SAMPLES.get(key, ...)
        shift = timedelta(days=-7 if key in PAST else 7)  # a week: stays a working day
        return (date.fromisoformat(current) + shift).isoformat()
    if kind == "time":
        return (datetime.combine(date.today(), time.fromisoformat(current)) + timedelta(hours=1)).strftime("%H:%M") \
            if current else SAMPLES.get(key, ...)
    unique = unique_sample(key)
    if unique:
        return unique
    if key in SAMPLES:
        return SAMPLES[key] if SAMPLES[key] != current else ...
    if current and _number_plus_one(current):
        return _number_plus_one(current)
    if kind == "number" or isinstance(column.type, (Integer, Numeric)):
        return "3"
    if isinstance(column.type, Date):
        return SAMPLES.get(key, "2026-12-01")
    return f"Proef {key}"[:30]


def post_data(form: Form, changes: dict[str, str | None], fates: dict[str, str]) -> MultiDict:
    data = MultiDict()
    for name, shown in form.fields.items():
        if name in changes:
            if changes[name] is not None:
                data.add(name, changes[name])
        else:
            for value in shown:
                data.add(name, value)
    for name in CONFIRM:  # shown only once a warning was given
        if name in fates and name not in data:
            data.add(name, "y")
    button = BUTTONS.get(form.endpoint, form.button)
    if button:
        data.add(*button)
    return data
