"""The three gates of a per-organisation module (routes, hooks, UI), switched through the HTTP
confirm page in one running app, and the dependency cascade shown before it is confirmed.

A temporary plugin ``proefmodule`` (registered through ``create_app(plugins=[..., PluginInfo])``)
records every runtime hook call, so "never runs for a disabled organisation" is observable.
"""
from __future__ import annotations

import sys
import types

import pytest
from flask_login import current_user

from core.models import Role
from core.plugins import DashboardWidget, MenuItem, Panel, PluginInfo, hookimpl
from core.security import ORG_STAFF, Action, TenantBlueprint, requires
from core.tenancy import enabled_modules, tenant_hook
from tests.conftest import ALL_PLUGINS, login

CALLS: list[tuple[str, int | None]] = []
PROEF = PluginInfo(name="proefmodule", title="Proefmodule")
PROEF_VIEW = Action("proefmodule.view", ORG_STAFF)


def _hooks() -> types.ModuleType:
    hooks = types.ModuleType("plugins.proefmodule.plugin")

    @hookimpl
    def register_blueprints(app):
        bp = TenantBlueprint("proefmodule", __name__, module="proefmodule", url_prefix="/proef")

        @bp.route("/")
        @requires(PROEF_VIEW)
        def index():
            CALLS.append(("view", current_user.organisation_id))
            return "Proefpagina"

        app.register_blueprint(bp)

    @hookimpl
    def menu_items(org, user):
        CALLS.append(("menu_items", org.id))
        return [MenuItem("Proefmenu", "proefmodule.index", weight=500, module="proefmodule")]

    @hookimpl
    def dashboard_widgets(org, user):
        CALLS.append(("dashboard_widgets", org.id))
        return [DashboardWidget("Proefwidget", "<p>proefinhoud</p>", weight=500, module="proefmodule")]

    @hookimpl
    def child_detail_panels(org, child, user):
        CALLS.append(("child_detail_panels", org.id))
        return [Panel("Proefpaneel", "<p>paneel</p>", module="proefmodule")]

    @hookimpl
    def resolve_expected_children(org, location_id, day):
        CALLS.append(("resolve_expected_children", org.id))
        return None

    @hookimpl
    def on_module_changed(event):
        CALLS.append(("on_module_changed", event.organisation_id))

    for fn in (register_blueprints, menu_items, dashboard_widgets, child_detail_panels,
               resolve_expected_children, on_module_changed):
        setattr(hooks, fn.__name__, fn)
    return hooks


@pytest.fixture
def plugins(monkeypatch):
    package = types.ModuleType("plugins.proefmodule")
    package.__path__ = []
    monkeypatch.setitem(sys.modules, "plugins.proefmodule", package)
    monkeypatch.setitem(sys.modules, "plugins.proefmodule.plugin", _hooks())
    CALLS.clear()
    return list(ALL_PLUGINS) + [PROEF]


@pytest.fixture
def two_orgs(factory):
    on = factory.org(name="Merelhof", modules={"proefmodule"})
    off = factory.org(name="Lijsterhof")
    assert ("on_module_changed", on.id) in CALLS  # enabling fired the module's own event
    CALLS.clear()
    return on, off


def director_client(app, factory, org):
    client = app.test_client()
    login(client, factory.user(org, Role.DIRECTOR))
    return client


def test_routes_gate_404_for_disabled_200_for_enabled_in_the_same_app(app, factory, two_orgs):
    on, off = two_orgs
    on_slug, off_slug = on.slug, off.slug
    on_client, off_client = director_client(app, factory, on), director_client(app, factory, off)
    assert on_client.get(f"/o/{on_slug}/proef/").get_data(as_text=True) == "Proefpagina"
    assert off_client.get(f"/o/{off_slug}/proef/").status_code == 404
    assert ("view", off.id) not in CALLS
    # switch on through the confirm page: no restart, the next request passes the gate
    assert off_client.post(f"/o/{off_slug}/modules/proefmodule/enable").status_code == 302
    assert off_client.get(f"/o/{off_slug}/proef/").status_code == 200
    assert off_client.post(f"/o/{off_slug}/modules/proefmodule/disable").status_code == 302
    assert off_client.get(f"/o/{off_slug}/proef/").status_code == 404
    assert on_client.get(f"/o/{on_slug}/proef/").status_code == 200


def test_runtime_hooks_never_run_for_a_disabled_organisation(app, session, factory, two_orgs):
    on, off = two_orgs
    user = factory.user(on, Role.DIRECTOR)
    with app.test_request_context("/"):
        for org in (on, off):
            relay = tenant_hook(session, org)
            relay.resolve_expected_children(org=org, location_id=1, day=None)
            relay.menu_items(org=org, user=user)
            relay.dashboard_widgets(org=org, user=user)
    assert {name for name, org_id in CALLS if org_id == on.id} == {
        "resolve_expected_children", "menu_items", "dashboard_widgets"}
    assert [c for c in CALLS if c[1] == off.id] == []


def test_pages_of_a_disabled_organisation_do_not_call_the_module(app, factory, two_orgs):
    on, off = two_orgs
    child = factory.child(off, location=factory.location(off))
    off_slug, child_id = off.slug, child.id
    client = director_client(app, factory, off)
    for url in (f"/o/{off_slug}/", f"/o/{off_slug}/children/{child_id}", f"/o/{off_slug}/children/"):
        response = client.get(url)
        assert response.status_code == 200
        assert "Proef" not in response.get_data(as_text=True)
    assert [c for c in CALLS if c[1] == off.id] == []


