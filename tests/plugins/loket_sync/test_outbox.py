"""Events are written in the transaction of the change, with a sequence per aggregate."""
from __future__ import annotations

from datetime import date

from sqlalchemy import func, select

from core.jobs import Job
from plugins.loket_sync.models import SyncEvent, VacancyState
from plugins.loket_sync.services import outbox, vacancies
from plugins.planning.api import DayPlan, create_care_plan

WEEK = [DayPlan(weekday=d, day_part="full") for d in range(5)]


def _events(session, org, **where):
    stmt = select(SyncEvent).where(SyncEvent.organisation_id == org.id).order_by(SyncEvent.id)
    for k, v in where.items():
        stmt = stmt.where(getattr(SyncEvent, k) == v)
    return list(session.scalars(stmt))


def test_sequence_per_aggregate(ctx, org, session):
    a1 = outbox.emit(ctx, "vacancy.published", "vacancy", "A", {})
    a2 = outbox.emit(ctx, "vacancy.changed", "vacancy", "A", {})
    b1 = outbox.emit(ctx, "vacancy.published", "vacancy", "B", {})
    assert (a1.sequence, a2.sequence, b1.sequence) == (1, 2, 1)
    assert len({a1.event_id, a2.event_id, b1.event_id}) == 3
    sender = session.scalars(select(Job).where(Job.kind == outbox.SEND, Job.organisation_id == org.id)).all()
    assert len(sender) == 1  # coalesced


def test_unknown_type_refused(ctx):
    import pytest

    with pytest.raises(ValueError):
        outbox.emit(ctx, "vacancy.exploded", "vacancy", "A", {})


def test_care_plan_emits_placement_and_scoped_jobs(ctx, org, location, factory, session, frozen_today):
    child = factory.child(org, location=location, born=date(2025, 3, 1))
    plan_id = create_care_plan(ctx, child_id=child.id, location_id=location.id, start_date=date(2027, 1, 4),
                               days=WEEK)
    [started] = _events(session, org, type="placement.started")
    assert started.aggregate_id == str(plan_id)
    assert started.data["child"] is None and started.data["location"]["ref"] == location.opgroeien_file_no
    jobs = session.scalars(select(Job).where(Job.kind == vacancies.RECOMPUTE, Job.organisation_id == org.id)).all()
    months = sorted(j.payload["month"] for j in jobs if j.payload["location_id"] == location.id)
    assert months[0] == "2027-01" and months[-1] == "2027-10"  # horizon of 12 months from Nov 2026
    assert len(set(months)) == len(months)


def test_rolled_back_change_emits_nothing(ctx, org, location, factory, session, frozen_today):
    child = factory.child(org, location=location, born=date(2025, 3, 1))
    before = session.scalar(select(func.count()).select_from(SyncEvent))
    jobs_before = session.scalar(select(func.count()).select_from(Job))
    savepoint = session.begin_nested()
    create_care_plan(ctx, child_id=child.id, location_id=location.id, start_date=date(2027, 1, 4), days=WEEK)
    assert session.scalar(select(func.count()).select_from(SyncEvent)) == before + 1
    savepoint.rollback()
    assert session.scalar(select(func.count()).select_from(SyncEvent)) == before
    assert session.scalar(select(func.count()).select_from(Job)) == jobs_before


def test_scoped_recompute_counts_calls(ctx, org, location, factory, session, frozen_today, monkeypatch):
    other = factory.location(org, name="Ander")
    import plugins.planning.api as planning

    calls = []
    real = planning.free_places

    def counting(c, *, start, months=12, location_ids=None):
        calls.append((start, months, tuple(location_ids or ())))
        return real(c, start=start, months=months, location_ids=location_ids)

    monkeypatch.setattr(planning, "free_places", counting)
    n = vacancies.recompute(ctx, location.id, "2027-02")
    assert n > 0
    assert len(calls) == 1 and calls[0][1] == 1 and calls[0][2] == (location.id,)
    state = session.scalars(select(VacancyState).where(VacancyState.organisation_id == org.id)).all()
    assert {s.location_id for s in state} == {location.id} and {s.month for s in state} == {"2027-02"}
    assert other.id not in {c[2][0] for c in calls}
    # nothing changed: no new events
    assert vacancies.recompute(ctx, location.id, "2027-02") == 0
    # a child takes places: changed events only for that scope
    child = factory.child(org, location=location, born=date(2025, 3, 1))
    create_care_plan(ctx, child_id=child.id, location_id=location.id, start_date=date(2027, 2, 1), days=WEEK)
    changed = vacancies.recompute(ctx, location.id, "2027-02")
    assert changed > 0
    kinds = {e.type for e in _events(session, org) if e.aggregate_type == "vacancy"}
    assert "vacancy.changed" in kinds or "vacancy.withdrawn" in kinds


def test_recompute_ignores_location_of_another_partner(ctx, factory, session, frozen_today):
    other_org = factory.org(modules={"planning", "wachtlijst", "loket_sync"})
    foreign = factory.location(other_org)
    assert vacancies.recompute(ctx, foreign.id, "2027-02") == 0
    assert session.scalar(select(func.count()).select_from(VacancyState).where(
        VacancyState.location_id == foreign.id)) == 0


def test_loket_code_overrides_the_file_number(ctx, location, factory, org, session):
    assert outbox.location_ref(location) == location.opgroeien_file_no
    outbox.set_location_ref(ctx, location, "KOT-100001")
    assert outbox.location_ref(location) == "KOT-100001"
    assert outbox.locations_by_ref(ctx)["KOT-100001"].id == location.id
    outbox.set_location_ref(ctx, location, "")
    assert outbox.location_ref(location) == location.opgroeien_file_no
    bare = factory.location(org)
    bare.opgroeien_file_no = None
    assert outbox.location_ref(bare) == f"koepel-{bare.id}"


def test_past_months_are_withdrawn_by_the_daily_run(ctx, org, location, session, frozen_today):
    from datetime import datetime

    from core.clock import BRUSSELS, app_clock

    vacancies.recompute(ctx, location.id, "2026-12")
    published = {s.aggregate_id for s in session.scalars(select(VacancyState).where(VacancyState.month == "2026-12"))}
    assert published
    app_clock().freeze(datetime(2027, 1, 5, 9, 0, tzinfo=BRUSSELS))
    session.query(Job).filter(Job.kind == vacancies.RECOMPUTE).delete()
    assert vacancies.daily(ctx) == 2  # the new current month, and the past one still published
    jobs = {j.payload["month"] for j in session.scalars(select(Job).where(Job.kind == vacancies.RECOMPUTE))}
    assert jobs == {"2027-01", "2026-12"}
    vacancies.recompute(ctx, location.id, "2026-12")
    withdrawn = {e.aggregate_id for e in _events(session, org, type="vacancy.withdrawn")}
    assert withdrawn == published
    assert not session.scalars(select(VacancyState).where(VacancyState.month == "2026-12")).all()
