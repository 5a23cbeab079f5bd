"""The loket API: signatures (good, wrong, expired, replayed, rotated keys), exactly-once events,
stale sequences, isolation between partners, bad input, and the request feed by cursor. Every
answer is also checked against docs/loket-api.yaml (LOKET_STRICT_RESPONSES in the fixture)."""
from __future__ import annotations

import json
import uuid
from datetime import timedelta

from sqlalchemy import func, select

from core import http
from core.clock import clock
from tests.loket.conftest import (
    BASE,
    SignedClient,
    add_partner,
    assign,
    file_request,
    vacancy_event,
)


def _code(response):
    return response.get_json()["error"]["code"]


# --- signatures ------------------------------------------------------------------------------------------


def test_health_needs_no_signature(loket_app):
    answer = loket_app.test_client().get("/api/v1/health")
    assert answer.status_code == 200 and answer.get_json()["status"] == "ok"


def test_unsigned_request_is_refused(api):
    answer = api.get("/api/v1/requests", sign=False)
    assert answer.status_code == 401 and _code(answer) == "signature_missing"


def test_wrong_secret_is_refused(api, partner):
    wrong = http.Signing(partner.key_id, b"not-the-secret-of-this-partner-at-all")
    answer = api.post_events([vacancy_event()], signing=wrong)
    assert answer.status_code == 401 and _code(answer) == "signature_invalid"


def test_unknown_key_is_refused(api):
    answer = api.get("/api/v1/state", signing=http.Signing("nobody-1", b"x" * 32))
    assert answer.status_code == 401 and _code(answer) == "unknown_key"


def test_tampered_body_is_refused(api, partner):
    raw = json.dumps({"events": [vacancy_event()]}).encode()
    headers = http.sign("POST", BASE + "/api/v1/events",
                        {"Content-Type": "application/json", "Idempotency-Key": "k-12345678"}, raw, partner.signing)
    answer = api.client.post("/api/v1/events", data=raw.replace(b'"free_places": 2', b'"free_places": 9'),
                             headers=headers)
    assert answer.status_code == 401 and _code(answer) == "signature_invalid"


def test_signature_for_another_address_is_refused(api, partner):
    headers = http.sign("GET", BASE + "/api/v1/vacancies", {}, None, partner.signing)
    answer = api.client.get("/api/v1/state", headers=headers)
    assert answer.status_code == 401


def test_expired_and_future_signatures_are_refused(loket_app, api):
    now = clock.now()
    loket_app.extensions["koepel_clock"].freeze(now + timedelta(seconds=301))  # the loket's clock runs ahead
    try:
        late = api.get("/api/v1/state")
    finally:
        loket_app.extensions["koepel_clock"].freeze(None)
    assert late.status_code == 401 and _code(late) == "signature_expired"
    loket_app.extensions["koepel_clock"].freeze(now - timedelta(seconds=400))  # the sender's clock runs ahead
    try:
        early = api.get("/api/v1/state")
    finally:
        loket_app.extensions["koepel_clock"].freeze(None)
    assert early.status_code == 401 and _code(early) == "signature_expired"
    loket_app.extensions["koepel_clock"].freeze(now + timedelta(seconds=200))  # within the window: fine
    try:
        assert api.get("/api/v1/state").status_code == 200
    finally:
        loket_app.extensions["koepel_clock"].freeze(None)


def test_replayed_request_is_refused(api, partner):
    raw = json.dumps({"events": [vacancy_event()]}).encode()
    headers = http.sign("POST", BASE + "/api/v1/events",
                        {"Content-Type": "application/json", "Idempotency-Key": "k-replay-1"}, raw, partner.signing)
    first = api.client.post("/api/v1/events", data=raw, headers=headers)
    again = api.client.post("/api/v1/events", data=raw, headers=headers)
    assert first.status_code == 200
    assert again.status_code == 401 and _code(again) == "signature_replayed"


