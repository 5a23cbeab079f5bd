"""No internal words on screen: setting values, audit fields, statuses and holidays in the reader's
words; singular and plural; PDF footers escaped once; times in Europe/Brussels; download names
that keep a child's name readable."""
from __future__ import annotations

import re
from datetime import UTC, date, datetime

import pytest

from core.filenames import safe_filename
from core.models import Role
from tests.conftest import login


@pytest.fixture
def plugins():
    return ["planning", "aanwezigheden", "wachtlijst"]


@pytest.mark.parametrize("lang, yes, word", [("nl", "Standaard: Ja", "Ophalen"), ("fr", "Par défaut", "Oui"),
                                             ("en", "Default", "Yes")])
def test_settings_show_yes_no_and_words(client, factory, lang, yes, word):
    org = factory.org(modules={"planning", "aanwezigheden"})
    login(client, factory.user(org, Role.DIRECTOR))
    client.set_cookie("lang", lang)
    text = client.get(f"/o/{org.slug}/settings/").get_data(as_text=True)
    hints = " ".join(part.split("</small>")[0] for part in text.split('<small class="hint">')[1:])
    assert "True" not in hints and "False" not in hints
    assert "pickup" not in hints  # the choice's label, not its stored value
    assert yes in hints


def test_audit_log_names_fields_and_values_in_the_readers_language(client, factory, session):
    org = factory.org()
    director = factory.user(org, Role.DIRECTOR)
    login(client, director)
    family = factory.family(org, contacts=0)
    session.commit()
    response = client.post(f"/o/{org.slug}/families/{family.id}/contacts/new",
                           data={"first_name": "Zoë", "last_name": "Öztürk", "relation": "voogd",
                                 "language": "fr", "phone": "0470 12 34 56"})
    assert response.status_code == 302
    page = client.get(f"/o/{org.slug}/audit").get_data(as_text=True)
    assert "Voornaam" in page and "first_name" not in page and "<code>" not in page
    client.set_cookie("lang", "fr")
    page = client.get(f"/o/{org.slug}/audit").get_data(as_text=True)
    assert "Prénom" in page and "first_name" not in page


def test_value_labels(app):
    from core.labels import field_label, value_label

    with app.test_request_context():
        assert value_label("care_need", True) == "Ja" and value_label("care_need", False) == "Nee"
        assert value_label("care_type", "gezinsopvang") == "Gezinsopvang"
        assert value_label("role", "director") == "Verantwoordelijke"
        assert value_label("start_date", "2026-12-01") == "01-12-2026"
        assert value_label("at", "2026-11-18T07:30:00+00:00") == "18-11-2026, 08:30"
        assert value_label("notes", None) == "∅"
    from flask_babel import force_locale

    with app.test_request_context(), force_locale("fr"):
        assert value_label("care_need", True) == "Oui"
        assert field_label("first_name") == "Prénom"
    assert field_label("settling_in_until") == "Wenperiode tot en met"
    assert field_label("national_number").startswith("Rijksregisternummer")


def test_register_day_shows_accepted_in_words(client, factory, session, frozen_today):
    from plugins.aanwezigheden.models import EVENT_STATUS_LABELS, EventStatus

    assert set(EVENT_STATUS_LABELS) == set(EventStatus)
    org = factory.org(modules={"planning", "aanwezigheden"})
    location = factory.location(org)
    child = factory.child(org, location=location)
    from plugins.aanwezigheden.models import AttendanceEvent, EventKind

    at = datetime(2026, 11, 18, 7, 30, tzinfo=UTC)
    session.add(AttendanceEvent(organisation_id=org.id, child_id=child.id, location_id=location.id,
                                kind=EventKind.ARRIVAL, at=at, day=at.date(), status=EventStatus.ACCEPTED,
                                client_id="woorden-1", received_at=at))
    login(client, factory.user(org, Role.DIRECTOR))
    session.commit()
    page = client.get(f"/o/{org.slug}/aanwezigheden/register/{location.id}/day?date=2026-11-18").get_data(as_text=True)
    assert "aanvaard" in page and ">accepted" not in page
    assert "08:30" in page  # 07:30 UTC is 08:30 in Brussels


