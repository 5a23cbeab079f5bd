"""Seeds shared by the browser tests (the fixtures themselves live in tests/browser_support.py)."""
from __future__ import annotations

import uuid
from dataclasses import dataclass

import pytest

from core.models import CareType, Organisation, Role, User


@dataclass
class SmallKoepel:
    """A koepel of its own: a coordinator, two partners without modules, a director of each."""

    coordinator: User
    org: Organisation
    other: Organisation
    director: User
    other_director: User


@pytest.fixture
def small_koepel(live_server) -> SmallKoepel:
    token = uuid.uuid4().hex[:6]
    with live_server.seed() as f:
        coordinator = f.user(None, role=Role.COORDINATOR, email=f"coord-{token}@example.be")
        org = f.org(name=f"Kinderopvang Zonnebloem {token}", municipality="Kortrijk")
        other = f.org(name=f"Kinderdagverblijf Het Nest {token}", municipality="Kuurne")
        f.location(org, name=f"Zonnebloem Centrum {token}", places=18)
        f.location(org, name=f"Onthaalouder An {token}", care_type=CareType.GEZINSOPVANG, places=8)
        f.location(other, name=f"Het Nest {token}", places=28)
        director = f.user(org, role=Role.DIRECTOR, email=f"dir-{token}@example.be")
        other_director = f.user(other, role=Role.DIRECTOR, email=f"dir2-{token}@example.be")
    return SmallKoepel(coordinator, org, other, director, other_director)
