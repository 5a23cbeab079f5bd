"""WTForms forms of the core pages. Field errors are Dutch (translated through Babel)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    EmailField,
    IntegerField,
    PasswordField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    TimeField,
)
from wtforms.validators import DataRequired, Email, Length, NumberRange, Optional, ValidationError

from core import validators as v
from core.clock import clock
from core.models import CareType, Language, PriceRegime, Role, SubsidyLevel

REQUIRED = _l("Dit veld is verplicht.")


class Normalised:
    """Run a ``core.validators.normalise_*`` function and keep its canonical result."""

    def __init__(self, fn):
        self.fn = fn

    def __call__(self, form, field):
        if not field.data:
            field.data = None
            return
        try:
            field.data = self.fn(field.data)
        except ValueError as exc:
            raise ValidationError(str(exc.args[0])) from exc


def blank_to_none(value):
    """An identifier left empty is NULL, not '' (enterprise_number is unique; '' would clash, and an
    empty national number would be encrypted and shown as registered)."""
    if isinstance(value, str):
        return value.strip() or None
    return value


class LoginForm(FlaskForm):
    email = StringField(_l("E-mailadres"), validators=[DataRequired(REQUIRED), Length(max=254)])
    password = PasswordField(_l("Wachtwoord"), validators=[DataRequired(REQUIRED)])


CARE_TYPES = [
    (CareType.GROEPSOPVANG.value, _l("Groepsopvang")),
    (CareType.GEZINSOPVANG.value, _l("Gezinsopvang")),
    (CareType.BUITENSCHOOLSE_OPVANG.value, _l("Buitenschoolse opvang")),
    (CareType.OPVANG_ZIEKE_KINDEREN.value, _l("Opvang zieke kinderen")),
]
PRICE_REGIMES = [
    (PriceRegime.INKOMENSTARIEF.value, _l("Inkomenstarief")),
    (PriceRegime.VRIJE_PRIJS.value, _l("Vrije prijs")),
]
SUBSIDY_LEVELS = [
    (SubsidyLevel.TRAP_0.value, _l("Trap 0: geen subsidie")),
    (SubsidyLevel.TRAP_1.value, _l("Trap 1: basissubsidie")),
    (SubsidyLevel.TRAP_2.value, _l("Trap 2: subsidie inkomenstarief")),
    (SubsidyLevel.TRAP_3.value, _l("Trap 3: plussubsidie")),
]
LANGUAGES = [(Language.NL.value, "Nederlands"), (Language.FR.value, "Français"), (Language.EN.value, "English")]
ROLES = [
    (Role.DIRECTOR.value, _l("Verantwoordelijke")),
    (Role.FINANCE.value, _l("Financiën")),
    (Role.CAREGIVER.value, _l("Begeleider / onthaalouder")),
]


class OrganisationForm(FlaskForm):
    name = StringField(_l("Naam"), validators=[DataRequired(REQUIRED), Length(max=200)])
    legal_form = StringField(_l("Rechtsvorm"), validators=[Optional(), Length(max=40)])
    enterprise_number = StringField(
        _l("Ondernemingsnummer"), validators=[Optional(), Normalised(v.normalise_enterprise_number)],
        filters=[blank_to_none],
    )
    street = StringField(_l("Straat en nummer"), validators=[Optional(), Length(max=200)])
    postcode = StringField(_l("Postcode"), validators=[Optional(), Length(max=10)])
    municipality = StringField(_l("Gemeente"), validators=[Optional(), Length(max=100)])
    iban = StringField(_l("IBAN"), validators=[Optional(), Normalised(v.normalise_iban)], filters=[blank_to_none])
    bic = StringField(_l("BIC"), validators=[Optional(), Normalised(v.normalise_bic)], filters=[blank_to_none])
    sepa_creditor_id = StringField(
        _l("SEPA-schuldeiseridentificatie"), validators=[Optional()], filters=[blank_to_none]
    )
    price_regime = SelectField(_l("Prijsregeling"), choices=PRICE_REGIMES)
    subsidy_level = SelectField(_l("Subsidietrap"), choices=SUBSIDY_LEVELS)

    def validate_sepa_creditor_id(self, field):
        if not field.data:
            field.data = None
            return
        enterprise = self.enterprise_number.data if not self.enterprise_number.errors else None
        try:
            field.data = v.normalise_creditor_id(field.data, enterprise)
        except ValueError as exc:
            raise ValidationError(str(exc.args[0])) from exc


WEEKDAYS = [_l("maandag"), _l("dinsdag"), _l("woensdag"), _l("donderdag"), _l("vrijdag"), _l("zaterdag"), _l("zondag")]


class LocationForm(FlaskForm):
    name = StringField(_l("Naam"), validators=[DataRequired(REQUIRED), Length(max=200)])
    care_type = SelectField(_l("Opvangvorm"), choices=CARE_TYPES)
    street = StringField(_l("Straat en nummer"), validators=[Optional(), Length(max=200)])
    postcode = StringField(_l("Postcode"), validators=[Optional(), Length(max=10)])
    municipality = StringField(_l("Gemeente"), validators=[Optional(), Length(max=100)])
    opgroeien_file_no = StringField(_l("Dossiernummer Opgroeien"), validators=[Optional(), Length(max=10)])
    licensed_places = IntegerField(
        _l("Vergunde kindplaatsen"),
        validators=[Optional(), NumberRange(min=0, max=500, message=_l("Tussen 0 en 500."))],
    )
    caregiver_name = StringField(_l("Onthaalouder (gezinsopvang)"), validators=[Optional(), Length(max=200)])
    flex_subsidy = BooleanField(_l("Subsidie flexibele opvang"))
    out_of_school_permission = BooleanField(_l("Mag buitenschoolse opvang registreren (BO)"))
    opens = TimeField(_l("Opent om"), validators=[Optional()])
    closes = TimeField(_l("Sluit om"), validators=[Optional()])
    weekdays = SelectMultipleField(
        _l("Open op"), choices=[(str(i), day) for i, day in enumerate(WEEKDAYS)], default=["0", "1", "2", "3", "4"]
    )

    def validate_opgroeien_file_no(self, field):
        if field.data and not (field.data.isdigit() and 9 <= len(field.data) <= 10):
            raise ValidationError(_l("Het dossiernummer telt 9 of 10 cijfers."))

    def validate_closes(self, field):
        if self.opens.data and field.data and field.data <= self.opens.data:
            raise ValidationError(_l("Het sluitingsuur moet na het openingsuur liggen."))

    def validate_licensed_places(self, field):
        if self.care_type.data == CareType.GEZINSOPVANG.value and field.data and field.data > 8:
            raise ValidationError(_l("Gezinsopvang heeft hoogstens 8 kindplaatsen."))


class FamilyForm(FlaskForm):
    name = StringField(_l("Naam van het gezin"), validators=[DataRequired(REQUIRED), Length(max=200)])
    street = StringField(_l("Straat en nummer"), validators=[Optional(), Length(max=200)])
    postcode = StringField(_l("Postcode"), validators=[Optional(), Length(max=10)])
    municipality = StringField(_l("Gemeente"), validators=[Optional(), Length(max=100)])
    notes = TextAreaField(_l("Opmerkingen"), validators=[Optional(), Length(max=2000)])


#: A contact's relation to the child: the stored key and its words (the family page shows the words).
RELATIONS = [("ouder", _l("ouder")), ("plusouder", _l("plusouder")), ("pleegouder", _l("pleegouder")),
             ("voogd", _l("voogd")), ("grootouder", _l("grootouder")), ("andere", _l("andere"))]


class ContactForm(FlaskForm):
    first_name = StringField(_l("Voornaam"), validators=[DataRequired(REQUIRED), Length(max=100)])
    last_name = StringField(_l("Familienaam"), validators=[DataRequired(REQUIRED), Length(max=100)])
    relation = SelectField(_l("Relatie"), choices=RELATIONS)
    email = EmailField(
        _l("E-mailadres"),
        validators=[Optional(), Email(message=_l("Ongeldig e-mailadres.")), Length(max=254)],
    )
    phone = StringField(_l("Telefoon"), validators=[Optional(), Length(max=40), Normalised(v.normalise_phone)],
                        filters=[blank_to_none])
    language = SelectField(_l("Taal"), choices=LANGUAGES)
    street = StringField(_l("Straat en nummer"), validators=[Optional(), Length(max=200)])
    postcode = StringField(_l("Postcode"), validators=[Optional(), Length(max=10)])
    municipality = StringField(_l("Gemeente"), validators=[Optional(), Length(max=100)])
    national_number = StringField(
        _l("Rijksregisternummer"), validators=[Optional(), Normalised(v.normalise_national_number)],
        filters=[blank_to_none],
    )


class ChildForm(FlaskForm):
    first_name = StringField(_l("Voornaam"), validators=[DataRequired(REQUIRED), Length(max=100)])
    last_name = StringField(_l("Familienaam"), validators=[DataRequired(REQUIRED), Length(max=100)])
    date_of_birth = DateField(_l("Geboortedatum"), validators=[Optional()])
    expected_birth_date = DateField(_l("Verwachte geboortedatum"), validators=[Optional()])
    national_number = StringField(
        _l("Rijksregisternummer (optioneel)"), validators=[Optional(), Normalised(v.normalise_national_number)],
        filters=[blank_to_none],
    )
    # The stored number is never put back into the form (it would be shown in full): an empty
    # field keeps it, a typed one replaces it, this box removes it.
    clear_national_number = BooleanField(_l("Rijksregisternummer wissen"))
    care_need = BooleanField(_l("Specifieke zorgbehoefte"))
    location_id = SelectField(_l("Opvanglocatie"), coerce=int, validators=[Optional()])
    family_ids = SelectMultipleField(_l("Gezin(nen)"), coerce=int)

    def validate(self, extra_validators=None):
        """'Neither date' is checked here: Optional() stops the chain of an empty field before its
        inline validate_date_of_birth runs, so that check alone let a child without any date through."""
        valid = super().validate(extra_validators)
        both_empty = not self.date_of_birth.data and not self.expected_birth_date.data
        if both_empty and not self.date_of_birth.errors and not self.expected_birth_date.errors:
            self.date_of_birth.errors = [*self.date_of_birth.errors,
                                         _l("Vul de geboortedatum of de verwachte geboortedatum in.")]
            return False
        return valid

    def validate_date_of_birth(self, field):
        today = clock.today()
        if field.data and field.data > today:
            raise ValidationError(_l("De geboortedatum ligt in de toekomst; vul de verwachte geboortedatum in."))

    def validate_expected_birth_date(self, field):
        if field.data and self.date_of_birth.data:
            raise ValidationError(_l("Vul de geboortedatum óf de verwachte geboortedatum in, niet beide."))
        if field.data and field.data < clock.today():
            raise ValidationError(_l("De verwachte geboortedatum ligt in het verleden."))

    def validate_family_ids(self, field):
        if not field.data:
            raise ValidationError(_l("Kies minstens één gezin."))
        if len(field.data) > 2:
            raise ValidationError(_l("Een kind hoort bij hoogstens twee gezinnen (co-ouderschap)."))


class UserForm(FlaskForm):
    name = StringField(_l("Naam"), validators=[DataRequired(REQUIRED), Length(max=200)])
    email = EmailField(
        _l("E-mailadres"), validators=[DataRequired(REQUIRED), Email(message=_l("Ongeldig e-mailadres."))]
    )
    role = SelectField(_l("Rol"), choices=ROLES)
    language = SelectField(_l("Taal"), choices=LANGUAGES)
    password = PasswordField(
        _l("Wachtwoord"),
        validators=[DataRequired(REQUIRED), Length(min=10, message=_l("Minstens 10 tekens."))],
    )
    location_ids = SelectMultipleField(_l("Locaties (voor begeleiders)"), coerce=int)


class ConfirmForm(FlaskForm):
    """An empty form: only the CSRF token, for confirm buttons."""


class LivingGroupForm(FlaskForm):
    name = StringField(_l("Naam van de leefgroep"), validators=[DataRequired(REQUIRED), Length(max=100)])
    capacity = IntegerField(
        _l("Maximum aantal kinderen"),
        validators=[Optional(), NumberRange(min=1, max=18, message=_l("Een leefgroep telt hoogstens 18 kinderen."))],
    )
    min_age_months = IntegerField(_l("Vanaf leeftijd (maanden)"), validators=[Optional(), NumberRange(min=0, max=156)])
    max_age_months = IntegerField(_l("Tot leeftijd (maanden)"), validators=[Optional(), NumberRange(min=0, max=156)])

    def validate_max_age_months(self, field):
        if field.data is not None and self.min_age_months.data is not None and field.data < self.min_age_months.data:
            raise ValidationError(_l("De maximumleeftijd ligt onder de minimumleeftijd."))
