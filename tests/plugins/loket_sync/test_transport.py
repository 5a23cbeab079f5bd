"""The sender against a stand-in loket on loopback: every answer a clear state, retried where it
makes sense, never lost or doubled."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from core.clock import app_clock, clock
from core.settings import set_setting
from plugins.loket_sync.models import EventStatus, SyncEvent
from plugins.loket_sync.services import adapters, connection, outbox, sender

from .fake_loket import FakeLoket

SECRET = "s3cret-s3cret-s3cret"


@pytest.fixture
def loket(org):
    with FakeLoket("key-1", SECRET, org.slug, other_refs={"FOREIGN-1"}, clock=app_clock()) as fake:
        yield fake


@pytest.fixture
def connected(ctx, loket, session, org):
    set_setting(session, org, "loket_sync.timeout_seconds", 1)
    set_setting(session, org, "loket_sync.batch_size", 10)
    ctx.forget_settings()
    connection.configure(ctx, base_url=loket.url, key_id="key-1", secret=SECRET)
    return ctx


def _emit(ctx, n=3, ref="L1"):
    return [outbox.emit(ctx, "vacancy.published", "vacancy", f"{ref}|2027-0{i + 1}|0-18m|ma-vr",
                        {"location": {"ref": ref}, "free_places": i + 1}) for i in range(n)]


def _later(ctx, seconds=7200):
    """As if ``seconds`` passed for the retries (the signature's clock cannot jump ahead)."""
    for event in ctx.session.scalars(select(SyncEvent).where(SyncEvent.status == EventStatus.PENDING)):
        event.next_attempt_at -= timedelta(seconds=seconds)
    ctx.session.flush()


def test_accepted_events_are_sent_once(connected, loket, session):
    events = _emit(connected)
    counts = sender.send_batch(connected)
    assert counts == {"accepted": 3}
    assert all(e.status == EventStatus.SENT and e.outcome == "accepted" for e in events)
    assert set(loket.received) == {e.event_id for e in events}
    assert connection.get(connected).state == "ok"
    assert sender.send_batch(connected) == {}  # nothing due


@pytest.mark.parametrize("fault", [503, 500, "garbage", 409, 429])
def test_temporary_failures_are_retried_later(connected, loket, fault):
    events = _emit(connected)
    loket.faults = [fault]
    assert sender.send_batch(connected) == {"retry": 3}
    assert all(e.status == EventStatus.PENDING and e.attempts == 1 and e.last_error for e in events)
    assert all(e.next_attempt_at > connected.now() + timedelta(seconds=29) for e in events)
    assert sender.send_batch(connected) == {}  # not due yet
    _later(connected)
    assert sender.send_batch(connected) == {"accepted": 3}
    assert all(loket.received[e.event_id] == 1 for e in events)


def test_timeout_is_retried(connected, loket):
    events = _emit(connected, 1)
    loket.faults = [("sleep", 1.6)]
    assert sender.send_batch(connected) == {"retry": 1}
    assert "unreachable" in events[0].last_error or "timed out" in events[0].last_error


def test_wrong_secret_says_aanmelding_geweigerd(connected, loket, session, org):
    connection.configure(connected, base_url=loket.url, key_id="key-1", secret="another-secret-1234")
    events = _emit(connected, 2)
    assert sender.send_batch(connected) == {"retry": 2}
    conn = connection.get(connected)
    assert conn.state == "auth_refused"
    assert all(e.status == EventStatus.PENDING for e in events)


def test_final_4xx_fails_the_batch_visibly(connected, loket):
    events = _emit(connected, 2)
    loket.faults = [422]
    assert sender.send_batch(connected) == {"failed": 2}
    assert all(e.status == EventStatus.FAILED and "422" in e.last_error for e in events)
    assert connection.get(connected).state == "error"
    assert sender.retry_failed(connected) == 2
    assert sender.send_batch(connected) == {"accepted": 2}


def test_rejected_event_is_not_retried(connected, loket):
    good = _emit(connected, 1)[0]
    bad = outbox.emit(connected, "vacancy.published", "vacancy", "FOREIGN-1|2027-01|0-18m|x",
                      {"location": {"ref": "FOREIGN-1"}, "free_places": 1})
    assert sender.send_batch(connected) == {"accepted": 1, "rejected": 1}
    assert bad.status == EventStatus.REJECTED and "location_of_other_partner" in bad.last_error
    assert good.status == EventStatus.SENT
    _later(connected)
    assert sender.send_batch(connected) == {}


def test_retry_after_lost_answer_is_a_duplicate_not_a_double(connected, loket, session):
    """The loket applied the batch but the answer was lost: the same events again count once."""
    events = _emit(connected, 2)
    for e in events:
        loket.received[e.event_id] = 1
    assert sender.send_batch(connected) == {"duplicate": 2}
    assert all(e.status == EventStatus.SENT and e.outcome == "duplicate" for e in events)
    assert all(loket.received[e.event_id] == 1 for e in events)


def test_older_sequence_is_stale_at_the_loket(connected, loket):
    first = outbox.emit(connected, "vacancy.published", "vacancy", "L1|x", {"location": {"ref": "L1"},
                                                                           "free_places": 1})
    second = outbox.emit(connected, "vacancy.changed", "vacancy", "L1|x", {"location": {"ref": "L1"},
                                                                          "free_places": 2})
    first.next_attempt_at = connected.now() + timedelta(hours=1)  # the newer one arrives first
    sender.send_batch(connected)
    _later(connected)
    sender.send_batch(connected)
    assert (second.outcome, first.outcome) == ("accepted", "stale")
    assert loket.vacancies["L1|x"] == 2


def test_batches_are_sized_by_the_setting_and_keyed_by_their_events(connected, loket):
    _emit(connected, 25)
    assert sender.send_batch(connected) == {"accepted": 10}
    ids = ["b", "a"]
    assert adapters.batch_key(ids) == adapters.batch_key(["a", "b"]) != adapters.batch_key(["a"])


def test_not_configured_events_wait(ctx, session, org):
    events = _emit(ctx, 1)
    assert sender.send_batch(ctx) == {}
    assert events[0].status == EventStatus.PENDING and events[0].attempts == 0


def test_plain_http_elsewhere_is_refused(ctx):
    from plugins.loket_sync.services.errors import LoketSyncError

    with pytest.raises(LoketSyncError) as exc:
        connection.configure(ctx, base_url="http://loket.example.org", key_id="k", secret=SECRET)
    assert exc.value.field == "base_url"


def test_secret_rotation_keeps_the_old_one_until(connected, loket):
    connection.configure(connected, base_url=loket.url, key_id="key-2", secret="a-brand-new-secret-99")
    conn = connection.get(connected)
    keys = connection.verification_keys(connected)
    assert set(keys) == {"key-2", "key-1"} and conn.old_until > connected.now()
    app_clock().freeze(clock.now() + timedelta(days=8))
    assert set(connection.verification_keys(connected)) == {"key-2"}


def test_secret_is_stored_encrypted(connected, session):
    raw = session.execute(select(__import__("sqlalchemy").text("value_encrypted")).select_from(
        __import__("sqlalchemy").text("outbound_secret"))).scalars().all()
    assert raw and all(SECRET not in value for value in raw)


def test_clock_skew_of_minutes_is_a_clear_state(ctx, org, session):
    """Our clock ten minutes behind the loket's: the signature is outside its window."""
    from datetime import UTC, datetime

    with FakeLoket("key-1", SECRET, org.slug) as skewed:  # the loket on real time
        connection.configure(ctx, base_url=skewed.url, key_id="key-1", secret=SECRET)
        app_clock().freeze(datetime.now(UTC) - timedelta(minutes=10))
        events = _emit(ctx, 1)
        assert sender.send_batch(ctx) == {"retry": 1}
    conn = connection.get(ctx)
    assert conn.state == "auth_refused" and "signature_expired" in conn.state_message
    assert events[0].status == EventStatus.PENDING
