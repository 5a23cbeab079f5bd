"""Every error code of facturatie (tariffs, the proposal, finalising, credit notes, documents,
payments, tax certificates) with its Dutch message, translated at the edge; one exception class."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from core.errors import DomainError, register_messages

register_messages({
    "facturatie.price_negative": _l("Een prijs kan niet negatief zijn."),
    "facturatie.price_invalid": _l("Geef een bedrag in euro, bv. 24,50."),
    "facturatie.period_invalid": _l("De einddatum ligt voor de begindatum."),
    "facturatie.attest_overlap": _l("Er is al een attest voor dit kind van %(start)s tot %(end)s."),
    "facturatie.attest_below_minimum": _l("%(price)s euro is lager dan het minimumtarief (%(minimum)s euro); "
                                          "vink IVT aan voor een individueel verminderd tarief."),
    "facturatie.kindcode_invalid": _l("Een kindcode is 11 cijfers, bv. 130101-010-02."),
    "facturatie.child_unknown": _l("Dit kind hoort niet bij deze organisatie."),
    "facturatie.family_unknown": _l("Dit gezin hoort niet bij dit kind."),
    "facturatie.date_invalid": _l("Geef een datum als JJJJ-MM-DD of DD/MM/JJJJ."),
    "facturatie.name_required": _l("Geef een naam."),
    "facturatie.name_taken": _l("Die naam bestaat al."),
    "facturatie.plan_price_exists": _l("Er zijn al prijzen vanaf %(day)s voor dit tariefplan."),
    "facturatie.share_total": _l("De verdeling van een kind moet samen 100 %% zijn (nu %(total)s %%)."),
    "facturatie.percent_invalid": _l("Een percentage ligt tussen 0 en 100."),
    "facturatie.quantity_invalid": _l("Het aantal moet een positief geheel getal zijn."),
    "facturatie.month_future": _l("%(month)s is nog niet voorbij: een voorstel kan pas na de maand."),
    "facturatie.month_invalid": _l("Die maand bestaat niet."),
    "facturatie.reason_required": _l("Geef een reden (minstens 5 tekens)."),
    "facturatie.warning_unknown": _l("Deze waarschuwing staat niet (meer) in het voorstel."),
    "facturatie.import_empty": _l("Het bestand bevat geen rijen."),
    "facturatie.import_format": _l("Dit bestand kan niet gelezen worden: kies een .xlsx- of .csv-bestand volgens "
                                   "het sjabloon."),
    "facturatie.import_rows": _l("Rijen met fouten: %(count)s; er is niets ingelezen."),
    "facturatie.extra_kind": _l("Een extra is een maaltijd of een ander extra."),
    "facturatie.plan_unknown": _l("Kies een tariefplan van deze organisatie."),
    "facturatie.plan_mode": _l("Kies hoe het plan aanrekent: per dag, per uur, per half uur of per maand."),
    "facturatie.item_unknown": _l("Kies een extra uit de catalogus."),
    "facturatie.action_unknown": _l("Dit formulier bestaat niet."),
    # the warnings of a proposal
    "facturatie.warn.no_attest": _l("%(name)s heeft geen attest inkomenstarief (aantal dagen: %(days)s): "
                                    "aangerekend aan het maximumtarief."),
    "facturatie.warn.no_attest_skip": _l("%(name)s heeft geen attest inkomenstarief: niet aangerekend "
                                         "(aantal dagen: %(days)s)."),
    "facturatie.warn.open_stay": _l("%(name)s: vertrek ontbreekt op %(day)s."),
    "facturatie.warn.unconfirmed": _l("%(name)s: het register is niet bevestigd door de ouder "
                                      "(aantal dagen: %(days)s)."),
    "facturatie.warn.no_address": _l("Gezin %(name)s heeft geen adres."),
    "facturatie.warn.no_email": _l("Gezin %(name)s heeft geen e-mailadres: de factuur wordt afgedrukt."),
    "facturatie.warn.no_plan": _l("%(name)s heeft geen tariefplan: niets aangerekend."),
    "facturatie.warn.no_debtor": _l("%(name)s: geen gezin dat betaalt, de dagen zijn niet aangerekend."),
    "facturatie.warn.change": _l("Gezin %(name)s: %(total)s euro tegenover %(previous)s euro vorige maand."),
    # finalising, credit notes, documents, sending
    "facturatie.already_finalised": _l("De facturen van %(month)s/%(year)s zijn al opgemaakt; "
                                       "een vergissing herstel je met een creditnota."),
    "facturatie.warnings_block": _l("Waarschuwingen nog te beslissen: %(count)s. Los ze op of aanvaard ze met "
                                    "een reden voor je de facturen opmaakt."),
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
    # payments: mandates, direct debits, bank statements, reminders, tax certificates
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
                                              "(volgende bankwerkdag plus de termijn in dagen: %(lead)s)."),
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


class BillingError(DomainError):
    """Bad input or a refused change anywhere in billing; nothing is written."""
