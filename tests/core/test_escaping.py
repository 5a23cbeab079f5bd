"""User-typed names are escaped on every core page that shows them (lists, files, flashes, the
audit log, the koepel overview): a name cannot inject markup."""
from __future__ import annotations

from core.models import Role
from tests.conftest import login

EVIL = '<script>alert("x")</script><img src=x onerror=alert(1)>'


def test_names_are_escaped_everywhere(client, factory, session, frozen_today):
    org = factory.org(name="Opvang " + EVIL)
    slug = org.slug
    login(client, factory.user(org, Role.DIRECTOR))
    created = client.post(f"/o/{slug}/families/new", data={"name": "Gezin " + EVIL, "notes": EVIL},
                          follow_redirects=True)
    assert created.status_code == 200
    family_id = int(created.request.path.rstrip("/").split("/")[-1])
    location = client.post(f"/o/{slug}/locations/new", data={
        "name": "Locatie " + EVIL, "care_type": "groepsopvang", "licensed_places": "10"}, follow_redirects=True)
    assert location.status_code == 200
    child = client.post(f"/o/{slug}/children/new", data={
        "first_name": EVIL, "last_name": "Kind", "date_of_birth": "2025-01-01", "family_ids": [str(family_id)],
        "location_id": "0"}, follow_redirects=True)
    assert child.status_code == 200
    pages = [created, location, child]
    for path in ("/", "/children/", "/families/", "/locations/", f"/families/{family_id}", "/audit",
                 "/organisation", "/children/?q=script"):
        pages.append(client.get(f"/o/{slug}{path}"))
    coordinator = client.application.test_client()
    login(coordinator, factory.user(None, Role.COORDINATOR))
    pages.append(coordinator.get("/koepel/"))
    for response in pages:
        body = response.get_data(as_text=True)
        assert "<script>alert" not in body and "<img src=x" not in body, response.request.path
    assert any("&lt;script&gt;alert" in r.get_data(as_text=True) for r in pages)
