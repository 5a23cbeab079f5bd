"""Care plans: creation, versions, ending, extra days, bad input (nothing half-saved), events."""
from datetime import date, time

import pytest
from sqlalchemy import func, select

from core.context import context_for
from core.models import CareType, ChildFamily
from core.settings import set_setting
from plugins.planning import api
from plugins.planning.api import DayPlan, PlanningError, ScheduledDay
from plugins.planning.models import CarePlan, CarePlanVersion, ExtraDay, PatternDay
from tests.plugins.planning.conftest import full_week

JAN5 = date(2026, 1, 5)  # a Monday


def _counts(session):
    return tuple(session.scalar(select(func.count()).select_from(m)) for m in (CarePlan, CarePlanVersion,
                                                                               PatternDay, ExtraDay))


def _create(session, org, child, location, **kw):
    kw.setdefault("start_date", JAN5)
    kw.setdefault("days", full_week())
    return api.create_care_plan(context_for(session, org), child_id=child.id, location_id=location.id, **kw)


def _days(session, org, start, end, **kw):
    return [(r.day, r.day_part) for r in api.reserved_days(context_for(session, org), start=start, end=end, **kw)]


def test_plan_with_end_description_settling_in_and_group(session, org, location, child, family):
    group = location.living_groups[0]
    plan_id = _create(session, org, child, location, family_id=family.id, end_description="tot de kleuterschool",
                      settling_in_until=date(2026, 1, 9), living_group_id=group.id)
    plan = session.get(CarePlan, plan_id)
    assert (plan.end_date, plan.end_description, plan.settling_in_until) == (None, "tot de kleuterschool",
                                                                             date(2026, 1, 9))
    assert len(plan.versions) == 1 and plan.versions[0].kind == "weekly"
    expected = api.expected_children(context_for(session, org), location.id, date(2026, 1, 7))
    assert [(e.child_id, e.living_group_id, e.age_months, e.start, e.end) for e in expected] == [
        (child.id, group.id, 10, time(7), time(18, 30))]


def test_day_parts_and_hours_get_times_from_opening_hours_and_split(session, org, location, child):
    _create(session, org, child, location, days=[
        DayPlan(0, "morning"), DayPlan(1, "afternoon"), DayPlan(2, "hours", time(8, 15), time(16, 45)),
        DayPlan(3, "full_day")])
    rows = api.reserved_days(context_for(session, org), start=JAN5, end=date(2026, 1, 11))
    assert [(r.day.weekday(), r.day_part, r.start, r.end) for r in rows] == [
        (0, "morning", time(7), time(13)), (1, "afternoon", time(13), time(18, 30)),
        (2, "hours", time(8, 15), time(16, 45)), (3, "full", time(7), time(18, 30))]


def test_alternating_weeks_anchor_on_the_reference_date(session, org, location, child):
    _create(session, org, child, location, days=[DayPlan(0, "full", week="A"), DayPlan(4, "full", week="B")],
            reference_date=date(2026, 1, 7))
    days = [d for d, _ in _days(session, org, JAN5, date(2026, 2, 1))]
    assert days == [date(2026, 1, 5), date(2026, 1, 16), date(2026, 1, 19), date(2026, 1, 30)]


def test_custom_shift_schedule(session, org, location, child):
    schedule = [ScheduledDay(date(2026, 1, 6), "full"), ScheduledDay(date(2026, 1, 8), "hours", time(14), time(18)),
                ScheduledDay(date(2026, 2, 3), "morning")]
    plan_id = _create(session, org, child, location, days=[], schedule=schedule)
    assert session.get(CarePlan, plan_id).versions[0].kind == "custom"
    assert _days(session, org, JAN5, date(2026, 2, 28)) == [
        (date(2026, 1, 6), "full"), (date(2026, 1, 8), "hours"), (date(2026, 2, 3), "morning")]


