"""Living groups (leefgroepen) of a location: add with validation, remove, tenant-safe."""
from core.models import LivingGroup, Role
from tests.conftest import login


def test_add_and_delete_group(client, factory, session):
    org = factory.org()
    location = factory.location(org, groups=0)
    login(client, factory.user(org, Role.DIRECTOR))
    response = client.post(f"/o/{org.slug}/locations/{location.id}/groups/new",
                           data={"name": "Peuters", "capacity": "14", "min_age_months": "18", "max_age_months": "36"})
    assert response.status_code == 302
    group = session.query(LivingGroup).filter_by(location_id=location.id).one()
    assert (group.name, group.capacity) == ("Peuters", 14)
    assert "Peuters" in client.get(f"/o/{org.slug}/locations/{location.id}").get_data(as_text=True)
    assert client.post(f"/o/{org.slug}/locations/{location.id}/groups/{group.id}/delete").status_code == 302
    assert session.query(LivingGroup).filter_by(location_id=location.id).count() == 0


def test_group_over_18_or_inverted_ages_is_refused(client, factory, session):
    org = factory.org()
    location = factory.location(org, groups=0)
    login(client, factory.user(org, Role.DIRECTOR))
    response = client.post(f"/o/{org.slug}/locations/{location.id}/groups/new",
                           data={"name": "Groot", "capacity": "19", "min_age_months": "24", "max_age_months": "12"})
    assert response.status_code == 422
    text = response.get_data(as_text=True)
    assert "hoogstens 18" in text and "maximumleeftijd ligt onder" in text
    assert session.query(LivingGroup).filter_by(location_id=location.id).count() == 0


def test_cannot_delete_another_locations_group(client, factory):
    org = factory.org()
    mine = factory.location(org, groups=0)
    other = factory.location(factory.org(), groups=1)
    login(client, factory.user(org, Role.DIRECTOR))
    response = client.post(f"/o/{org.slug}/locations/{mine.id}/groups/{other.living_groups[0].id}/delete")
    assert response.status_code == 404


def test_location_page_links_to_its_children_only_for_who_may_see_them(client, factory):
    org = factory.org()
    location = factory.location(org)
    children_link = f"/o/{org.slug}/children/?location={location.id}"
    login(client, factory.user(org, Role.DIRECTOR))
    assert children_link in client.get(f"/o/{org.slug}/locations/{location.id}").get_data(as_text=True)
    client.post("/logout")
    login(client, factory.user(None, Role.COORDINATOR))
    page = client.get(f"/o/{org.slug}/locations/{location.id}")
    assert page.status_code == 200 and children_link not in page.get_data(as_text=True)
    assert client.get(children_link).status_code == 403