def test_signature_without_nonce_is_refused(api, partner):
    from http_message_signatures import HTTPMessageSigner, algorithms
    from http_message_signatures.resolvers import MappingKeyResolver

    message = http._Message("GET", BASE + "/api/v1/state", {})
    HTTPMessageSigner(signature_algorithm=algorithms.HMAC_SHA256, key_resolver=MappingKeyResolver(
        public_keys={}, private_keys={partner.key_id: partner.secret.encode()})).sign(
        message, key_id=partner.key_id, label="koepel", created=clock.now(),
        covered_component_ids=("@method", "@target-uri"))
    answer = api.client.get("/api/v1/state", headers=message.headers)
    assert answer.status_code == 401 and _code(answer) == "signature_invalid"


def test_rotation_keeps_the_old_key_during_the_overlap(loket_app, api, partner):
    from loket.partners import rotate_key

    with loket_app.app_context(), loket_app.extensions["loket_db"].unit_of_work() as sess:
        new_key_id, new_secret = rotate_key(sess, partner.id, overlap=timedelta(days=14))
    assert api.get("/api/v1/state").status_code == 200  # old key, within the overlap
    assert api.get("/api/v1/state", signing=http.Signing(new_key_id, new_secret.encode())).status_code == 200
    loket_app.extensions["koepel_clock"].freeze(clock.now() + timedelta(days=15))
    try:
        old = api.get("/api/v1/state", signing=partner.signing)
        new = api.get("/api/v1/state", signing=http.Signing(new_key_id, new_secret.encode()))
    finally:
        loket_app.extensions["koepel_clock"].freeze(None)
    assert old.status_code == 401 and _code(old) == "unknown_key"
    # the signature of the new key is made with the real clock: 15 days off the frozen loket clock
    assert new.status_code == 401 and _code(new) == "signature_expired"


def test_secrets_are_encrypted_at_rest(loket_app, partner):
    from loket.models import PartnerKey

    with loket_app.app_context(), loket_app.extensions["loket_db"].unit_of_work() as sess:
        stored = sess.get(PartnerKey, partner.key_id).secret_encrypted
    assert partner.secret not in stored and len(stored) > 60


# --- events -----------------------------------------------------------------------------------------------


def test_event_is_applied_once_and_duplicates_change_nothing(loket_app, api):
    event = vacancy_event(free=2)
    first = api.post_events([event]).get_json()
    assert first == {"accepted": [event["id"]], "duplicates": [], "stale": [], "rejected": []}
    changed = dict(event, data=dict(event["data"], free_places=7))  # same id, other content: still a duplicate
    second = api.post_events([changed]).get_json()
    assert second["duplicates"] == [event["id"]] and second["accepted"] == []
    vacancies = api.get("/api/v1/vacancies").get_json()["vacancies"]
    assert [(v["aggregate_id"], v["free_places"]) for v in vacancies] == [("KOT-1|2027-01|0-18m|full", 2)]
    from loket.models import ReceivedEvent

    with loket_app.app_context(), loket_app.extensions["loket_db"].unit_of_work() as sess:
        rows = sess.scalars(select(ReceivedEvent)).all()
    assert [(r.event_id, r.times_received, r.outcome) for r in rows] == [(event["id"], 2, "accepted")]


def test_same_id_twice_in_one_batch_counts_once(api):
    event = vacancy_event()
    answer = api.post_events([event, event]).get_json()
    assert answer["accepted"] == [event["id"]] and answer["duplicates"] == [event["id"]]