def test_version_starts_at_effective_date_and_keeps_history(session, org, location, child, recorder):
    plan_id = _create(session, org, child, location, days=full_week())
    version_id = api.new_care_plan_version(context_for(session, org), plan_id, effective_date=date(2026, 2, 1),
                                           days=full_week([0, 2]))
    plan = session.get(CarePlan, plan_id)
    first, second = plan.versions
    assert (first.start_date, first.end_date) == (JAN5, date(2026, 1, 31))
    assert (second.id, second.start_date, second.end_date) == (version_id, date(2026, 2, 1), None)
    assert [d.weekday for d in first.days] == [0, 1, 2, 3, 4]  # history untouched
    jan = _days(session, org, date(2026, 1, 26), date(2026, 1, 31))
    feb = _days(session, org, date(2026, 2, 1), date(2026, 2, 8))
    assert len(jan) == 5 and [d.weekday() for d, _ in feb] == [0, 2]
    assert [e.change for e in recorder.care_plans] == ["created", "versioned"]
    assert recorder.care_plans[-1].effective_date == date(2026, 2, 1)
    with pytest.raises(PlanningError, match="later ingaan"):
        api.new_care_plan_version(context_for(session, org), plan_id, effective_date=date(2026, 1, 20), days=full_week())


def test_end_plan_truncates_last_version_and_fires_events(session, org, location, child, recorder):
    plan_id = _create(session, org, child, location)
    api.end_care_plan(context_for(session, org), plan_id, end_date=date(2026, 3, 31))
    plan = session.get(CarePlan, plan_id)
    assert plan.end_date == plan.versions[-1].end_date == date(2026, 3, 31)
    assert not _days(session, org, date(2026, 4, 1), date(2026, 4, 30))
    assert [(e.change, e.effective_date, e.care_plan_id) for e in recorder.care_plans] == [
        ("created", JAN5, plan_id), ("ended", date(2026, 3, 31), plan_id)]
    assert [(v.location_id, v.from_date) for v in recorder.vacancies] == [
        (location.id, JAN5), (location.id, date(2026, 3, 31))]
    with pytest.raises(PlanningError, match="voor de begindatum"):
        api.end_care_plan(context_for(session, org), plan_id, end_date=date(2025, 12, 31))


def test_a_disabled_planning_module_does_not_answer_who_is_expected(session, org, location, child):
    from core.tenancy import disable_module, tenant_hook

    _create(session, org, child, location)
    disable_module(session, org, "planning")
    assert tenant_hook(session, org).resolve_expected_children(org=org, location_id=location.id,
                                                               day=date(2026, 1, 6)) is None


def test_extra_days_are_reserved_once_and_refused_on_closing_days(session, org, location, child):
    plan_id = _create(session, org, child, location, days=full_week([0]))
    api.add_extra_day(context_for(session, org), plan_id, ScheduledDay(date(2026, 1, 8), "morning"))
    api.add_extra_day(context_for(session, org), plan_id, ScheduledDay(date(2026, 1, 12), "full"))  # Monday: already planned
    rows = api.reserved_days(context_for(session, org), start=JAN5, end=date(2026, 1, 18))
    assert [(r.day, r.extra) for r in rows] == [(JAN5, False), (date(2026, 1, 8), True), (date(2026, 1, 12), False)]
    with pytest.raises(PlanningError, match="gesloten op 11/11/2026"):
        api.add_extra_day(context_for(session, org), plan_id, ScheduledDay(date(2026, 11, 11), "full"))
    with pytest.raises(PlanningError, match="al een extra dag"):
        api.add_extra_day(context_for(session, org), plan_id, ScheduledDay(date(2026, 1, 8), "full"))
    api.remove_extra_day(context_for(session, org), plan_id, date(2026, 1, 8))
    assert len(api.reserved_days(context_for(session, org), start=JAN5, end=date(2026, 1, 11))) == 1


