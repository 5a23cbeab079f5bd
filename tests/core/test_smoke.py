from core.models import Role
from tests.conftest import login


def test_director_sees_dashboard_and_children(client, factory):
    org = factory.org(modules={"planning"})
    loc = factory.location(org)
    child = factory.child(org, location=loc, first_name="Fien")
    director = factory.user(org, Role.DIRECTOR)
    login(client, director)
    page = client.get(f"/o/{org.slug}/")
    assert page.status_code == 200
    assert "Overzicht" in page.get_data(as_text=True)
    listing = client.get(f"/o/{org.slug}/children/")
    assert "Fien" in listing.get_data(as_text=True)
    detail = client.get(f"/o/{org.slug}/children/{child.id}")
    assert detail.status_code == 200
