"""The koepel side against the reference loket (loket/) on loopback: vacancies converge, a loket
request comes in, gets an offer and a place, and the loket hears each step once."""
from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from plugins.loket_sync.models import EventStatus, SyncEvent, VacancyState
from plugins.loket_sync.services import connection, inbound, resync, sender, status, vacancies
from plugins.loket_sync.services.outbox import location_ref

from . import reference


@pytest.fixture
def loc(factory, org, session):
    location = factory.location(org, name="De Speelvogel", places=9)
    location.postcode, location.municipality = "3000", "Leuven"
    session.commit()
    return location


@pytest.fixture
def ref_loket(tmp_path, org, frozen_today):
    from core.clock import app_clock

    loket = reference.start(tmp_path, org.slug)
    loket.app.extensions["koepel_clock"].freeze(app_clock().now())  # one moment on both sides
    yield loket
    loket.stop()


@pytest.fixture
def linked(ctx, ref_loket):
    connection.configure(ctx, base_url=ref_loket.url, key_id=ref_loket.key_id, secret=ref_loket.secret)
    return ctx


def _drain(ctx, rounds=20):
    for _ in range(rounds):
        if not sender.send_batch(ctx):
            return
    raise AssertionError("events still pending")


def _ours(ctx):
    return {s.aggregate_id: s.free for s in ctx.session.scalars(
        select(VacancyState).where(VacancyState.organisation_id == ctx.org.id))}


def test_vacancies_converge_at_the_reference_loket(linked, loc, ref_loket, frozen_today):
    for month in ("2026-11", "2026-12", "2027-01"):
        vacancies.recompute(linked, loc.id, month)
    _drain(linked)
    events = linked.session.scalars(select(SyncEvent)).all()
    assert events and all(e.status == EventStatus.SENT for e in events), [e.last_error for e in events][:3]
    assert ref_loket.vacancies() == _ours(linked) != {}
    assert all(n == 1 for n in ref_loket.received().values())
    count, checksum = status.vacancy_checksum(linked)
    assert ref_loket.state()["vacancies"] == {"count": count, "checksum": checksum}
    # a resync sends everything again: harmless, same state
    resync.resync(linked)
    for month in ("2026-11", "2026-12", "2027-01"):
        vacancies.recompute(linked, loc.id, month, force=True)
    _drain(linked)
    assert ref_loket.vacancies() == _ours(linked)


def test_request_from_the_loket_is_pulled_placed_and_reported(linked, loc, ref_loket, session, frozen_today):
    import plugins.wachtlijst.api as wachtlijst
    from loket import registrations
    from loket.models import Location as LoketLocation
    from loket.models import Partner
    from loket.partners import assign_location

    with ref_loket.unit() as sess:
        partner = sess.get(Partner, ref_loket.partner)
        assign_location(sess, partner, location_ref(loc), name=loc.name, postcode="3000", municipality="Leuven",
                        care_type="groepsopvang")
        sess.flush()
        loket_loc = sess.scalar(select(LoketLocation.id).where(LoketLocation.ref == location_ref(loc)))
        reg = registrations.file_registration(sess, registrations.RegistrationInput(
            applicant_first_name="Sofie", applicant_last_name="Peeters", email="sofie@example.org",
            child_first_name="Lena", child_last_name="Peeters", date_of_birth=date(2026, 6, 1),
            desired_start=date(2027, 1, 4), location_ids=[loket_loc], postcode="3000", municipality="Leuven",
            days=[{"day": d, "part": "full"} for d in ("mon", "tue", "thu")], priority_flags=["work"]))
        loket_id = reg.public_id if hasattr(reg, "public_id") else None
    counts = inbound.pull(linked)
    assert counts.get("created") == 1, counts
    [info] = [r for r in wachtlijst.list_requests(linked) if r.external_source == "loket"]
    assert info.location_ids == (loc.id,) and info.days == ((0, "full"), (1, "full"), (3, "full"))
    assert inbound.pull(linked) == {}  # the cursor moved on: nothing twice
    assert loket_id is None or info.external_id == loket_id


def test_event_for_a_location_of_another_partner_is_rejected(linked, loc, ref_loket, factory, frozen_today):
    from loket.models import Partner
    from loket.partners import add_partner, assign_location

    with ref_loket.unit() as sess:
        add_partner(sess, "andere", "Andere partner")
        sess.flush()
        assign_location(sess, sess.get(Partner, "andere"), location_ref(loc), name="x", postcode="3000",
                        municipality="Leuven", care_type="groepsopvang")
    vacancies.recompute(linked, loc.id, "2027-01")
    _drain(linked)
    events = linked.session.scalars(select(SyncEvent)).all()
    assert events and all(e.status == EventStatus.REJECTED for e in events)
    assert "location_of_other_partner" in events[0].last_error
    assert ref_loket.vacancies() == {}


def test_cli_status_and_verify(app, linked, loc, ref_loket, session, frozen_today):
    vacancies.recompute(linked, loc.id, "2027-01")
    _drain(linked)
    session.commit()
    runner = app.test_cli_runner()
    result = runner.invoke(args=["loket-sync", "verify", linked.org.slug])
    assert result.exit_code == 0 and "gelijk" in result.output, result.output
    result = runner.invoke(args=["loket-sync", "status", linked.org.slug])
    assert "verzonden=" in result.output and "wacht=0" in result.output, result.output
    with ref_loket.unit() as sess:  # the loket loses a vacancy: verify says so
        from loket.models import Vacancy

        sess.query(Vacancy).filter(Vacancy.partner_id == ref_loket.partner).delete()
    result = runner.invoke(args=["loket-sync", "verify", linked.org.slug])
    assert result.exit_code == 1 and "VERSCHILLEND" in result.output
