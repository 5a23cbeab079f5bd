"""The forecasts' plan loader (three prebuilt statements on the connection) gives exactly what
the ORM loader gives: weekly, alternating, custom schedules, several versions, extra days, plans
outside the window or of other locations left out, and never another organisation's plans."""
from __future__ import annotations

from datetime import date, time

from core.context import context_for
from plugins.planning import api
from plugins.planning.services.bulk_plans import load_location_plans
from plugins.planning.services.reservations import load_plans
from tests.conftest import QueryCounter
from tests.plugins.planning.conftest import full_week


def test_bulk_loader_equals_the_orm_loader(session, factory, org, family):
    here, there = factory.location(org, name="Hier"), factory.location(org, name="Daar")
    other_org = factory.org(name="Andere organisatie")
    elsewhere = factory.location(other_org, name="Elders")
    other_family = factory.family(other_org)

    def child(location, fam=family, o=org):
        return factory.child(o, family=fam, location=location, born=date(2024, 6, 1)).id

    weekly = api.create_care_plan(context_for(session, org), child_id=child(here), location_id=here.id,
                                  start_date=date(2026, 11, 2), days=full_week(), family_id=family.id)
    api.new_care_plan_version(context_for(session, org), weekly, effective_date=date(2027, 2, 1),
                              days=[api.DayPlan(0, "morning"), api.DayPlan(2, "hours", time(8), time(13))])
    api.create_care_plan(context_for(session, org), child_id=child(here), location_id=here.id, start_date=date(2026, 11, 2),
                         days=[api.DayPlan(0, "full", week="A"), api.DayPlan(3, "afternoon", week="B"),
                               api.DayPlan(1, "full")], family_id=family.id, reference_date=date(2026, 11, 9))
    api.create_care_plan(context_for(session, org), child_id=child(here), location_id=here.id, start_date=date(2026, 11, 2),
                         days=[], schedule=[api.ScheduledDay(date(2026, 11, 5), "full"),
                                            api.ScheduledDay(date(2026, 12, 7), "morning")], family_id=family.id)
    with_extra = api.create_care_plan(context_for(session, org), child_id=child(there), location_id=there.id,
                                      start_date=date(2026, 11, 2), days=full_week([1, 2]), family_id=family.id)
    api.add_extra_day(context_for(session, org), with_extra, api.ScheduledDay(date(2026, 11, 20), "full"))
    api.create_care_plan(context_for(session, org), child_id=child(here), location_id=here.id, start_date=date(2025, 1, 6),
                         end_date=date(2025, 6, 30), days=full_week(), family_id=family.id)  # before the window
    api.create_care_plan(context_for(session, other_org), child_id=child(elsewhere, other_family, other_org),
                         location_id=elsewhere.id, start_date=date(2026, 11, 2), days=full_week(),
                         family_id=other_family.id)
    session.commit()
    first, last = date(2026, 11, 1), date(2027, 10, 31)
    for ids in ([here.id, there.id], [here.id], [there.id], [elsewhere.id]):
        assert load_location_plans(session, org, first, last, ids) == load_plans(context_for(session, org), first, last,
                                                                                 location_ids=ids)
    assert load_location_plans(session, org, first, last, [elsewhere.id]) == []
    assert len(load_location_plans(session, org, first, last, [here.id, there.id])) == 4
    assert load_location_plans(session, org, first, last, []) == []
    with QueryCounter(session.connection()) as counter:
        load_location_plans(session, org, first, last, [here.id, there.id])
    assert counter.count == 3
