"""Tenancy contract: walk EVERY registered route of the full app (all five modules enabled for
both organisations) as each role of organisation A (and as a coordinator of another koepel, and
anonymously) against organisation B's objects, and against A's own slug with B's object ids.

Every answer must be 403/404 (a redirect to the login page only for anonymous visitors) and no
body may contain a name of B's children, families, locations or of B itself. URL arguments are
filled from ``tests/contracts/route_objects.py``; an argument without an entry fails the test, so
a new route cannot escape this check.
"""
from __future__ import annotations

import re
from types import SimpleNamespace

import pytest
from sqlalchemy import select

from core.models import Child, ContactPerson, Family, Koepel, Location, Organisation, Role, User
from core.passwords import hash_password
from tests.conftest import ALL_PLUGINS, PASSWORD, login
from tests.contracts.route_objects import ROUTE_OBJECTS

ROLES = ["anonymous", "other_coordinator", "director", "finance", "caregiver"]
DENIED = {403, 404}


def object_arg(name: str) -> bool:
    """URL arguments that name a row (as opposed to a module name, a language code, a file)."""
    return name.endswith("_id") or name == "id"


class World:
    """Organisation A (the visitor's), B (the victim) and another koepel with its coordinator."""

    def __init__(self, app, factory, session) -> None:
        self.app, self.factory, self.session = app, factory, session
        modules = set(ALL_PLUGINS)
        self.a = factory.org(name="Eigen Organisatie Merel", modules=modules)
        self.b = factory.org(name="Slachtoffer Zwaluwnest", modules=modules)
        own_loc = factory.location(self.a, name="Eigen Locatie Merel")
        factory.child(self.a, family=factory.family(self.a, name="Gezin Eigenaar"), location=own_loc,
                      first_name="Eigenkind")
        victim_loc = factory.location(self.b, name="Zwaluwnest Hoofdlocatie")
        factory.child(self.b, family=factory.family(self.b, name="Gezin Zwaluwstaart"), location=victim_loc,
                      first_name="Zwaluwkind")
        other_koepel = Koepel(name="Andere Koepel Gent")
        session.add(other_koepel)
        session.commit()
        factory.session.add(Organisation(koepel_id=other_koepel.id, slug="andere-partner", name="Andere Partner"))
        session.commit()
        self.users = {
            "director": factory.user(self.a, Role.DIRECTOR),
            "finance": factory.user(self.a, Role.FINANCE),
            "caregiver": factory.user(self.a, Role.CAREGIVER, locations=[own_loc]),
        }
        coordinator = User(email="coordinator@andere-koepel.example", name="Andere Coördinator",
                           role=Role.COORDINATOR, koepel_id=other_koepel.id, password_hash=hash_password(PASSWORD))
        session.add(coordinator)
        session.commit()
        self.users["other_coordinator"] = coordinator
        self.a_slug = self.a.slug  # plain values: a failed request expires the ORM objects
        self.logins = {role: SimpleNamespace(email=user.email) for role, user in self.users.items()}
        self._values: dict[str, object] = {}

    def value(self, name: str):
        """B's object for a URL argument (created once per name)."""
        if name not in self._values:
            self._values[name] = ROUTE_OBJECTS[name](self.factory, self.b, self.session)
        return self._values[name]

    def victim_names(self) -> list[re.Pattern]:
        """Every name of B that must never reach a user of A (read after all objects exist)."""
        b = self.b.id
        s = self.session
        names = {self.b.name}
        names |= set(s.scalars(select(Child.first_name).where(Child.organisation_id == b)))
        names |= set(s.scalars(select(Child.last_name).where(Child.organisation_id == b)))
        names |= set(s.scalars(select(Family.name).where(Family.organisation_id == b)))
        names |= set(s.scalars(select(Location.name).where(Location.organisation_id == b)))
        names |= {f"{first} {last}" for first, last in s.execute(
            select(ContactPerson.first_name, ContactPerson.last_name).where(ContactPerson.organisation_id == b))}
        return [re.compile(r"(?<![\w-])" + re.escape(n) + r"(?![\w-])") for n in sorted(names) if n]

    def token_holder_names(self) -> set[str]:
        """What a parent's status page (a secret ``token`` in the URL, the parent's own link) may
        show of B: the organisation applied to and the locations the parent chose."""
        from plugins.wachtlijst.models import CareRequest, Preference

        chosen = set(self.session.scalars(
            select(Location.name).join(Preference, Preference.location_id == Location.id)
            .join(CareRequest, CareRequest.id == Preference.request_id)
            .where(CareRequest.organisation_id == self.b.id)))
        return {self.b.name} | chosen


