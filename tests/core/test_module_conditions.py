"""A module may say it cannot be enabled for an organisation (``PluginInfo.can_enable``: billing
needs an IBAN): the Modules page shows why, the enable is refused with that message (screen, CLI)
and nothing is written. ``on_enable``/``on_disable`` reach only the module concerned."""
from __future__ import annotations

import sys
import types

import pytest
from sqlalchemy import select

from core.models import OrganisationModule, Role
from core.plugins import PluginInfo, hookimpl
from core.security import ORG_STAFF, Action, TenantBlueprint, requires
from core.tenancy import ModuleRefused, disable_module, enable_module, enabled_modules
from tests.conftest import ALL_PLUGINS, login

CALLS: list[tuple[str, str, int]] = []


def _callbacks(name: str) -> dict:
    return {"on_enable": lambda ctx: CALLS.append(("enable", name, ctx.org.id)),
            "on_disable": lambda ctx: CALLS.append(("disable", name, ctx.org.id))}


PROEF = PluginInfo(name="proefmodule", title="Proefmodule", **_callbacks("proefmodule"))


def _hooks() -> types.ModuleType:
    hooks = types.ModuleType("plugins.proefmodule.plugin")

    @hookimpl
    def register_blueprints(app):
        bp = TenantBlueprint("proefmodule", __name__, module="proefmodule", url_prefix="/proef")

        @bp.route("/")
        @requires(Action("proefmodule.view", ORG_STAFF))
        def index():
            return "Proef"

        app.register_blueprint(bp)

    hooks.register_blueprints = register_blueprints
    return hooks


@pytest.fixture
def plugins(monkeypatch):
    package = types.ModuleType("plugins.proefmodule")
    package.__path__ = []
    monkeypatch.setitem(sys.modules, "plugins.proefmodule", package)
    monkeypatch.setitem(sys.modules, "plugins.proefmodule.plugin", _hooks())
    CALLS.clear()
    return list(ALL_PLUGINS) + [PROEF]


def module_rows(session, org_id):
    return set(session.scalars(select(OrganisationModule.module).where(OrganisationModule.organisation_id == org_id)))


def test_billing_without_an_iban_is_refused_with_the_reason(app, factory, session):
    org = factory.org(modules={"planning"})
    slug, org_id = org.slug, org.id
    client = app.test_client()
    login(client, factory.user(org, Role.DIRECTOR))
    page = client.get(f"/o/{slug}/modules").get_data(as_text=True)
    assert "IBAN" in page and "Facturatie kan niet ingeschakeld worden" in page
    assert f"/o/{slug}/modules/facturatie/enable" not in page  # no button that would fail
    confirm = client.get(f"/o/{slug}/modules/facturatie/enable")
    assert confirm.status_code == 200 and "IBAN" in confirm.get_data(as_text=True)
    assert 'type="submit" class="primary"' not in confirm.get_data(as_text=True)  # no confirm button
    refused = client.post(f"/o/{slug}/modules/facturatie/enable", follow_redirects=True)
    assert "vul eerst het IBAN van de organisatie in" in refused.get_data(as_text=True)
    assert module_rows(session, org_id) == {"planning"}  # not even aanwezigheden, which it requires


def test_the_refusal_is_in_the_screen_language(app, factory, session):
    org = factory.org(modules={"planning"})
    client = app.test_client()
    login(client, factory.user(org, Role.DIRECTOR))
    client.set_cookie("lang", "fr")
    page = client.get(f"/o/{org.slug}/modules").get_data(as_text=True)
    assert "indiquez d&#39;abord l&#39;IBAN" in page or "indiquez d'abord l'IBAN" in page


def test_billing_with_an_iban_can_be_enabled(app, factory, session):
    org = factory.org(modules={"planning"}, iban="BE68539007547034")
    assert enable_module(session, org, "facturatie") == ["aanwezigheden", "facturatie"]


def test_the_cli_refuses_with_the_message_and_writes_nothing(app, factory, session):
    org = factory.org(modules={"planning"})
    slug, org_id = org.slug, org.id
    session.commit()
    from click.testing import CliRunner
    from flask.cli import ScriptInfo

    from core.cli import main

    result = CliRunner().invoke(main, ["modules", "enable", slug, "facturatie"],
                                obj=ScriptInfo(create_app=lambda: app))
    assert result.exit_code == 1, result.output
    assert "Error: Facturatie kan niet ingeschakeld worden: vul eerst het IBAN" in result.output
    assert module_rows(session, org_id) == {"planning"}


def test_the_service_raises_a_domain_error(app, factory, session):
    org = factory.org()
    with pytest.raises(ModuleRefused) as info:
        enable_module(session, org, "facturatie")
    assert info.value.code == "modules.refused" and info.value.status == 409
    assert info.value.message_in("en") == "Invoicing cannot be enabled: first enter the organisation's IBAN."


def test_on_enable_and_on_disable_reach_only_the_module_concerned(app, factory, session):
    org = factory.org()
    enable_module(session, org, "planning")
    assert CALLS == []  # switching another module does not call proefmodule's callbacks
    enable_module(session, org, "proefmodule")
    assert CALLS == [("enable", "proefmodule", org.id)]
    assert "proefmodule" in enabled_modules(session, org)
    disable_module(session, org, "planning")
    assert CALLS == [("enable", "proefmodule", org.id)]
    disable_module(session, org, "proefmodule")
    assert CALLS[-1] == ("disable", "proefmodule", org.id)
