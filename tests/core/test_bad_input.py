"""Bad input on every core form: a Dutch message at the field, HTTP 422, and nothing written.

Each form first proves that its valid data is accepted, so every refusal below is caused by the
one bad value it changes. "Nothing written" is checked on the form's table and on the audit log
(every audited write leaves a row there).
"""
from __future__ import annotations

import html

import pytest
from sqlalchemy import func, select

from core.models import AuditEntry, Child, ContactPerson, Family, Location, Organisation, Role, User
from tests.conftest import login

ENTERPRISE = "0403.170.701"
OTHER_ENTERPRISE = "0202239951"
VALID_NN = "25030113819"  # synthetic, valid check digits, born 2025-03-01
REQUIRED = "Dit veld is verplicht."


class World:
    def __init__(self, factory, session):
        self.session = session
        self.org = factory.org(name="Opvang Het Klavertje", enterprise_number=OTHER_ENTERPRISE)
        self.slug = self.org.slug
        location = factory.location(self.org, name="Klavertje Vier")
        self.location_id = location.id
        self.families = [factory.family(self.org, name=f"Gezin Klaver {i}") for i in range(3)]
        self.family_ids = [f.id for f in self.families]
        foreign = factory.org(name="Buren")
        self.foreign_family_id = factory.family(foreign).id
        self.foreign_location_id = factory.location(foreign).id
        self.child = factory.child(self.org, family=self.families[0], location=location, first_name="Klaas")
        self.child_id = self.child.id
        self.director = factory.user(self.org, Role.DIRECTOR)
        self.coordinator = factory.user(None, Role.COORDINATOR)


@pytest.fixture
def world(factory, session, frozen_today):
    return World(factory, session)


def org_data(**over):
    data = {"name": "Nieuwe Opvang vzw", "legal_form": "vzw", "enterprise_number": ENTERPRISE,
            "street": "Kerkstraat 1", "postcode": "8500", "municipality": "Kortrijk",
            "iban": "BE68 5390 0754 7034", "bic": "GKCCBEBB", "sepa_creditor_id": "BE11ZZZ0403170701",
            "price_regime": "inkomenstarief", "subsidy_level": "trap_2"}
    data.update(over)
    return data


def location_data(**over):
    data = {"name": "Nieuwe Locatie", "care_type": "groepsopvang", "licensed_places": "18",
            "opgroeien_file_no": "123456789", "opens": "07:00", "closes": "18:30", "weekdays": ["0", "1", "2"]}
    data.update(over)
    return data


def contact_data(**over):
    data = {"first_name": "An", "last_name": "Klaver", "relation": "ouder", "email": "an@klaver.example",
            "language": "nl", "national_number": "90051797948"}
    data.update(over)
    return data


def child_data(world, **over):
    data = {"first_name": "Nieuw", "last_name": "Kind", "date_of_birth": "2025-03-01",
            "national_number": VALID_NN, "family_ids": [str(world.family_ids[0])],
            "location_id": str(world.location_id)}
    data.update(over)
    return {k: v for k, v in data.items() if v is not None}


def user_data(world, **over):
    data = {"name": "Nieuwe Collega", "email": "collega@klaver.example", "role": "finance", "language": "nl",
            "password": "een-lang-wachtwoord"}
    data.update(over)
    return data


# (form, who posts, url, model counted, data builder)
FORMS = {
    "organisation_create": ("coordinator", lambda w: "/koepel/organisations/new", Organisation,
                            lambda w, **o: org_data(**o)),
    "organisation_edit": ("director", lambda w: f"/o/{w.slug}/organisation/edit", Organisation,
                          lambda w, **o: org_data(**{"enterprise_number": OTHER_ENTERPRISE,
                                                     "sepa_creditor_id": "BE92ZZZ0202239951", **o})),
    "location": ("director", lambda w: f"/o/{w.slug}/locations/new", Location, lambda w, **o: location_data(**o)),
    "family": ("director", lambda w: f"/o/{w.slug}/families/new", Family,
               lambda w, **o: {"name": "Gezin Nieuw", **o}),
    "contact": ("director", lambda w: f"/o/{w.slug}/families/{w.family_ids[0]}/contacts/new", ContactPerson,
                lambda w, **o: contact_data(**o)),
    "child": ("director", lambda w: f"/o/{w.slug}/children/new", Child, child_data),
    "child_edit": ("director", lambda w: f"/o/{w.slug}/children/{w.child_id}/edit", Child, child_data),
    "user": ("director", lambda w: f"/o/{w.slug}/users/new", User, user_data),
}

