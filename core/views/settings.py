"""Per-organisation settings of core and the enabled modules, with their documented defaults."""
from __future__ import annotations

from decimal import Decimal, InvalidOperation

from flask import flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_wtf import FlaskForm

from core.db import session
from core.models import Role
from core.security import Action, TenantBlueprint, requires
from core.settings import below_minimum, definitions, get_setting, set_setting
from core.tenancy import enabled_modules

bp = TenantBlueprint("settings", __name__, url_prefix="/settings")
SETTINGS_EDIT = Action("settings.edit", frozenset({Role.COORDINATOR, Role.DIRECTOR}))


def visible_definitions(org):
    enabled = enabled_modules(session(), org) | {"core"}
    return [d for key, d in sorted(definitions().items()) if key.split(".", 1)[0] in enabled]


def setting_words(definition, value) -> str:
    """A setting's value as the reader says it: Ja/Nee, the choice's label, '(leeg)' for nothing."""
    from core.labels import yes_no

    if definition.type == "bool":
        return yes_no(value)
    if definition.type == "choice":
        return str(dict(definition.choices).get(value, value))
    if value is None or str(value) == "":
        return _("(leeg)")
    return str(value)


def parse(definition, raw: str | None):
    """Turn submitted text into the setting's type; ValueError carries a Dutch message."""
    if definition.type == "bool":
        return raw == "on"
    raw = (raw or "").strip()
    if definition.type == "int":
        try:
            value = int(raw)
        except ValueError:
            raise ValueError(_("Geef een geheel getal.")) from None
        refusal = below_minimum(definition, value)
        if refusal:
            raise ValueError(refusal)
        return value
    if definition.type == "decimal":
        try:
            return str(Decimal(raw.replace(",", ".")))
        except InvalidOperation:
            raise ValueError(_("Geef een getal.")) from None
    if definition.type == "choice":
        if raw not in {value for value, _label in definition.choices}:
            raise ValueError(_("Kies een van de mogelijkheden."))
        return raw
    return raw


@bp.route("/", methods=["GET", "POST"])
@requires(SETTINGS_EDIT)
def index():
    org = g.org
    defs = visible_definitions(org)
    form = FlaskForm()
    errors: dict[str, str] = {}
    if request.method == "POST" and form.validate_on_submit():
        values = {}
        for definition in defs:
            try:
                values[definition.key] = parse(definition, request.form.get(definition.key))
            except ValueError as exc:
                errors[definition.key] = str(exc)
        if not errors:
            for key, value in values.items():
                if value != get_setting(session(), org, key):
                    set_setting(session(), org, key, value)
            flash(_("Instellingen bewaard."), "success")
            return redirect(url_for("settings.index"))
    current = {d.key: request.form.get(d.key, get_setting(session(), org, d.key)) if errors else get_setting(session(), org, d.key) for d in defs}
    return render_template("core/settings.html", org=org, defs=defs, current=current, errors=errors, form=form,
                           setting_words=setting_words), 422 if errors else 200
