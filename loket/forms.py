"""Forms of the loket staff screens (Flask-WTF: CSRF, server-side validation)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    EmailField,
    PasswordField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Email, Length, Optional, Regexp

from loket.registrations import PRIORITY_FLAGS, WEEKDAYS

DAY_LABELS = {"mon": _l("maandag"), "tue": _l("dinsdag"), "wed": _l("woensdag"), "thu": _l("donderdag"),
              "fri": _l("vrijdag"), "sat": _l("zaterdag"), "sun": _l("zondag")}
PART_LABELS = {"full": _l("volledige dag"), "morning": _l("voormiddag"), "afternoon": _l("namiddag")}
FLAG_LABELS = {"work": _l("werk of opleiding"), "single_parent": _l("alleenstaande ouder"),
               "low_income": _l("laag inkomen"), "foster_child": _l("pleegkind"),
               "sibling_in_care": _l("broer of zus in de opvang"), "care_need": _l("zorgnood"),
               "low_education": _l("laaggeschoold"), "family_member_handicap": _l("gezinslid met een handicap"),
               "social_pedagogical": _l("sociaal-pedagogische reden")}


class LoginForm(FlaskForm):
    email = EmailField(_l("E-mailadres"), validators=[DataRequired(), Email()])
    password = PasswordField(_l("Wachtwoord"), validators=[DataRequired()])


class RegistrationForm(FlaskForm):
    applicant_first_name = StringField(_l("Voornaam ouder"), validators=[DataRequired(), Length(max=100)])
    applicant_last_name = StringField(_l("Familienaam ouder"), validators=[DataRequired(), Length(max=100)])
    email = EmailField(_l("E-mailadres"), validators=[DataRequired(), Email(), Length(max=254)])
    phone = StringField(_l("Telefoon"), validators=[Optional(), Length(max=40)])
    street = StringField(_l("Straat en nummer"), validators=[Optional(), Length(max=200)])
    postcode = StringField(_l("Postcode"), validators=[Optional(), Regexp(r"^[0-9]{4}$")])
    municipality = StringField(_l("Gemeente"), validators=[Optional(), Length(max=100)])
    language = SelectField(_l("Taal"), choices=[("nl", "Nederlands"), ("fr", "Français"), ("en", "English")])
    child_first_name = StringField(_l("Voornaam kind"), validators=[Optional(), Length(max=100)])
    child_last_name = StringField(_l("Familienaam kind"), validators=[DataRequired(), Length(max=100)])
    date_of_birth = DateField(_l("Geboortedatum"), validators=[Optional()])
    expected_birth_date = DateField(_l("Verwachte geboortedatum"), validators=[Optional()])
    desired_start = DateField(_l("Gewenste startdatum"), validators=[DataRequired()])
    preference_1 = SelectField(_l("Eerste keuze"), coerce=int, validators=[DataRequired()])
    preference_2 = SelectField(_l("Tweede keuze"), coerce=int, validators=[Optional()])
    preference_3 = SelectField(_l("Derde keuze"), coerce=int, validators=[Optional()])
    days = SelectMultipleField(_l("Dagen"), choices=[(d, DAY_LABELS[d]) for d in WEEKDAYS[:5]])
    day_part = SelectField(_l("Dagdeel"), choices=list(PART_LABELS.items()))
    priority_flags = SelectMultipleField(_l("Voorrang"), choices=list(FLAG_LABELS.items()),
                                         validators=[Optional()])
    urgent = BooleanField(_l("Dringend"))
    urgency_reason = TextAreaField(_l("Reden van de dringendheid"), validators=[Optional(), Length(max=500)])

    def location_ids(self) -> list[int]:
        picked = [self.preference_1.data, self.preference_2.data, self.preference_3.data]
        return [p for p in picked if p]


assert set(FLAG_LABELS) == set(PRIORITY_FLAGS)
