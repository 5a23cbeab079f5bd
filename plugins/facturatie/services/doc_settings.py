"""Settings of finalised invoices: payment term, VAT-exemption wording, retention, the
bookkeeper's account codes (declared through the ``setting_definitions`` hook in plugin.py)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from core.plugins import SettingDefinition

from ..models import LineKind

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

DOC_DEFINITIONS = [
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
