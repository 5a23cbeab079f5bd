"""The demo koepel, modelled on CKO De Koepel in Kortrijk.

Organisations, locations and capacities come from the CKO's published partner list
(``kortrijk-cko-partners.csv``); every person (families, children, staff, onthaalouders) is
synthetic, generated from a fixed seed so that two runs give the same koepel.
"""
from __future__ import annotations

import csv
import math
import random
import re
from dataclasses import dataclass, field
from datetime import date, time, timedelta
from pathlib import Path

from flask import Flask
from schwifty import IBAN
from sqlalchemy import select

from core.clock import clock
from core.crypto import lookup_hash
from core.models import (
    CareType,
    Child,
    ChildFamily,
    ContactPerson,
    Family,
    Koepel,
    Language,
    LivingGroup,
    Location,
    OpeningHours,
    Organisation,
    OrganisationModule,
    PriceRegime,
    Role,
    SubsidyLevel,
    User,
)
from core.passwords import hash_password
from core.validators import creditor_id_for

CSV_PATH = Path(__file__).with_name("kortrijk-cko-partners.csv")
KOEPEL_NAME = "CKO De Koepel Kortrijk"
DEMO_PASSWORD = "koepel-demo-2026"
FAMILY_HOME_MAX = 8
TABLET_ORG = "vzw-auricula"  # the partner whose director pairs a tablet in the printed hint
SICK_CARE_CHILDREN = {"vzw-familiehulp-zorgregio-kortrijk": 10}

FIRST_NAMES = (
    "Lotte Noor Emma Olivia Mila Louise Nora Elena Marie Fien Lena Julie Ella Hanne Lore Sara Yasmine "
    "Amira Ines Zoë Liam Noah Arthur Louis Jules Lucas Adam Victor Finn Mats Lewis Vic Warre Seppe Rune "
    "Mohamed Ayoub Milan Wout Kobe Aiko Sofia Maya Hamza Jack Cas Bas Tuur Nand Lou Roos Fleur"
).split()
LAST_NAMES = [  # one entry per name: "De Smet" is one surname (same length and order as before: same seed, same draws)
    *"Peeters Janssens Maes Jacobs Mertens Willems Claes Goossens Wouters".split(), "De Smet", "Dewulf",
    *"Dubois Lambert Dupont Vermeulen Desmet Declercq Vandenberghe Verhaeghe Vanhoutte Devos Demeyer Decock".split(),
    *"Callewaert Lefebvre Verstraete Debruyne Coppens Vandamme Benali".split(), "El Amrani", "Vandaele",
    *"Nowak Kowalski Öztürk Yilmaz".split(), "Van Dycke", "Vanhecke",
    *"Vercruysse Deleu Bossuyt Vandewalle Deprez Lannoo Maertens Ghesquière Vanneste Soenen".split(),
]
STREETS = [
    *"Doorniksesteenweg Gentsesteenweg Meensesteenweg Brugsesteenweg Sint-Amandsplein Overleiestraat".split(),
    *"Kapucijnenstraat Beheerstraat".split(), "Gentse Heerweg", "Pottelberg",
    *"Zandbergstraat Hoogstraat Veemarktstraat".split(),
]


