"""Location choices that scale in core: the users form's locations (a multiple choice) list only
the chosen ones in a large organisation and search the rest, still save the chosen ones and refuse
another organisation's; the location filters (``location_filter``) tell look-alikes apart and
become a picker, which searches the page's own options, only above PICKER_FROM locations."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from core.models import CareType, Location, Role, User
from core.views.locations import PICKER_FROM
from tests.conftest import login


def make_homes(factory, session, org, n):
    for i in range(n):
        home = factory.location(org, name=f"Onthaalouder Wouters {i:02d}", care_type=CareType.GEZINSOPVANG, places=8)
        home.municipality = "Harelbeke" if i == 5 else "Kortrijk"
    session.commit()
    return session.scalars(select(Location).where(Location.organisation_id == org.id).order_by(Location.name)).all()


def new_user(**extra):
    return {"name": "Els", "email": "els@example.be", "role": "caregiver", "language": "nl",
            "password": "een-lang-wachtwoord-2026", **extra}


def test_users_form_of_a_large_organisation_lists_only_the_chosen_locations_and_saves_them(
        client, factory, session):
    org = factory.org()
    homes = make_homes(factory, session, org, PICKER_FROM + 1)
    other = factory.location(factory.org(), name="Vreemd huis")
    session.commit()
    login(client, factory.user(org, Role.DIRECTOR))
    page = client.get(f"/o/{org.slug}/users/new").get_data(as_text=True)
    assert f'data-search-url="/o/{org.slug}/locations/search.json"' in page and "Onthaalouder Wouters" not in page
    refused = client.post(f"/o/{org.slug}/users/new", data=new_user(location_ids=[str(homes[5].id), str(other.id)]))
    assert refused.status_code == 422 and session.scalar(select(User).where(User.email == "els@example.be")) is None
    kept = refused.get_data(as_text=True)  # the valid choice stays, told apart
    assert f'<option selected value="{homes[5].id}">Onthaalouder Wouters 05 (Harelbeke · Gezinsopvang)</option>' in kept
    done = client.post(f"/o/{org.slug}/users/new", data=new_user(location_ids=[str(homes[5].id), str(homes[7].id)]))
    assert done.status_code == 302
    user = session.scalar(select(User).where(User.email == "els@example.be"))
    assert sorted(loc.id for loc in user.locations) == sorted([homes[5].id, homes[7].id])


def test_users_form_of_a_small_organisation_keeps_the_plain_list(client, factory, session):
    org = factory.org()
    homes = make_homes(factory, session, org, 3)
    login(client, factory.user(org, Role.DIRECTOR))
    page = client.get(f"/o/{org.slug}/users/new").get_data(as_text=True)
    assert "data-search-url" not in page and "tom-select" not in page
    assert all(h.name in page for h in homes)


@pytest.mark.parametrize("many", [False, True])
def test_childrens_location_filter_tells_homes_apart_and_becomes_a_picker_only_when_many(client, factory, session,
                                                                                        many):
    org = factory.org()
    homes = make_homes(factory, session, org, PICKER_FROM + 1 if many else PICKER_FROM)
    login(client, factory.user(org, Role.DIRECTOR))
    page = client.get(f"/o/{org.slug}/children/?location={homes[5].id}").get_data(as_text=True)
    assert f'<option value="{homes[5].id}" selected>Onthaalouder Wouters 05 (Harelbeke · Gezinsopvang)</option>' in page
    assert page.count("<option value=") == len(homes) + 1  # every location and "Alle locaties": works without JS
    assert ("data-picker" in page) is many and ("tom-select.complete.min.js" in page) is many
