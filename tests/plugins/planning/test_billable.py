"""Finance staff land on last month's billable days per child (until facturatie lands): reserved
days from the care plans, full and half days, less the respijtdagen used; on screen and in Excel."""
from __future__ import annotations

import io
from datetime import date, time
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from core.context import context_for
from core.models import Role
from plugins.planning import api
from plugins.planning.api import DayPlan
from plugins.planning.models import RespiteUse
from tests.conftest import PASSWORD, login

PATTERN = [DayPlan(0, "full"), DayPlan(1, "full"), DayPlan(2, "morning"),
           DayPlan(3, "hours", time(8, 0), time(12, 0)),  # 4 hours: half a day
           DayPlan(4, "hours", time(8, 0), time(14, 0))]  # 6 hours: a full day


@pytest.fixture
def billed(factory, session, org, location, family):
    """A child of October 2026 (no public holiday): Mondays and Tuesdays (8) and Fridays (5) are full
    days, Wednesdays (4) and Thursdays (5) half; a respijtdag on Monday 12/10, half of one on
    Wednesday 14/10."""
    child = factory.child(org, family=family, location=location, first_name="Zoë", born=date(2025, 3, 1))
    api.create_care_plan(context_for(session, org), child_id=child.id, location_id=location.id, family_id=family.id,
                         start_date=date(2026, 9, 1), days=PATTERN)
    session.add_all([RespiteUse(organisation_id=org.id, child_id=child.id, day=date(2026, 10, 12), year=2026,
                                amount=Decimal("1")),
                     RespiteUse(organisation_id=org.id, child_id=child.id, day=date(2026, 10, 14), year=2026,
                                amount=Decimal("0.5"))])
    session.commit()
    return child


def test_billable_days_count_full_half_and_respite(session, org, billed):
    from plugins.planning.services.billable import billable_days

    (row,) = billable_days(context_for(session, org), date(2026, 10, 1), date(2026, 10, 31))
    assert (row.full_days, row.half_days, row.respite_days) == (13, 9, Decimal("1.5"))
    assert (row.billable_full, row.billable_half) == (12, 8)


def test_full_day_threshold_is_a_setting(session, org, billed):
    from core.settings import set_setting
    from plugins.planning.services.billable import billable_days

    set_setting(session, org, "planning.full_day_hours", 7)  # now the 6-hour Fridays are half days
    (row,) = billable_days(context_for(session, org), date(2026, 10, 1), date(2026, 10, 31))
    assert (row.full_days, row.half_days) == (8, 14)


def test_finance_lands_on_billable_days_of_last_month(client, factory, org, billed, frozen_today):
    finance = factory.user(org, Role.FINANCE)
    response = client.post("/login", data={"email": finance.email, "password": PASSWORD})
    home = client.get(response.headers["Location"]) if response.status_code == 302 else None
    assert home is not None and home.status_code == 302
    assert home.headers["Location"].endswith(f"/o/{org.slug}/planning/billable")
    page = client.get(home.headers["Location"]).get_data(as_text=True)
    assert "oktober 2026" in page and "Zoë" in page and "<strong>12</strong>" in page and "<strong>8</strong>" in page
    assert "Totaal voor 1 kind" in page


def test_director_still_lands_on_the_dashboard(client, factory, org, frozen_today):
    director = factory.user(org, Role.DIRECTOR)
    login(client, director)
    assert client.get("/").headers["Location"].endswith(f"/o/{org.slug}/")


def test_billable_days_to_excel(client, factory, org, billed, frozen_today):
    login(client, factory.user(org, Role.FINANCE))
    response = client.get(f"/o/{org.slug}/planning/billable.xlsx?month=2026-10")
    assert response.status_code == 200
    assert f'filename="aan-te-rekenen-dagen-{org.slug}-2026-10.xlsx"' in response.headers["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(response.data)).active
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert values[0][0] == "Aan te rekenen dagen oktober 2026"
    assert values[2][0].startswith("Zoë") and values[2][2:] == [13, 9, 1.5, 12, 8]


def test_other_organisations_children_are_not_counted(client, factory, session, org, billed, frozen_today):
    other = factory.org(modules={"planning"})
    other_location = factory.location(other, places=10)
    other_family = factory.family(other)
    stranger = factory.child(other, family=other_family, location=other_location, first_name="Vreemd")
    api.create_care_plan(context_for(session, other), child_id=stranger.id, location_id=other_location.id,
                         family_id=other_family.id, start_date=date(2026, 9, 1), days=PATTERN)
    session.commit()
    login(client, factory.user(org, Role.FINANCE))
    page = client.get(f"/o/{org.slug}/planning/billable?month=2026-10").get_data(as_text=True)
    assert "Zoë" in page and "Vreemd" not in page


@pytest.mark.parametrize("month", ["2026-13", "oktober", "2026-1-1"])
def test_bad_month_is_a_404(client, factory, org, month):
    login(client, factory.user(org, Role.FINANCE))
    assert client.get(f"/o/{org.slug}/planning/billable?month={month}").status_code == 404
    assert client.get(f"/o/{org.slug}/planning/billable.xlsx?month={month}").status_code == 404


def test_caregiver_may_not_see_billable_days(client, factory, org):
    login(client, factory.user(org, Role.CAREGIVER))
    assert client.get(f"/o/{org.slug}/planning/billable").status_code == 403


def test_the_koepel_coordinator_does_not_see_childrens_billable_days(client, factory, org):
    login(client, factory.user(None, Role.COORDINATOR))
    assert client.get(f"/o/{org.slug}/planning/billable").status_code == 403
