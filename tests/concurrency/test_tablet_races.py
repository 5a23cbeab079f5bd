"""Races on the tablet, 50 real parallel requests each (docs/concurrency.md): wrong PINs all
count and the lockout holds; two tablets registering the same child, online and through the
offline sync, keep exactly one arrival, the earliest. On SQLite the same requests wait their turn."""
from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta

from sqlalchemy import select

from core.clock import BRUSSELS, clock
from core.context import context_for
from core.models import Role
from plugins.aanwezigheden.models import AttendanceEvent, Device, EventStatus
from plugins.aanwezigheden.services.devices import pair_device, set_pin
from tests.concurrency.conftest import PARALLEL, fire
from tests.factories import Factory

PIN = "2468"
MORNING = datetime(2026, 11, 18, 8, 0, tzinfo=BRUSSELS)


def _tablets(live, devices: int):
    """An organisation with a child at one location and ``devices`` paired tablets, each unlocked
    by the director (one HTTP client per tablet)."""
    live.freeze(MORNING)
    with live.unit() as s:
        factory = Factory(s)
        org = factory.org(modules={"aanwezigheden"})
        s.commit()
        location = factory.location(org)
        director = factory.user(org, Role.DIRECTOR)
        child = factory.child(org, location=location)
        ctx = context_for(s, org)
        set_pin(ctx, director, PIN)
        tokens = [pair_device(ctx, location, f"Tablet {i}", actor_id=director.id)[1] for i in range(devices)]
        ids = {"org": org.slug, "org_id": org.id, "child": child.id, "director": director.id}
    clients = []
    for token in tokens:
        client = live.client()
        client.cookies["koepel_tablet"] = token
        if ids is not None:
            answer = client.post(f"/o/{ids['org']}/aanwezigheden/tablet/api/unlock",
                                 json_body={"user_id": ids["director"], "pin": PIN})
            assert answer.status == 200, answer.body
        clients.append(client)
    return ids, clients


def _api(ids, path: str) -> str:
    return f"/o/{ids['org']}/aanwezigheden/tablet/api/{path}"


def _accepted(live, ids) -> list[AttendanceEvent]:
    with live.unit() as s:
        return list(s.scalars(select(AttendanceEvent).where(
            AttendanceEvent.organisation_id == ids["org_id"], AttendanceEvent.child_id == ids["child"],
            AttendanceEvent.status == EventStatus.ACCEPTED)))


def test_parallel_wrong_pins_all_count_and_the_lockout_holds(live):
    ids, (tablet,) = _tablets(live, 1)
    url = _api(ids, "unlock")
    answers = fire([lambda: tablet.copy().request("POST", url, json_body={"user_id": ids["director"], "pin": "9999"})
                    for _ in range(PARALLEL)])
    statuses = Counter(a.status for a in answers)
    assert not [s for s in statuses if s >= 500], statuses
    # pin_max_failures is 5: four wrong PINs are answered as such, the fifth locks, the rest are refused.
    assert statuses == {401: 4, 429: PARALLEL - 4}, statuses
    with live.unit() as s:
        device = s.scalar(select(Device).where(Device.organisation_id == ids["org_id"]))
        assert device.locked_until is not None and device.locked_until > clock.now()
    right = tablet.request("POST", url, json_body={"user_id": ids["director"], "pin": PIN})
    assert right.status == 429  # even the right PIN waits for the lock to end


def test_two_tablets_tapping_the_same_child_keep_one_arrival(live):
    ids, tablets = _tablets(live, 2)
    url = _api(ids, "register")

    def tap(i):
        return lambda: tablets[i % 2].copy().request(
            "POST", url, json_body={"client_id": f"tap-{i:02d}", "child_id": ids["child"], "kind": "arrival"})

    answers = fire([tap(i) for i in range(PARALLEL)])
    statuses = Counter(a.status for a in answers)
    assert not [s for s in statuses if s >= 500], statuses
    accepted = _accepted(live, ids)
    assert len(accepted) == 1, statuses
    # The other tablet's taps are kept as duplicates (201), the same tablet's refused (409). The
    # clock is frozen, so every tap has the same time and the documented tie-break decides: the
    # smallest client id of the stored taps counts, whatever order they were served in.
    assert set(statuses) <= {201, 409}
    stored = sorted(a.json["client_id"] for a in answers if a.status == 201)
    assert accepted[0].client_id == stored[0]


def test_parallel_offline_syncs_keep_the_earliest_arrival(live):
    ids, tablets = _tablets(live, 2)
    url = _api(ids, "sync")
    moments = [MORNING - timedelta(minutes=30) + timedelta(seconds=i % 7) for i in range(PARALLEL)]

    def sync(i):
        item = {"type": "event", "client_id": f"off-{i:02d}", "child_id": ids["child"], "kind": "arrival",
                "at": moments[i].isoformat(), "staff_id": ids["director"]}
        return lambda: tablets[i % 2].copy().request("POST", url, json_body={"items": [item]})

    answers = fire([sync(i) for i in range(PARALLEL)])
    assert {a.status for a in answers} == {200}, Counter(a.status for a in answers)
    accepted = _accepted(live, ids)
    earliest = min((moments[i], f"off-{i:02d}") for i in range(PARALLEL))
    assert [(e.at, e.client_id) for e in accepted] == [earliest]


def _lockable(live, child_id: int) -> bool:
    """Whether another transaction can lock the child's row right now (PostgreSQL, NOWAIT)."""
    from sqlalchemy.exc import OperationalError

    from core.models import Child

    with live.db.engine.connect() as other:
        try:
            other.execute(select(Child.id).where(Child.id == child_id).with_for_update(nowait=True)).all()
        except OperationalError:
            return False
        finally:
            other.rollback()
    return True


def test_the_taps_first_statement_holds_the_childs_lock(live):
    """The tap's lock comes with its first statement (``load_org_with_device`` with the child of the
    body), so the statement that reads the child's day starts after it: on PostgreSQL another
    transaction cannot lock the row until the tap ends, and the registration takes no second lock.
    A wrong token or another organisation's child lock nothing. SQLite serialises whole
    transactions instead (BEGIN IMMEDIATE) and takes no row lock."""
    from plugins.aanwezigheden.services.devices import LOCKED_CHILD_KEY, load_org_with_device

    ids, (tablet,) = _tablets(live, 1)
    token = tablet.cookies["koepel_tablet"]
    with live.unit() as s:
        stranger = Factory(s).child(Factory(s).org(modules={"aanwezigheden"})).id
    postgres = live.db.engine.dialect.name == "postgresql"
    with live.app.test_request_context(), live.unit() as s:
        assert load_org_with_device(s, ids["org"], token, lock_child_id=ids["child"]) is not None
        if postgres:
            assert s.info[LOCKED_CHILD_KEY] == (ids["child"], s.get_transaction())
            assert not _lockable(live, ids["child"])
        else:
            assert LOCKED_CHILD_KEY not in s.info
    if postgres:
        assert _lockable(live, ids["child"])  # released with the transaction
    for slug, tok, child in ((ids["org"], "not-a-token", ids["child"]), (ids["org"], token, stranger)):
        with live.app.test_request_context(), live.unit() as s:
            assert load_org_with_device(s, slug, tok, lock_child_id=child) is not None
            assert LOCKED_CHILD_KEY not in s.info
            if postgres:
                assert _lockable(live, child)
