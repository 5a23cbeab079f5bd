"""docs/plugins.md's worked example runs: every code block that starts with ``# file:`` (or
``{# file: #}``) is written to a temporary ``plugins/verjaardagen`` package, registered with
``create_app(plugins=[PLUGIN])`` and exercised (page, gates, menu hook, setting, api.py), and
the package passes the same shape checks as the shipped modules."""
from __future__ import annotations

import importlib
import re
import sys
from datetime import timedelta

import pytest

import plugins as plugins_package
from core.context import build_context
from core.models import Role
from core.settings import set_setting
from core.tenancy import disable_module
from tests.conftest import login
from tests.contracts.test_plugin_shape import (
    ALLOWED_ENTRIES,
    cycles,
    grep_lines,
    import_violations,
    plugin_module_problems,
    views_import_graph,
)

DOC = __import__("pathlib").Path(__file__).resolve().parents[2] / "docs" / "plugins.md"
BLOCK = re.compile(r"```(?:python|html)\n(?:# file: |\{# file: )(?P<path>\S+?)(?: #\})?\n(?P<body>.*?)```", re.S)
NAME = "verjaardagen"
EXPECTED_FILES = {
    "__init__.py", "plugin.py", "api.py", "services/__init__.py", "services/birthdays.py",
    "views/__init__.py", "views/blueprint.py", "views/pages.py", "templates/verjaardagen/index.html",
}


def doc_files() -> dict[str, str]:
    found: dict[str, str] = {}
    for match in BLOCK.finditer(DOC.read_text(encoding="utf-8")):
        path = match.group("path")
        assert path.startswith(f"plugins/{NAME}/"), path
        relative = path.removeprefix(f"plugins/{NAME}/")
        assert relative not in found, f"{path} twice in docs/plugins.md"
        found[relative] = match.group("body")
    return found


@pytest.fixture(scope="module")
def example_root(tmp_path_factory):
    """The example written out as ``<tmp>/plugins/verjaardagen`` and importable as
    ``plugins.verjaardagen`` (the folder is added to the ``plugins`` package's path)."""
    root = tmp_path_factory.mktemp("docs-example")
    for relative, body in doc_files().items():
        target = root / "plugins" / NAME / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(body, encoding="utf-8")
    extra = str(root / "plugins")
    plugins_package.__path__.append(extra)
    importlib.invalidate_caches()
    yield root
    plugins_package.__path__.remove(extra)
    for module in [m for m in sys.modules if m == f"plugins.{NAME}" or m.startswith(f"plugins.{NAME}.")]:
        del sys.modules[module]


@pytest.fixture
def plugins(example_root):
    return [importlib.import_module(f"plugins.{NAME}").PLUGIN]


def test_the_page_shows_every_file_of_the_example():
    assert set(doc_files()) == EXPECTED_FILES


def test_the_example_has_the_shape_of_a_module(example_root):
    folder = example_root / "plugins" / NAME
    assert {p.name for p in folder.iterdir()} <= ALLOWED_ENTRIES
    assert plugin_module_problems(folder / "plugin.py") == []
    bad = []
    for path in sorted(folder.rglob("*.py")):
        bad += import_violations(NAME, frozenset(), path, example_root)
    assert bad == []
    assert grep_lines(folder.parent) == []
    graph = views_import_graph(folder, example_root)
    assert cycles(graph) == [] and graph[f"plugins.{NAME}.views.blueprint"] == set()


def test_the_example_module_serves_its_page_menu_setting_and_api(app, client, session, factory, frozen_today):
    org = factory.org(name="Jarig", modules={NAME})
    soon = factory.child(org, born=frozen_today.replace(year=2024) + timedelta(days=3), first_name="Lotte")
    later = factory.child(org, born=frozen_today.replace(year=2025) + timedelta(days=20), first_name="Bram")
    factory.child(org, born=None, expected_birth_date=frozen_today + timedelta(days=30))  # not born yet
    director = factory.user(org, Role.DIRECTOR)

    ctx = build_context(session, org)
    from plugins.verjaardagen import api

    assert [(b.child_id, b.age) for b in api.birthdays(ctx)] == [(soon.id, 2)]  # default: 7 days
    assert [b.child_id for b in api.birthdays(ctx, days=30)] == [soon.id, later.id]
    with pytest.raises(ValueError):
        api.birthdays(ctx, days=400)
    [item] = [i for chunk in ctx.hook.menu_items(org=org, user=director) for i in chunk if i.module == NAME]
    assert item.endpoint == "verjaardagen.index"

    login(client, director)
    page = client.get(f"/o/{org.slug}/verjaardagen/")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert soon.first_name in html and later.first_name not in html

    set_setting(session, org, "verjaardagen.days_ahead", 30)
    session.commit()
    assert later.first_name in client.get(f"/o/{org.slug}/verjaardagen/").get_data(as_text=True)

    disable_module(session, org, NAME)
    session.commit()
    assert client.get(f"/o/{org.slug}/verjaardagen/").status_code == 404
    off = build_context(session, org)
    assert [i for chunk in off.hook.menu_items(org=org, user=director) for i in chunk if i.module == NAME] == []


def test_the_example_page_is_closed_to_another_organisation(app, client, factory, frozen_today):
    mine = factory.org(name="Eigen", modules={NAME})
    other = factory.org(name="Andere", modules={NAME})
    login(client, factory.user(other, Role.DIRECTOR))
    assert client.get(f"/o/{mine.slug}/verjaardagen/").status_code == 404
