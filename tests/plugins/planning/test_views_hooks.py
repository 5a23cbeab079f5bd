"""The planning module's UI hooks: menu per role, the dashboard card (today's expected children
against the places, next closing day) and the care-plan panel on the child's file."""
from __future__ import annotations

from datetime import date

from core.context import context_for
from core.models import Role
from core.tenancy import disable_module
from plugins.planning import api
from tests.conftest import QueryCounter, login
from tests.plugins.planning.conftest import full_week


def nav(client, org) -> str:
    text = client.get(f"/o/{org.slug}/").get_data(as_text=True)
    return text[text.index('class="mainnav"'):text.index("</nav>", text.index('class="mainnav"'))]


def test_menu_per_role(client, factory, org, location):
    expected = {Role.DIRECTOR: {"Dagplanning", "Bezetting", "Sluitingsdagen"},
                Role.FINANCE: {"Dagplanning", "Bezetting", "Sluitingsdagen"},
                Role.CAREGIVER: {"Dagplanning", "Sluitingsdagen"}}
    for role, items in expected.items():
        login(client, factory.user(org, role, locations=[location] if role == Role.CAREGIVER else ()))
        menu = nav(client, org)
        assert {i for i in ("Dagplanning", "Bezetting", "Sluitingsdagen") if i in menu} == items, role
        client.post("/logout")


def test_dashboard_widget(client, session, factory, org, location, family, frozen_today):
    for _ in range(3):
        child = factory.child(org, family=family, location=location)
        api.create_care_plan(context_for(session, org), child_id=child.id, location_id=location.id, start_date=date(2026, 11, 2),
                             days=full_week(), family_id=family.id)
    api.add_closing_period(context_for(session, org), start_date=date(2026, 12, 24), end_date=date(2026, 12, 24),
                           reason="Brugdag kerstavond", kind="bridge")
    session.commit()
    login(client, factory.user(org, Role.DIRECTOR))
    text = client.get(f"/o/{org.slug}/").get_data(as_text=True)
    card = text[text.index("Vandaag verwacht"):]
    assert location.name in card
    assert '<td class="num">3</td>' in card and '<td class="num">18</td>' in card
    assert "Volgende sluitingsdag: 24 dec 2026 (Brugdag kerstavond)" in card
    # the card's queries do not grow with the number of children
    with QueryCounter(session.connection()) as few:
        client.get(f"/o/{org.slug}/")
    for _ in range(10):
        child = factory.child(org, family=family, location=location)
        api.create_care_plan(context_for(session, org), child_id=child.id, location_id=location.id, start_date=date(2026, 11, 2),
                             days=full_week(), family_id=family.id)
    session.commit()
    with QueryCounter(session.connection()) as many:
        text = client.get(f"/o/{org.slug}/").get_data(as_text=True)
    assert few.count == many.count
    assert '<td class="num">13</td>' in text


def test_child_panel_only_when_the_module_is_on(client, session, factory, org, location, family, child,
                                                frozen_today):
    api.create_care_plan(context_for(session, org), child_id=child.id, location_id=location.id, start_date=date(2026, 7, 1),
                         days=full_week(), family_id=family.id)
    session.commit()
    login(client, factory.user(org, Role.DIRECTOR))
    text = client.get(f"/o/{org.slug}/children/{child.id}").get_data(as_text=True)
    assert "Opvangplan en respijtdagen" in text and "Respijtdagen 2026" in text
    assert "Respijtdagen 2026</dt><dd>9,5</dd>" in text  # 18 x 184/365 = 9.07, rounded up to a half day
    disable_module(session, org, "planning")
    session.commit()
    text = client.get(f"/o/{org.slug}/children/{child.id}").get_data(as_text=True)
    assert "Opvangplan en respijtdagen" not in text and "Dagplanning" not in text


def test_demo_data_is_valid_and_idempotent(session, factory, org, frozen_today):
    from sqlalchemy import func, select

    from core.tenancy import tenant_hook
    from plugins.planning.models import CarePlan, ClosingPeriod

    location = factory.location(org, places=18, groups=2)
    young = [factory.child(org, location=location, born=date(2025, 1 + i, 1)) for i in range(8)]
    too_old = factory.child(org, location=location, born=date(2020, 1, 1))
    tenant_hook(session, org).populate_demo(session=session, org=org, seed=7)
    plans = session.scalars(select(CarePlan).where(CarePlan.organisation_id == org.id)).all()
    assert {p.child_id for p in plans} == {c.id for c in young} and too_old.id not in {p.child_id for p in plans}
    assert all(p.versions and p.versions[0].days for p in plans)
    assert api.reserved_days(context_for(session, org), start=date(2027, 1, 4), end=date(2027, 1, 8))
    closures = session.scalar(select(func.count(ClosingPeriod.id)).where(ClosingPeriod.organisation_id == org.id))
    assert closures == 2
    tenant_hook(session, org).populate_demo(session=session, org=org, seed=7)
    assert session.scalar(select(func.count(CarePlan.id)).where(CarePlan.organisation_id == org.id)) == len(plans)