@pytest.mark.parametrize("lang, name", [("nl", "Allerheiligen"), ("fr", "Toussaint"), ("en", "All Saints' Day")])
def test_holiday_names_in_the_readers_language(app, lang, name):
    from plugins.planning.services.closing_days import public_holidays

    assert public_holidays(date(2026, 11, 1), date(2026, 11, 1), lang) == {date(2026, 11, 1): name}
    from flask_babel import force_locale

    with app.test_request_context(), force_locale(lang):
        assert public_holidays(date(2026, 11, 1), date(2026, 11, 1))[date(2026, 11, 1)] == name


@pytest.mark.parametrize("lang, one, many", [
    ("nl", "1 resultaat, pagina 1 van 1", "2 resultaten, pagina 1 van 1"),
    ("fr", "1 résultat, page 1 sur 1", "2 résultats, page 1 sur 1"),
    ("en", "1 result, page 1 of 1", "2 results, page 1 of 1"),
])
def test_singular_and_plural(client, factory, lang, one, many):
    org = factory.org()
    factory.family(org, name="Gezin Eenling")
    login(client, factory.user(org, Role.DIRECTOR))
    client.set_cookie("lang", lang)
    assert one in client.get(f"/o/{org.slug}/families/?q=Eenling").get_data(as_text=True)
    factory.family(org, name="Gezin Eenling bis")
    assert many in client.get(f"/o/{org.slug}/families/?q=Eenling").get_data(as_text=True)


def test_plural_forms_in_every_catalogue():
    from pathlib import Path

    from babel.support import Translations

    import core

    TRANSLATIONS = Path(core.__file__).parent / "translations"

    for lang, one, many in (("fr", "1 enfant attendu", "3 enfants attendus"),
                            ("en", "1 child expected", "3 children expected")):
        catalogue = Translations.load(str(TRANSLATIONS), [lang])
        assert catalogue.ngettext("%(num)s kind verwacht", "%(num)s kinderen verwacht", 1) % {"num": 1} == one
        assert catalogue.ngettext("%(num)s kind verwacht", "%(num)s kinderen verwacht", 3) % {"num": 3} == many


def test_no_message_counts_with_a_bracketed_plural():
    """"3 dag(en)" is what issue 12 ruled out: a count is written with ngettext, or the sentence is
    worded so that the number stands alone ("aantal dagen: 3")."""
    from pathlib import Path

    from babel.messages.pofile import read_po

    import core

    template = Path(core.__file__).parent / "translations" / "messages.pot"
    with template.open("rb") as handle:
        catalogue = read_po(handle)
    bracketed = re.compile(r"[a-zé]\((en|s|e|n|ren|eren)\)")
    offenders = [m.id for m in catalogue if m.id and any(bracketed.search(text) for text in
                 ((m.id,) if isinstance(m.id, str) else m.id))]
    assert offenders == []


#: Dutch plural nouns that follow a count in a message ("%(n)s dagen").
PLURAL_NOUNS = ("dagen", "kinderen", "gezinnen", "facturen", "herinneringen", "rijen", "minuten", "locaties",
                "plaatsen", "kindplaatsen", "begeleiders", "aanbiedingen", "aanvragen", "registraties", "attesten",
                "bewegingen", "gebeurtenissen", "maanden", "weken", "uren", "dagdelen", "partners", "resultaten",
                "tekens", "mandaten", "kinderen", "documenten", "fouten", "euro's", "leefgroepen", "contracten")
#: Plain ``_()`` messages with such a count that may stay: the count is never 1 (a part of the msgid).
COUNT_NEVER_ONE = {
    "bezet (%(r)s van %(a)s dagdelen)": "a month's available day parts: places x 2 x open days, shown only when > 0",
    "registraties wachten op verzending": "the tablet's script uses the data-one text for 1",
    "tot %(limit)s maanden": "the care type's upper age limit (36 months and more)",
    "%(age)s maanden oud; opvang voor baby": "an age above the upper limit (36 months and more)",
    "vanaf %(minimum)s maanden": "the out-of-school care's minimum age (a rule, 30 months)",
    "Maximaal %(n)s tekens": "a field's maximum length, a constant (hundreds)",
    "hoogstens %(n)s dagen": "a constant (a month's worth of days)",
    "maximaal %(n)s registraties per keer": "a constant batch size (hundreds)",
    "van %(places)s plaatsen = %(reserved)s": "group care's licensed places, 9 and more",
    "%(peak)s kinderen tegelijk, maximum %(max)s": "a living group's peak above its capacity (2 and more)",
    "%(n)s aanvragen staan vóór de jouwe": "wachtlijst texts: standing_ahead_0 and _1 are the texts for 0 and 1",
}