@dataclass
class DemoResult:
    created: bool
    koepel: str
    organisations: int = 0
    locations: int = 0
    children: int = 0
    logins: list[tuple[str, str, str]] = field(default_factory=list)
    public_forms: list[tuple[str, str]] = field(default_factory=list)  # (organisation, path of its form)
    tablet_org: str = ""  # slug of the organisation whose director pairs a tablet in the hint
    billing_orgs: list[str] = field(default_factory=list)  # slugs of the partners with facturatie on
    links: list[tuple[str, str]] = field(default_factory=list)  # (label, path): the modules' demo_links

    def report(self, base_url: str = "http://127.0.0.1:5000", outbox: str = "var/outbox-mail/") -> str:
        """The logins (columns as wide as the longest value, nothing cut), the public request forms
        and how to pair a tablet: everything a first visitor needs, with no unwritten step."""
        base = base_url.rstrip("/")
        head = "Demo-koepel geladen" if self.created else "Demo-koepel bestond al (niets gewijzigd)"
        role_w = max([len("rol"), *(len(r) for r, _o, _e in self.logins)])
        org_w = max([len("organisatie"), *(len(o) for _r, o, _e in self.logins)])
        lines = [
            f"{head}: {self.koepel}: {self.organisations} organisaties, {self.locations} locaties, "
            f"{self.children} kinderen.",
            f"Wachtwoord voor alle demo-accounts: {DEMO_PASSWORD}",
            "",
            f"{'rol':{role_w}}  {'organisatie':{org_w}}  e-mailadres",
        ]
        lines += [f"{role:{role_w}}  {org:{org_w}}  {email}" for role, org, email in self.logins]
        if self.public_forms:
            lines += ["", "Publiek aanvraagformulier voor ouders (zonder aanmelden):"]
            lines += [f"  {org}: {base}{path}" for org, path in self.public_forms]
        if self.links:
            lines += ["", "Om te bekijken:"]
            lines += [f"  {label}: {base}{path}" for label, path in self.links]
        if self.tablet_org:
            lines += [
                "",
                "Een tablet koppelen (aanwezigheden):",
                f"  1. meld aan als director.{self.tablet_org}@koepel.demo en schakel onder Modules",
                "     'Aanwezigheden' in (als het nog niet aan staat);",
                f"  2. meld ook op de tablet aan als die verantwoordelijke, open {base}/o/{self.tablet_org}/aanwezigheden/devices,",
                "     kies de locatie en klik op Koppelen; de tablet meldt zich af en toont voortaan de kinderen",
                "     van die locatie;",
                f"  3. een begeleider stelt haar pincode in via {base}/o/{self.tablet_org}/aanwezigheden/pin.",
            ]
        if self.billing_orgs:
            lines += ["", "Facturatie (tarieven, attesten en de registraties van vorige maand):"]
            lines += [f"  meld aan als finance.{slug}@koepel.demo: {base}/o/{slug}/facturatie/" for slug in self.billing_orgs]
        lines += ["", f"E-mails van de demo (de taakverwerker draait mee met make demo): {outbox}"]
        return "\n".join(lines)


def slugify(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower().replace("'", "")).strip("-")[:60]


def synthetic_enterprise_number(rng: random.Random) -> str:
    """A valid-looking KBO number (0 + 7 random digits + mod-97 check) that belongs to nobody real."""
    first8 = f"0{rng.randint(2_000_000, 9_999_999):07d}"
    return first8 + f"{97 - int(first8) % 97:02d}"


def synthetic_national_number(rng: random.Random, born: date) -> str:
    seq = rng.randint(1, 997)
    body = f"{born:%y%m%d}{seq:03d}"
    number = int(("2" + body) if born.year >= 2000 else body)
    return body + f"{97 - number % 97:02d}"


def _care_type(raw: str) -> CareType:
    if raw.startswith("gezinsopvang"):
        return CareType.GEZINSOPVANG
    if raw.startswith("opvang zieke"):
        return CareType.OPVANG_ZIEKE_KINDEREN
    return CareType.GROEPSOPVANG


def _rows() -> list[dict]:
    with CSV_PATH.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def _person(rng: random.Random) -> tuple[str, str]:
    return rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)


def load_demo(app: Flask) -> DemoResult:
    from core.db import get_db

    db = get_db()
    with db.unit_of_work() as session:
        existing = session.scalar(select(Koepel).where(Koepel.name == KOEPEL_NAME))
        if existing is not None:
            return _describe(session, existing, created=False)
        koepel_id = _build(session, random.Random(2026)).id
    _enable_default_modules(app)
    with db.unit_of_work() as session:  # described after the modules: the public forms exist now
        return _describe(session, session.get(Koepel, koepel_id), created=True)


def _build(session, rng: random.Random) -> Koepel:
    today = clock.today()
    koepel = Koepel(name=KOEPEL_NAME, municipality="Kortrijk")
    session.add(koepel)
    session.flush()
    orgs: dict[str, Organisation] = {}
    for row in _rows():
        slug = slugify(row["organiser"])
        org = orgs.get(slug)
        if org is None:
            enterprise = synthetic_enterprise_number(rng)
            iban = IBAN.generate("BE", bank_code="001", account_code=f"{rng.randint(0, 9_999_999):07d}")
            org = Organisation(
                koepel_id=koepel.id, slug=slug, name=row["organiser"],
                legal_form="vzw" if row["organiser_kind"] == "vzw" else "openbaar bestuur",
                enterprise_number=enterprise, street=row["street"], postcode=row["postcode"],
                municipality=row["municipality"], iban=iban.compact, bic=iban.bic.compact if iban.bic else None,
                sepa_creditor_id=creditor_id_for(enterprise),
                price_regime=PriceRegime.VRIJE_PRIJS if "Pagadder" in row["organiser"] else PriceRegime.INKOMENSTARIEF,
                subsidy_level=SubsidyLevel.TRAP_1 if "Pagadder" in row["organiser"] else SubsidyLevel.TRAP_2,
            )
            session.add(org)
            session.flush()
            orgs[slug] = org
        for location in _locations(org, row, rng):
            session.add(location)
    session.flush()
    for org in orgs.values():
        _families_and_children(session, org, rng, today)
        _users(session, koepel, org)
    session.add(User(email="coordinator@koepel.demo", name="Koepelcoördinator (demo)", role=Role.COORDINATOR,
                     koepel_id=koepel.id, password_hash=hash_password(DEMO_PASSWORD)))
    session.flush()
    return koepel


