"""WTForms forms of the planning screens. Field-level checks only; the domain rules (overlaps,
closing days, opening hours, age, capacity and ratio) live in the planning services, whose
PlanningError messages the views attach to the fields."""
from __future__ import annotations

from datetime import date, time

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    DateField,
    DecimalField,
    FieldList,
    Form,
    FormField,
    HiddenField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
    TimeField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional, ValidationError

from .services.types import ScheduledDay

REQUIRED = _l("Dit veld is verplicht.")
WEEKDAY_NAMES = [_l("maandag"), _l("dinsdag"), _l("woensdag"), _l("donderdag"), _l("vrijdag"), _l("zaterdag"),
                 _l("zondag")]
SLOT_CHOICES = [
    ("", _l("geen opvang")),
    ("morning", _l("voormiddag")),
    ("afternoon", _l("namiddag")),
    ("full", _l("volledige dag")),
    ("hours", _l("uren (van–tot)")),
]


class DaySlotForm(Form):
    """One weekday of one week of the pattern: a day part, or hours from-to."""

    kind = SelectField(_l("Opvang"), choices=SLOT_CHOICES, default="", validators=[Optional()])
    start = TimeField(_l("Van"), validators=[Optional()])
    end = TimeField(_l("Tot"), validators=[Optional()])

    def validate_start(self, field):
        if self.kind.data == "hours" and not field.data:
            raise ValidationError(_l("Vul het beginuur in."))

    def validate_end(self, field):
        if self.kind.data == "hours":
            if not field.data:
                raise ValidationError(_l("Vul het einduur in."))
            if self.start.data and field.data <= self.start.data:
                raise ValidationError(_l("Het einduur moet na het beginuur liggen."))


SCHEDULE_PARTS = {"voormiddag": "morning", "vm": "morning", "namiddag": "afternoon", "nm": "afternoon",
                  "volledige dag": "full", "volle dag": "full", "vd": "full"}
MAX_SCHEDULE_LINES = 400


def _schedule_date(text: str) -> date:
    text = text.strip()
    if "/" in text:
        day, month, year = (int(p) for p in text.split("/"))
        return date(year, month, day)
    return date.fromisoformat(text)


def _schedule_time(text: str) -> time:
    hours, minutes = (int(p) for p in text.strip().split(":"))
    return time(hours, minutes)


def parse_schedule(text: str) -> tuple[list[ScheduledDay], list[str]]:
    """A custom (shift-work) schedule typed one date a line: ``01/12/2026 volledige dag``,
    ``02/12/2026 voormiddag``, ``03/12/2026 08:00-16:30``. Returns the days and Dutch errors (one
    per bad line, at most ten)."""
    days: list[ScheduledDay] = []
    errors: list[str] = []
    lines = [line.strip() for line in (text or "").splitlines() if line.strip()]
    if len(lines) > MAX_SCHEDULE_LINES:
        return [], [str(_l("Een rooster op maat telt hoogstens %(n)s dagen; maak een nieuwe versie per maand.",
                           n=MAX_SCHEDULE_LINES))]
    for number, line in enumerate(lines, start=1):
        head, _sep, rest = line.partition(" ")
        rest = " ".join(rest.lower().replace("\u2013", "-").split())
        try:
            day = _schedule_date(head)
        except (ValueError, TypeError):
            errors.append(str(_l("Regel %(n)s: onbekende datum \"%(d)s\" (gebruik DD/MM/JJJJ).", n=number,
                                 d=head[:20])))
            continue
        if rest in SCHEDULE_PARTS:
            days.append(ScheduledDay(day, SCHEDULE_PARTS[rest]))
            continue
        try:
            first, last = (_schedule_time(p) for p in rest.replace(" ", "").split("-"))
        except (ValueError, TypeError):
            errors.append(str(_l("Regel %(n)s: na de datum volgt voormiddag, namiddag, volledige dag of "
                                 "uren zoals 08:00-16:30.", n=number)))
            continue
        if last <= first:
            errors.append(str(_l("Regel %(n)s: het einduur moet na het beginuur liggen.", n=number)))
            continue
        days.append(ScheduledDay(day, "hours", first, last))
    return days, errors[:10]


class WeekForm(Form):
    days = FieldList(FormField(DaySlotForm), min_entries=7, max_entries=7)


