"""Translations: one catalogue (core/translations, domain ``messages``) for core and every plugin;
Dutch source strings, French and English catalogues; the ``lang`` cookie chooses."""
from __future__ import annotations

import shutil
from io import BytesIO
from pathlib import Path

import pytest
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

import core
from core.i18n import compile_catalogues
from core.models import Role
from tests.conftest import login, make_config

TRANSLATIONS = Path(core.__file__).parent / "translations"
LANGS = ("nl", "fr", "en")


@pytest.fixture
def plugins():
    """Core pages only: the plugins' strings are checked through the catalogues above."""
    return []


@pytest.fixture
def app_config(database_url, tmp_path):
    return make_config(database_url, tmp_path, KOEPEL_PAGE_SIZE=2)


def _catalog(lang: str):
    with (TRANSLATIONS / lang / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        return read_po(handle, locale=lang)


@pytest.mark.parametrize("lang", LANGS)
def test_catalogue_is_valid_and_compiles(lang):
    catalog = _catalog(lang)
    assert len(catalog) > 200
    assert not catalog.fuzzy
    problems = [(message.id, errors) for message, errors in catalog.check()]
    assert problems == []  # e.g. a %(name)s placeholder lost in translation
    buffer = BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    compiled = Translations(buffer, domain="messages")
    assert compiled.gettext("Aanmelden") == {"nl": "Aanmelden", "fr": "Se connecter", "en": "Sign in"}[lang]


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_french_and_english_translate_every_string(lang):
    untranslated = [m.id for m in _catalog(lang) if m.id and (not m.string or m.fuzzy)]
    assert untranslated == []


def test_catalogues_share_the_template():
    """nl, fr and en were updated from the same messages.pot: same msgids everywhere."""
    with (TRANSLATIONS / "messages.pot").open("rb") as handle:
        template = {m.id for m in read_po(handle) if m.id}
    for lang in LANGS:
        assert {m.id for m in _catalog(lang) if m.id} == template, lang


def test_missing_or_stale_mo_files_are_compiled(tmp_path):
    """A fresh clone has no .mo files (gitignored): create_app compiles them."""
    copy = tmp_path / "translations"
    shutil.copytree(TRANSLATIONS, copy, ignore=shutil.ignore_patterns("*.mo"))
    done = compile_catalogues(copy)
    assert sorted(p.parent.parent.name for p in done) == sorted(LANGS)
    assert compile_catalogues(copy) == []  # up to date: nothing to do
    fr = Translations.load(str(copy), ["fr"], domain="messages")
    assert fr.gettext("Aanmelden") == "Se connecter"
    en = Translations.load(str(copy), ["en"], domain="messages")
    assert en.gettext("Volgende") == "Next"


def test_app_start_leaves_compiled_catalogues(app):
    for lang in LANGS:
        mo = TRANSLATIONS / lang / "LC_MESSAGES" / "messages.mo"
        po = mo.with_suffix(".po")
        assert mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime


@pytest.mark.parametrize(
    "lang, expected, dutch",
    [
        ("fr", ["Se connecter", "Adresse e-mail", "Mot de passe", "Aller au contenu"], "Wachtwoord"),
        ("en", ["Sign in", "E-mail address", "Password", "Skip to content"], "Wachtwoord"),
        ("nl", ["Aanmelden", "E-mailadres", "Wachtwoord", "Naar de inhoud"], "Mot de passe"),
    ],
)
def test_login_page_follows_the_lang_cookie(client, lang, expected, dutch):
    client.set_cookie("lang", lang)
    html = client.get("/login").get_data(as_text=True)
    assert f'<html lang="{lang}">' in html
    for text in expected:
        assert text in html
    assert dutch not in html


def test_browser_language_is_used_without_cookie_and_dutch_is_the_default(client):
    assert "Sign in" in client.get("/login", headers={"Accept-Language": "en-GB,en;q=0.8"}).get_data(as_text=True)
    assert "Aanmelden" in client.get("/login", headers={"Accept-Language": "de-DE"}).get_data(as_text=True)
    assert "Aanmelden" in client.get("/login").get_data(as_text=True)


def test_language_link_sets_the_cookie(client):
    response = client.get("/lang/fr?next=/login")
    assert response.status_code == 302 and response.headers["Location"].endswith("/login")
    assert "lang=fr" in response.headers["Set-Cookie"]
    assert "Se connecter" in client.get("/login").get_data(as_text=True)
    client.get("/lang/xx?next=/login")  # unknown language: cookie unchanged
    assert "Se connecter" in client.get("/login").get_data(as_text=True)


CORE_PAGES = {
    # path: (French strings, English strings)
    "/": (["Aperçu", "Organisation", "Se déconnecter"], ["Overview", "Organisation", "Sign out"]),
    "/children/": (["Enfants", "Tous les sites", "Suivant", "Date de naissance"],
                   ["Children", "All locations", "Next", "Date of birth"]),
    "/families/": (["Familles", "Nouvelle famille", "Rechercher"], ["Families", "New family", "Search"]),
    "/locations/": (["Sites", "Type d'accueil", "Accueil en groupe"], ["Locations", "Type of care", "Group childcare"]),
    "/organisation": (["Forme juridique", "Niveau 2 : subvention tarif lié aux revenus"],
                      ["Legal form", "Level 2: income-related tariff subsidy"]),
    "/modules": (["Activez ou désactivez un module", "Statut"], ["Switch a module on or off", "Status"]),
    "/users": (["Utilisateurs", "Responsable"], ["Users", "Director"]),
    "/audit": (["Journal d'audit", "Quand"], ["Audit log", "When"]),
    "/settings/": (["Paramètres de", "Par défaut"], ["Settings of", "Default:"]),
    "/children/new": (["Nouvel enfant", "Prénom", "Enregistrer"], ["New child", "First name", "Save"]),
}


@pytest.fixture
def director_org(client, factory):
    org = factory.org()
    location = factory.location(org)
    for _ in range(5):  # three pages (KOEPEL_PAGE_SIZE=2): the pager shows "next"
        factory.child(org, location=location)
    login(client, factory.user(org, Role.DIRECTOR))
    return org


@pytest.mark.parametrize("lang", ["fr", "en"])
@pytest.mark.parametrize("path", sorted(CORE_PAGES))
def test_core_pages_render_translated(client, director_org, lang, path):
    client.set_cookie("lang", lang)
    response = client.get(f"/o/{director_org.slug}{path}")
    assert response.status_code == 200, path
    html = response.get_data(as_text=True)
    for text in CORE_PAGES[path][0 if lang == "fr" else 1]:
        assert text in html, (path, lang, text)
    for dutch in ("Afmelden", "Naar de inhoud", "open-source software voor de kinderopvang"):
        assert dutch not in html


def test_pager_links_render_in_every_language(client, director_org):
    """Regression: the pager macro once rebound ``_`` and failed on any list longer than a page."""
    for lang, prev, nxt in (("nl", "Vorige", "Volgende"), ("fr", "Précédent", "Suivant"), ("en", "Previous", "Next")):
        client.set_cookie("lang", lang)
        html = client.get(f"/o/{director_org.slug}/children/?page=2").get_data(as_text=True)
        assert f'rel="prev">{prev}</a>' in html and f'rel="next">{nxt}</a>' in html


def test_coordinator_overview_in_english(client, factory):
    org = factory.org(name="Partner Een")
    factory.location(org, places=12)
    factory.user(None, Role.COORDINATOR, email="coord@example.be")
    client.set_cookie("lang", "en")
    client.post("/login", data={"email": "coord@example.be", "password": "correct-horse-battery"})
    html = client.get("/koepel/").get_data(as_text=True)
    assert "Partners of the koepel" in html and "All partners" in html and "Partner Een" in html


def _invalid_child(client, org):
    return client.post(f"/o/{org.slug}/children/new", data={
        "first_name": "", "last_name": "Peeters", "date_of_birth": "31-31-2025", "location_id": "0",
    })


def test_wtforms_messages_are_dutch_by_default(client, director_org):
    response = _invalid_child(client, director_org)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Ongeldige datum." in html  # WTForms' own message, from its Dutch catalogue
    assert "Dit veld is verplicht." in html  # Koepel's message
    assert "Not a valid date value." not in html
    assert "Het formulier bevat fouten. Er werd niets bewaard." in html


@pytest.mark.parametrize(
    "lang, own, form_error",
    [("fr", "Ce champ est obligatoire.", "Le formulaire contient des erreurs."),
     ("en", "This field is required.", "The form contains errors.")],
)
def test_validation_messages_follow_the_language(client, director_org, lang, own, form_error):
    client.set_cookie("lang", lang)
    response = _invalid_child(client, director_org)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert own in html and form_error in html
    assert "Ongeldige datum." not in html and "Dit veld is verplicht." not in html


def _extracted() -> dict[str, str]:
    """msgid -> where, of every string babel extracts with the project's babel.cfg (in memory: the
    catalogues are never written)."""
    from babel.messages.extract import extract_from_dir
    from babel.messages.frontend import parse_mapping_cfg

    root = Path(core.__file__).parent.parent
    with (root / "babel.cfg").open() as handle:
        method_map, options_map = parse_mapping_cfg(handle)
    found: dict[str, str] = {}
    for filename, lineno, message, _comments, _context in extract_from_dir(
            root, method_map, options_map, keywords={"_": None, "_l": None, "gettext": None, "lazy_gettext": None,
                                                     "ngettext": (1, 2), "lazy_ngettext": (1, 2)}):
        if "/.venv/" in f"/{filename}" or filename.startswith(("tests/", "bench/")):
            continue
        found.setdefault(message if isinstance(message, str) else message[0], f"{filename}:{lineno}")
    return found


def test_every_extracted_string_has_a_french_and_english_entry():
    """A ``_()`` string added in code but not to the catalogues shows in Dutch on a French screen."""
    extracted = _extracted()
    assert len(extracted) > 1000
    for lang in ("fr", "en"):
        known = {m.id if isinstance(m.id, str) else m.id[0] for m in _catalog(lang) if m.id and m.string}
        missing = sorted(f"{where}: {msgid}" for msgid, where in extracted.items() if msgid not in known)
        assert missing == [], lang