def test_older_sequence_never_overwrites_newer(api):
    newer = vacancy_event(sequence=5, free=1)
    older = vacancy_event(sequence=3, free=4)
    equal = vacancy_event(sequence=5, free=9)
    assert api.post_events([newer]).get_json()["accepted"] == [newer["id"]]
    answer = api.post_events([older, equal]).get_json()
    assert answer["stale"] == [older["id"], equal["id"]] and answer["accepted"] == []
    assert api.get("/api/v1/vacancies").get_json()["vacancies"][0]["free_places"] == 1
    withdrawn = vacancy_event(sequence=6, kind="vacancy.withdrawn")
    assert api.post_events([withdrawn]).get_json()["accepted"] == [withdrawn["id"]]
    assert api.get("/api/v1/vacancies").get_json()["vacancies"] == []
    republished_late = vacancy_event(sequence=4, free=3)
    assert api.post_events([republished_late]).get_json()["stale"] == [republished_late["id"]]


def test_state_checksum_follows_the_documented_definition(api):
    import hashlib

    api.post_events([vacancy_event(aggregate="a", free=2), vacancy_event(aggregate="b", free=0)])
    state = api.get("/api/v1/state").get_json()
    expected = hashlib.sha256(b"a|2|0\nb|0|0").hexdigest()
    assert state["vacancies"] == {"count": 2, "checksum": expected}
    assert state["placements"]["checksum"] == hashlib.sha256(b"").hexdigest()
    assert state["events_applied"] == 2


def test_location_of_another_partner_is_rejected_per_event(loket_app, api, other_partner):
    theirs = vacancy_event(other_partner.id, ref="KOT-B")
    assert SignedClient(loket_app, other_partner).post_events([theirs]).get_json()["accepted"] == [theirs["id"]]
    mine = vacancy_event(ref="KOT-A", aggregate="x")
    grab = vacancy_event(ref="KOT-B", aggregate="y")
    answer = api.post_events([mine, grab]).get_json()
    assert answer["accepted"] == [mine["id"]]
    assert [(r["id"], r["code"]) for r in answer["rejected"]] == [(grab["id"], "location_of_other_partner")]
    # sent again: still rejected (final), never applied
    again = api.post_events([grab]).get_json()
    assert [(r["id"], r["code"]) for r in again["rejected"]] == [(grab["id"], "location_of_other_partner")]
    their_view = SignedClient(loket_app, other_partner).get("/api/v1/vacancies").get_json()["vacancies"]
    assert [v["aggregate_id"] for v in their_view] == ["KOT-1|2027-01|0-18m|full"]


def test_event_in_the_name_of_another_partner_is_rejected(api, other_partner):
    event = vacancy_event(other_partner.id)
    answer = api.post_events([event]).get_json()
    assert answer["rejected"][0]["code"] == "partner_mismatch"


def test_placement_of_a_loket_request_places_it_for_the_others(loket_app, api, partner, other_partner):
    assign(loket_app, partner.id, "KOT-A")
    assign(loket_app, other_partner.id, "KOT-B")
    public_id = file_request(loket_app, ["KOT-B", "KOT-A"])
    placement = {"id": str(uuid.uuid4()), "type": "placement.started", "partner": partner.id,
                 "aggregate": {"type": "placement", "id": "org-a-plan-1"}, "sequence": 1,
                 "occurred_at": "2026-12-02T10:00:00Z",
                 "data": {"loket_request_id": public_id, "location": {"ref": "KOT-A"}, "start_date": "2027-03-01",
                          "end_date": None, "child": {"first_name": "Lena", "initial": "P"}}}
    assert api.post_events([placement]).get_json()["accepted"] == [placement["id"]]
    theirs = SignedClient(loket_app, other_partner).get("/api/v1/requests").get_json()["requests"]
    assert [(r["loket_request_id"], r["status"], r["version"]) for r in theirs] == [(public_id, "placed_elsewhere", 2)]
    mine = api.get("/api/v1/requests").get_json()["requests"]
    assert [(r["status"], r["preferences"]) for r in mine] == [("active", [{"location_ref": "KOT-A", "rank": 2}])]


