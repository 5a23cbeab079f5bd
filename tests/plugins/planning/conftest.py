"""Fixtures of the planning domain tests: only the planning module, an organisation with one
group-care location (Mon-Fri 07:00-18:30, 18 places) and a child born 1/3/2025."""
from __future__ import annotations

from datetime import date

import pytest

from plugins.planning.api import DayPlan


@pytest.fixture
def plugins():
    return ["planning"]


@pytest.fixture
def org(factory):
    return factory.org(modules={"planning"})


@pytest.fixture
def location(factory, org):
    return factory.location(org, places=18)


@pytest.fixture
def family(factory, org):
    return factory.family(org)


@pytest.fixture
def child(factory, org, family, location):
    return factory.child(org, family=family, location=location, born=date(2025, 3, 1))


def full_week(days=range(5), part="full"):
    return [DayPlan(weekday=d, day_part=part) for d in days]


@pytest.fixture
def recorder(app):
    """Collects the planning events fired through tenant_hook (a temporary plugin)."""
    from core.plugins import hookimpl

    class Recorder:
        def __init__(self):
            self.care_plans = []
            self.vacancies = []

        @hookimpl
        def on_care_plan_changed(self, event):
            self.care_plans.append(event)

        @hookimpl
        def on_vacancies_changed(self, event):
            self.vacancies.append(event)

    rec = Recorder()
    pm = app.extensions["koepel_plugins"]
    pm.register(rec, name="test-recorder")
    yield rec
    pm.unregister(rec)