def _opening(org: Organisation, opens: time, closes: time) -> list[OpeningHours]:
    return [OpeningHours(organisation_id=org.id, weekday=d, opens=opens, closes=closes) for d in range(5)]


def _locations(org: Organisation, row: dict, rng: random.Random) -> list[Location]:
    care_type = _care_type(row["care_types"])
    places = int(row["places"]) if row["places"] else None
    common = dict(organisation_id=org.id, care_type=care_type, municipality=row["municipality"])
    if care_type == CareType.GEZINSOPVANG and places:
        homes = []
        for n in range(math.ceil(places / FAMILY_HOME_MAX)):
            first, last = _person(rng)
            home = Location(
                **common, name=f"Onthaalouder {first} {last}", caregiver_name=f"{first} {last}",
                street=f"{rng.choice(STREETS)} {rng.randint(1, 250)}", postcode=row["postcode"],
                licensed_places=min(FAMILY_HOME_MAX, places - n * FAMILY_HOME_MAX),
                opgroeien_file_no=f"{rng.randint(100_000_000, 999_999_999)}",
            )
            home.opening_hours = _opening(org, time(7, 0), time(18, 0))
            homes.append(home)
        return homes
    location = Location(
        **common, name=row["location"], street=row["street"], postcode=row["postcode"], licensed_places=places,
        opgroeien_file_no=f"{rng.randint(100_000_000, 999_999_999)}",
    )
    if care_type == CareType.GROEPSOPVANG and places:
        location.opening_hours = _opening(org, time(7, 0), time(18, 30))
        names = ["Baby's", "Kruipers", "Peuters", "Kleuters", "Dreumesen"]
        groups = max(1, math.ceil(places / 18))
        location.living_groups = [
            LivingGroup(organisation_id=org.id, name=names[i % len(names)] + ("" if i < len(names) else f" {i}"),
                        capacity=math.ceil(places / groups), min_age_months=0 if i == 0 else 12 * min(i, 2),
                        max_age_months=12 if i == 0 else 42)
            for i in range(groups)
        ]
    else:
        location.opening_hours = _opening(org, time(7, 30), time(18, 0))
    return [location]


def _families_and_children(session, org: Organisation, rng: random.Random, today: date) -> None:
    locations = [loc for loc in org.locations]
    session.flush()
    families: list[Family] = []
    for location in locations:
        if location.licensed_places:
            count = round(location.licensed_places * 1.05)
        else:
            count = SICK_CARE_CHILDREN.get(org.slug, 8) // max(1, len(locations))
        made = 0
        while made < count:
            last = rng.choice(LAST_NAMES)
            family = Family(organisation_id=org.id, name=f"Gezin {last}", municipality=location.municipality,
                            postcode=location.postcode, street=f"{rng.choice(STREETS)} {rng.randint(1, 300)}")
            language = rng.choices([Language.NL, Language.FR, Language.EN], weights=[85, 10, 5])[0]
            for relation in ("ouder",) * rng.choice((1, 2, 2, 2)):
                first = rng.choice(FIRST_NAMES)
                family.contacts.append(ContactPerson(
                    organisation_id=org.id, first_name=first, last_name=last, relation=relation,
                    email=f"{slugify(first)}.{slugify(last)}.{org.id}{made}@example.be",
                    phone=f"+32 4{rng.randint(70, 99)} {rng.randint(10, 99)} {rng.randint(10, 99)} {rng.randint(10, 99)}",
                    language=language, street=family.street, postcode=family.postcode,
                    municipality=family.municipality,
                ))
            session.add(family)
            families.append(family)
            for _ in range(2 if rng.random() < 0.12 and made + 1 < count else 1):
                unborn = rng.random() < 0.02
                born = today - timedelta(days=rng.randint(60, 34 * 30))
                child = Child(
                    organisation_id=org.id, first_name=rng.choice(FIRST_NAMES), last_name=last,
                    date_of_birth=None if unborn else born,
                    expected_birth_date=today + timedelta(days=rng.randint(20, 200)) if unborn else None,
                    care_need=rng.random() < 0.04, location=location,
                )
                if not unborn and rng.random() < 0.5:
                    child.national_number = synthetic_national_number(rng, born)
                    child.national_number_hash = lookup_hash(child.national_number)
                child.family_links.append(ChildFamily(organisation_id=org.id, family=family))
                if rng.random() < 0.05 and len(families) > 1:  # co-parenting: a second household
                    other = families[-2]
                    child.family_links.append(ChildFamily(organisation_id=org.id, family=other))
                session.add(child)
                made += 1
    session.flush()