def test_co_parenting_two_households_may_overlap(session, factory, org, location, family):
    other = factory.family(org)
    child = factory.child(org, family=family, location=location)
    from core.models import ChildFamily

    session.add(ChildFamily(organisation_id=org.id, child_id=child.id, family_id=other.id))
    session.flush()
    api.create_care_plan(context_for(session, org), child_id=child.id, location_id=location.id, start_date=JAN5,
                         days=full_week([0, 1]), family_id=family.id)
    api.create_care_plan(context_for(session, org), child_id=child.id, location_id=location.id, start_date=JAN5,
                         days=full_week([3, 4]), family_id=other.id)
    assert len(api.reserved_days(context_for(session, org), start=JAN5, end=date(2026, 1, 11))) == 4
    with pytest.raises(PlanningError, match="al een opvangplan"):
        api.create_care_plan(context_for(session, org), child_id=child.id, location_id=location.id, start_date=date(2026, 3, 2),
                             days=full_week([2]), family_id=other.id)


BAD = [
    (dict(end_date=date(2026, 1, 4)), "einddatum ligt voor de begindatum"),
    (dict(days=[DayPlan(5, "full")]), "zaterdag gesloten"),
    (dict(days=[DayPlan(0, "hours", time(6, 30), time(12))]), "buiten de openingsuren"),
    (dict(days=[DayPlan(0, "hours", time(12), time(19))]), "buiten de openingsuren"),
    (dict(days=[DayPlan(0, "hours", time(12), time(11))]), "einduur ligt niet na"),
    (dict(days=[DayPlan(0, "hours")]), "begin- en einduur"),
    (dict(days=[DayPlan(0, "morning"), DayPlan(0, "full")]), "overlapt"),
    (dict(days=[]), "minstens één opvangdag"),
    (dict(days=[DayPlan(0, "evening")]), "Onbekend dagdeel"),
    (dict(settling_in_until=date(2025, 12, 1)), "wenperiode"),
    (dict(start_date=date(2025, 2, 3)), "nog niet geboren"),
    (dict(start_date=date(2029, 4, 6)), "49 maanden oud"),
]


@pytest.mark.parametrize(("kw", "message"), BAD)
def test_bad_input_is_refused_with_a_dutch_message_and_writes_nothing(session, org, location, child, kw, message,
                                                                      recorder):
    before = _counts(session)
    with pytest.raises(PlanningError) as info:
        _create(session, org, child, location, **kw)
    assert message in info.value.message
    assert _counts(session) == before
    assert recorder.care_plans == []


def test_overlap_for_same_child_location_and_household_is_refused(session, org, location, child, family):
    _create(session, org, child, location, family_id=family.id, end_date=date(2026, 6, 30))
    before = _counts(session)
    with pytest.raises(PlanningError, match="al een opvangplan"):
        _create(session, org, child, location, family_id=family.id, start_date=date(2026, 6, 30))
    assert _counts(session) == before
    _create(session, org, child, location, family_id=family.id, start_date=date(2026, 7, 1))  # adjacent is fine


def test_max_age_is_a_setting_and_out_of_school_care_needs_school_age(session, factory, org, location, child):
    set_setting(session, org, "planning.max_age_months", 60)
    _create(session, org, child, location, start_date=date(2029, 4, 6))
    bso = factory.location(org, care_type=CareType.BUITENSCHOOLSE_OPVANG)
    with pytest.raises(PlanningError, match="schoolgaande kinderen"):
        _create(session, org, child, bso, start_date=JAN5)
    _create(session, org, child, bso, start_date=date(2027, 9, 1))


def test_other_organisations_plans_and_locations_are_invisible(session, factory, org, location, child):
    plan_id = _create(session, org, child, location)
    other = factory.org(modules={"planning"})
    with pytest.raises(PlanningError, match="bestaat niet"):
        api.end_care_plan(context_for(session, other), plan_id, end_date=date(2026, 2, 1))
    with pytest.raises(PlanningError, match="Onbekend kind"):
        api.create_care_plan(context_for(session, other), child_id=child.id, location_id=location.id, start_date=JAN5,
                             days=full_week())
    assert api.reserved_days(context_for(session, other), start=JAN5, end=date(2026, 1, 31)) == []


