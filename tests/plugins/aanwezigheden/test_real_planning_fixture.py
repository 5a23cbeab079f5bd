"""The ``planning`` fixture writes real planning data: what it sets up is what planning's own api
reports, and a reservation planning would refuse is refused in the test too."""
from __future__ import annotations

from datetime import date, time
from decimal import Decimal

import pytest

from plugins.planning import api as planning_api
from tests.plugins.aanwezigheden.conftest import db_org

DAYS = [date(2026, 11, d) for d in (16, 17, 18)]


def test_reserve_closing_and_balance_are_plannings_own(session, factory, org, location, planning):
    kid = factory.child(db_org(session, org), location=location)
    planning.reserve(kid, location, *DAYS)
    ctx = planning.ctx()
    assert [r.day for r in planning_api.reserved_days(ctx, start=DAYS[0], end=DAYS[-1], child_ids=[kid.id])] == DAYS
    assert planning.balance[kid.id] == 0  # a three-day test plan earns no respijtdag
    planning.balance[kid.id] = 1
    assert planning_api.respite_balance(ctx, kid.id, 2026) == Decimal(1)
    assert planning_api.reserved_days(ctx, start=DAYS[0], end=date(2026, 11, 30), child_ids=[kid.id])[-1].day == DAYS[-1]
    planning.closing[(location.id, DAYS[1])] = "Brugdag"
    assert planning_api.closing_days(ctx, location.id, DAYS[0], DAYS[-1]) == {DAYS[1]: "Brugdag"}
    assert DAYS[1] not in {r.day for r in planning_api.reserved_days(ctx, start=DAYS[0], end=DAYS[-1])}


def test_hours_outside_the_opening_hours_are_refused(session, factory, org, location, planning):
    kid = factory.child(db_org(session, org), location=location)
    with pytest.raises(planning_api.PlanningError):
        planning.reserve(kid, location, DAYS[0], start=time(4, 0), end=time(23, 0), day_part="hours")
