"""The module's per-organisation settings with their documented defaults (declared through the
``setting_definitions`` hook in plugin.py)."""
from __future__ import annotations

from datetime import time

from flask_babel import lazy_gettext as _l

from core.plugins import SettingDefinition

ROUNDING_CHOICES = (
    ("up_half", _l("naar boven afronden op een halve dag")),
    ("down_half", _l("naar beneden afronden op een halve dag")),
    ("nearest", _l("afronden op de dichtste hele dag")),
    ("none", _l("niet afronden")),
)
RULE_SET_CHOICES = (
    ("auto", _l("volgens de datum (regels tot 31/12/2026, daarna de regels van 2027)")),
    ("kindratio_2015", _l("regels tot 31/12/2026 altijd")),
    ("kindratio_2027", _l("regels vanaf 1/1/2027 altijd")),
)

DEFINITIONS = [
    SettingDefinition("planning.respite_enabled", _l("Respijtdagen toekennen"), True, "bool",
                      help=_l("Verplicht onder inkomenstarief; organisatoren met vrije prijs kunnen dit uitzetten.")),
    SettingDefinition("planning.respite_days_full_time", _l("Respijtdagen per jaar bij voltijdse opvang"), 18, "int",
                      help=_l("Minstens 18 onder inkomenstarief; deeltijds en onvolledige jaren pro rata.")),
    SettingDefinition("planning.respite_rounding", _l("Afronding van respijtdagen"), "up_half", "choice",
                      choices=ROUNDING_CHOICES),
    SettingDefinition("planning.max_age_months", _l("Maximumleeftijd baby- en peuteropvang (maanden)"), 48, "int",
                      help=_l("Oudere kinderen kunnen geen opvangplan krijgen in groeps- of gezinsopvang.")),
    SettingDefinition("planning.min_age_months_school", _l("Minimumleeftijd buitenschoolse opvang (maanden)"), 30,
                      "int", help=_l("Kleuters kunnen vanaf 2,5 jaar naar school.")),
    SettingDefinition("planning.day_part_split", _l("Grens voormiddag/namiddag (UU:MM)"), "13:00", "str"),
    SettingDefinition("planning.ratio_rule_set", _l("Regels voor de kindratio"), "auto", "choice",
                      choices=RULE_SET_CHOICES),
    SettingDefinition("planning.ratio_scope", _l("Kindratio beoordelen per"), "location", "choice",
                      choices=(("location", _l("locatie (zoals de regel het zegt)")),
                               ("living_group", _l("leefgroep (strengere lezing)"))),
                      help=_l("Per locatie blijft een leefgroep die meer begeleiders nodig heeft een waarschuwing.")),
    SettingDefinition("planning.rest_period", _l("Rustmoment (UU:MM-UU:MM, hoogstens 2 uur; leeg: geen)"), "", "str"),
    SettingDefinition("planning.rule_warning_months", _l("Waarschuwen voor nieuwe regels: aantal maanden vooruit"),
                      6, "int", help=_l("Gezinsopvang waar de huidige plannen een regel overschrijden die binnen "
                                        "deze termijn ingaat (bv. hoogstens 7 kinderen vanaf 1/1/2027).")),
    SettingDefinition("planning.last_minute_weeks", _l("Last-minuteplaatsen: aantal weken vooruit"), 4, "int"),
    SettingDefinition("planning.deposit_max", _l("Waarborg: maximumbedrag (euro)"), 250, "int",
                      help=_l("Inkomenstarief: hoogstens 250 euro; enkel als waarborg, geen inschrijvingsgeld.")),
    SettingDefinition("planning.deposit_max_low_income", _l("Waarborg bij laag inkomen: maximumbedrag (euro)"), 50,
                      "int", help=_l("Inkomenstarief: hoogstens 50 euro voor een gezin met een laag inkomen.")),
    SettingDefinition("planning.deposit_low_income_threshold", _l("Inkomensgrens voor de lagere waarborg (euro)"),
                      27000, "int", help=_l("Basisbedrag 27 000 euro, jaarlijks geïndexeerd (geïndexeerd bedrag "
                                            "NIET BEVESTIGD).")),
    SettingDefinition("planning.agreement_link_days", _l("Geldigheid van de link om de overeenkomst te aanvaarden "
                                                         "(dagen)"), 30, "int"),
    SettingDefinition("planning.public_holidays_closed", _l("Gesloten op wettelijke feestdagen"), True, "bool"),
    SettingDefinition("planning.full_day_hours", _l("Volle dag vanaf (uren gereserveerde opvang; minder is een halve dag)"),
                      5, "int", help=_l("Inkomenstarief: minder dan 5 uur is een halve dag (60 %), vanaf 5 uur een volle "
                                        "dag. Gebruikt voor de aan te rekenen dagen.")),
]


def parse_time(value: str, default: time) -> time:
    try:
        hours, minutes = (int(p) for p in str(value).strip().split(":"))
        return time(hours, minutes)
    except (ValueError, TypeError):
        return default


def day_part_split(ctx) -> time:
    return parse_time(ctx.setting("planning.day_part_split"), time(13, 0))


def ratio_scope(ctx) -> str:
    """Where the 2027 ratio is judged: "location" (the rule text) or "living_group"."""
    value = str(ctx.setting("planning.ratio_scope") or "location")
    return value if value in ("location", "living_group") else "location"


def rest_period(ctx) -> tuple[time, time] | None:
    """The daily rest window, capped at 2 hours (the rule allows a rest regime for at most 2 h)."""
    raw = str(ctx.setting("planning.rest_period") or "").strip()
    if "-" not in raw:
        return None
    first, last = raw.split("-", 1)
    start, end = parse_time(first, None), parse_time(last, None)
    if start is None or end is None or end <= start:
        return None
    minutes = (end.hour * 60 + end.minute) - (start.hour * 60 + start.minute)
    if minutes > 120:
        total = start.hour * 60 + start.minute + 120
        end = time(total // 60, total % 60)
    return start, end
