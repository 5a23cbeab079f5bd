"""Settings of the payments part of facturatie (direct debits, reminders, tax certificates), joined
with the other parts' definitions in ``plugin.setting_definitions``. Documented in
docs/configuration.md."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from core.plugins import SettingDefinition

PAY_DEFINITIONS = (
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
