"""Shared fixtures of the facturatie tests: an IKT organisation with its bank account (the
module cannot be switched on without one), a location, finance staff and a director."""
from __future__ import annotations

import pytest

from core.models import Role


@pytest.fixture
def plugins():
    return ["planning", "aanwezigheden", "facturatie"]


@pytest.fixture
def org(factory):
    return factory.org(name="Kinderopvang De Bolle", modules={"planning", "aanwezigheden", "facturatie"},
                       bic="GEBABEBB")


@pytest.fixture
def location(factory, org):
    return factory.location(org, name="De Bolle Centrum", places=18)


@pytest.fixture
def finance(factory, org):
    return factory.user(org, Role.FINANCE)


@pytest.fixture
def director(factory, org):
    return factory.user(org, Role.DIRECTOR)