def test_enabling_another_module_does_not_notify_a_disabled_one(app, session, factory, two_orgs):
    on, off = two_orgs
    off_id, off_slug = off.id, off.slug
    client = director_client(app, factory, off)
    assert client.post(f"/o/{off_slug}/modules/planning/enable").status_code == 302
    assert ("on_module_changed", off_id) not in CALLS
    assert client.post(f"/o/{off_slug}/modules/proefmodule/enable").status_code == 302
    assert ("on_module_changed", off_id) in CALLS


def test_menu_and_widgets_follow_the_switch_at_once(app, factory, two_orgs):
    _on, off = two_orgs
    off_slug = off.slug
    client = director_client(app, factory, off)
    child_id = factory.child(off).id
    before = client.get(f"/o/{off_slug}/").get_data(as_text=True)
    assert "Proefmenu" not in before and "Proefwidget" not in before
    confirm = client.get(f"/o/{off_slug}/modules/proefmodule/enable")
    assert confirm.status_code == 200 and "Proefmodule" in confirm.get_data(as_text=True)
    assert "Proefmenu" not in confirm.get_data(as_text=True)  # nothing changes before confirming
    done = client.post(f"/o/{off_slug}/modules/proefmodule/enable", follow_redirects=True)
    assert "Ingeschakeld: Proefmodule." in done.get_data(as_text=True)
    after = client.get(f"/o/{off_slug}/").get_data(as_text=True)
    assert "Proefmenu" in after and "Proefwidget" in after and "proefinhoud" in after
    assert "Proefpaneel" in client.get(f"/o/{off_slug}/children/{child_id}").get_data(as_text=True)
    client.post(f"/o/{off_slug}/modules/proefmodule/disable")
    again = client.get(f"/o/{off_slug}/").get_data(as_text=True)
    assert "Proefmenu" not in again and "Proefwidget" not in again
    assert "Proefpaneel" not in client.get(f"/o/{off_slug}/children/{child_id}").get_data(as_text=True)


def test_enabling_facturatie_cascades_and_says_so(app, session, factory):
    org = factory.org(iban="BE68539007547034")  # billing needs it (tests/core/test_module_conditions.py)
    slug = org.slug
    client = director_client(app, factory, org)
    confirm = client.get(f"/o/{slug}/modules/facturatie/enable")
    text = confirm.get_data(as_text=True)
    assert confirm.status_code == 200
    assert "Ook deze worden ingeschakeld" in text
    cascade = text.split('class="cascade"')[1].split("</ul>")[0]
    assert "Aanwezigheden" in cascade and "Planning" in cascade and "Facturatie" not in cascade
    assert enabled_modules(session, org) == set()  # the confirm page changes nothing
    done = client.post(f"/o/{slug}/modules/facturatie/enable", follow_redirects=True)
    assert "Ingeschakeld: Planning, Aanwezigheden, Facturatie." in done.get_data(as_text=True)
    with app.test_request_context("/"):
        assert enabled_modules(session, org) == {"planning", "aanwezigheden", "facturatie"}


def test_disabling_planning_disables_its_dependents(app, session, factory):
    org = factory.org(modules={"facturatie", "wachtlijst"})
    slug = org.slug
    client = director_client(app, factory, org)
    text = client.get(f"/o/{slug}/modules/planning/disable").get_data(as_text=True)
    cascade = text.split('class="cascade"')[1].split("</ul>")[0]
    for title in ("Aanwezigheden", "Facturatie", "Wachtlijst"):
        assert title in cascade
    done = client.post(f"/o/{slug}/modules/planning/disable", follow_redirects=True).get_data(as_text=True)
    assert "Uitgeschakeld:" in done
    for name in ("Planning", "Aanwezigheden", "Facturatie", "Wachtlijst"):
        assert name in done.split("Uitgeschakeld:")[1].split("</div>")[0]
    with app.test_request_context("/"):
        assert enabled_modules(session, org) == set()
    for module in ("planning", "aanwezigheden", "facturatie", "wachtlijst"):
        assert client.get(f"/o/{slug}/{module}/").status_code == 404


def test_disabling_a_leaf_leaves_its_requirements(app, session, factory):
    org = factory.org(modules={"facturatie"})
    client = director_client(app, factory, org)
    client.post(f"/o/{org.slug}/modules/facturatie/disable")
    with app.test_request_context("/"):
        assert enabled_modules(session, org) == {"planning", "aanwezigheden"}


def test_unknown_module_and_wrong_role(app, factory):
    org = factory.org()
    slug = org.slug
    director = director_client(app, factory, org)
    assert director.get(f"/o/{slug}/modules/bestaatniet/enable").status_code == 404
    assert director.post(f"/o/{slug}/modules/bestaatniet/enable").status_code == 404
    finance = app.test_client()
    login(finance, factory.user(org, Role.FINANCE))
    assert finance.get(f"/o/{slug}/modules").status_code == 403
    assert finance.post(f"/o/{slug}/modules/planning/enable").status_code == 403


def test_modules_are_shown_by_their_translated_title_not_their_internal_name(app, factory):
    org = factory.org(name="Partner Een", modules={"wachtlijst"})
    client = app.test_client()
    login(client, factory.user(None, Role.COORDINATOR))
    client.set_cookie("lang", "en")
    overview = client.get("/koepel/").get_data(as_text=True)
    assert '<span class="tag tag-module">Waiting list</span>' in overview and ">wachtlijst<" not in overview
    modules = client.get(f"/o/{org.slug}/modules").get_data(as_text=True)
    assert "<td>Planning</td>" in modules and "<td>planning</td>" not in modules  # the "requires" column
