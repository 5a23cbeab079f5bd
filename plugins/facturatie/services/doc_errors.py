"""Error codes of finalising, credit notes, PDFs, sending and export, with their message
templates (Dutch source, translated in core's catalogue); imported by every service that raises them."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from core.errors import register_messages

MESSAGES = {
    "facturatie.bad_month": _l("Geen geldige maand: %(month)s/%(year)s."),
    "facturatie.future_month": _l("%(month)s/%(year)s ligt in de toekomst: die maand kan nog niet gefactureerd worden."),
    "facturatie.already_finalised": _l("De facturen van %(month)s/%(year)s zijn al opgemaakt; "
                                       "een vergissing herstel je met een creditnota."),
    "facturatie.warnings_block": _l("Nog %(count)s waarschuwing(en) te beslissen: los ze op of aanvaard ze met een "
                                    "reden voor je de facturen opmaakt."),
    "facturatie.amount_not_cents": _l("Een bedrag van %(amount)s is niet afgerond op centen."),
    "facturatie.negative_invoice": _l("De factuur van %(name)s zou negatief zijn (%(total)s euro); "
                                      "maak een creditnota in plaats van een factuur."),
    "facturatie.number_out_of_range": _l("Factuurnummer %(number)s past niet in de gestructureerde mededeling "
                                         "(hoogstens %(maximum)s per jaar)."),
    "facturatie.proposal_unavailable": _l("Het voorstel van de maand kan nog niet berekend worden."),
    "facturatie.invoice_unknown": _l("Deze factuur bestaat niet."),
    "facturatie.credit_reason_required": _l("Geef een reden voor de creditnota."),
    "facturatie.credit_not_invoice": _l("Een creditnota kan enkel een factuur crediteren, geen creditnota."),
    "facturatie.credit_nothing": _l("Kies minstens één lijn of bedrag om te crediteren."),
    "facturatie.credit_too_much": _l("Lijn %(position)s: hoogstens %(left)s euro kan nog gecrediteerd worden."),
    "facturatie.credit_bad_amount": _l("Lijn %(position)s: geef een positief bedrag in euro, bv. 12,50."),
    "facturatie.credit_line_unknown": _l("Deze lijn hoort niet bij de factuur."),
    "facturatie.already_credited": _l("Deze factuur is al volledig gecrediteerd."),
    "facturatie.no_invoices": _l("Er zijn geen facturen voor %(month)s/%(year)s."),
    "facturatie.pdf_missing": _l("De pdf van deze factuur is nog niet gemaakt."),
    "facturatie.no_iban": _l("Vul eerst het IBAN van de organisatie in."),
    "facturatie.pdfs_not_ready": _l("Nog niet alle pdf's zijn gemaakt (%(missing)s ontbreken): maak ze eerst."),
}

register_messages(MESSAGES)
