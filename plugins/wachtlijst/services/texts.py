"""Texts a parent reads (public pages, errors, e-mails) in Dutch, French and English.

Parents have no account and choose their language on the form; these strings must be right in
all three languages now, not after a later translation pass, so they live here as data.
Staff pages use Flask-Babel as everywhere else.
"""
from __future__ import annotations

LANGUAGES = ("nl", "fr", "en")

TEXTS: dict[str, dict[str, str]] = {
    # --- errors -----------------------------------------------------------------------------
    "date_invalid": {"nl": "Geef een geldige datum op.", "fr": "Indiquez une date valide.",
                     "en": "Enter a valid date."},
    "referrer_name": {"nl": "Naam en dienst van de toeleider (als u aanvraagt voor een gezin)",
                      "fr": "Nom et service de l'orienteur (si vous introduisez pour une famille)",
                      "en": "Name and service of the referrer (when filing for a family)"},
    "street": {"nl": "Straat en nummer", "fr": "Rue et numéro", "en": "Street and number"},
    "required": {"nl": "Dit veld is verplicht.", "fr": "Ce champ est obligatoire.",
                 "en": "This field is required."},
    "start_past": {"nl": "De gewenste startdatum ligt in het verleden.",
                   "fr": "La date de début souhaitée est dans le passé.",
                   "en": "The desired start date is in the past."},
    "expected_too_far": {"nl": "De verwachte geboortedatum ligt meer dan 10 maanden in de toekomst.",
                         "fr": "La date de naissance prévue est à plus de 10 mois dans le futur.",
                         "en": "The expected birth date is more than 10 months ahead."},
    "birth_future": {"nl": "De geboortedatum ligt in de toekomst; vul dan de verwachte geboortedatum in.",
                     "fr": "La date de naissance est dans le futur ; indiquez plutôt la date prévue.",
                     "en": "The date of birth is in the future; give the expected birth date instead."},
    "birth_missing": {"nl": "Vul de geboortedatum of de verwachte geboortedatum in.",
                      "fr": "Indiquez la date de naissance ou la date de naissance prévue.",
                      "en": "Give the date of birth or the expected birth date."},
    "birth_both": {"nl": "Vul de geboortedatum óf de verwachte geboortedatum in, niet beide.",
                   "fr": "Indiquez la date de naissance ou la date prévue, pas les deux.",
                   "en": "Give either the date of birth or the expected birth date, not both."},
    "start_before_birth": {"nl": "De startdatum ligt vóór de (verwachte) geboortedatum.",
                           "fr": "La date de début précède la date de naissance (prévue).",
                           "en": "The start date is before the (expected) birth date."},
    "no_location": {"nl": "Kies minstens één opvanglocatie.", "fr": "Choisissez au moins un lieu d'accueil.",
                    "en": "Choose at least one childcare location."},
    "location_unknown": {"nl": "Deze opvanglocatie bestaat niet.", "fr": "Ce lieu d'accueil n'existe pas.",
                         "en": "This childcare location does not exist."},
    "location_twice": {"nl": "Elke locatie mag maar één keer voorkomen.",
                       "fr": "Chaque lieu ne peut figurer qu'une fois.",
                       "en": "Each location may appear only once."},
    "too_many_locations": {"nl": "Kies hoogstens 5 opvanglocaties.", "fr": "Choisissez au maximum 5 lieux.",
                           "en": "Choose at most 5 locations."},
    "no_days": {"nl": "Kies minstens één dag.", "fr": "Choisissez au moins un jour.",
                "en": "Choose at least one day."},
    "phone_invalid": {"nl": "Dit telefoonnummer is ongeldig (bv. 0470 12 34 56 of +33 6 12 34 56 78).",
                      "fr": "Ce numéro de téléphone n'est pas valide (p. ex. 0470 12 34 56 ou +33 6 12 34 56 78).",
                      "en": "This phone number is not valid (e.g. 0470 12 34 56 or +33 6 12 34 56 78)."},
    "email_invalid": {"nl": "Dit e-mailadres is ongeldig.", "fr": "Cette adresse e-mail n'est pas valide.",
                      "en": "This e-mail address is invalid."},
    "email_undeliverable": {"nl": "Op dit e-mailadres kan geen e-mail aankomen; kijk het na.",
                            "fr": "Aucun e-mail ne peut arriver à cette adresse ; vérifiez-la.",
                            "en": "No e-mail can be delivered to this address; please check it."},
    "duplicate": {"nl": "Voor dit kind is al een aanvraag geregistreerd met dit e-mailadres.",
                  "fr": "Une demande existe déjà pour cet enfant avec cette adresse e-mail.",
                  "en": "A request for this child with this e-mail address already exists."},
    "consent_required": {"nl": "Een toeleider mag enkel aanvragen met toestemming van het gezin.",
                         "fr": "Un orienteur ne peut introduire une demande qu'avec l'accord de la famille.",
                         "en": "A referrer may only file a request with the family's consent."},
    "token_unknown": {"nl": "Deze link is ongeldig of verlopen.", "fr": "Ce lien n'est pas valide ou a expiré.",
                      "en": "This link is invalid or has expired."},
    "offer_expired": {"nl": "Dit aanbod is verlopen en kan niet meer aanvaard worden.",
                      "fr": "Cette offre a expiré et ne peut plus être acceptée.",
                      "en": "This offer has expired and can no longer be accepted."},
    "offer_closed": {"nl": "Op dit aanbod werd al geantwoord.", "fr": "Il a déjà été répondu à cette offre.",
                     "en": "This offer has already been answered."},
    "place_taken": {"nl": "Deze plaats is niet meer vrij.", "fr": "Cette place n'est plus libre.",
                    "en": "This place is no longer free."},
    "offer_start_outside": {"nl": "De startdatum moet in de maand van de vrije plaats liggen, en niet in het verleden.",
                            "fr": "La date de début doit tomber dans le mois de la place libre, et pas dans le passé.",
                            "en": "The start date must fall in the month of the free place, and not in the past."},
    "offer_deadline_invalid": {"nl": "De antwoorddatum moet na vandaag en uiterlijk op de startdatum liggen.",
                               "fr": "La date de réponse doit suivre aujourd'hui et précéder ou égaler la date de début.",
                               "en": "The answer date must be after today and no later than the start date."},
    "not_waiting": {"nl": "Deze aanvraag wacht niet (meer) op een plaats.",
                    "fr": "Cette demande n'attend plus de place.", "en": "This request is no longer waiting."},
    "placement_failed": {"nl": "De plaatsing kon niet worden vastgelegd: %s",
                         "fr": "Le placement n'a pas pu être enregistré : %s",
                         "en": "The placement could not be recorded: %s"},
    "reason_required": {"nl": "Geef een reden op.", "fr": "Indiquez une raison.", "en": "Please give a reason."},
    "not_found": {"nl": "Deze aanvraag of dit aanbod bestaat niet.", "fr": "Cette demande ou cette offre n'existe pas.",
                  "en": "This request or offer does not exist."},
    "external_id_invalid": {"nl": "Bron en extern nummer zijn verplicht (bron tot 32, nummer tot 100 tekens).",
                            "fr": "La source et le numéro externe sont obligatoires (source 32, numéro 100 caractères max.).",
                            "en": "Source and external id are required (source up to 32, id up to 100 characters)."},
    "external_one_child": {"nl": "Eén extern nummer is één kind: stuur een tweeling als twee aanvragen.",
                           "fr": "Un numéro externe correspond à un enfant : envoyez des jumeaux en deux demandes.",
                           "en": "One external id is one child: send twins as two requests."},
    "months_invalid": {"nl": "Kies tussen 1 en 36 maanden.", "fr": "Choisissez entre 1 et 36 mois.",
                       "en": "Choose between 1 and 36 months."},
    "throttled": {"nl": "Te veel verzoeken. Probeer het over een minuut opnieuw.",
                  "fr": "Trop de demandes. Réessayez dans une minute.",
                  "en": "Too many requests. Try again in a minute."},
    "form_errors": {"nl": "Het formulier bevat fouten. Er werd niets bewaard.",
                    "fr": "Le formulaire contient des erreurs. Rien n'a été enregistré.",
                    "en": "The form contains errors. Nothing was saved."},
    # --- public pages ----------------------------------------------------------------------
    "form_title": {"nl": "Opvang aanvragen", "fr": "Demander une place d'accueil", "en": "Request childcare"},
    "form_intro": {"nl": "Vul dit formulier in. Je krijgt een e-mail om je aanvraag te bevestigen.",
                   "fr": "Remplissez ce formulaire. Vous recevrez un e-mail pour confirmer votre demande.",
                   "en": "Fill in this form. You will receive an e-mail to confirm your request."},
    "applicant": {"nl": "Aanvrager", "fr": "Demandeur", "en": "Applicant"},
    "child": {"nl": "Kind", "fr": "Enfant", "en": "Child"},
    "first_name": {"nl": "Voornaam", "fr": "Prénom", "en": "First name"},
    "last_name": {"nl": "Achternaam", "fr": "Nom", "en": "Last name"},
    "email": {"nl": "E-mailadres", "fr": "Adresse e-mail", "en": "E-mail address"},
    "phone": {"nl": "Telefoon", "fr": "Téléphone", "en": "Phone"},
    "postcode": {"nl": "Postcode", "fr": "Code postal", "en": "Postcode"},
    "municipality": {"nl": "Gemeente", "fr": "Commune", "en": "Municipality"},
    "birth_date": {"nl": "Geboortedatum", "fr": "Date de naissance", "en": "Date of birth"},
    "expected_birth_date": {"nl": "Verwachte geboortedatum", "fr": "Date de naissance prévue",
                            "en": "Expected birth date"},
    "twin_first_name": {"nl": "Voornaam van de tweeling (indien van toepassing)",
                        "fr": "Prénom du jumeau (le cas échéant)", "en": "First name of the twin (if any)"},
    "desired_start": {"nl": "Gewenste startdatum", "fr": "Date de début souhaitée", "en": "Desired start date"},
    "days": {"nl": "Gewenste dagen", "fr": "Jours souhaités", "en": "Desired days"},
    "day_part": {"nl": "Dagdeel", "fr": "Partie de journée", "en": "Part of day"},
    "full": {"nl": "volledige dag", "fr": "journée complète", "en": "full day"},
    "morning": {"nl": "voormiddag", "fr": "matin", "en": "morning"},
    "afternoon": {"nl": "namiddag", "fr": "après-midi", "en": "afternoon"},
    "locations": {"nl": "Voorkeurlocaties (in volgorde)", "fr": "Lieux préférés (par ordre)",
                  "en": "Preferred locations (in order)"},
    "choice": {"nl": "Keuze", "fr": "Choix", "en": "Choice"},
    "facts": {"nl": "Gegevens voor de voorrangsregels", "fr": "Informations pour les priorités",
              "en": "Information for the priority rules"},
    "work": {"nl": "Wij hebben opvang nodig voor werk, werk zoeken of een opleiding",
             "fr": "Nous avons besoin d'accueil pour travailler, chercher un emploi ou suivre une formation",
             "en": "We need childcare for work, looking for work or training"},
    "single_parent": {"nl": "Alleenstaande ouder", "fr": "Parent isolé", "en": "Single parent"},
    "low_income": {"nl": "Laag inkomen", "fr": "Revenu faible", "en": "Low income"},
    "foster_child": {"nl": "Pleegkind", "fr": "Enfant placé en famille d'accueil", "en": "Foster child"},
    "sibling_in_care": {"nl": "Broer of zus al in de opvang", "fr": "Frère ou sœur déjà accueilli(e)",
                        "en": "Brother or sister already in care"},
    "care_need": {"nl": "Specifieke zorgbehoefte", "fr": "Besoin de soins spécifiques",
                  "en": "Specific care need"},
    "low_education": {"nl": "Laag opleidingsniveau", "fr": "Faible niveau d'instruction",
                      "en": "Low level of education"},
    "family_member_handicap": {"nl": "Gezinslid met een handicap", "fr": "Membre de la famille handicapé",
                               "en": "Family member with a disability"},
    "family_member_self_care": {"nl": "Gezinslid met beperkt zelfzorgvermogen",
                                "fr": "Membre de la famille à autonomie limitée",
                                "en": "Family member with limited self-care capacity"},
    "social_pedagogical": {"nl": "Sociaal-pedagogische redenen", "fr": "Raisons socio-pédagogiques",
                           "en": "Social-pedagogical reasons"},
    "dutch_speaking": {"nl": "Nederlandstalig gezin", "fr": "Famille néerlandophone",
                       "en": "Dutch-speaking family"},
    "urgent": {"nl": "Dringende vraag", "fr": "Demande urgente", "en": "Urgent request"},
    "consent_referrers": {"nl": "Ik geef toestemming om deze gegevens te delen met toeleiders",
                          "fr": "J'accepte que ces données soient partagées avec les orienteurs",
                          "en": "I consent to sharing these data with referrers"},
    "language": {"nl": "Taal voor berichten", "fr": "Langue des messages", "en": "Language of messages"},
    "notes": {"nl": "Opmerkingen", "fr": "Remarques", "en": "Notes"},
    "submit": {"nl": "Aanvraag versturen", "fr": "Envoyer la demande", "en": "Send request"},
    "thanks_title": {"nl": "Bedankt", "fr": "Merci", "en": "Thank you"},
    "thanks": {"nl": "We stuurden je een e-mail. Klik op de link erin om je aanvraag te bevestigen.",
               "fr": "Nous vous avons envoyé un e-mail. Cliquez sur le lien pour confirmer votre demande.",
               "en": "We sent you an e-mail. Click the link in it to confirm your request."},
    "status_title": {"nl": "Je aanvraag", "fr": "Votre demande", "en": "Your request"},
    "status": {"nl": "Status", "fr": "Statut", "en": "Status"},
    "confirmed_now": {"nl": "Je aanvraag is bevestigd.", "fr": "Votre demande est confirmée.",
                      "en": "Your request is confirmed."},
    "confirm_intro": {"nl": "Bevestig je aanvraag voor kinderopvang met de knop hieronder.",
                      "fr": "Confirmez votre demande d'accueil avec le bouton ci-dessous.",
                      "en": "Confirm your childcare request with the button below."},
    "confirm_button": {"nl": "Aanvraag bevestigen", "fr": "Confirmer la demande", "en": "Confirm the request"},
    "offer": {"nl": "Aanbod", "fr": "Offre", "en": "Offer"},
    "offer_text": {"nl": "We bieden een plaats aan in %(location)s vanaf %(start)s. Antwoord vóór %(deadline)s.",
                   "fr": "Nous vous proposons une place à %(location)s à partir du %(start)s. Répondez avant le %(deadline)s.",
                   "en": "We offer a place at %(location)s from %(start)s. Please answer before %(deadline)s."},
    "accept": {"nl": "Aanbod aanvaarden", "fr": "Accepter l'offre", "en": "Accept the offer"},
    "decline": {"nl": "Aanbod weigeren", "fr": "Refuser l'offre", "en": "Decline the offer"},
    "reason": {"nl": "Reden", "fr": "Raison", "en": "Reason"},
    "withdraw": {"nl": "Aanvraag intrekken", "fr": "Retirer la demande", "en": "Withdraw the request"},
    "history": {"nl": "Verloop", "fr": "Historique", "en": "History"},
    "accepted_now": {"nl": "Je aanvaardde het aanbod. Welkom!", "fr": "Vous avez accepté l'offre. Bienvenue !",
                     "en": "You accepted the offer. Welcome!"},
    "declined_now": {"nl": "Je weigerde het aanbod. Je aanvraag blijft op de wachtlijst.",
                     "fr": "Vous avez refusé l'offre. Votre demande reste sur la liste d'attente.",
                     "en": "You declined the offer. Your request stays on the waiting list."},
    "withdrawn_now": {"nl": "Je aanvraag is ingetrokken.", "fr": "Votre demande a été retirée.",
                      "en": "Your request has been withdrawn."},
    # statuses
    "st_submitted": {"nl": "ingediend (nog te bevestigen)", "fr": "introduite (à confirmer)",
                     "en": "submitted (to be confirmed)"},
    "st_confirmed": {"nl": "bevestigd, op de wachtlijst", "fr": "confirmée, sur la liste d'attente",
                     "en": "confirmed, on the waiting list"},
    "st_offer_made": {"nl": "aanbod gedaan", "fr": "offre faite", "en": "offer made"},
    "st_accepted": {"nl": "aanvaard", "fr": "acceptée", "en": "accepted"},
    "st_declined": {"nl": "aanbod geweigerd, op de wachtlijst", "fr": "offre refusée, sur la liste d'attente",
                    "en": "offer declined, on the waiting list"},
    "st_expired": {"nl": "aanbod verlopen, op de wachtlijst", "fr": "offre expirée, sur la liste d'attente",
                   "en": "offer expired, on the waiting list"},
    "st_placed": {"nl": "geplaatst", "fr": "placé", "en": "placed"},
    "st_withdrawn": {"nl": "ingetrokken", "fr": "retirée", "en": "withdrawn"},
    "st_lapsed": {"nl": "vervallen", "fr": "caduque", "en": "lapsed"},
    # where the request stands (status page)
    "standing_title": {"nl": "Waar staat je aanvraag?", "fr": "Où en est votre demande ?",
                       "en": "Where does your request stand?"},
    "standing_group": {"nl": "Je aanvraag telt in de voorrangsgroep: %(group)s.",
                       "fr": "Votre demande compte dans le groupe prioritaire : %(group)s.",
                       "en": "Your request counts in the priority group: %(group)s."},
    "standing_no_group": {"nl": "Je aanvraag heeft geen voorrang volgens het beleid van de opvang: de datum van "
                                "inschrijving telt.",
                          "fr": "Votre demande n'a pas de priorité selon la politique de l'accueil : la date "
                                "d'inscription compte.",
                          "en": "Your request has no priority under the provider's policy: the date of "
                                "registration counts."},
    "standing_ahead_0": {"nl": "%(location)s: geen enkele aanvraag staat vóór de jouwe voor een start ten laatste in "
                               "%(month)s op dezelfde dagen.",
                         "fr": "%(location)s : aucune demande ne précède la vôtre pour un début au plus tard en "
                               "%(month)s les mêmes jours.",
                         "en": "%(location)s: no request is ahead of yours for a start by %(month)s on the same "
                               "days."},
    "standing_ahead_1": {"nl": "%(location)s: 1 aanvraag staat vóór de jouwe voor een start ten laatste in %(month)s "
                               "op minstens een van dezelfde dagen.",
                         "fr": "%(location)s : 1 demande précède la vôtre pour un début au plus tard en %(month)s "
                               "sur au moins un des mêmes jours.",
                         "en": "%(location)s: 1 request is ahead of yours for a start by %(month)s on at least "
                               "one of the same days."},
    "standing_ahead_n": {"nl": "%(location)s: %(n)s aanvragen staan vóór de jouwe voor een start ten laatste in "
                               "%(month)s op minstens een van dezelfde dagen.",
                         "fr": "%(location)s : %(n)s demandes précèdent la vôtre pour un début au plus tard en "
                               "%(month)s sur au moins un des mêmes jours.",
                         "en": "%(location)s: %(n)s requests are ahead of yours for a start by %(month)s on at "
                               "least one of the same days."},
    "standing_note": {"nl": "Wie vóór jou staat, tonen we niet. Dit aantal kan veranderen: aanvragen met meer voorrang "
                            "kunnen nog bijkomen, andere worden geplaatst of ingetrokken.",
                      "fr": "Nous ne montrons pas qui vous précède. Ce nombre peut changer : des demandes plus "
                            "prioritaires peuvent s'ajouter, d'autres sont placées ou retirées.",
                      "en": "We do not show who is ahead of you. This number can change: requests with more "
                            "priority may still come in, others are placed or withdrawn."},
    "answer_by": {"nl": "Antwoord uiterlijk op %(deadline)s.", "fr": "Répondez au plus tard le %(deadline)s.",
                  "en": "Answer by %(deadline)s at the latest."},
    # offer statuses
    "of_open": {"nl": "wacht op antwoord", "fr": "en attente de réponse", "en": "awaiting an answer"},
    "of_accepted": {"nl": "aanvaard", "fr": "acceptée", "en": "accepted"},
    "of_declined": {"nl": "geweigerd", "fr": "refusée", "en": "declined"},
    "of_expired": {"nl": "verlopen zonder antwoord", "fr": "expirée sans réponse", "en": "expired without an answer"},
    "of_withdrawn": {"nl": "ingetrokken", "fr": "retirée", "en": "withdrawn"},
    # central allocation runs
    "run_proposal": {"nl": "voorstel, nog niet verstuurd", "fr": "proposition, pas encore envoyée",
                     "en": "proposal, not sent yet"},
    "run_sent": {"nl": "aanbiedingen verstuurd", "fr": "offres envoyées", "en": "offers sent"},
}