CASES = [
    # organisation
    ("organisation_create", {"name": ""}, REQUIRED),
    ("organisation_create", {"enterprise_number": "0123.456.789"}, "Ongeldig ondernemingsnummer"),
    ("organisation_create", {"enterprise_number": "BE0403.170.702"}, "Ongeldig ondernemingsnummer"),
    ("organisation_create", {"iban": "BE68 5390 0754 7035"}, "Ongeldig IBAN-rekeningnummer."),
    ("organisation_create", {"iban": "NL00 RABO 0123"}, "Ongeldig IBAN-rekeningnummer."),
    ("organisation_create", {"bic": "GKCC"}, "Ongeldige BIC-code."),
    ("organisation_create", {"sepa_creditor_id": "BE12ZZZ0403170701"}, "controlegetal klopt niet"),
    ("organisation_create", {"sepa_creditor_id": "BE92ZZZ0202239951"}, "hoort niet bij dit ondernemingsnummer"),
    ("organisation_create", {"sepa_creditor_id": "NL11ZZZ0403170701"}, "formaat BE00ZZZ0123456789"),
    ("organisation_create", {"sepa_creditor_id": "BE11ZZZ04031707"}, "formaat BE00ZZZ0123456789"),
    ("organisation_create", {"enterprise_number": OTHER_ENTERPRISE, "sepa_creditor_id": "BE92ZZZ0202239951"},
     "Er bestaat al een organisatie met dit ondernemingsnummer."),
    ("organisation_create", {"price_regime": "gratis"}, "Ongeldige keuze."),
    ("organisation_edit", {"enterprise_number": "0403.170.702"}, "Ongeldig ondernemingsnummer"),
    ("organisation_edit", {"iban": "BE00"}, "Ongeldig IBAN-rekeningnummer."),
    ("organisation_edit", {"name": ""}, REQUIRED),
    # location
    ("location", {"name": ""}, REQUIRED),
    ("location", {"opgroeien_file_no": "12ab5"}, "Het dossiernummer telt 9 of 10 cijfers."),
    ("location", {"closes": "06:00"}, "Het sluitingsuur moet na het openingsuur liggen."),
    ("location", {"care_type": "gezinsopvang", "licensed_places": "9"}, "Gezinsopvang heeft hoogstens 8 kindplaatsen."),
    ("location", {"licensed_places": "-1"}, "Tussen 0 en 500."),
    ("location", {"licensed_places": "veel"}, "Ongeldig getal."),
    ("location", {"opens": "25:00"}, "Ongeldige waarde voor tijd."),
    ("location", {"care_type": "kamp"}, "Ongeldige keuze."),
    # family
    ("family", {"name": ""}, REQUIRED),
    ("family", {"notes": "x" * 2001}, "2000"),
    # contact
    ("contact", {"email": "geen-adres"}, "Ongeldig e-mailadres."),
    ("contact", {"national_number": "90051797949"}, "Ongeldig rijksregisternummer"),
    ("contact", {"national_number": "123"}, "Ongeldig rijksregisternummer"),
    ("contact", {"first_name": ""}, REQUIRED),
    ("contact", {"language": "de"}, "Ongeldige keuze."),
    # child
    ("child", {"date_of_birth": "2026-12-01"}, "De geboortedatum ligt in de toekomst"),
    ("child", {"date_of_birth": "2025-03-01", "expected_birth_date": "2027-01-10", "national_number": ""},
     "niet beide"),
    ("child", {"date_of_birth": None, "national_number": ""}, "Vul de geboortedatum of de verwachte geboortedatum in."),
    ("child", {"date_of_birth": None, "expected_birth_date": "2026-01-10", "national_number": ""},
     "De verwachte geboortedatum ligt in het verleden."),
    ("child", {"date_of_birth": "31/02/2025"}, "Ongeldige datum."),
    ("child", {"national_number": "25030113818"}, "Ongeldig rijksregisternummer"),
    ("child", {"family_ids": None}, "Kies minstens één gezin."),
    ("child", {"family_ids": "three"}, "Een kind hoort bij hoogstens twee gezinnen (co-ouderschap)."),
    ("child", {"family_ids": "foreign"}, "is een ongeldige keuze voor dit veld."),
    ("child", {"location_id": "foreign"}, "Ongeldige keuze."),
    ("child", {"first_name": ""}, REQUIRED),
    ("child_edit", {"date_of_birth": "2026-12-01"}, "De geboortedatum ligt in de toekomst"),
    ("child_edit", {"family_ids": "three"}, "hoogstens twee gezinnen"),
    # user
    ("user", {"email": "geen-adres"}, "Ongeldig e-mailadres."),
    ("user", {"password": "kort"}, "Minstens 10 tekens."),
    ("user", {"role": "caregiver"}, "Kies minstens één locatie voor een begeleider."),
    ("user", {"role": "coordinator"}, "Ongeldige keuze."),
    ("user", {"role": "loket"}, "Ongeldige keuze."),
    ("user", {"name": ""}, REQUIRED),
]


