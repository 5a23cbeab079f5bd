"""Issue 12 §4 in core: a contact's relation in the reader's words, the koepel's totals with the
singular ("1 locatie"), a document's language for its reader, and plural forms of the messages
that got ngettext in every catalogue."""
from __future__ import annotations

from pathlib import Path

import pytest
from babel.support import Translations

import core
from core.models import Role
from tests.conftest import login

TRANSLATIONS = Path(core.__file__).parent / "translations"


@pytest.mark.parametrize("lang, word", [("nl", "voogd"), ("fr", "tuteur·rice"), ("en", "guardian")])
def test_contact_relation_in_the_readers_words(client, factory, session, lang, word):
    org = factory.org()
    family = factory.family(org)
    family.contacts[0].relation = "voogd"
    session.commit()
    login(client, factory.user(org, Role.DIRECTOR))
    client.set_cookie("lang", lang)
    page = client.get(f"/o/{org.slug}/families/{family.id}").get_data(as_text=True)
    assert f"<td>{word}</td>" in page


@pytest.mark.parametrize("lang, text", [("nl", "1 locatie, 1 vergunde kindplaats"),
                                        ("fr", "1 site, 1 place d'accueil autorisée"),
                                        ("en", "1 location, 1 licensed place")])
def test_koepel_totals_in_the_singular(client, factory, lang, text):
    org = factory.org(name="Partner Een")
    factory.location(org, places=1)
    factory.user(None, Role.COORDINATOR, email="coord-words@example.be")
    client.set_cookie("lang", lang)
    client.post("/login", data={"email": "coord-words@example.be", "password": "correct-horse-battery"})
    page = client.get("/koepel/").get_data(as_text=True)
    assert text in page, page.split("class=\"lead\">")[1][:120]


def test_document_language(app):
    from flask_babel import force_locale

    from core.i18n import document_language

    with app.test_request_context(), force_locale("en"):
        assert document_language("fr", "nl") == "fr"
        assert document_language("xx", "nl") == "nl"  # an unknown ?lang= falls back to the reader's
        assert document_language(None, None) == "en"  # and then to the screen's


@pytest.mark.parametrize("singular, plural, fr, en", [
    ("%(num)s dag", "%(num)s dagen", ("1 jour", "3 jours"), ("1 day", "3 days")),
    ("%(num)s herinnering klaargezet om te versturen.", "%(num)s herinneringen klaargezet om te versturen.",
     ("1 rappel prêt à être envoyé.", "3 rappels prêts à être envoyés."),
     ("1 reminder queued for sending.", "3 reminders queued for sending.")),
    ("Te veel foute pincodes. Dit toestel is vergrendeld voor nog %(num)s minuut.",
     "Te veel foute pincodes. Dit toestel is vergrendeld voor nog %(num)s minuten.",
     ("Trop de codes PIN erronés. Cet appareil est verrouillé pendant encore 1 minute.",
      "Trop de codes PIN erronés. Cet appareil est verrouillé pendant encore 3 minutes."),
     ("Too many wrong PINs. This device is locked for another 1 minute.",
      "Too many wrong PINs. This device is locked for another 3 minutes.")),
    ("%(num)s factuur opgemaakt; de pdf wordt gemaakt.", "%(num)s facturen opgemaakt; de pdf's worden gemaakt.",
     ("1 facture établie ; le PDF est en cours de création.", "3 factures établies ; les PDF sont en cours de création."),
     ("1 invoice made; the PDF is being made.", "3 invoices made; the PDFs are being made.")),
])
def test_new_plural_forms_in_every_catalogue(singular, plural, fr, en):
    for lang, (one, many) in (("fr", fr), ("en", en)):
        catalogue = Translations.load(str(TRANSLATIONS), [lang])
        assert catalogue.ngettext(singular, plural, 1) % {"num": 1} == one
        assert catalogue.ngettext(singular, plural, 3) % {"num": 3} == many
