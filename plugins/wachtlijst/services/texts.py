"""Texts a parent reads (public pages, errors, e-mails), by key, as Flask-Babel strings of core's one
catalogue (Dutch source; French and English in core/translations). They are rendered in the
parent's language with ``force_locale`` (:func:`t`), whatever the language of the screen or of
the job that sends the mail; staff pages use the same catalogue in the screen's language.
"""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext as _p

from core.errors import render

LANGUAGES = ("nl", "fr", "en")

TEXTS = {
    "date_invalid": _l("Geef een geldige datum op."),
    "referrer_name": _l("Naam en dienst van de toeleider (als u aanvraagt voor een gezin)"),
    "street": _l("Straat en nummer"),
    "required": _l("Dit veld is verplicht."),
    "start_past": _l("De gewenste startdatum ligt in het verleden."),
    "expected_too_far": _l("De verwachte geboortedatum ligt meer dan 10 maanden in de toekomst."),
    "birth_future": _l("De geboortedatum ligt in de toekomst; vul dan de verwachte geboortedatum in."),
    "birth_missing": _l("Vul de geboortedatum of de verwachte geboortedatum in."),
    "birth_both": _l("Vul de geboortedatum óf de verwachte geboortedatum in, niet beide."),
    "start_before_birth": _l("De startdatum ligt vóór de (verwachte) geboortedatum."),
    "no_location": _l("Kies minstens één opvanglocatie."),
    "location_unknown": _l("Deze opvanglocatie bestaat niet."),
    "location_twice": _l("Elke locatie mag maar één keer voorkomen."),
    "too_many_locations": _l("Kies hoogstens 5 opvanglocaties."),
    "no_days": _l("Kies minstens één dag."),
    "email_invalid": _l("Dit e-mailadres is ongeldig."),
    "email_undeliverable": _l("Op dit e-mailadres kan geen e-mail aankomen; kijk het na."),
    "duplicate": _l("Voor dit kind is al een aanvraag geregistreerd met dit e-mailadres."),
    "consent_required": _l("Een toeleider mag enkel aanvragen met toestemming van het gezin."),
    "token_unknown": _l("Deze link is ongeldig of verlopen."),
    "offer_expired": _l("Dit aanbod is verlopen en kan niet meer aanvaard worden."),
    "offer_closed": _l("Op dit aanbod werd al geantwoord."),
    "place_taken": _l("Deze plaats is niet meer vrij."),
    "not_waiting": _l("Deze aanvraag wacht niet (meer) op een plaats."),
    "placement_failed": _l("De plaatsing kon niet worden vastgelegd: %s"),
    "reason_required": _l("Geef een reden op."),
    "not_found": _l("Deze aanvraag of dit aanbod bestaat niet."),
    "external_id_invalid": _l("Bron en extern nummer zijn verplicht (bron tot 32, nummer tot 100 tekens)."),
    "external_one_child": _l("Eén extern nummer is één kind: stuur een tweeling als twee aanvragen."),
    "months_invalid": _l("Kies tussen 1 en 36 maanden."),
    "throttled": _l("Te veel verzoeken. Probeer het over een minuut opnieuw."),
    "form_errors": _l("Het formulier bevat fouten. Er werd niets bewaard."),
    "form_title": _l("Opvang aanvragen"),
    "form_intro": _l("Vul dit formulier in. Je krijgt een e-mail om je aanvraag te bevestigen."),
    "applicant": _l("Aanvrager"),
    "child": _l("Kind"),
    "first_name": _l("Voornaam"),
    "last_name": _l("Achternaam"),
    "email": _l("E-mailadres"),
    "phone": _l("Telefoon"),
    "postcode": _l("Postcode"),
    "municipality": _l("Gemeente"),
    "birth_date": _l("Geboortedatum"),
    "expected_birth_date": _l("Verwachte geboortedatum"),
    "twin_first_name": _l("Voornaam van de tweeling (indien van toepassing)"),
    "desired_start": _l("Gewenste startdatum"),
    "days": _l("Gewenste dagen"),
    "day_part": _l("Dagdeel"),
    "full": _l("volledige dag"),
    "morning": _l("voormiddag"),
    "afternoon": _l("namiddag"),
    "locations": _l("Voorkeurlocaties (in volgorde)"),
    "choice": _l("Keuze"),
    "location_search": _l("Zoek een locatie: naam of gemeente"),
    "location_none": _l("Geen locatie gevonden."),
    "remove": _l("Verwijderen"),
    "facts": _l("Gegevens voor de voorrangsregels"),
    "work": _l("Wij hebben opvang nodig voor werk, werk zoeken of een opleiding"),
    "single_parent": _l("Alleenstaande ouder"),
    "low_income": _l("Laag inkomen"),
    "foster_child": _l("Pleegkind"),
    "sibling_in_care": _l("Broer of zus al in de opvang"),
    "care_need": _l("Specifieke zorgbehoefte"),
    "low_education": _l("Laag opleidingsniveau"),
    "family_member_handicap": _l("Gezinslid met een handicap"),
    "family_member_self_care": _l("Gezinslid met beperkt zelfzorgvermogen"),
    "social_pedagogical": _l("Sociaal-pedagogische redenen"),
    "dutch_speaking": _l("Nederlandstalig gezin"),
    "urgent": _l("Dringende vraag"),
    "consent_referrers": _l("Ik geef toestemming om deze gegevens te delen met toeleiders"),
    "language": _l("Taal voor berichten"),
    "notes": _l("Opmerkingen"),
    "submit": _l("Aanvraag versturen"),
    "thanks_title": _l("Bedankt"),
    "thanks": _l("We stuurden je een e-mail. Klik op de link erin om je aanvraag te bevestigen."),
    "status_title": _l("Je aanvraag"),
    "status": _l("Status"),
    "confirmed_now": _l("Je aanvraag is bevestigd."),
    "confirm_intro": _l("Bevestig je aanvraag voor kinderopvang met de knop hieronder."),
    "confirm_button": _l("Aanvraag bevestigen"),
    "offer": _l("Aanbod"),
    "offer_text": _l("We bieden een plaats aan in %(location)s vanaf %(start)s. Antwoord vóór %(deadline)s."),
    "accept": _l("Aanbod aanvaarden"),
    "decline": _l("Aanbod weigeren"),
    "reason": _l("Reden"),
    "withdraw": _l("Aanvraag intrekken"),
    "history": _p("wachtlijst", "Verloop"),
    "accepted_now": _l("Je aanvaardde het aanbod. Welkom!"),
    "declined_now": _l("Je weigerde het aanbod. Je aanvraag blijft op de wachtlijst."),
    "withdrawn_now": _l("Je aanvraag is ingetrokken."),
    "st_submitted": _l("ingediend (nog te bevestigen)"),
    "st_confirmed": _l("bevestigd, op de wachtlijst"),
    "st_offer_made": _l("aanbod gedaan"),
    "st_accepted": _l("aanvaard"),
    "st_declined": _l("aanbod geweigerd, op de wachtlijst"),
    "st_expired": _l("aanbod verlopen, op de wachtlijst"),
    "st_placed": _l("geplaatst"),
    "st_withdrawn": _p("wachtlijst", "ingetrokken"),
    "st_lapsed": _l("vervallen"),
    "phone_invalid": _l("Dit telefoonnummer is ongeldig (bv. 0470 12 34 56 of +33 6 12 34 56 78)."),
    "offer_start_outside": _l("De startdatum moet in de maand van de vrije plaats liggen, en niet in het verleden."),
    "offer_deadline_invalid": _l("De antwoorddatum moet na vandaag en uiterlijk op de startdatum liggen."),
    "standing_title": _l("Waar staat je aanvraag?"),
    "standing_group": _l("Je aanvraag telt in de voorrangsgroep: %(group)s."),
    "standing_no_group": _l("Je aanvraag heeft geen voorrang volgens het beleid van de opvang: de datum van inschrijving telt."),
    "standing_ahead_0": _l("%(location)s: geen enkele aanvraag staat vóór de jouwe voor een start ten laatste in %(month)s op dezelfde dagen."),
    "standing_ahead_1": _l("%(location)s: 1 aanvraag staat vóór de jouwe voor een start ten laatste in %(month)s op minstens een van dezelfde dagen."),
    "standing_ahead_n": _l("%(location)s: %(n)s aanvragen staan vóór de jouwe voor een start ten laatste in %(month)s op minstens een van dezelfde dagen."),
    "standing_note": _l("Wie vóór jou staat, tonen we niet. Dit aantal kan veranderen: aanvragen met meer voorrang kunnen nog bijkomen, andere worden geplaatst of ingetrokken."),
    "answer_by": _l("Antwoord uiterlijk op %(deadline)s."),
    "of_open": _l("wacht op antwoord"),
    "of_accepted": _l("aanvaard"),
    "of_declined": _l("geweigerd"),
    "of_expired": _l("verlopen zonder antwoord"),
    "of_withdrawn": _l("ingetrokken"),
    "run_proposal": _l("voorstel, nog niet verstuurd"),
    "run_sent": _l("aanbiedingen verstuurd"),
}