class CarePlanForm(FlaskForm):
    """A care plan (opvangplan) or a new version of it, with the weekly pattern (week A and B)."""

    location_id = SelectField(_l("Opvanglocatie"), coerce=int, validators=[DataRequired(REQUIRED)])
    family_id = SelectField(_l("Gezin (contracthouder)"), coerce=int, validators=[DataRequired(REQUIRED)])
    living_group_id = SelectField(_l("Leefgroep"), coerce=int, default=0)
    start_date = DateField(_l("Begindatum"), validators=[DataRequired(REQUIRED)])
    end_date = DateField(_l("Vermoedelijke einddatum"), validators=[Optional()])
    settling_in_end = DateField(_l("Wenperiode tot en met"), validators=[Optional()])
    own_child = BooleanField(_l("Eigen kind van de onthaalouder"))
    alternating = BooleanField(_l("Wisselend patroon: week A en week B"))
    week_a = FormField(WeekForm, label=_l("Week A"))
    week_b = FormField(WeekForm, label=_l("Week B"))
    schedule = TextAreaField(_l("Rooster op maat (ploegenwerk)"), validators=[Optional(), Length(max=12000)])
    notes = TextAreaField(_l("Opmerkingen"), validators=[Optional(), Length(max=1000)])
    confirm = BooleanField(_l("Toch bewaren ondanks de waarschuwingen"))

    def validate_end_date(self, field):
        if field.data and self.start_date.data and field.data < self.start_date.data:
            raise ValidationError(_l("De einddatum ligt voor de begindatum."))

    def validate_settling_in_end(self, field):
        if field.data and self.start_date.data and field.data < self.start_date.data:
            raise ValidationError(_l("De wenperiode eindigt voor de begindatum."))
        if field.data and self.end_date.data and field.data > self.end_date.data:
            raise ValidationError(_l("De wenperiode eindigt na de einddatum."))

    def validate(self, extra_validators=None):
        """Field checks, then the pattern as a whole (FormFields take no in-line validators)."""
        self.pattern_errors: dict[str, list] = {"A": [], "B": []}
        self.schedule_days: list[ScheduledDay] = []
        ok = super().validate(extra_validators)
        if (self.schedule.data or "").strip():
            self.schedule_days, errors = parse_schedule(self.schedule.data)
            self.schedule.errors = list(self.schedule.errors) + errors
            ok = ok and not errors
            if any(day.kind.data for day in self.week_a.days) or self.alternating.data:
                self.pattern_errors["A"].append(
                    _l("Kies een weekpatroon of een rooster op maat, niet allebei: maak het weekpatroon leeg."))
            return ok and not self.pattern_errors["A"]
        if not any(day.kind.data for day in self.week_a.days):
            self.pattern_errors["A"].append(_l("Kies minstens één opvangdag in het weekpatroon."))
        if self.alternating.data and not any(day.kind.data for day in self.week_b.days):
            self.pattern_errors["B"].append(
                _l("Kies minstens één opvangdag in week B, of zet het wisselend patroon uit."))
        return ok and not (self.pattern_errors["A"] or self.pattern_errors["B"])

    @property
    def has_errors(self) -> bool:
        return bool(self.errors or any(getattr(self, "pattern_errors", {}).values()))


class EndPlanForm(FlaskForm):
    end_date = DateField(_l("Laatste opvangdag"), validators=[DataRequired(REQUIRED)])


class ExtraDayForm(FlaskForm):
    day = DateField(_l("Datum"), validators=[DataRequired(REQUIRED)])
    kind = SelectField(_l("Opvang"), choices=SLOT_CHOICES[1:], default="full")
    start = TimeField(_l("Van"), validators=[Optional()])
    end = TimeField(_l("Tot"), validators=[Optional()])

    def validate_end(self, field):
        if self.kind.data == "hours":
            if not (self.start.data and field.data):
                raise ValidationError(_l("Vul het begin- en einduur in."))
            if field.data <= self.start.data:
                raise ValidationError(_l("Het einduur moet na het beginuur liggen."))


class ClosingDayForm(FlaskForm):
    """A collective closure or bridge day, for the whole organisation or one location."""

    start_date = DateField(_l("Van"), validators=[DataRequired(REQUIRED)])
    end_date = DateField(_l("Tot en met"), validators=[Optional()])
    location_id = SelectField(_l("Locatie"), coerce=int, default=0)
    kind = SelectField(_l("Soort"), default="closure")
    reason = StringField(_l("Omschrijving"), validators=[DataRequired(REQUIRED), Length(max=200)])

    def validate_end_date(self, field):
        if field.data and self.start_date.data:
            if field.data < self.start_date.data:
                raise ValidationError(_l("De einddatum ligt voor de begindatum."))
            if (field.data - self.start_date.data).days > 62:
                raise ValidationError(_l("Een sluitingsperiode duurt hoogstens 2 maanden; voeg ze per periode toe."))


class DeleteForm(FlaskForm):
    """Only the CSRF token."""

    next = HiddenField()


class YearForm(FlaskForm):
    year = IntegerField(_l("Jaar"), validators=[NumberRange(min=2000, max=2100)])


class HouseRulesForm(FlaskForm):
    """A new dated version of the huishoudelijk reglement: a text or an uploaded PDF."""

    effective_date = DateField(_l("Geldig vanaf"), validators=[DataRequired(REQUIRED)])
    title = StringField(_l("Titel"), validators=[DataRequired(REQUIRED), Length(max=200)])
    text = TextAreaField(_l("Tekst"), validators=[Optional(), Length(max=100_000)])
    pdf = FileField(_l("Of een PDF-bestand"), validators=[Optional()])
    to_detriment = BooleanField(_l("Wijziging in het nadeel van de gezinnen (twee maanden opzeg)"))


class AgreementForm(FlaskForm):
    """Make the agreement(s) of a child from its running care plans."""

    deposit_amount = DecimalField(_l("Waarborg (euro)"), places=2, default=0,
                                  validators=[Optional(), NumberRange(min=0, message=_l("Geef een positief bedrag."))])
    low_income = BooleanField(_l("Gezin met een laag inkomen (lagere maximumwaarborg)"))
    language = SelectField(_l("Taal van de overeenkomst"), default="nl",
                           choices=[("nl", "Nederlands"), ("fr", "Français"), ("en", "English")])


class SignedCopyForm(FlaskForm):
    """A scan of the agreement signed on paper (PDF, PNG or JPEG; the service checks the content)."""

    scan = FileField(_l("Ondertekend exemplaar"), validators=[DataRequired(REQUIRED)])


class AcceptForm(FlaskForm):
    """The parent's button (CSRF-protected POST)."""