def test_placement_checks(api):
    base = {"type": "placement.started", "partner": "org-a", "aggregate": {"type": "placement", "id": "p1"},
            "sequence": 1, "occurred_at": "2026-12-02T10:00:00Z"}
    no_start = dict(base, id=str(uuid.uuid4()), data={"location": {"ref": "KOT-A"}, "loket_request_id": None})
    child_without_request = dict(base, id=str(uuid.uuid4()), data={
        "location": {"ref": "KOT-A"}, "start_date": "2027-01-04", "child": {"first_name": "Lena", "initial": "P"}})
    unknown = dict(base, id=str(uuid.uuid4()), data={"location": {"ref": "KOT-A"}, "start_date": "2027-01-04",
                                                     "loket_request_id": "LK-2026-999999"})
    ok = dict(base, id=str(uuid.uuid4()), data={"location": {"ref": "KOT-A"}, "start_date": "2027-01-04"})
    answer = api.post_events([no_start, child_without_request, unknown, ok]).get_json()
    assert [r["code"] for r in answer["rejected"]] == ["invalid_data", "invalid_data", "unknown_request"]
    assert answer["accepted"] == [ok["id"]]


def test_request_status_of_a_request_for_another_partner_is_rejected(loket_app, api, other_partner):
    assign(loket_app, other_partner.id, "KOT-B")
    public_id = file_request(loket_app, ["KOT-B"])
    event = {"id": str(uuid.uuid4()), "type": "request.status", "partner": "org-a",
             "aggregate": {"type": "request", "id": public_id}, "sequence": 1, "occurred_at": "2026-12-02T10:00:00Z",
             "data": {"loket_request_id": public_id, "status": "offer_made", "at": "2026-12-02T10:00:00Z"}}
    assert api.post_events([event]).get_json()["rejected"][0]["code"] == "unknown_request"
    ok = dict(event, id=str(uuid.uuid4()), partner=other_partner.id)
    assert SignedClient(loket_app, other_partner).post_events([ok]).get_json()["accepted"] == [ok["id"]]


# --- bad input ----------------------------------------------------------------------------------------------


def test_bad_json_is_400(api):
    answer = api.request("POST", "/api/v1/events", raw=b'{"events": [', idempotency_key="k-12345678")
    assert answer.status_code == 400 and _code(answer) == "bad_json"


def test_schema_violation_is_422_and_nothing_is_applied(api):
    good = vacancy_event()
    bad = vacancy_event(sequence=-1)
    answer = api.post_events([good, bad])
    assert answer.status_code == 422 and _code(answer) == "invalid_body"
    assert api.get("/api/v1/vacancies").get_json()["vacancies"] == []


def test_missing_idempotency_key_is_400(api):
    answer = api.post_events([vacancy_event()], idempotency_key=None)
    assert answer.status_code == 400 and _code(answer) == "bad_request"


def test_oversize_batch_is_413(api):
    answer = api.post_events([vacancy_event(aggregate=f"a{i}") for i in range(501)])
    assert answer.status_code == 413 and _code(answer) == "batch_too_large"


def test_oversize_body_is_413(api):
    answer = api.request("POST", "/api/v1/events", raw=b" " * (2 * 1024 * 1024 + 10), idempotency_key="k-12345678")
    assert answer.status_code == 413 and _code(answer) == "batch_too_large"


def test_idempotency_key_replays_the_answer_or_conflicts(api):
    event = vacancy_event()
    first = api.post_events([event], idempotency_key="batch-same-1")
    again = api.post_events([event], idempotency_key="batch-same-1")
    assert again.status_code == 200 and again.get_json() == first.get_json()
    assert again.headers["Idempotent-Replayed"] == "true"
    other = api.post_events([vacancy_event()], idempotency_key="batch-same-1")
    assert other.status_code == 409 and _code(other) == "idempotency_key_reused"


def test_unknown_path_and_method_answer_json(api):
    assert _code(api.get("/api/v1/nothing-here")) == "not_found"
    answer = api.request("DELETE", "/api/v1/events")
    assert answer.status_code == 405 and _code(answer) == "method_not_allowed"


