"""Fixtures of the aanwezigheden tests: only planning + aanwezigheden enabled, ``planning`` to set
up reservations, closing days and respite balances through the real planning api (no fake: it
drifted from the real signatures), and helpers to pair a device and unlock it."""
from __future__ import annotations

import pytest

from core.context import context_for
from core.models import Role


@pytest.fixture
def plugins():
    return ["planning", "aanwezigheden"]


@pytest.fixture
def planning(session, org):
    """Reservations, closing days and respite balances set up through the real planning api:
    ``planning.reserve(child, location, *days, start=, end=, day_part=)``,
    ``planning.closing[(location_id, day)] = reason``, ``planning.balance[child_id] = n``."""
    from tests.plugins.aanwezigheden.real_planning import RealPlanning

    return RealPlanning(session, org.id)


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
