"""Error codes of the payments part of facturatie (mandates, direct debits, bank statements,
reminders, tax certificates); rendered at the edge in the reader's language."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from core.errors import DomainError, register_messages

register_messages({
    "facturatie.iban_invalid": _l("Het IBAN %(iban)s is ongeldig: %(reason)s."),
    "facturatie.bic_invalid": _l("De BIC %(bic)s is ongeldig."),
    "facturatie.bic_missing": _l("Vul de BIC van de bank in; die volgt niet uit dit IBAN."),
    "facturatie.creditor_id_invalid": _l("Het schuldeisers-ID %(value)s is ongeldig: verwacht BE, twee "
                                         "controlecijfers, ZZZ en het ondernemingsnummer (KBO)."),
    "facturatie.creditor_id_missing": _l("Vul eerst het SEPA-schuldeisers-ID van de organisatie in."),
    "facturatie.mandate_signed_missing": _l("Een mandaat heeft een handtekeningdatum nodig."),
    "facturatie.mandate_signed_future": _l("De handtekeningdatum %(day)s ligt in de toekomst."),
    "facturatie.mandate_reference_invalid": _l("Een mandaatreferentie heeft 1 tot 35 tekens: letters, cijfers, "
                                               "en - / ? : ( ) . , ' + spatie."),
    "facturatie.mandate_reference_taken": _l("De mandaatreferentie %(reference)s is al gebruikt."),
    "facturatie.mandate_name_missing": _l("Vul de naam van de rekeninghouder in."),
    "facturatie.mandate_revoked": _l("Dit mandaat is ingetrokken en kan niet meer gewijzigd worden."),
    "facturatie.collection_date_past": _l("De inningsdatum %(day)s ligt in het verleden."),
    "facturatie.collection_date_too_soon": _l("De inningsdatum kan ten vroegste %(earliest)s zijn "
                                              "(volgende bankwerkdag plus %(lead)s dagen)."),
    "facturatie.collection_date_closed": _l("%(day)s is geen bankwerkdag (weekend of TARGET2-feestdag)."),
    "facturatie.batch_empty": _l("Er zijn geen open facturen van schuldenaars met een actief mandaat."),
    "facturatie.batch_frozen": _l("Dit bestand is al gedownload en kan niet meer veranderen."),
    "facturatie.coda_not_coda": _l("Het bestand %(name)s is geen CODA-bestand."),
    "facturatie.coda_version": _l("Het bestand %(name)s is CODA versie %(version)s; enkel versie 2 wordt "
                                  "ondersteund."),
    "facturatie.coda_truncated": _l("Het bestand %(name)s is onvolledig of beschadigd (%(detail)s)."),
    "facturatie.coda_account": _l("Het bestand %(name)s is van rekening %(account)s, niet van de rekening van "
                                  "de organisatie (%(own)s)."),
    "facturatie.coda_empty": _l("Kies minstens één CODA-bestand."),
    "facturatie.movement_done": _l("Deze beweging is al verwerkt."),
    "facturatie.amount_invalid": _l("Geef een bedrag groter dan nul."),
    "facturatie.certificate_year_future": _l("Attesten voor %(year)s kunnen pas vanaf 1 januari %(next)s."),
    "facturatie.certificate_year_invalid": _l("Ongeldig jaar."),
    "facturatie.national_number_missing": _l("%(name)s heeft geen rijksregisternummer; zonder dat kan geen fiscaal "
                                             "attest gemaakt worden."),
    "facturatie.sender_incomplete": _l("Vul eerst het ondernemingsnummer en adres van de organisatie in."),
    "facturatie.reminder_schedule_invalid": _l("Het herinneringsschema is een lijst van dagen na de vervaldag, "
                                               "bv. 14,30."),
    "facturatie.fiscal_maximum_invalid": _l("Het maximum per dag is een lijst jaar:bedrag, bv. 2024:16.40."),
})


class PaymentError(DomainError):
    """Bad input or a forbidden change in the payments part of facturatie."""
