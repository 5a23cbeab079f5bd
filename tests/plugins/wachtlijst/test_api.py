"""plugins.wachtlijst.api, the surface the loket sync and other modules use: requests from an
outside system under their id there (idempotent), read back as plain data, withdrawn, offers
answered, placements and vacancies; every refusal writes nothing."""
from __future__ import annotations

import dataclasses
from datetime import date

import pytest
from sqlalchemy import func, select

from core.context import build_context, context_for
from core.jobs import Job
from plugins.wachtlijst import api
from plugins.wachtlijst.models import CareRequest
from plugins.wachtlijst.services import offers, placing
from tests.plugins.wachtlijst.helpers import make_request, request_data


@pytest.fixture
def ctx(session, org):
    return build_context(session, org)


@pytest.fixture
def slot(location):
    return placing.Slot(location.id, 2027, 1, "0-12m", "ma-vr volle dag", free=1)


@pytest.fixture
def fixed_vacancies(monkeypatch, slot):
    monkeypatch.setattr(placing, "vacancies", lambda ctx, *, start, months=12, location_ids=None: [slot])


def _count(session) -> int:
    return session.scalar(select(func.count()).select_from(CareRequest))


def test_an_external_request_is_stored_once_confirmed_and_without_a_mail(ctx, session, location, frozen_today):
    first = api.create_external_request(ctx, "loket", "LK-2027-001", request_data([location.id]))
    again = api.create_external_request(ctx, "loket", "LK-2027-001", request_data([location.id]))
    assert again == first and _count(session) == 1
    assert (first.status, first.channel, first.external_source, first.external_id) == (
        "confirmed", "loket", "loket", "LK-2027-001")
    assert first.location_ids == (location.id,) and first.days[0] == (0, "full")
    assert api.find_external_request(ctx, "loket", "LK-2027-001") == first
    assert api.find_external_request(ctx, "elders", "LK-2027-001") is None
    assert session.scalars(select(Job.kind).where(Job.kind == "mail.send")).all() == []
    with pytest.raises(dataclasses.FrozenInstanceError):
        first.status = "placed"  # plain data: a caller cannot change a request behind the module


@pytest.mark.parametrize(("source", "external_id", "code"), [
    ("loket", "", "external_id_invalid"), ("", "LK-1", "external_id_invalid"),
    ("loket", "x" * 101, "external_id_invalid"), ("l" * 33, "LK-1", "external_id_invalid"),
])
def test_a_bad_external_id_is_refused_and_nothing_written(ctx, session, location, source, external_id, code):
    with pytest.raises(api.WachtlijstError) as info:
        api.create_external_request(ctx, source, external_id, request_data([location.id]))
    assert info.value.code == code and info.value.field == "external_id"
    assert _count(session) == 0


def test_twins_under_one_external_id_and_invalid_data_are_refused(ctx, session, location, frozen_today):
    with pytest.raises(api.WachtlijstError) as info:
        api.create_external_request(ctx, "loket", "LK-2", request_data([location.id], twin_first_name="Mila"))
    assert info.value.code == "external_one_child"
    with pytest.raises(api.ValidationFailed) as info:
        api.create_external_request(ctx, "loket", "LK-3", request_data([location.id], email="geen-adres"))
    assert "email" in info.value.errors
    assert _count(session) == 0


def test_read_back_list_filter_and_another_organisations_request_is_invisible(
        ctx, session, factory, org, location, frozen_today):
    mine, _ = make_request(session, org, [location.id])
    other_org = factory.org(name="Elders", modules={"wachtlijst"})
    theirs, _ = make_request(session, other_org, [factory.location(other_org).id], email="x@example.be")
    assert api.get_request(ctx, mine.id).id == mine.id
    assert api.get_request(ctx, theirs.id) is None
    assert [r.id for r in api.list_requests(ctx)] == [mine.id]
    assert api.list_requests(ctx, statuses=("placed",)) == []
    with pytest.raises(api.WachtlijstError) as info:
        api.withdraw_request(ctx, theirs.id, reason="elders geplaatst")
    assert info.value.code == "not_found"
    assert session.get(CareRequest, theirs.id).status.value == "confirmed"


def test_withdraw_needs_a_reason_and_an_open_request(ctx, session, org, location, frozen_today):
    req, _ = make_request(session, org, [location.id])
    with pytest.raises(api.WachtlijstError) as info:
        api.withdraw_request(ctx, req.id, reason="  ")
    assert info.value.code == "reason_required" and req.status.value == "confirmed"
    done = api.withdraw_request(ctx, req.id, reason="plaats gevonden via het loket")
    assert done.status == "withdrawn" and done.closed_at is not None
    with pytest.raises(api.WachtlijstError) as info:
        api.withdraw_request(ctx, req.id, reason="nog eens")
    assert info.value.code == "not_waiting"


