"""The planning module's error codes and their message templates (Dutch source, translated in
core's catalogue); rendered at the edge in the reader's language (core/errors.py)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from core.errors import register_messages

MESSAGES = {
    "planning.plan_unknown": _l("Dit opvangplan bestaat niet."),
    "planning.care_location_unknown": _l("Onbekende opvanglocatie."),
    "planning.location_unknown": _l("Onbekende locatie."),
    "planning.child_unknown": _l("Onbekend kind."),
    "planning.day_part_unknown": _l("Onbekend dagdeel voor %(what)s."),
    "planning.weekday_closed": _l("De locatie is op %(weekday)s gesloten; kies een andere dag dan %(what)s."),
    "planning.hours_missing": _l("Vul begin- en einduur in voor %(what)s."),
    "planning.hours_reversed": _l("Het einduur ligt niet na het beginuur voor %(what)s."),
    "planning.hours_outside": _l("De uren voor %(what)s (%(start)s–%(end)s) vallen buiten de openingsuren "
                                 "(%(opens)s–%(closes)s)."),
    "planning.no_morning": _l("De locatie is op %(weekday)s niet open in de voormiddag."),
    "planning.no_afternoon": _l("De locatie is op %(weekday)s niet open in de namiddag."),
    "planning.pattern_empty": _l("Kies minstens één opvangdag in het weekpatroon."),
    "planning.week_unknown": _l("Een week is A of B."),
    "planning.weekday_invalid": _l("Een weekdag ligt tussen maandag en zondag."),
    "planning.care_overlaps_itself": _l("De opvang op %(what)s overlapt met zichzelf."),
    "planning.schedule_empty": _l("Een rooster op maat heeft minstens één datum nodig."),
    "planning.schedule_outside": _l("De roosterdag %(day)s valt buiten de looptijd van het opvangplan."),
    "planning.schedule_closed": _l("De locatie is gesloten op %(day)s (%(reason)s); haal die dag uit het rooster."),
    "planning.not_born": _l("Het kind is op %(day)s nog niet geboren."),
    "planning.too_old": _l("%(name)s is op %(day)s %(age)s maanden oud; opvang voor baby's en peuters kan tot "
                           "%(limit)s maanden."),
    "planning.too_young_for_school": _l("%(name)s is op %(day)s te jong (leeftijd in maanden: %(age)s); buitenschoolse "
                                        "opvang is voor schoolgaande kinderen (vanaf %(minimum)s maanden)."),
    "planning.plan_overlap": _l("Er bestaat al een opvangplan voor dit kind, deze locatie en dit gezin vanaf "
                                "%(start)s. Maak een nieuwe versie of beëindig het eerst."),
    "planning.plan_overlap_until": _l("Er bestaat al een opvangplan voor dit kind, deze locatie en dit gezin vanaf "
                                      "%(start)s tot %(end)s. Maak een nieuwe versie of beëindig het eerst."),
    "planning.living_group_mismatch": _l("Deze leefgroep hoort niet bij de gekozen locatie."),
    "planning.family_mismatch": _l("Dit kind hoort niet bij het gekozen gezin."),
    "planning.pattern_and_schedule": _l("Kies een weekpatroon of een rooster op maat, niet allebei."),
    "planning.start_missing": _l("Vul de begindatum in."),
    "planning.end_before_start": _l("De einddatum ligt voor de begindatum."),
    "planning.settling_in_outside": _l("De wenperiode moet binnen de looptijd van het opvangplan vallen."),
    "planning.effective_missing": _l("Vul de ingangsdatum in."),
    "planning.effective_outside": _l("De ingangsdatum valt buiten de looptijd van het opvangplan."),
    "planning.version_not_later": _l("De laatste versie geldt al vanaf %(day)s; een nieuwe versie moet later ingaan."),
    "planning.end_missing": _l("Vul de laatste opvangdag in."),
    "planning.end_before_version": _l("Er is een versie die pas op %(day)s ingaat; kies een latere einddatum."),
    "planning.extra_day_outside": _l("De extra dag %(day)s valt buiten de looptijd van het opvangplan."),
    "planning.extra_day_twice": _l("Op %(day)s is al een extra dag afgesproken."),
    "planning.extra_day_closed": _l("De locatie is gesloten op %(day)s (%(reason)s)."),
    "planning.extra_day_missing": _l("Er is geen extra dag op %(day)s."),
    "planning.closing_too_long": _l("Een sluitingsperiode duurt hoogstens 2 maanden; voeg ze per periode toe."),
    "planning.closing_reason_missing": _l("Geef een omschrijving van de sluiting."),
    "planning.closing_kind_unknown": _l("Onbekende soort sluiting."),
    "planning.closing_unknown": _l("Deze sluitingsperiode bestaat niet."),
    "planning.own_child_family_only": _l("Een eigen kind van de onthaalouder kan alleen in gezinsopvang."),
    "planning.respite_amount": _l("Een respijtdag is een hele of een halve dag."),
    "planning.shift_invalid": _l("Geef een weekdag, een einduur na het beginuur en een aantal begeleiders van 0 "
                                 "of meer."),
    # the written agreement and the house rules (domain-rules §2.1-§2.6)
    "planning.house_rules_not_pdf": _l("Het huishoudelijk reglement moet een PDF-bestand zijn."),
    "planning.file_too_large": _l("Het bestand is te groot (hoogstens %(mb)s MB)."),
    "planning.house_rules_title_missing": _l("Geef een titel."),
    "planning.house_rules_empty": _l("Geef de tekst of laad een PDF op."),
    "planning.house_rules_notice": _l("Een wijziging in het nadeel van de gezinnen geldt ten vroegste twee maanden "
                                     "na de kennisgeving: kies %(day)s of later."),
    "planning.house_rules_in_past": _l("Een nieuwe versie kan niet in het verleden ingaan."),
    "planning.house_rules_date_taken": _l("Er is al een versie die op die datum ingaat."),
    "planning.deposit_invalid": _l("Geef een geldig bedrag voor de waarborg."),
    "planning.deposit_negative": _l("De waarborg kan niet negatief zijn."),
    "planning.deposit_above_cap": _l("De waarborg is hoogstens %(cap)s euro."),
    "planning.language_unknown": _l("Onbekende taal."),
    "planning.agreement_without_plan": _l("Dit kind heeft geen lopend opvangplan: maak eerst een opvangplan, "
                                         "dan de overeenkomst."),
    "planning.house_rules_missing": _l("Er is nog geen huishoudelijk reglement van kracht: leg er eerst "
                                      "een vast."),
    "planning.agreement_unknown": _l("Onbekende overeenkomst."),
    "planning.link_expired": _l("Deze link is verlopen. Vraag de opvang om een nieuwe link."),
    "planning.link_invalid": _l("Deze link is ongeldig."),
    "planning.file_missing": _l("Kies een bestand."),
    "planning.scan_type": _l("Alleen een PDF-, PNG- of JPEG-bestand kan als ondertekend "
                             "exemplaar."),
}

register_messages(MESSAGES)
