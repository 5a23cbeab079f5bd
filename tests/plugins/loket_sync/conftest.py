from __future__ import annotations

import pytest

from core.models import Role


@pytest.fixture
def plugins():
    return ["planning", "wachtlijst", "loket_sync"]


@pytest.fixture
def org(factory):
    return factory.org(name="Kinderopvang Zonneweide", modules={"planning", "wachtlijst", "loket_sync"})


@pytest.fixture
def location(factory, org):
    return factory.location(org, name="Zonneweide Centrum", places=18)


@pytest.fixture
def director(factory, org):
    return factory.user(org, Role.DIRECTOR)


@pytest.fixture
def ctx(session, org):
    from core.context import context_for

    return context_for(session, org)