# --- requests by cursor -----------------------------------------------------------------------------------


def test_requests_page_by_cursor_and_withdrawals_follow(loket_app, api, partner, other_partner):
    assign(loket_app, partner.id, "KOT-A")
    assign(loket_app, other_partner.id, "KOT-B")
    ids = [file_request(loket_app, ["KOT-A"], child=f"Kind{i}", born=f"2026-0{i + 1}-01") for i in range(5)]
    theirs = file_request(loket_app, ["KOT-B"], child="Ander")
    seen, cursor, pages = [], None, 0
    while True:
        page = api.get("/api/v1/requests?limit=2" + (f"&cursor={cursor}" if cursor else "")).get_json()
        seen += [r["loket_request_id"] for r in page["requests"]]
        cursor, pages = page["next_cursor"], pages + 1
        if not page["has_more"]:
            break
    assert seen == ids and pages == 3 and theirs not in seen
    assert api.get(f"/api/v1/requests?cursor={cursor}").get_json() == {"requests": [], "next_cursor": cursor,
                                                                         "has_more": False}
    from loket import registrations
    from loket.models import Registration

    with loket_app.app_context(), loket_app.extensions["loket_db"].unit_of_work() as sess:
        registrations.withdraw(sess, sess.scalar(select(Registration).where(Registration.public_id == ids[1])))
    page = api.get(f"/api/v1/requests?cursor={cursor}").get_json()
    assert [(r["loket_request_id"], r["status"], r["version"]) for r in page["requests"]] == [(ids[1], "withdrawn", 2)]


def test_request_carries_no_national_number_and_only_own_preferences(loket_app, api, partner, other_partner):
    assign(loket_app, partner.id, "KOT-A")
    assign(loket_app, other_partner.id, "KOT-B")
    file_request(loket_app, ["KOT-B", "KOT-A"])
    [req] = api.get("/api/v1/requests").get_json()["requests"]
    assert req["preferences"] == [{"location_ref": "KOT-A", "rank": 2}]
    text = json.dumps(req)
    assert "rijksregister" not in text and "national" not in text and "KOT-B" not in text


def test_bad_cursor_and_limit_are_400(api):
    assert api.get("/api/v1/requests?cursor=!!").status_code == 400
    assert api.get("/api/v1/requests?cursor=abc").status_code == 400
    assert api.get("/api/v1/requests?limit=0").status_code == 400
    assert api.get("/api/v1/requests?limit=501").status_code == 400


def test_one_active_registration_per_child(loket_app, partner):
    import pytest

    from loket.registrations import RegistrationError

    assign(loket_app, partner.id, "KOT-A")
    file_request(loket_app, ["KOT-A"], child="Lena")
    with pytest.raises(RegistrationError) as err:
        file_request(loket_app, ["KOT-A"], child=" lena ")
    assert err.value.code == "duplicate_child"
    from loket.models import Registration

    with loket_app.app_context(), loket_app.extensions["loket_db"].unit_of_work() as sess:
        assert sess.scalar(select(func.count(Registration.id))) == 1


def test_partner_isolation_reads(loket_app, api, partner):
    other = add_partner(loket_app, "org-c")
    api.post_events([vacancy_event()])
    assert SignedClient(loket_app, other).get("/api/v1/vacancies").get_json() == {"vacancies": []}


def test_control_characters_are_rejected_not_a_server_error(api):
    """Found by the fuzzer: PostgreSQL refuses NUL bytes in text."""
    event = vacancy_event()
    event["data"]["location"]["name"] = "Nest\x00je"
    answer = api.post_events([event]).get_json()
    assert [(r["id"], r["code"]) for r in answer["rejected"]] == [(event["id"], "invalid_data")]
    tab = vacancy_event(aggregate="tab")
    tab["data"]["location"]["name"] = "Het\tNestje"
    assert api.post_events([tab]).get_json()["accepted"] == [tab["id"]]
