"""A page's number of SQL statements must not grow with the organisation: the same pages for an
organisation with 10 and with 60 children (every module enabled) issue the same count."""
from __future__ import annotations

import pytest

from core.models import ChildFamily, Role
from tests.conftest import ALL_PLUGINS, QueryCounter, login

PAGES = ["/o/{slug}/", "/o/{slug}/children/", "/o/{slug}/families/", "/o/{slug}/locations/",
         "/o/{slug}/children/?q=kind", "/o/{slug}/children/?location={location_id}", "/o/{slug}/organisation",
         "/o/{slug}/audit", "/o/{slug}/users"]


def build(factory, session, children: int):
    org = factory.org(modules=set(ALL_PLUGINS))
    locations = [factory.location(org, groups=2) for _ in range(3)]
    families = []
    for i in range(children):
        if i % 2 == 0 or not families:
            families.append(factory.family(org, contacts=2))
        child = factory.child(org, family=families[-1], location=locations[i % 3], first_name=f"Kind{i:03d}x")
        if i % 7 == 0 and len(families) > 1:  # co-parenting
            session.add(ChildFamily(organisation_id=org.id, child_id=child.id, family_id=families[-2].id))
    session.commit()
    director = factory.user(org, Role.DIRECTOR)
    caregiver = factory.user(org, Role.CAREGIVER, locations=locations[:2])
    return {"slug": org.slug, "location_id": locations[0].id, "director": director, "caregiver": caregiver}


def count(app, engine, who, page, world):
    client = app.test_client()
    login(client, world[who])
    url = page.format(**world)
    client.get(url)  # warm-up: translations, templates, first-request caches
    with QueryCounter(engine) as counter:
        response = client.get(url)
    assert response.status_code in (200, 403), (url, response.status_code)
    return response.status_code, counter.count, counter.statements


@pytest.fixture
def worlds(factory, session):
    return build(factory, session, 10), build(factory, session, 60)


@pytest.mark.parametrize("who", ["director", "caregiver"])
def test_query_count_does_not_grow_with_the_number_of_children(app, engine, worlds, who):
    small, large = worlds
    differences = []
    for page in PAGES:
        status_small, n_small, _ = count(app, engine, who, page, small)
        status_large, n_large, statements = count(app, engine, who, page, large)
        assert status_small == status_large
        if n_small != n_large:
            differences.append(f"{page}: {n_small} vs {n_large} queries\n  " + "\n  ".join(
                s.split("\n")[0][:160] for s in statements))
    assert not differences, "\n".join(differences)


def test_the_counter_sees_a_growing_page(app, engine, session, worlds):
    """The measurement is not blind: loading every child's families one by one grows with size."""
    from sqlalchemy import select

    from core.models import Child

    small, large = worlds
    counts = []
    for world in (small, large):
        with QueryCounter(engine) as counter:
            for child in session.scalars(select(Child).join(ChildFamily).where(
                    ChildFamily.family_id.isnot(None)).limit(60 if world is large else 10)).unique():
                session.expire(child, ["family_links"])
                _ = child.family_links
        counts.append(counter.count)
    assert counts[0] < counts[1]


def test_koepel_overview_query_count_does_not_grow_with_partners(app, engine, factory, session):
    """The coordinator's list of partners: 3 or 12 organisations (each with locations, children
    and modules) cost the same number of statements."""
    from core.models import Koepel

    def koepel_with(partners: int):
        koepel = Koepel(name=f"Koepel met {partners}")
        session.add(koepel)
        session.commit()
        factory._koepel = koepel
        for _ in range(partners):
            org = factory.org(modules={"planning"})
            location = factory.location(org)
            factory.child(org, location=location)
        return factory.user(None, Role.COORDINATOR)

    counts = []
    for partners in (3, 12):
        client = app.test_client()
        login(client, koepel_with(partners))
        client.get("/koepel/")
        with QueryCounter(engine) as counter:
            assert client.get("/koepel/").status_code == 200
        counts.append(counter.count)
    assert counts[0] == counts[1], counts