def resolve(world, over: dict) -> dict:
    """Symbolic values that need the world's ids."""
    out = dict(over)
    if out.get("family_ids") == "three":
        out["family_ids"] = [str(i) for i in world.family_ids]
    elif out.get("family_ids") == "foreign":
        out["family_ids"] = [str(world.foreign_family_id)]
    if out.get("location_id") == "foreign":
        out["location_id"] = str(world.foreign_location_id)
    return out


def login_for(client, world, form):
    login(client, world.coordinator if FORMS[form][0] == "coordinator" else world.director)


def post(client, world, form, over):
    _who, url, _model, build = FORMS[form]
    data = build(world, **resolve(world, over))
    return client.post(url(world), data=data)


def counts(session, model):
    return (session.scalar(select(func.count()).select_from(model)),
            session.scalar(select(func.count(AuditEntry.id))))


def snapshot(session, model):
    """Every column of every row of the table: an edit that was refused must leave it as it was."""
    session.expire_all()
    return sorted(tuple(row) for row in session.execute(select(*model.__table__.columns)))


@pytest.mark.parametrize("form", sorted(FORMS))
def test_valid_data_is_accepted(client, session, world, form):
    model = FORMS[form][2]
    login_for(client, world, form)
    before = counts(session, model)
    response = post(client, world, form, {})
    assert response.status_code == 302, html.unescape(response.get_data(as_text=True))[-3000:]
    after = counts(session, model)
    assert after[1] > before[1]  # something was written (and audited)


@pytest.mark.parametrize(("form", "over", "message"), CASES, ids=[f"{c[0]}-{'-'.join(c[1])}" for c in CASES])
def test_bad_input_is_refused_in_dutch_and_writes_nothing(client, session, world, form, over, message):
    model = FORMS[form][2]
    login_for(client, world, form)
    before, rows_before = counts(session, model), snapshot(session, model)
    response = post(client, world, form, over)
    body = html.unescape(response.get_data(as_text=True))
    assert response.status_code == 422
    assert message in body
    assert 'class="error"' in body and "Er werd niets bewaard." in body
    assert counts(session, model) == before
    assert snapshot(session, model) == rows_before


def test_duplicate_national_number_and_email_are_refused(client, session, world):
    login(client, world.director)
    assert client.post(f"/o/{world.slug}/children/new", data=child_data(world)).status_code == 302
    before = counts(session, Child)
    again = client.post(f"/o/{world.slug}/children/new", data=child_data(world, first_name="Tweeling"))
    assert again.status_code == 422
    assert "Er is al een kind met dit rijksregisternummer." in again.get_data(as_text=True)
    assert counts(session, Child) == before
    email = session.get(User, world.director.id).email
    dup = client.post(f"/o/{world.slug}/users/new", data=user_data(world, email=email.upper()))
    assert dup.status_code == 422 and "Dit e-mailadres is al in gebruik." in dup.get_data(as_text=True)


def test_optional_identifiers_left_empty_are_stored_as_null(client, session, world):
    """Two organisations without an enterprise number (unique column) can both exist, and an empty
    national number is not an encrypted empty string shown as 'registered'."""
    login(client, world.coordinator)
    empty = {"enterprise_number": "", "iban": "", "bic": "", "sepa_creditor_id": ""}
    for name in ("Zonder Nummer Een", "Zonder Nummer Twee"):
        response = client.post("/koepel/organisations/new", data=org_data(name=name, **empty))
        assert response.status_code == 302, response.get_data(as_text=True)[-2000:]
    rows = session.execute(select(Organisation.enterprise_number, Organisation.iban, Organisation.sepa_creditor_id)
                           .where(Organisation.name.like("Zonder Nummer%"))).all()
    assert rows == [(None, None, None), (None, None, None)]
    login(client, world.director)
    response = client.post(f"/o/{world.slug}/children/new", data=child_data(world, national_number="  "))
    assert response.status_code == 302
    child = session.scalar(select(Child).where(Child.first_name == "Nieuw"))
    assert child.national_number is None and child.national_number_hash is None
    page = client.get(f"/o/{world.slug}/children/{child.id}").get_data(as_text=True)
    assert "geregistreerd" not in page