@pytest.fixture
def world(app, factory, session):
    return World(app, factory, session)


def client_for(app, world, role):
    client = app.test_client()
    if role != "anonymous":
        login(client, world.logins[role])
    return client


def routes(app):
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if rule.endpoint == "static":
            continue
        yield rule, sorted(rule.methods & {"GET", "POST"})


def is_public(app, rule) -> bool:
    return bool(getattr(app.view_functions[rule.endpoint], "koepel_public", False))


def check_body(response, patterns, where, failures):
    body = response.get_data().decode("utf-8", "replace")  # downloads (PDF, Excel) are binary
    for pattern in patterns:
        if pattern.search(body):
            failures.append(f"{where}: leaks {pattern.pattern!r}")


def check_status(response, role, where, failures, allow_ok=False):
    status = response.status_code
    if status in DENIED or (allow_ok and status < 400):
        return
    if role == "anonymous" and status == 302 and "/login" in response.headers.get("Location", ""):
        return
    failures.append(f"{where}: answered {status}")


def test_every_route_argument_is_registered(app):
    unknown = {arg for rule, _m in routes(app) for arg in rule.arguments if arg not in ROUTE_OBJECTS}
    assert not unknown, f"add these URL arguments to tests/contracts/route_objects.py: {sorted(unknown)}"


def test_every_view_declares_an_action_or_is_public(app):
    missing = [
        endpoint for endpoint, view in app.view_functions.items()
        if endpoint != "static" and not getattr(view, "koepel_action", None) and not getattr(view, "koepel_public", False)
    ]
    assert not missing, f"views without @requires(...) or @public: {missing}"


@pytest.mark.parametrize("role", ROLES)
def test_no_route_reaches_another_organisations_data(app, world, role):
    adapter = app.url_map.bind("localhost")
    failures: list[str] = []
    checked = 0
    # Create every object first so that the list of names to look for is complete.
    plans = []
    for rule, methods in routes(app):
        missing = [arg for arg in rule.arguments if arg not in ROUTE_OBJECTS]
        assert not missing, f"{rule.rule}: register {missing} in tests/contracts/route_objects.py"
        values = {arg: world.value(arg) for arg in rule.arguments}
        plans.append((rule, methods, values))
    patterns = world.victim_names()
    assert len(patterns) >= 5
    own_link = {p.pattern for p in world.victim_names() if any(
        p.search(name) for name in world.token_holder_names())}
    client = client_for(app, world, role)
    for rule, methods, values in plans:
        public = is_public(app, rule)
        scoped = "org" in rule.arguments
        targets = []
        if scoped:
            targets.append(("B", values))  # B's slug, B's objects
            if any(object_arg(a) for a in rule.arguments):
                targets.append(("A+B-ids", {**values, "org": world.a_slug}))
        else:
            targets.append(("global", values))
        for label, url_values in targets:
            url = adapter.build(rule.endpoint, url_values, force_external=False)
            for method in methods:
                if rule.endpoint == "auth.logout" or (not scoped and method == "POST"):
                    local = client_for(app, world, role)  # a POST here may log the client out
                else:
                    local = client
                response = local.open(url, method=method, data={})
                where = f"{role} {method} {url} ({rule.endpoint}, {label})"
                checked += 1
                shown = [p for p in patterns if not ("token" in rule.arguments and p.pattern in own_link)]
                check_body(response, shown, where, failures)
                if scoped and not public:
                    check_status(response, role, where, failures)
    # Own pages of A (no object argument) must not show B's data either.
    if role != "anonymous" and role != "other_coordinator":
        for rule, methods, values in plans:
            if "org" in rule.arguments and not any(object_arg(a) for a in rule.arguments) and "GET" in methods:
                url = adapter.build(rule.endpoint, {**values, "org": world.a_slug})
                response = client.get(url)
                checked += 1
                check_body(response, patterns, f"{role} GET {url} (own organisation)", failures)
                assert response.status_code < 500, url
    assert checked > 30
    assert not failures, "\n".join(failures)


