"""Characters the database cannot store (a NUL byte, a lone surrogate) and ids too big for a
column are a 4xx that names the field, on pages and on the tablet's JSON API; nothing is written."""
from __future__ import annotations

from sqlalchemy import func, select

from core.context import context_for
from core.models import Child, Role
from tests.conftest import login


def test_a_nul_byte_in_a_form_field_is_a_400_naming_the_field(client, factory, session):
    org = factory.org()
    family = factory.family(org)
    login(client, factory.user(org, Role.DIRECTOR))
    before = session.scalar(select(func.count()).select_from(Child))
    response = client.post(f"/o/{org.slug}/children/new", data={
        "first_name": "Fi\x00en", "last_name": "Vlinderman", "date_of_birth": "2025-03-01",
        "family_ids": [str(family.id)], "location_id": "0"})
    assert response.status_code == 400
    assert "first_name" in response.get_data(as_text=True) and "nulbyte" in response.get_data(as_text=True)
    assert session.scalar(select(func.count()).select_from(Child)) == before


def test_a_nul_byte_in_a_query_parameter_is_a_400(client, factory):
    org = factory.org(modules={"planning"})
    login(client, factory.user(org, Role.DIRECTOR))
    response = client.get(f"/o/{org.slug}/planning/occupancy", query_string={"month": "2026-1\x001"})
    assert response.status_code == 400 and "month" in response.get_data(as_text=True)


def test_the_tablet_api_names_the_json_field_and_ignores_impossible_ids(client, factory, session):
    from plugins.aanwezigheden.services.devices import pair_device, set_pin

    org = factory.org(modules={"aanwezigheden"})
    session.commit()
    location = factory.location(org)
    director = factory.user(org, Role.DIRECTOR)
    set_pin(context_for(session, org), director, "4821")
    _device, token = pair_device(context_for(session, org), location, "Tablet", actor_id=director.id)
    session.commit()
    client.set_cookie("koepel_tablet", token)
    headers = {"X-Koepel-Tablet": "1"}
    base = f"/o/{org.slug}/aanwezigheden/tablet/api"
    assert client.post(f"{base}/unlock", json={"user_id": director.id, "pin": "4821"}, headers=headers).status_code == 200
    bad = client.post(f"{base}/register", json={"client_id": "x\ud800", "child_id": 1, "kind": "arrival"},
                      headers=headers)
    assert bad.status_code == 400 and bad.json["error"] == "bad_character" and bad.json["field"] == "client_id"
    nested = client.post(f"{base}/sync", json={"items": [{"client_id": "a", "reason": "\x00"}]}, headers=headers)
    assert nested.status_code == 400 and nested.json["field"] == "items[0].reason"
    for child_id in (2**40, -1, 1.5, True, [1], "9" * 30):
        answer = client.post(f"{base}/register", json={"client_id": f"id-{child_id!s:.10}", "child_id": child_id,
                                                        "kind": "arrival"}, headers=headers)
        assert answer.status_code == 404 and answer.json["error"] == "unknown_child", (child_id, answer.json)
    assert client.post(f"{base}/unlock", json={"user_id": 2**63, "pin": "4821"}, headers=headers).status_code == 401