def _extracted_messages():
    """Every message in the source as babel extracts it (babel.cfg), not the catalogue: a stale
    catalogue cannot hide a new message."""
    from pathlib import Path

    from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
    from babel.messages.frontend import parse_mapping_cfg

    import core

    root = Path(core.__file__).parent.parent
    with (root / "babel.cfg").open() as handle:
        method_map, options_map = parse_mapping_cfg(handle)
    keywords = {**DEFAULT_KEYWORDS, "_l": None, "lazy_gettext": None, "lazy_ngettext": (1, 2),
                "lazy_pgettext": ((1, "c"), 2)}
    for filename, lineno, message, _comments, _context in extract_from_dir(str(root), method_map, options_map,
                                                                          keywords=keywords):
        yield f"{filename}:{lineno}", message


def test_no_plain_message_counts_a_plural_noun():
    """"1 begeleiders nodig" (issue 12): a message with a count before a plural noun is written with
    ngettext (or worded so that the number stands alone), unless the count can never be 1."""
    nouns = "|".join(sorted(set(PLURAL_NOUNS)))
    counted = re.compile(r"%\(\w+\)[sd] (?:[a-zé-]+ )?(?:" + nouns + r")\b")
    offenders, used = [], set()
    for where, message in _extracted_messages():
        if not isinstance(message, str):  # ngettext: singular and plural
            continue
        allowed = {a for a in COUNT_NEVER_ONE if a in message}
        used |= allowed
        if counted.search(message) and not allowed:
            offenders.append(f"{where}: {message[:90]}")
    assert offenders == []
    assert used == set(COUNT_NEVER_ONE)  # no exception outlives its message


def test_plural_noun_check_catches_a_bare_count():
    counted = re.compile(r"%\(\w+\)[sd] (?:[a-zé-]+ )?(?:" + "|".join(PLURAL_NOUNS) + r")\b")
    assert counted.search("%(n)s begeleiders nodig") and counted.search("op %(days)s dagen")
    assert counted.search("%(n)s vergunde plaatsen") and not counted.search("aantal dagen: %(n)s")


def test_pdf_footer_escapes_once(app):
    from core.pdf import render_html

    with app.test_request_context():
        html = render_html("planning/closing_days_pdf.html", {
            "title": "x", "rows": [], "organisation": "VZW 't Sloeberke & Co \"Groen\"", "year": 2026})
    footer = html.split("@bottom-left")[1].split(";")[0]
    assert "&#39;" not in footer and "&amp;" not in footer
    assert "VZW 't Sloeberke & Co \\22 Groen\\22 " in footer


def test_css_string_cannot_end_the_style_element():
    from core.templating import css_string

    assert "</style>" not in css_string("</style><script>")
    assert css_string("a&amp;b") == "a&b"


@pytest.mark.parametrize("typed, expected", [
    ("opvangdagen-Zoë-Öztürk-20261201.ics", "opvangdagen-Zoe-Ozturk-20261201.ics"),
    ("aanwezigheidsregister-Crèche Ghesquière-2026-11.pdf", "aanwezigheidsregister-Creche-Ghesquiere-2026-11.pdf"),
    ('dag"planning 2026/11.pdf', "dag-planning-2026-11.pdf"),
    ("Łukasz Wiśniewski.pdf", "Lukasz-Wisniewski.pdf"),
    ("", "download"),
])
def test_download_names_keep_names_readable(typed, expected):
    assert safe_filename(typed) == expected


@pytest.mark.parametrize("lang, whole, part", [("nl", "10", "2,5"), ("fr", "10", "2,5"), ("en", "10", "2.5")])
def test_quantities_without_trailing_zeros(app, lang, whole, part):
    """An invoice line of 10 days reads "10", not "10,000" (ten thousand to a Dutch reader)."""
    from decimal import Decimal

    from flask_babel import force_locale

    from core.templating import format_number

    with app.test_request_context(), force_locale(lang):
        assert format_number(Decimal("10.000")) == whole and format_number(Decimal("2.500")) == part
        assert format_number(Decimal("1234.5")).replace("\u202f", " ").replace("\xa0", " ") in (
            "1.234,5", "1 234,5", "1,234.5")
