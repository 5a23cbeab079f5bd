"""Forms of the loket_sync module."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import PasswordField, SelectField, StringField
from wtforms.validators import Length, Optional


class ConnectionForm(FlaskForm):
    """The loket's address and credentials; the secret is write-only (empty keeps the stored one)."""

    adapter = SelectField(_l("Uitwisseling"), choices=[("http", _l("Loket-API (ondertekend)")),
                                                       ("excel", _l("Excel-bestand"))])
    base_url = StringField(_l("Adres van het loket"), validators=[Optional(), Length(max=300)])
    partner_id = StringField(_l("Partner-id bij het loket"), validators=[Optional(), Length(max=40)])
    key_id = StringField(_l("Sleutel-id"), validators=[Optional(), Length(max=200)])
    secret = PasswordField(_l("Geheim"), validators=[Optional(), Length(max=500)])
