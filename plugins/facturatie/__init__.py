"""Facturatie: tariffs (attests inkomenstarief, free-price plans), the monthly proposal per family
and, with the other parts of billing, invoices, payments and tax certificates."""
from flask_babel import lazy_gettext as _l

from core.plugins import PluginInfo


def needs_iban(ctx):
    """Direct debits and invoices need the organisation's own bank account."""
    if not (ctx.org.iban or "").strip():
        return _l("vul eerst het IBAN van de organisatie in.")
    return None


PLUGIN = PluginInfo(
    name="facturatie",
    title=_l("Facturatie"),
    requires={"aanwezigheden", "planning"},
    description=_l("Maandfacturen, SEPA-domiciliëring, bankafschriften, fiscale attesten."),
    available=True,
    can_enable=needs_iban,
)