def test_family_and_group_must_belong_to_child_and_location(session, factory, org, location, child):
    stranger = factory.family(org)
    with pytest.raises(PlanningError, match="hoort niet bij het gekozen gezin"):
        _create(session, org, child, location, family_id=stranger.id)
    elsewhere = factory.location(org)
    with pytest.raises(PlanningError, match="leefgroep"):
        _create(session, org, child, location, living_group_id=elsewhere.living_groups[0].id)


def test_resolve_expected_children_hook_answers_for_enabled_planning(session, org, location, child):
    from core.tenancy import tenant_hook

    _create(session, org, child, location)
    answer = tenant_hook(session, org).resolve_expected_children(org=org, location_id=location.id,
                                                                 day=date(2026, 1, 6))
    assert [e.child_id for e in answer] == [child.id]


def test_custom_schedule_on_a_closing_day_is_refused_and_writes_nothing(session, org, location, child, recorder):
    before = _counts(session)
    schedule = [ScheduledDay(date(2026, 11, 10), "full"), ScheduledDay(date(2026, 11, 11), "morning")]
    with pytest.raises(PlanningError, match="gesloten op 11/11/2026 \\(Wapenstilstand\\)"):
        _create(session, org, child, location, start_date=date(2026, 11, 2), days=[], schedule=schedule)
    with pytest.raises(PlanningError, match="zaterdag gesloten"):
        _create(session, org, child, location, start_date=date(2026, 11, 2), days=[],
                schedule=[ScheduledDay(date(2026, 11, 14), "full")])
    assert _counts(session) == before and recorder.care_plans == []


def test_custom_monthly_schedules_as_versions(session, org, location, child):
    """Shift work: each month its own schedule, as a new version from the first of the month."""
    plan_id = _create(session, org, child, location, start_date=date(2026, 11, 2), days=[],
                      schedule=[ScheduledDay(date(2026, 11, 3), "full"), ScheduledDay(date(2026, 11, 26), "morning")])
    api.new_care_plan_version(context_for(session, org), plan_id, effective_date=date(2026, 12, 1), days=[],
                              schedule=[ScheduledDay(date(2026, 12, 2), "hours", time(14), time(18, 30))])
    rows = _days(session, org, date(2026, 11, 1), date(2027, 1, 31))
    assert rows == [(date(2026, 11, 3), "full"), (date(2026, 11, 26), "morning"), (date(2026, 12, 2), "hours")]
    with pytest.raises(PlanningError, match="buiten de looptijd"):  # a date before the version's start
        api.new_care_plan_version(context_for(session, org), plan_id, effective_date=date(2027, 1, 1), days=[],
                                  schedule=[ScheduledDay(date(2026, 12, 30), "full")])


def test_a_bad_new_version_changes_nothing(session, org, location, child, recorder):
    plan_id = _create(session, org, child, location)
    before = _counts(session)
    with pytest.raises(PlanningError, match="zaterdag gesloten"):
        api.new_care_plan_version(context_for(session, org), plan_id, effective_date=date(2026, 3, 2), days=[DayPlan(5, "full")])
    plan = session.get(CarePlan, plan_id)
    assert _counts(session) == before and plan.versions[-1].end_date is None  # the last version still runs
    assert [e.change for e in recorder.care_plans] == ["created"]