WEEKDAYS = (_l("maandag"), _l("dinsdag"), _l("woensdag"), _l("donderdag"), _l("vrijdag"), _l("zaterdag"),
            _l("zondag"))

# E-mails: (subject, body) per kind; ``{...}`` fields filled with str.format after translation.
MAILS = {
    "confirmation": (
        _l("Bevestig je aanvraag voor kinderopvang"),
        _l("Beste {applicant},\n\nWe ontvingen je aanvraag voor opvang voor {child} bij {org}.\nBevestig ze met deze link:\n{confirm_url}\n\nDe status volg je op:\n{status_url}\n\nBewaar deze e-mail: de link is je enige toegang.\n"),
    ),
    "offer": (
        _l("Aanbod: een opvangplaats voor {child}"),
        _l("Beste {applicant},\n\n{org} biedt een plaats aan voor {child} in {location} vanaf {start}.\nAntwoord uiterlijk op {deadline} via:\n{status_url}\n"),
    ),
    "reminder": (
        _l("Herinnering: antwoord op het aanbod voor {child}"),
        _l("Beste {applicant},\n\nHet aanbod voor {child} in {location} vervalt op {deadline}.\nAntwoord via:\n{status_url}\n"),
    ),
    "outcome": (
        _l("Je aanvraag voor {child}: {outcome}"),
        _l("Beste {applicant},\n\nDe status van je aanvraag voor {child} bij {org} is nu: {outcome}.\nMeer op:\n{status_url}\n"),
    ),
}


def t(key: str, lang: str = "nl") -> str:
    """The text ``key`` in ``lang`` (a parent's language), whatever the current one."""
    return render(TEXTS[key], None, valid_language(lang))


def weekday_names(lang: str) -> list[str]:
    return [render(name, None, valid_language(lang)) for name in WEEKDAYS]


def mail_texts(kind: str, lang: str) -> tuple[str, str]:
    """Subject and body templates of a mail in ``lang``."""
    subject, body = MAILS[kind]
    lang = valid_language(lang)
    return render(subject, None, lang), render(body, None, lang)


def valid_language(lang: str | None) -> str:
    return lang if lang in LANGUAGES else "nl"
