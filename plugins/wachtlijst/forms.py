"""Forms of the wachtlijst module. The request form serves staff and parents; its labels are set
in the parent's language from ``texts.py``."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, SelectField, StringField, TextAreaField
from wtforms.validators import Length, Optional

from .services.intake import FACT_FIELDS, MAX_PREFERENCES, RequestData
from .services.texts import LANGUAGES, t, weekday_names

TEXT_FIELDS = ("applicant_first_name", "applicant_last_name", "email", "phone", "street", "postcode",
               "municipality", "child_first_name", "child_last_name", "twin_first_name", "referrer_name")
LABEL_KEYS = {"applicant_first_name": "first_name", "applicant_last_name": "last_name",
              "child_first_name": "first_name", "child_last_name": "last_name",
              "child_birth_date": "birth_date"}


class RequestForm(FlaskForm):
    applicant_first_name = StringField(validators=[Length(max=100)])
    applicant_last_name = StringField(validators=[Length(max=100)])
    email = StringField(validators=[Length(max=254)])
    phone = StringField(validators=[Optional(), Length(max=40)])
    street = StringField(validators=[Optional(), Length(max=200)])
    postcode = StringField(validators=[Optional(), Length(max=10)])
    municipality = StringField(validators=[Optional(), Length(max=100)])
    child_first_name = StringField(validators=[Optional(), Length(max=100)])
    child_last_name = StringField(validators=[Length(max=100)])
    child_birth_date = DateField(validators=[Optional()])
    expected_birth_date = DateField(validators=[Optional()])
    twin_first_name = StringField(validators=[Optional(), Length(max=100)])
    desired_start = DateField(validators=[Optional()])
    day_0 = SelectField(choices=[], validate_choice=False)
    day_1 = SelectField(choices=[], validate_choice=False)
    day_2 = SelectField(choices=[], validate_choice=False)
    day_3 = SelectField(choices=[], validate_choice=False)
    day_4 = SelectField(choices=[], validate_choice=False)
    choice_1 = SelectField(choices=[], validate_choice=False)
    choice_2 = SelectField(choices=[], validate_choice=False)
    choice_3 = SelectField(choices=[], validate_choice=False)
    choice_4 = SelectField(choices=[], validate_choice=False)
    choice_5 = SelectField(choices=[], validate_choice=False)
    work = BooleanField()
    single_parent = BooleanField()
    low_income = BooleanField()
    foster_child = BooleanField()
    sibling_in_care = BooleanField()
    care_need = BooleanField()
    low_education = BooleanField()
    family_member_handicap = BooleanField()
    family_member_self_care = BooleanField()
    social_pedagogical = BooleanField()
    dutch_speaking = BooleanField()
    urgent = BooleanField()
    referrer_name = StringField(validators=[Optional(), Length(max=200)])
    consent_referrers = BooleanField()
    language = SelectField(choices=[(code, code.upper()) for code in LANGUAGES])
    notes = TextAreaField(validators=[Optional(), Length(max=2000)])

    def setup(self, lang: str, locations: list[tuple[int, str]], search_url: str | None = None) -> RequestForm:
        """Labels in ``lang`` and the organisation's locations as choices; with ``search_url`` (an
        organisation with many locations) ``locations`` are only the chosen ones and each choice
        is a search-as-you-type picker asking that endpoint (``core/picker.js``)."""
        for field in self:
            key = LABEL_KEYS.get(field.name, field.name)
            if key in _TEXT_KEYS:
                field.label.text = t(key, lang)
        parts = [("", "-"), ("full", t("full", lang)), ("morning", t("morning", lang)), ("afternoon", t("afternoon", lang))]
        for i in range(5):
            field = self[f"day_{i}"]
            field.choices = parts
            field.label.text = weekday_names(lang)[i]
        options = [("", "-")] + [(str(loc_id), name) for loc_id, name in locations]
        for i in range(1, MAX_PREFERENCES + 1):
            field = self[f"choice_{i}"]
            field.choices = options
            field.label.text = f"{t('choice', lang)} {i}"
            if search_url:
                field.render_kw = {"data-search-url": search_url, "data-search-params": f"lang={lang}",
                                   "data-search-placeholder": t("location_search", lang),
                                   "data-search-empty": t("location_none", lang), "data-search-remove": t("remove", lang)}
        self.language.choices = [("nl", "Nederlands"), ("fr", "Français"), ("en", "English")]
        if not self.language.data:
            self.language.data = lang
        return self

    def localise_errors(self, lang: str) -> None:
        for name in ("child_birth_date", "expected_birth_date", "desired_start"):
            if self[name].errors:
                self[name].errors = [t("date_invalid", lang)]

    def to_data(self) -> RequestData:
        days = [{"weekday": i, "day_part": self[f"day_{i}"].data} for i in range(5) if self[f"day_{i}"].data]
        locations = [int(self[f"choice_{i}"].data) for i in range(1, MAX_PREFERENCES + 1)
                     if (self[f"choice_{i}"].data or "").isdigit()]
        return RequestData(
            **{name: (self[name].data or "") for name in TEXT_FIELDS},
            child_birth_date=self.child_birth_date.data, expected_birth_date=self.expected_birth_date.data,
            desired_start=self.desired_start.data, location_ids=locations, days=days,
            language=self.language.data or "nl", consent_referrers=bool(self.consent_referrers.data),
            notes=self.notes.data or "", facts={name: bool(self[name].data) for name in FACT_FIELDS},
        )

    def add_service_errors(self, errors: dict[str, str], lang: str) -> None:
        for name, code in errors.items():
            target = "choice_1" if name == "location_ids" else ("day_0" if name == "days" else name)
            self[target].errors = list(self[target].errors) + [t(code, lang)]


_TEXT_KEYS = {"first_name", "last_name", "email", "phone", "street", "postcode", "municipality", "birth_date",
              "expected_birth_date", "twin_first_name", "desired_start", "work", "single_parent", "low_income",
              "foster_child", "sibling_in_care", "care_need", "low_education", "family_member_handicap",
              "family_member_self_care", "social_pedagogical", "dutch_speaking", "urgent", "referrer_name",
              "consent_referrers", "language", "notes"}


class DeclineForm(FlaskForm):
    reason = StringField(_l("Reden"), validators=[Optional(), Length(max=500)])


class PolicyForm(FlaskForm):
    """CSRF only: the rules are chosen by name, one place select per rule (``rank-<rule>``)."""