def test_on_care_plan_changed_fires_inside_the_transaction(app, session, org, location, child):
    """The event comes after the flush and before the commit: a handler sees the change in the same
    transaction, a rollback takes the change and the handler's work back, and a handler that fails
    stops the change."""
    from core.plugins import hookimpl

    seen = []

    class Probe:
        @hookimpl
        def on_care_plan_changed(self, event):
            versions = session.scalar(select(func.count(CarePlanVersion.id))
                                      .where(CarePlanVersion.care_plan_id == event.care_plan_id))
            seen.append((event.change, versions, session.in_transaction()))

    class Failing:
        @hookimpl
        def on_care_plan_changed(self, event):
            raise RuntimeError("billing refuses")

    pm = app.extensions["koepel_plugins"]
    pm.register(Probe(), name="test-probe")
    try:
        savepoint = session.begin_nested()
        plan_id = _create(session, org, child, location)
        api.new_care_plan_version(context_for(session, org), plan_id, effective_date=date(2026, 2, 2), days=full_week([0]))
        assert seen == [("created", 1, True), ("versioned", 2, True)]
        savepoint.rollback()
        assert session.scalar(select(func.count(CarePlan.id)).where(CarePlan.id == plan_id)) == 0
    finally:
        pm.unregister(name="test-probe")
    before = _counts(session)
    pm.register(Failing(), name="test-failing")
    try:
        with pytest.raises(RuntimeError, match="billing refuses"), session.begin_nested():
            _create(session, org, child, location)
    finally:
        pm.unregister(name="test-failing")
    assert _counts(session) == before


def test_a_later_end_date_may_not_run_into_the_next_agreement(session, org, location, child, family, recorder):
    first = _create(session, org, child, location, family_id=family.id, end_date=date(2026, 6, 30))
    _create(session, org, child, location, family_id=family.id, start_date=date(2026, 9, 1))
    api.end_care_plan(context_for(session, org), first, end_date=date(2026, 8, 31))  # up to the day before: fine
    with pytest.raises(PlanningError, match="al een opvangplan .* vanaf 01/09/2026"):
        api.end_care_plan(context_for(session, org), first, end_date=date(2026, 12, 31))
    plan = session.get(CarePlan, first)
    assert plan.end_date == plan.versions[-1].end_date == date(2026, 8, 31)
    assert [e.change for e in recorder.care_plans] == ["created", "created", "ended"]


def test_care_ended_only_when_every_plan_at_the_location_has_ended(session, factory, org, location, child, family):
    """care_ended: (location, child) pairs whose plans there all ended before ``today``; a child
    without plans there, with a running plan (co-parenting: the other household's) or one starting
    later is still in care. One query whatever the number of children."""
    from tests.conftest import QueryCounter

    today = date(2026, 6, 1)
    other_family = factory.family(org)
    session.add(ChildFamily(organisation_id=org.id, child_id=child.id, family_id=other_family.id))
    session.flush()
    ended = _create(session, org, child, location, family_id=family.id, end_date=date(2026, 5, 29))
    left = factory.child(org, location=location)
    _create(session, org, left, location, end_date=date(2026, 5, 31))
    last_day = factory.child(org, location=location)
    _create(session, org, last_day, location, end_date=today)
    later = factory.child(org, location=location)
    _create(session, org, later, location, start_date=date(2027, 9, 6))
    no_plan = factory.child(org, location=location)
    elsewhere = factory.location(org)
    ids = [child.id, left.id, last_day.id, later.id, no_plan.id]
    ctx = context_for(session, org)
    with QueryCounter(session.connection()) as counter:
        found = api.care_ended(ctx, ids, today=today)
    assert counter.count == 1
    assert found == {(location.id, child.id), (location.id, left.id)}
    assert api.care_ended(context_for(session, org), ids, today=today, location_ids=[elsewhere.id]) == set()
    assert api.care_ended(context_for(session, org), [], today=today) == set()
    # the other household's agreement still runs: the child is still in care there
    _create(session, org, child, location, family_id=other_family.id)
    assert api.care_ended(context_for(session, org), ids, today=today) == {(location.id, left.id)}
    assert session.get(CarePlan, ended).end_date == date(2026, 5, 29)
    # another organisation's children are never reported
    other = factory.org(modules={"planning"})
    assert api.care_ended(context_for(session, other), ids, today=today) == set()
