"""The billing engine's per-organisation settings with their documented defaults (declared through
``setting_definitions`` in plugin.py, documented in docs/configuration.md). Amounts Opgroeien
indexes every year are settings, never constants (domain-rules §1.3: the current amounts are
UNCONFIRMED; finance staff set them each January)."""
from __future__ import annotations

from decimal import Decimal

from flask_babel import lazy_gettext as _l

from core.plugins import SettingDefinition

NO_ATTEST_CHOICES = (
    ("warn_maximum", _l("waarschuwen en aanrekenen aan het maximumtarief")),
    ("maximum", _l("aanrekenen aan het maximumtarief zonder waarschuwing")),
    ("skip", _l("waarschuwen en niet aanrekenen")),
)
ABSENCE_FEE_CHOICES = (
    ("day_price", _l("de dagprijs van de gereserveerde dag")),
    ("fixed", _l("een vast bedrag per dag")),
    ("none", _l("niets aanrekenen")),
)
UNRECORDED_CHOICES = (
    ("respijt_first", _l("eerst een respijtdag gebruiken, daarna niet-gewettigd afwezig")),
    ("unjustified", _l("altijd niet-gewettigd afwezig")),
)

DEFINITIONS = [
    SettingDefinition("facturatie.maximum_tariff", _l("Maximumtarief inkomenstarief (euro per dag)"), "32.18",
                      "decimal", help=_l("Wordt elk jaar op 1 januari geïndexeerd; pas het aan bij de jaarlijkse "
                                         "mededeling van Opgroeien.")),
    SettingDefinition("facturatie.minimum_tariff", _l("Minimumtarief inkomenstarief (euro per dag)"), "5.99",
                      "decimal", help=_l("Een attest zonder IVT kan niet lager zijn.")),
    SettingDefinition("facturatie.no_attest", _l("Kind zonder attest inkomenstarief"), "warn_maximum", "choice",
                      choices=NO_ATTEST_CHOICES),
    SettingDefinition("facturatie.absence_fee_mode", _l("Niet-gewettigde afwezigheid na de respijtdagen"),
                      "day_price", "choice", choices=ABSENCE_FEE_CHOICES,
                      help=_l("Onder inkomenstarief nooit meer dan het maximumtarief.")),
    SettingDefinition("facturatie.absence_fee", _l("Vast bedrag per niet-gewettigde afwezigheid (euro)"), "0",
                      "decimal"),
    SettingDefinition("facturatie.unrecorded_absence", _l("Gereserveerde dag zonder registratie of melding"),
                      "respijt_first", "choice", choices=UNRECORDED_CHOICES),
    SettingDefinition("facturatie.late_pickup_fee", _l("Boete laattijdig afhalen per begonnen periode (euro)"), "0",
                      "decimal", help=_l("0: niets aanrekenen. De periode telt na de speling van aanwezigheden.")),
    SettingDefinition("facturatie.late_pickup_period_minutes", _l("Periode voor laattijdig afhalen (minuten)"), 15,
                      "int"),
    SettingDefinition("facturatie.outside_hours_price", _l("Prijs per begonnen uur buiten 06-20 u of boven 11 u "
                                                          "(inkomenstarief zonder flexsubsidie)"), "0", "decimal",
                      help=_l("Een vrij tarief is enkel toegelaten zonder flexsubsidie; 0: niets aanrekenen.")),
    SettingDefinition("facturatie.deposit_billing", _l("Waarborg aanrekenen en terugbetalen op de factuur"), True,
                      "bool"),
    SettingDefinition("facturatie.change_threshold_pct", _l("Verschil met vorige maand markeren vanaf (%)"), 25,
                      "int"),
    SettingDefinition("facturatie.correction_months", _l("Correcties zoeken in de vorige (maanden)"), 3, "int",
                      help=_l("Gewijzigde registraties van reeds gefactureerde maanden worden correctielijnen.")),
]


def money(ctx, key: str) -> Decimal:
    """A decimal setting as Decimal (stored as text or number)."""
    return Decimal(str(ctx.setting(key)))