WEEKDAY_NAMES = {
    "nl": ["maandag", "dinsdag", "woensdag", "donderdag", "vrijdag", "zaterdag", "zondag"],
    "fr": ["lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"],
    "en": ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"],
}

# E-mails: (subject, body) per kind and language; ``{...}`` fields filled with str.format.
MAILS: dict[str, dict[str, tuple[str, str]]] = {
    "confirmation": {
        "nl": ("Bevestig je aanvraag voor kinderopvang",
               "Beste {applicant},\n\nWe ontvingen je aanvraag voor opvang voor {child} bij {org}.\n"
               "Bevestig ze met deze link:\n{confirm_url}\n\nDe status volg je op:\n{status_url}\n\n"
               "Bewaar deze e-mail: de link is je enige toegang.\n"),
        "fr": ("Confirmez votre demande d'accueil",
               "Bonjour {applicant},\n\nNous avons reçu votre demande d'accueil pour {child} auprès de {org}.\n"
               "Confirmez-la avec ce lien :\n{confirm_url}\n\nSuivez son statut ici :\n{status_url}\n\n"
               "Conservez cet e-mail : ce lien est votre seul accès.\n"),
        "en": ("Confirm your childcare request",
               "Dear {applicant},\n\nWe received your childcare request for {child} at {org}.\n"
               "Confirm it with this link:\n{confirm_url}\n\nFollow its status at:\n{status_url}\n\n"
               "Keep this e-mail: the link is your only access.\n"),
    },
    "offer": {
        "nl": ("Aanbod: een opvangplaats voor {child}",
               "Beste {applicant},\n\n{org} biedt een plaats aan voor {child} in {location} vanaf {start}.\n"
               "Antwoord uiterlijk op {deadline} via:\n{status_url}\n"),
        "fr": ("Offre : une place d'accueil pour {child}",
               "Bonjour {applicant},\n\n{org} propose une place pour {child} à {location} à partir du {start}.\n"
               "Répondez au plus tard le {deadline} via :\n{status_url}\n"),
        "en": ("Offer: a childcare place for {child}",
               "Dear {applicant},\n\n{org} offers a place for {child} at {location} from {start}.\n"
               "Please answer by {deadline} at:\n{status_url}\n"),
    },
    "reminder": {
        "nl": ("Herinnering: antwoord op het aanbod voor {child}",
               "Beste {applicant},\n\nHet aanbod voor {child} in {location} vervalt op {deadline}.\n"
               "Antwoord via:\n{status_url}\n"),
        "fr": ("Rappel : répondez à l'offre pour {child}",
               "Bonjour {applicant},\n\nL'offre pour {child} à {location} expire le {deadline}.\n"
               "Répondez via :\n{status_url}\n"),
        "en": ("Reminder: answer the offer for {child}",
               "Dear {applicant},\n\nThe offer for {child} at {location} expires on {deadline}.\n"
               "Answer at:\n{status_url}\n"),
    },
    "outcome": {
        "nl": ("Je aanvraag voor {child}: {outcome}",
               "Beste {applicant},\n\nDe status van je aanvraag voor {child} bij {org} is nu: {outcome}.\n"
               "Meer op:\n{status_url}\n"),
        "fr": ("Votre demande pour {child} : {outcome}",
               "Bonjour {applicant},\n\nLe statut de votre demande pour {child} auprès de {org} est : {outcome}.\n"
               "Plus d'infos :\n{status_url}\n"),
        "en": ("Your request for {child}: {outcome}",
               "Dear {applicant},\n\nThe status of your request for {child} at {org} is now: {outcome}.\n"
               "More at:\n{status_url}\n"),
    },
}


def t(key: str, lang: str = "nl") -> str:
    entry = TEXTS[key]
    return entry.get(lang) or entry["nl"]


def valid_language(lang: str | None) -> str:
    return lang if lang in LANGUAGES else "nl"
