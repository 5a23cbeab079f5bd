"""The fake planning of these tests cannot drift from the real api again: the seam
(``planning_adapter``) and the fake take the real functions' parameters, and the fake hands out
planning's own types."""
from __future__ import annotations

import inspect
from datetime import date

from core.context import build_context
from plugins.aanwezigheden.services import planning_adapter
from plugins.planning import api as planning_api
from tests.plugins.aanwezigheden.conftest import FAKED, FakePlanning, db_org


def parameters(fn) -> list[tuple[str, object, object]]:
    return [(p.name, p.kind, p.default) for p in inspect.signature(fn).parameters.values()]


def test_the_fake_and_the_seam_take_the_real_apis_parameters():
    fake = FakePlanning()
    for name in FAKED:
        real = getattr(planning_api, name)
        assert parameters(getattr(fake, name)) == parameters(real), name
        seam = parameters(getattr(planning_adapter, name))
        assert [p[:2] for p in seam] == [p[:2] for p in parameters(real)][:len(seam)], name


def test_the_fake_hands_out_plannings_own_types(session, factory, org, location, planning):
    o = db_org(session, org)
    ctx = build_context(session, o)
    kid = factory.child(o, location=location)
    planning.reserve(kid, location, date(2026, 11, 16))
    [expected] = planning_adapter.expected_children(ctx, location.id, date(2026, 11, 16))
    [reserved] = planning_adapter.reserved_days(ctx, start=date(2026, 11, 16), end=date(2026, 11, 16))
    assert type(expected) is planning_api.ExpectedChild and type(reserved) is planning_api.ReservedDay
