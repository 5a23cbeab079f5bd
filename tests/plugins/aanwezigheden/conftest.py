"""Fixtures of the aanwezigheden tests: only planning + aanwezigheden enabled, a fake of the
planning api (the one seam, ``planning_adapter``) so that these tests pin our side of the contract,
and helpers to pair a device and unlock it."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, time
from decimal import Decimal

import pytest

from core.context import context_for
from core.models import Role
from plugins.aanwezigheden.services import planning_adapter
from plugins.planning import api as planning_api


@pytest.fixture
def plugins():
    return ["planning", "aanwezigheden"]


@dataclass(frozen=True)
class FakeReserved:
    """What a test reserves; handed out as planning's own ReservedDay / ExpectedChild."""

    day: date
    child_id: int
    location_id: int
    day_part: str = "full"
    start: time | None = time(8, 0)
    end: time | None = time(17, 0)
    care_plan_id: int = 1
    extra: bool = False

    def as_reserved_day(self):
        return planning_api.ReservedDay(day=self.day, child_id=self.child_id, location_id=self.location_id,
                                        care_plan_id=self.care_plan_id, day_part=self.day_part, start=self.start,
                                        end=self.end, extra=self.extra)


@dataclass
class FakePlanning:
    reserved: list[FakeReserved] = field(default_factory=list)
    closing: dict = field(default_factory=dict)  # (location_id, day) -> label
    balance: dict = field(default_factory=dict)  # child_id -> remaining respite days
    used: list = field(default_factory=list)

    def reserve(self, child, location, *days, start=time(8, 0), end=time(17, 0), day_part="full"):
        for d in days:
            self.reserved.append(FakeReserved(d, child.id, location.id, day_part, start, end))

    # the api surface used through planning_adapter
    def expected_children(self, ctx, location_id, day):
        from sqlalchemy import select

        from core.models import Child

        wanted = [r for r in self.reserved
                  if r.location_id == location_id and r.day == day and (location_id, day) not in self.closing]
        ids = {r.child_id for r in wanted}
        children = {c.id: c for c in ctx.session.scalars(select(Child).where(Child.id.in_(ids)))} if ids else {}
        return [planning_api.ExpectedChild(  # planning's own type: a field it adds or renames breaks here
            child_id=r.child_id, first_name=children[r.child_id].first_name,
            last_name=children[r.child_id].last_name, birth_date=children[r.child_id].birth_date,
            age_months=0, living_group_id=None, day_part=r.day_part, start=r.start, end=r.end,
            care_plan_id=r.care_plan_id) for r in wanted]  # one query, like planning's api

    def reserved_days(self, ctx, *, start, end, child_ids=None, location_id=None):
        return [r.as_reserved_day() for r in self.reserved if start <= r.day <= end
                and (child_ids is None or r.child_id in child_ids)
                and (location_id is None or r.location_id == location_id)
                and (r.location_id, r.day) not in self.closing]

    def closing_days(self, ctx, location_id, start, end):
        return {d: label for (loc, d), label in self.closing.items() if loc == location_id and start <= d <= end}

    def use_respite_day(self, ctx, child_id, day, amount=Decimal(1)):
        if self.balance.get(child_id, 0) <= 0:
            return False
        self.balance[child_id] -= 1
        self.used.append((child_id, day))
        return True

    def book_respite_day(self, ctx, child_id, day, *, amount=Decimal(1), location_id=None):
        booked = self.use_respite_day(ctx, child_id, day, amount)
        return planning_api.RespiteOutcome(booked, "booked" if booked else "exhausted", 1, "" if booked else "op")

    def agreements(self, ctx, *, start, end, child_ids=None, location_id=None):
        return []

    def release_respite_day(self, ctx, child_id, day):
        if (child_id, day) in self.used:
            self.used.remove((child_id, day))
            self.balance[child_id] = self.balance.get(child_id, 0) + 1

    def respite_balance(self, ctx, child_id, year):
        return self.balance.get(child_id, 0)


FAKED = ("expected_children", "reserved_days", "closing_days", "use_respite_day", "release_respite_day",
         "respite_balance", "book_respite_day", "agreements")


@pytest.fixture
def planning(monkeypatch):
    """The fake: only for what a test cannot set up quickly through planning (a reservation at
    given hours, a respite balance of exactly n). Its methods keep the real api's signatures and
    return its types (tests/plugins/aanwezigheden/test_fake_planning.py), and the paths through
    the real planning module are tested in test_planning_integration.py."""
    fake = FakePlanning()
    for name in FAKED:
        monkeypatch.setattr(planning_adapter, name, getattr(fake, name))
    return fake


def snap(obj):
    """Plain values of an ORM object: a request that fails rolls back and closes the session,
    which would leave ORM objects detached and expired in the test."""
    from types import SimpleNamespace

    from sqlalchemy import inspect

    values = {attr.key: getattr(obj, attr.key) for attr in inspect(obj).mapper.column_attrs}
    if hasattr(obj, "first_name") and hasattr(obj, "last_name"):
        values["full_name"] = f"{obj.first_name} {obj.last_name}"
    return SimpleNamespace(**values)


def db_org(session, org):
    from core.models import Organisation

    return session.get(Organisation, org.id)


@pytest.fixture
def org(factory, session):
    made = factory.org(modules={"aanwezigheden"})
    session.commit()  # the factory leaves the module switches flushed only; a 4xx would roll them back
    return snap(made)


@pytest.fixture
def location(factory, org):
    return snap(factory.location(org, name="Kinderdagverblijf Merel"))


@pytest.fixture
def director(factory, org):
    return snap(factory.user(org, Role.DIRECTOR))


@pytest.fixture
def caregiver(factory, session, org, location):
    from core.models import Location

    return snap(factory.user(org, Role.CAREGIVER, locations=[session.get(Location, location.id)]))


TABLET_HEADERS = {"X-Koepel-Tablet": "1"}
PIN = "4821"


def pair(client, session, org, location, director, pin_user=None, pin=PIN):
    """Pair a device through the director's page, set a PIN, log the director out, unlock."""
    from core.models import User
    from plugins.aanwezigheden.services.devices import set_pin
    from tests.conftest import login

    login(client, director)
    response = client.post(f"/o/{org.slug}/aanwezigheden/devices", data={"location_id": location.id, "name": "Tablet 1"})
    assert response.status_code == 302, response.get_data(as_text=True)[:400]
    user = pin_user or director
    set_pin(context_for(session, db_org(session, org)), session.get(User, user.id), pin)
    session.commit()
    client.post("/logout")
    return user


def unlock(client, org, user, pin=PIN):
    return client.post(f"/o/{org.slug}/aanwezigheden/tablet/api/unlock", json={"user_id": user.id, "pin": pin},
                       headers=TABLET_HEADERS)


def api(client, org, path, payload=None):
    url = f"/o/{org.slug}/aanwezigheden/tablet/api/{path}"
    if payload is None:
        return client.get(url, headers=TABLET_HEADERS)
    return client.post(url, json=payload, headers=TABLET_HEADERS)