def test_a_director_sees_own_names_so_the_leak_check_can_fail(app, world):
    """The same name check finds A's own names on A's pages: the detector is not blind."""
    client = client_for(app, world, "director")
    body = client.get(f"/o/{world.a_slug}/children/").get_data(as_text=True)
    assert "Eigenkind" in body
    # ... and B's own director does see B's names with the same patterns.
    victim = world.factory.user(world.b, Role.DIRECTOR)
    other = app.test_client()
    login(other, victim)
    body = other.get(f"/o/{world.b.slug}/children/").get_data(as_text=True)
    assert any(p.search(body) for p in world.victim_names())


def child_and_family_names(world) -> list[re.Pattern]:
    """Names of B's children, families, parents and waiting-list requests (not of its locations:
    the koepel coordinator may see those)."""
    from plugins.wachtlijst.models import CareRequest

    b = world.b.id
    s = world.session
    names = set(s.scalars(select(Child.first_name).where(Child.organisation_id == b)))
    names |= set(s.scalars(select(Child.last_name).where(Child.organisation_id == b)))
    names |= set(s.scalars(select(Family.name).where(Family.organisation_id == b)))
    names |= {f"{first} {last}" for first, last in s.execute(
        select(ContactPerson.first_name, ContactPerson.last_name).where(ContactPerson.organisation_id == b))}
    for req in s.scalars(select(CareRequest).where(CareRequest.organisation_id == b)):
        names |= {req.child_first_name, req.child_last_name, f"{req.applicant_first_name} {req.applicant_last_name}"}
    return [re.compile(r"(?<![\w-])" + re.escape(n) + r"(?![\w-])") for n in sorted(n for n in names if n)]


def test_the_coordinator_sees_partners_not_children(app, world):
    """The coordinator of B's own koepel walks every GET route with B's objects: no page, export
    or calendar file names a child, a family or a parent; none answers 5xx; aggregated pages
    stay open (the occupancy of B answers 200)."""
    coordinator = world.factory.user(None, Role.COORDINATOR)
    assert coordinator.koepel_id == world.b.koepel_id
    adapter = app.url_map.bind("localhost")
    plans = [(rule, {arg: world.value(arg) for arg in rule.arguments})
             for rule, methods in routes(app) if "GET" in methods]
    patterns = child_and_family_names(world)
    assert len(patterns) >= 8
    client = app.test_client()
    login(client, SimpleNamespace(email=coordinator.email))
    failures: list[str] = []
    for rule, values in plans:
        if rule.endpoint == "auth.logout" or is_public(app, rule):
            continue  # public pages (the parent's status page) answer to their token, not to a role
        url = adapter.build(rule.endpoint, values)
        response = client.get(url)
        where = f"coordinator GET {url} ({rule.endpoint})"
        if response.status_code >= 500:
            failures.append(f"{where}: answered {response.status_code}")
        check_body(response, patterns, where, failures)
    assert not failures, "\n".join(failures)
    assert client.get(f"/o/{world.b.slug}/planning/occupancy").status_code == 200
    # ... and the same walk finds the names for B's director: the detector is not blind.
    director = app.test_client()
    login(director, world.factory.user(world.b, Role.DIRECTOR))
    child_id = world.value("child_id")
    body = director.get(f"/o/{world.b.slug}/planning/children/{child_id}/plans").get_data(as_text=True)
    assert any(p.search(body) for p in patterns)


def test_the_coordinator_cannot_create_or_change_care_plans(app, world):
    coordinator = world.factory.user(None, Role.COORDINATOR)
    client = app.test_client()
    login(client, SimpleNamespace(email=coordinator.email))
    child_id, plan_id = world.value("child_id"), world.value("care_plan_id")
    base = f"/o/{world.b.slug}/planning"
    for url in (f"{base}/children/{child_id}/plans/new", f"{base}/plans/{plan_id}/versions/new",
                f"{base}/plans/{plan_id}/end", f"{base}/children/{child_id}/extra-days"):
        assert client.post(url, data={}).status_code == 403, url
