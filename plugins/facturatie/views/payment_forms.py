"""WTForms forms of the payments screens (field-level checks only; the rules live in the
services, whose BillingError messages the views attach to the fields)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import MultipleFileField
from wtforms import BooleanField, DateField, DecimalField, IntegerField, SelectField, StringField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

REQUIRED = _l("Dit veld is verplicht.")


class MandateForm(FlaskForm):
    reference = StringField(_l("Mandaatreferentie"), validators=[DataRequired(REQUIRED), Length(max=35)])
    contact_id = SelectField(_l("Schuldenaar"), coerce=int, validators=[Optional()])
    debtor_name = StringField(_l("Naam rekeninghouder"), validators=[DataRequired(REQUIRED), Length(max=70)])
    iban = StringField(_l("IBAN"), validators=[DataRequired(REQUIRED), Length(max=42)])
    bic = StringField(_l("BIC"), validators=[Optional(), Length(max=11)])
    signed_on = DateField(_l("Datum van ondertekening"), validators=[Optional()])


class AmendForm(FlaskForm):
    reference = StringField(_l("Mandaatreferentie"), validators=[Optional(), Length(max=35)])
    debtor_name = StringField(_l("Naam rekeninghouder"), validators=[DataRequired(REQUIRED), Length(max=70)])
    iban = StringField(_l("IBAN"), validators=[DataRequired(REQUIRED), Length(max=42)])
    bic = StringField(_l("BIC"), validators=[Optional(), Length(max=11)])
    reason = StringField(_l("Reden van de wijziging"), validators=[Optional(), Length(max=200)])


class CollectionForm(FlaskForm):
    collection_date = DateField(_l("Inningsdatum"), validators=[DataRequired(REQUIRED)])


class UploadForm(FlaskForm):
    files = MultipleFileField(_l("CODA-bestanden"))


class MatchForm(FlaskForm):
    invoice_id = IntegerField(_l("Factuur"), validators=[DataRequired(REQUIRED)])


class CashForm(FlaskForm):
    invoice_id = SelectField(_l("Factuur"), coerce=int, validators=[DataRequired(REQUIRED)])
    amount = DecimalField(_l("Bedrag (€)"), places=2, validators=[DataRequired(REQUIRED),
                                                                  NumberRange(min=0.01, max=100000)])
    received_on = DateField(_l("Ontvangen op"), validators=[DataRequired(REQUIRED)])


class MethodForm(FlaskForm):
    payment_method = SelectField(_l("Betaalwijze"), choices=[("transfer", _l("overschrijving met gestructureerde "
                                                                             "mededeling")),
                                                             ("direct_debit", _l("SEPA-domiciliëring (met mandaat)")),
                                                             ("cash", _l("contant, met ontvangstbewijs"))])
    reminders_stopped = BooleanField(_l("Geen betalingsherinneringen sturen"))


class HandicapForm(FlaskForm):
    child_id = IntegerField(validators=[DataRequired(REQUIRED)])
    severe_handicap = BooleanField(_l("Ernstige handicap (attest tot 21 jaar)"))
