"""The ``real_planning`` fixture's helper: the convenient surface the aanwezigheden tests need
(reserve days at given hours, close a day, give a child a respite balance of n) set up as REAL
data through ``plugins.planning.api``, so the tests exercise the actual contract and cannot drift
from planning's signatures the way a hand-written fake did (issue 9 item 8)."""
from __future__ import annotations

from datetime import date, time, timedelta
from decimal import Decimal

from core.context import context_for
from core.models import Organisation
from core.settings import set_setting
from plugins.planning import api as planning_api


class RealPlanning:
    """One custom-schedule care plan per (child, location), ending on its last reserved day. The
    organisation rounds respijtdagen down to a half day (its setting), so such a short test plan
    earns no respijtdag: a child has balance 0 unless a test sets ``balance[child_id] = n``."""

    def __init__(self, session, org_id: int):
        self.session = session
        self.org_id = org_id
        self.plans: dict[tuple[int, int], tuple[int, list[date]]] = {}
        self.closing = _Closing(self)
        self.balance = _Balance(self)
        set_setting(session, session.get(Organisation, org_id), "planning.respite_rounding", "down_half")

    def ctx(self):
        return context_for(self.session, self.session.get(Organisation, self.org_id))

    def reserve(self, child, location, *days, start: time | None = None, end: time | None = None,
                day_part="full"):
        """A real opvangplan reserving exactly ``days`` (a later call for the same child and
        location adds them as extra agreed days). ``start``/``end`` go to planning as given (it
        needs them for day_part "hours" and checks them against the location's opening hours)."""
        scheduled = [planning_api.ScheduledDay(d, day_part, start, end) for d in sorted(days)]
        key = (child.id, location.id)
        if key in self.plans:
            plan_id, known = self.plans[key]
            for s in scheduled:
                planning_api.add_extra_day(self.ctx(), plan_id, s)
            known.extend(days)
        else:
            plan_id = planning_api.create_care_plan(
                self.ctx(), child_id=child.id, location_id=location.id, start_date=scheduled[0].day,
                end_date=scheduled[-1].day, days=[], schedule=scheduled)
            self.plans[key] = (plan_id, sorted(days))
        self.session.flush()


class _Closing:
    """``closing[(location_id, day)] = reason``: a real closing period of that one day."""

    def __init__(self, owner: RealPlanning):
        self.owner = owner

    def __setitem__(self, key, reason):
        location_id, day = key
        planning_api.add_closing_period(self.owner.ctx(), start_date=day, reason=reason, location_id=location_id)
        self.owner.session.flush()


class _Balance:
    """``balance[child_id]`` is planning's real respite balance in the year of the child's
    reserved days; setting it to n prolongs the child's plan to the end of that year with a
    full-week version from December on (so the agreement earns respijtdagen) and uses the surplus
    on December days, outside every month the tests look at."""

    def __init__(self, owner: RealPlanning):
        self.owner = owner

    def _plan(self, child_id):
        return next((plan_id, days) for (kid, _), (plan_id, days) in self.owner.plans.items() if kid == child_id)

    def __getitem__(self, child_id):
        _, days = self._plan(child_id)
        return planning_api.respite_balance(self.owner.ctx(), child_id, days[0].year)

    def __setitem__(self, child_id, n):
        plan_id, days = self._plan(child_id)
        year = days[0].year
        december = date(year, 12, 1)
        assert max(days) < december, "balance needs reserved days before December"
        ctx = self.owner.ctx()
        planning_api.end_care_plan(ctx, plan_id, end_date=date(year, 12, 31))
        planning_api.new_care_plan_version(ctx, plan_id, effective_date=december,
                                           days=[planning_api.DayPlan(weekday=d, day_part="full") for d in range(5)])
        target = Decimal(str(n))
        day = december
        while planning_api.respite_balance(ctx, child_id, year) > target and day.year == year:
            surplus = planning_api.respite_balance(ctx, child_id, year) - target
            planning_api.use_respite_day(ctx, child_id, day, Decimal("0.5") if surplus < 1 else Decimal(1))
            day += timedelta(days=1)
        assert planning_api.respite_balance(ctx, child_id, year) == target, "cannot reach that balance"
        self.owner.session.flush()
