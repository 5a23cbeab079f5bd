"""Every per-organisation setting of facturatie with its documented default (declared through
``setting_definitions`` in plugin.py, documented in docs/configuration.md). Amounts Opgroeien
indexes every year are settings, never constants (domain-rules §1.3: the current amounts are
UNCONFIRMED; finance staff set them each January)."""
from __future__ import annotations

from decimal import Decimal

from flask_babel import lazy_gettext as _l

from core.plugins import SettingDefinition

from ..models import LineKind

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

#: tariffs, fees and the proposal
_TARIFFS = [
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

VAT_EXEMPTION_DEFAULT = "Vrijgesteld van btw, art. 44 §2 2° WBTW."

#: The default general-ledger accounts (Belgian MAR: 70 turnover, 400 customers).
DEFAULT_ACCOUNTS = {
    LineKind.CARE: "700000",
    LineKind.MEALS: "700100",
    LineKind.EXTRA: "700200",
    LineKind.FINE: "743000",
    LineKind.ABSENCE_FEE: "700300",
    LineKind.DEPOSIT: "488000",
}

#: finalised invoices: payment term, VAT-exemption wording, retention, the bookkeeper's accounts
_INVOICES = [
    SettingDefinition("facturatie.payment_term_days", _l("Betalingstermijn van facturen (dagen)"), 30, "int",
                      help=_l("De vervaldag is de factuurdatum plus dit aantal dagen.")),
    SettingDefinition("facturatie.vat_exemption", _l("Vermelding van de btw-vrijstelling op facturen"), "always",
                      "choice", choices=(("always", _l("op elke factuur")), ("never", _l("nooit")))),
    SettingDefinition("facturatie.vat_exemption_text", _l("Tekst van de btw-vrijstelling"), VAT_EXEMPTION_DEFAULT,
                      "str", help=_l("Kinderopvang van jonge kinderen is vrijgesteld (art. 44 §2 2° WBTW).")),
    SettingDefinition("facturatie.invoice_retention_years", _l("Facturen bewaren (jaren)"), 10, "int",
                      help=_l("Een gezin met een factuur binnen deze termijn wordt niet gewist."), minimum=7),
    SettingDefinition("facturatie.account_receivable", _l("Rekening klanten (boekhouding)"), "400000", "str"),
    *[SettingDefinition(f"facturatie.account_{kind.value}", label, DEFAULT_ACCOUNTS[kind], "str")
      for kind, label in (
          (LineKind.CARE, _l("Rekening opvang (boekhouding)")),
          (LineKind.MEALS, _l("Rekening maaltijden (boekhouding)")),
          (LineKind.EXTRA, _l("Rekening extra's (boekhouding)")),
          (LineKind.FINE, _l("Rekening boetes (boekhouding)")),
          (LineKind.ABSENCE_FEE, _l("Rekening afwezigheidsvergoedingen (boekhouding)")),
          (LineKind.DEPOSIT, _l("Rekening waarborgen (boekhouding)")),
      )],
]

#: payments: direct debits, reminders, tax certificates, Peppol
_PAYMENTS = (
        SettingDefinition("facturatie.sepa_pain_version", _l("SEPA-domiciliëring: versie van het pain.008-bestand"),
                          "pain.008.001.02", type="choice",
                          choices=(("pain.008.001.02", "pain.008.001.02"), ("pain.008.001.08", "pain.008.001.08")),
                          help=_l("Welke versie uw bank aanvaardt (zie de handleiding van de bank).")),
        SettingDefinition("facturatie.sepa_lead_days", _l("SEPA-domiciliëring: bankwerkdagen vooraf"), 1, type="int",
                          help=_l("Bankwerkdagen tussen de eerstvolgende bankwerkdag en de vroegste inningsdatum."),
                          minimum=0),
        SettingDefinition("facturatie.reminder_days", _l("Betalingsherinneringen: dagen na de vervaldag"), "14,30",
                          help=_l("Bv. 14,30: een eerste herinnering 14 dagen en een tweede 30 dagen na de "
                                  "vervaldag. Leeg: geen herinneringen.")),
        SettingDefinition("facturatie.fiscal_day_maximum", _l("Fiscaal attest: maximum per dag en per kind"),
                          "2022:14.40,2023:15.70,2024:16.40", type="str",
                          help=_l("Per jaar van betaling, bv. 2024:16.40. Ligt een dagprijs hoger, dan krijgt elke "
                                  "dagprijs een eigen regel op het attest. Onbekend jaar: altijd een regel per "
                                  "dagprijs.")),
        SettingDefinition("facturatie.fiscal_statement", _l("Fiscaal attest: vermelding van vergunning of subsidie"),
                          "vergund door Opgroeien", type="str",
                          help=_l("Vak I van het attest: de vergunning, erkenning of subsidie.")),
        SettingDefinition("facturatie.fiscal_certifier_name", _l("Fiscaal attest: certificerende instantie"), "",
                          help=_l("De instantie die de vergunning gaf (bv. Opgroeien); leeg als de organisatie zelf certificeert.")),
        SettingDefinition("facturatie.fiscal_certifier_kbo", _l("Fiscaal attest: ondernemingsnummer van de "
                                                                "certificerende instantie"), ""),
        SettingDefinition("facturatie.belcotax_contact", _l("Belcotax: contactpersoon"), ""),
        SettingDefinition("facturatie.belcotax_phone", _l("Belcotax: telefoonnummer"), ""),
        SettingDefinition("facturatie.belcotax_email", _l("Belcotax: e-mailadres"), ""),
        SettingDefinition("facturatie.peppol_enabled", _l("Peppol: e-facturen (UBL) voor bedrijven"), False, "bool",
                          help=_l("Facturen aan bedrijven die plaatsen reserveren voor hun personeel downloaden als "
                                  "Peppol BIS Billing 3.0 (UBL 2.1). Niet verplicht voor een organisatie die enkel "
                                  "vrijgesteld is volgens art. 44.")),
)

DEFINITIONS = [*_TARIFFS, *_INVOICES, *_PAYMENTS]


def money(ctx, key: str) -> Decimal:
    """A decimal setting as Decimal (stored as text or number)."""
    return Decimal(str(ctx.setting(key)))
