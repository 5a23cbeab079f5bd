"""Within the own organisation, every route enforces the roles of the action it declares: a role
outside the action gets 403 on GET, a role inside it never does (and no route answers 5xx)."""
from __future__ import annotations

from types import SimpleNamespace

import pytest

from core.models import Role
from tests.conftest import ALL_PLUGINS, login
from tests.contracts.route_objects import ROUTE_OBJECTS

ROLES = [Role.COORDINATOR, Role.DIRECTOR, Role.FINANCE, Role.CAREGIVER]


@pytest.mark.parametrize("role", ROLES, ids=lambda r: r.value)
def test_declared_roles_are_enforced(app, factory, session, role):
    org = factory.org(name="Eigen Huis", modules=set(ALL_PLUGINS))
    values = {name: make(factory, org, session) for name, make in ROUTE_OBJECTS.items()}
    from core.models import Location

    locations = session.query(Location).filter_by(organisation_id=org.id).all()
    user = factory.user(None if role == Role.COORDINATOR else org, role,
                        locations=locations if role == Role.CAREGIVER else ())
    client = app.test_client()
    login(client, SimpleNamespace(email=user.email))
    adapter = app.url_map.bind("localhost")
    problems = []
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        view = app.view_functions[rule.endpoint]
        action = getattr(view, "koepel_action", None)
        if action is None or "GET" not in rule.methods or rule.endpoint == "auth.logout":
            continue
        url = adapter.build(rule.endpoint, {arg: values[arg] for arg in rule.arguments})
        status = client.get(url).status_code
        allowed = role in action.roles
        if status >= 500 or (allowed and status == 403) or (not allowed and status != 403):
            problems.append(f"{role.value} GET {url} ({rule.endpoint}, action {action.name}): {status}")
    assert not problems, "\n".join(problems)