def test_offer_answered_through_the_api_becomes_a_placement(ctx, session, org, location, slot, fixed_vacancies,
                                                           frozen_today):
    declined_req, _ = make_request(session, org, [location.id], email="d@example.be", child_first_name="Bo")
    declined = offers.make_offer(context_for(session, org), declined_req, slot, actor=None)
    with pytest.raises(api.WachtlijstError) as info:
        api.answer_offer(ctx, declined.id, accepted=False, reason="")
    assert info.value.code == "reason_required"
    assert api.answer_offer(ctx, declined.id, accepted=False, reason="te ver").status == "declined"

    req, _ = make_request(session, org, [location.id])
    offer = offers.make_offer(context_for(session, org), req, slot, actor=None)
    assert [o.id for o in api.list_offers(ctx, statuses=("open",))] == [offer.id]
    assert api.answer_offer(ctx, offer.id, accepted=True).status == "accepted"
    [placed] = api.placements(ctx)
    assert (placed.request_id, placed.location_id, placed.start_date) == (req.id, location.id, date(2027, 1, 4))
    assert placed.child_id == api.get_request(ctx, req.id).child_id is not None
    with pytest.raises(api.WachtlijstError) as info:
        api.answer_offer(ctx, offer.id, accepted=True)
    assert info.value.code == "offer_closed"
    with pytest.raises(api.WachtlijstError) as info:
        api.answer_offer(ctx, 2**31 - 1, accepted=True)
    assert info.value.code == "not_found"


def test_vacancies_as_plain_data_and_a_bad_range_refused(ctx, location, slot, fixed_vacancies, frozen_today):
    [vacancy] = api.vacancies(ctx, start=date(2027, 1, 15))
    assert (vacancy.location_id, vacancy.year, vacancy.month, vacancy.free) == (location.id, 2027, 1, 1)
    for months in (0, 37):
        with pytest.raises(api.WachtlijstError) as info:
            api.vacancies(ctx, months=months)
        assert info.value.code == "months_invalid"


def test_real_vacancies_come_from_planning(ctx, location, frozen_today):
    """Without the pinned vacancies: planning's real count answers (no care plans: every type free)."""
    found = api.vacancies(ctx, months=2, location_ids=[location.id])
    assert all(v.location_id == location.id and v.free > 0 for v in found)


def test_two_loket_calls_at_once_store_one_request(app, engine, frozen_today):
    """Real parallel transactions (PostgreSQL in CI: KOEPEL_TEST_DATABASE_URL): both calls answer
    with the same request, one row exists; the loser of the unique constraint reads the winner's."""
    import threading

    from sqlalchemy import delete
    from sqlalchemy.orm import Session

    from core.models import Koepel, Organisation
    from tests.factories import Factory

    with Session(engine) as setup:  # committed: the two parallel transactions must see it
        made = Factory(setup)
        org = made.org(name="Parallel", modules={"wachtlijst"})
        org_id, koepel_id, location_id = org.id, org.koepel_id, made.location(org).id
    # SQLite has one writer at a time (a second one fails with "database is locked" rather than
    # waiting), so there the two transactions run one after the other; PostgreSQL runs them at once.
    parallel = engine.dialect.name == "postgresql"
    barrier, results, errors = threading.Barrier(2 if parallel else 1), [], []

    def call():
        try:
            with app.app_context(), Session(engine) as s:
                ctx = build_context(s, s.get(Organisation, org_id))
                barrier.wait(timeout=10)
                results.append(api.create_external_request(ctx, "loket", "LK-RACE", request_data([location_id])).id)
                s.commit()
        except Exception as exc:  # noqa: BLE001  (reported below)
            errors.append(exc)

    threads = [threading.Thread(target=call) for _ in range(2)]
    try:
        for t in threads:
            t.start()
            if not parallel:
                t.join(timeout=30)
        for t in threads:
            t.join(timeout=30)
        assert errors == [] and len(results) == 2 and results[0] == results[1]
        with Session(engine) as check:
            assert check.scalar(select(func.count()).select_from(CareRequest).where(
                CareRequest.organisation_id == org_id)) == 1
    finally:
        with Session(engine) as cleanup:  # the database cascades from the organisation
            cleanup.execute(delete(Organisation).where(Organisation.id == org_id))
            if not cleanup.scalar(select(func.count()).select_from(Organisation).where(
                    Organisation.koepel_id == koepel_id)):
                cleanup.execute(delete(Koepel).where(Koepel.id == koepel_id))
            cleanup.commit()
