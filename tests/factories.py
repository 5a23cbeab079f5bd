"""Test data factories. Organisations get their modules through enable_module, so the
dependency cascade is exercised by every test that uses them."""
from __future__ import annotations

import itertools
from datetime import date, time

from core.models import (
    CareType,
    Child,
    ChildFamily,
    ContactPerson,
    Family,
    Koepel,
    LivingGroup,
    Location,
    OpeningHours,
    Organisation,
    Role,
    User,
)
from core.passwords import hash_password
from core.tenancy import enable_module

_seq = itertools.count(1)
PASSWORD = "correct-horse-battery"


class Factory:
    """Every object is committed, which in the tests' savepoint mode only releases a savepoint:
    the data stays inside the test's outer transaction (rolled back at the end), but a request
    that fails and rolls back cannot take the test's data with it."""

    def __init__(self, session) -> None:
        self.session = session
        self._koepel: Koepel | None = None

    def koepel(self) -> Koepel:
        if self._koepel is None:
            self._koepel = Koepel(name=f"Testkoepel {next(_seq)}")
            self.session.add(self._koepel)
            self.session.commit()
        return self._koepel

    def org(self, name: str | None = None, modules: set[str] | frozenset[str] = frozenset(), **kw) -> Organisation:
        n = next(_seq)
        if "facturatie" in modules:  # billing may only be enabled with the organisation's IBAN
            kw.setdefault("iban", "BE68539007547034")
        org = Organisation(koepel_id=self.koepel().id, slug=f"org-{n}", name=name or f"Organisatie {n}", **kw)
        self.session.add(org)
        self.session.commit()
        for module in sorted(modules):
            enable_module(self.session, org, module)
        return org

    def location(self, org: Organisation, name: str | None = None, care_type: CareType = CareType.GROEPSOPVANG,
                 places: int = 18, opens: time = time(7, 0), closes: time = time(18, 30),
                 weekdays=range(5), groups: int = 1) -> Location:
        n = next(_seq)
        location = Location(organisation_id=org.id, name=name or f"Locatie {n}", care_type=care_type,
                            licensed_places=places, opgroeien_file_no=f"{100000000 + n}")
        location.opening_hours = [OpeningHours(organisation_id=org.id, weekday=d, opens=opens, closes=closes)
                                  for d in weekdays]
        location.living_groups = [LivingGroup(organisation_id=org.id, name=f"Groep {i + 1}", capacity=18)
                                  for i in range(groups)]
        self.session.add(location)
        self.session.commit()
        return location

    def family(self, org: Organisation, name: str | None = None, contacts: int = 1) -> Family:
        n = next(_seq)
        family = Family(organisation_id=org.id, name=name or f"Gezin {n}")
        for i in range(contacts):
            family.contacts.append(ContactPerson(organisation_id=org.id, first_name=f"Ouder{i}", last_name=f"Fam{n}",
                                                 email=f"ouder{i}.{n}@example.be"))
        self.session.add(family)
        self.session.commit()
        return family

    def child(self, org: Organisation, family: Family | None = None, location: Location | None = None,
              born: date | None = date(2025, 3, 1), first_name: str | None = None, **kw) -> Child:
        n = next(_seq)
        family = family or self.family(org)
        child = Child(organisation_id=org.id, first_name=first_name or f"Kind{n}", last_name=f"Achternaam{n}",
                      date_of_birth=born, location_id=location.id if location else None, **kw)
        child.family_links.append(ChildFamily(organisation_id=org.id, family_id=family.id))
        self.session.add(child)
        self.session.commit()
        return child

    def user(self, org: Organisation | None, role: Role = Role.DIRECTOR, locations=(), email: str | None = None) -> User:
        n = next(_seq)
        user = User(email=email or f"user{n}@example.be", name=f"Gebruiker {n}", role=role,
                    password_hash=hash_password(PASSWORD), organisation_id=org.id if org else None,
                    koepel_id=org.koepel_id if org else self.koepel().id)
        user.locations = list(locations)
        self.session.add(user)
        self.session.commit()
        return user