DEMO_ROLE_NAMES = {Role.DIRECTOR: "Verantwoordelijke", Role.FINANCE: "Financiën", Role.CAREGIVER: "Begeleider"}


def _users(session, koepel: Koepel, org: Organisation) -> None:
    first_location = org.locations[0] if org.locations else None
    for role in (Role.DIRECTOR, Role.FINANCE, Role.CAREGIVER):
        user = User(email=f"{role.value}.{org.slug}@koepel.demo", name=f"{DEMO_ROLE_NAMES[role]} {org.name}"[:200],
                    role=role, organisation_id=org.id, koepel_id=koepel.id, password_hash=hash_password(DEMO_PASSWORD))
        if role == Role.CAREGIVER and first_location is not None:
            user.locations = [first_location]
        session.add(user)


def _enable_default_modules(app: Flask) -> None:
    """Planning for every partner (when installed), the waiting list and the loket for two, to show
    cascades."""
    from core.db import get_db
    from core.tenancy import enable_module, tenant_hook

    pm = app.extensions["koepel_plugins"]
    with get_db().unit_of_work() as session:
        for org in session.scalars(select(Organisation).order_by(Organisation.id)):
            if "planning" in pm.infos:
                enable_module(session, org, "planning")
            if "wachtlijst" in pm.infos and org.slug in ("vzw-auricula", "vzw-de-speelberg"):
                enable_module(session, org, "wachtlijst")
            # the same two are connected to the reference loket (make demo serves it beside the koepel)
            if "loket_sync" in pm.infos and org.slug in ("vzw-auricula", "vzw-de-speelberg"):
                enable_module(session, org, "loket_sync")
        if "facturatie" in pm.infos:  # billing (with attendance) for one IKT and one free-price partner
            orgs = session.scalars(select(Organisation).order_by(Organisation.id)).all()
            ikt = next((o for o in orgs if o.slug == TABLET_ORG), None)
            free = next((o for o in orgs if o.price_regime == PriceRegime.VRIJE_PRIJS), None)
            for org in (ikt, free):
                if org is not None and org.iban:
                    enable_module(session, org, "facturatie")
        for org in session.scalars(select(Organisation).order_by(Organisation.id)):
            tenant_hook(session, org).populate_demo(session=session, org=org, seed=2026 + org.id)


def _describe(session, koepel: Koepel, created: bool) -> DemoResult:
    from sqlalchemy import func

    orgs = session.scalars(select(Organisation).where(Organisation.koepel_id == koepel.id).order_by(Organisation.name)).all()
    org_ids = [o.id for o in orgs]
    result = DemoResult(
        created=created, koepel=koepel.name, organisations=len(orgs),
        locations=session.scalar(select(func.count(Location.id)).where(Location.organisation_id.in_(org_ids))),
        children=session.scalar(select(func.count(Child.id)).where(Child.organisation_id.in_(org_ids))),
    )
    names = {o.id: o.name for o in orgs}
    users = session.scalars(select(User).where(User.koepel_id == koepel.id).order_by(User.organisation_id.nullsfirst(), User.role)).all()
    result.logins = [(u.role.value, names.get(u.organisation_id, "(alle partners)"), u.email) for u in users]
    with_form = set(session.scalars(select(OrganisationModule.organisation_id).where(
        OrganisationModule.organisation_id.in_(org_ids), OrganisationModule.module == "wachtlijst")))
    result.public_forms = [(o.name, f"/o/{o.slug}/wachtlijst/aanvraag") for o in orgs if o.id in with_form]
    slugs = [o.slug for o in orgs]
    result.tablet_org = TABLET_ORG if TABLET_ORG in slugs else (slugs[0] if slugs else "")
    billing = set(session.scalars(select(OrganisationModule.organisation_id).where(
        OrganisationModule.organisation_id.in_(org_ids), OrganisationModule.module == "facturatie")))
    result.billing_orgs = [o.slug for o in orgs if o.id in billing]
    from core.tenancy import tenant_hook

    for org in orgs:
        for chunk in tenant_hook(session, org).demo_links(session=session, org=org):
            result.links.extend(chunk or [])
    return result
