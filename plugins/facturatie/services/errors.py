"""The billing engine's error codes and their Dutch messages (translated at the edge)."""
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
    "facturatie.month_finalised": _l("Deze maand is al gefinaliseerd."),
    "facturatie.reason_required": _l("Geef een reden (minstens 5 tekens)."),
    "facturatie.warning_unknown": _l("Deze waarschuwing staat niet (meer) in het voorstel."),
    "facturatie.import_empty": _l("Het bestand bevat geen rijen."),
    "facturatie.import_format": _l("Dit bestand kan niet gelezen worden: kies een .xlsx- of .csv-bestand volgens "
                                   "het sjabloon."),
    "facturatie.import_rows": _l("%(count)s rijen bevatten fouten; er is niets ingelezen."),
    "facturatie.extra_kind": _l("Een extra is een maaltijd of een ander extra."),
    "facturatie.plan_unknown": _l("Kies een tariefplan van deze organisatie."),
    "facturatie.plan_mode": _l("Kies hoe het plan aanrekent: per dag, per uur, per half uur of per maand."),
    "facturatie.item_unknown": _l("Kies een extra uit de catalogus."),
    "facturatie.action_unknown": _l("Dit formulier bestaat niet."),
    # the warnings of a proposal
    "facturatie.warn.no_attest": _l("%(name)s heeft geen attest inkomenstarief voor %(days)s dag(en): "
                                    "aangerekend aan het maximumtarief."),
    "facturatie.warn.no_attest_skip": _l("%(name)s heeft geen attest inkomenstarief: %(days)s dag(en) niet "
                                         "aangerekend."),
    "facturatie.warn.open_stay": _l("%(name)s: vertrek ontbreekt op %(day)s."),
    "facturatie.warn.unconfirmed": _l("%(name)s: het register is niet bevestigd door de ouder (%(days)s dag(en))."),
    "facturatie.warn.no_address": _l("Gezin %(name)s heeft geen adres."),
    "facturatie.warn.no_email": _l("Gezin %(name)s heeft geen e-mailadres: de factuur wordt afgedrukt."),
    "facturatie.warn.no_plan": _l("%(name)s heeft geen tariefplan: niets aangerekend."),
    "facturatie.warn.no_debtor": _l("%(name)s: geen gezin dat betaalt, de dagen zijn niet aangerekend."),
    "facturatie.warn.change": _l("Gezin %(name)s: %(total)s euro tegenover %(previous)s euro vorige maand."),
})


class BillingError(DomainError):
    """Bad input for tariffs, attests or a proposal; nothing is written."""
