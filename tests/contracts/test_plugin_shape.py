"""Every plugin alike (docs/plugins.md, "The shape of a module"):

* the same files in the same places: ``plugin.py`` (hook implementations only), ``api.py``,
  ``services/``, ``models.py``, ``views/`` with the blueprint in ``views/blueprint.py``,
  ``forms.py``, ``templates/``, ``migrations/``;
* a plugin imports another plugin only through that plugin's ``api.py``, and only a plugin it
  ``requires``; its own modules it imports relatively (``from .services import x``), so an
  absolute ``from plugins.<name>.`` import always names another plugin's ``api``:
  ``grep -rn "from plugins\\." plugins | grep -v "\\.api import"`` prints nothing;
* no import cycles among a plugin's views (routes import the blueprint, never the package);
* core's command groups come through core's own hook, and the modules that register them never
  import the app factory.

How an import is told apart: every import statement, absolute or relative, is resolved to the
absolute module it names (``from ..services import x`` in ``plugins/p/views/a.py`` is
``plugins.p.services.x``). It is the plugin's own when its second part is the plugin's name;
otherwise it must be ``plugins.<other>.api`` (or a name imported from it) with ``<other>`` in
``requires``.
"""
from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path

import pytest

import core
from core.plugins.manager import available_plugins
from tests.conftest import ALL_PLUGINS

ROOT = Path(core.__file__).resolve().parent.parent
PLUGINS = ROOT / "plugins"

#: What a plugin's folder may hold. ``cli.py`` (click commands) is an edge like ``views/``;
#: ``static/``, ``schemas/`` and ``rules/`` hold data files, ``README.md`` notes.
ALLOWED_ENTRIES = {"__init__.py", "plugin.py", "api.py", "models.py", "forms.py", "cli.py", "services", "views",
                   "templates", "migrations", "static", "schemas", "rules", "README.md", "__pycache__"}
#: What every plugin has; an available one also its services, views and blueprint module.
REQUIRED_ALWAYS = ("__init__.py", "plugin.py", "api.py", "migrations")
REQUIRED_AVAILABLE = ("services/__init__.py", "views/__init__.py", "views/blueprint.py", "models.py")


# --- the checker (pure functions, tested below on bad samples) ----------------------------------

def module_name(path: Path, root: Path = ROOT) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports_of(path: Path, root: Path = ROOT) -> list[tuple[int, str]]:
    """(line, absolute module) for every import statement, relative ones resolved; ``from m
    import n`` gives ``m.n`` (n may be a module or a name: both are judged by their prefix)."""
    name = module_name(path, root)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base_parts = package.split(".")
                base_parts = base_parts[: len(base_parts) - (node.level - 1)]
                base = ".".join(base_parts + ([node.module] if node.module else []))
            else:
                base = node.module or ""
            found += [(node.lineno, f"{base}.{alias.name}") for alias in node.names]
    return found


def import_violations(owner: str, requires: frozenset[str], path: Path, root: Path = ROOT) -> list[str]:
    """What ``path`` (a file of plugin ``owner``) imports that it may not."""
    bad = []
    shown = path.relative_to(root)
    for lineno, module in imports_of(path, root):
        parts = module.split(".")
        if parts[0] != "plugins" or len(parts) < 2 or parts[1] == owner:
            continue
        other = parts[1]
        if len(parts) < 3 or parts[2] != "api":
            bad.append(f"{shown}:{lineno} imports {module}: only plugins.{other}.api may be imported")
        elif other not in requires:
            bad.append(f"{shown}:{lineno} imports {module}: {other!r} is not in {owner}'s requires "
                       f"({', '.join(sorted(requires)) or 'none'})")
    return bad


GREP = re.compile(r"from plugins\.")


def grep_lines(directory: Path) -> list[str]:
    """``grep -rn "from plugins\\." plugins | grep -v "\\.api import"``, in Python."""
    out = []
    for path in sorted(directory.rglob("*.py")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if GREP.search(line) and ".api import" not in line:
                out.append(f"{path.relative_to(directory.parent)}:{number}:{line.strip()}")
    return out


def is_hookimpl(decorator: ast.expr) -> bool:
    target = decorator.func if isinstance(decorator, ast.Call) else decorator
    return isinstance(target, ast.Name) and target.id == "hookimpl"


def plugin_module_problems(path: Path) -> list[str]:
    """plugin.py holds hook implementations only: imports, a docstring, @hookimpl functions."""
    problems = []
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            if any(alias.name == "*" for alias in node.names):
                problems.append(f"line {node.lineno}: star import (hooks must be defined here)")
            continue
        if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant):
            continue
        if isinstance(node, ast.FunctionDef) and any(is_hookimpl(d) for d in node.decorator_list):
            continue
        problems.append(f"line {node.lineno}: {type(node).__name__} that is not a @hookimpl function")
    return problems


def views_import_graph(package_dir: Path, root: Path = ROOT) -> dict[str, set[str]]:
    """Which view module imports which (``views/__init__`` is the package itself)."""
    paths = sorted((package_dir / "views").glob("*.py"))
    nodes = {module_name(path, root) for path in paths}
    graph: dict[str, set[str]] = {}
    for path in paths:
        name = module_name(path, root)
        graph[name] = set()
        for _line, module in imports_of(path, root):
            for candidate in (module, module.rpartition(".")[0]):  # a module, or a name in one
                if candidate in nodes and candidate != name:
                    graph[name].add(candidate)
                    break
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    found, state = [], {}

    def visit(node, path):
        if state.get(node) == "done":
            return
        if state.get(node) == "busy":
            found.append(path[path.index(node):] + [node])
            return
        state[node] = "busy"
        for nxt in sorted(graph.get(node, ())):
            visit(nxt, path + [node])
        state[node] = "done"

    for node in sorted(graph):
        visit(node, [])
    return found


# --- the real plugins ----------------------------------------------------------------------------

@pytest.mark.parametrize("name", ALL_PLUGINS)
def test_every_plugin_has_the_same_layout(name):
    info = available_plugins()[name]
    folder = PLUGINS / name
    extra = sorted(p.name for p in folder.iterdir() if p.name not in ALLOWED_ENTRIES and not p.name.startswith("."))
    assert extra == [], f"{name}: files outside the shape (move them into services/ or views/)"
    required = REQUIRED_ALWAYS + (REQUIRED_AVAILABLE if info.available else ())
    assert [r for r in required if not (folder / r).exists()] == []


@pytest.mark.parametrize("name", ALL_PLUGINS)
def test_plugin_py_holds_hook_implementations_only(name):
    assert plugin_module_problems(PLUGINS / name / "plugin.py") == []


@pytest.mark.parametrize("name", ALL_PLUGINS)
def test_a_plugin_imports_only_the_api_of_plugins_it_requires(name):
    requires = frozenset(available_plugins()[name].requires)
    bad = []
    for path in sorted((PLUGINS / name).rglob("*.py")):
        bad += import_violations(name, requires, path)
    assert bad == []


def test_grep_for_cross_plugin_imports_prints_nothing():
    """The issue's own check: every absolute ``from plugins.`` import in plugins/ is an api import."""
    assert grep_lines(PLUGINS) == []


@pytest.mark.parametrize("name", [n for n in ALL_PLUGINS if (PLUGINS / n / "views").is_dir()])
def test_views_have_no_import_cycles_and_the_blueprint_imports_no_view(name):
    graph = views_import_graph(PLUGINS / name)
    assert cycles(graph) == []
    assert graph[f"plugins.{name}.views.blueprint"] == set()


def test_core_command_groups_come_through_cores_hook_without_importing_the_app():
    from core import hooks

    commands = ROOT / "core" / "commands.py"
    assert not [m for _line, m in imports_of(commands) if m.startswith(("core.app", "core.cli"))]
    assert not [m for _line, m in imports_of(ROOT / "core" / "hooks.py") if m.startswith(("core.app", "core.cli"))]
    import click

    group = click.Group()
    hooks.register_cli_commands(cli=group)
    assert {"db", "demo", "users", "modules", "crypto", "jobs", "retention"} <= set(group.commands)
    # and in a fresh interpreter: importing the hooks and the commands does not load the app factory
    code = ("import sys, core.hooks, core.commands, core.plugins.manager; "
            "print(sorted(m for m in sys.modules if m in ('core.app', 'core.cli')))")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


# --- bad input for developers: the checker says clearly what is wrong ------------------------------

def _sample_plugin(tmp_path: Path, name: str, files: dict[str, str]) -> Path:
    for relative, text in files.items():
        path = tmp_path / "plugins" / name / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return tmp_path / "plugins" / name


def test_an_api_import_of_a_plugin_not_required_is_a_clear_failure(tmp_path):
    folder = _sample_plugin(tmp_path, "proef", {
        "services/__init__.py": "",
        "services/work.py": ("from plugins.planning.api import expected_children\n"
                             "from plugins.wachtlijst.api import list_requests\n"
                             "import plugins.facturatie.api as billing\n"
                             "from ..models import Thing\nfrom . import other\n"),
    })
    bad = import_violations("proef", frozenset({"planning"}), folder / "services" / "work.py", tmp_path)
    assert bad == [
        "plugins/proef/services/work.py:2 imports plugins.wachtlijst.api.list_requests: "
        "'wachtlijst' is not in proef's requires (planning)",
        "plugins/proef/services/work.py:3 imports plugins.facturatie.api: "
        "'facturatie' is not in proef's requires (planning)",
    ]


def test_a_non_api_import_and_a_relative_escape_are_caught(tmp_path):
    folder = _sample_plugin(tmp_path, "proef", {
        "views/__init__.py": "",
        "views/pages.py": ("from plugins.planning.models import CarePlan\n"
                           "from ...planning.services import occupancy\n"
                           "from ...planning import api\n"),
    })
    bad = import_violations("proef", frozenset({"planning"}), folder / "views" / "pages.py", tmp_path)
    assert [line.split(" imports ")[1].split(":")[0] for line in bad] == [
        "plugins.planning.models.CarePlan", "plugins.planning.services.occupancy"]
    assert "only plugins.planning.api may be imported" in bad[0]
    # the grep of the issue sees the absolute one (the relative escape is caught by the resolver)
    assert grep_lines(tmp_path / "plugins") == [
        "plugins/proef/views/pages.py:1:from plugins.planning.models import CarePlan"]


def test_relative_imports_resolve_to_the_right_module(tmp_path):
    folder = _sample_plugin(tmp_path, "proef", {
        "__init__.py": "from .plugin import x\n",
        "views/__init__.py": "from . import pages\nfrom .blueprint import bp\n",
        "views/pages.py": "from .blueprint import bp\nfrom ..services.work import go\nfrom .. import api\n",
    })
    assert [m for _l, m in imports_of(folder / "__init__.py", tmp_path)] == ["plugins.proef.plugin.x"]
    assert [m for _l, m in imports_of(folder / "views" / "__init__.py", tmp_path)] == [
        "plugins.proef.views.pages", "plugins.proef.views.blueprint.bp"]
    assert [m for _l, m in imports_of(folder / "views" / "pages.py", tmp_path)] == [
        "plugins.proef.views.blueprint.bp", "plugins.proef.services.work.go", "plugins.proef.api"]


def test_a_view_cycle_and_a_fat_plugin_py_are_caught(tmp_path):
    folder = _sample_plugin(tmp_path, "proef", {
        "views/__init__.py": "from . import a, b\n",
        "views/blueprint.py": "from .a import helper\n",
        "views/a.py": "from .blueprint import bp\n",
        "views/b.py": "from .blueprint import bp\n",
        "plugin.py": ("from core.plugins import hookimpl\nfrom .views.a import *\nLIMIT = 3\n\n"
                      "@hookimpl\ndef menu_items(org, user):\n    return []\n\ndef helper():\n    pass\n"),
    })
    graph = views_import_graph(folder, tmp_path)
    assert cycles(graph) == [["plugins.proef.views.a", "plugins.proef.views.blueprint", "plugins.proef.views.a"]]
    assert plugin_module_problems(folder / "plugin.py") == [
        "line 2: star import (hooks must be defined here)",
        "line 3: Assign that is not a @hookimpl function",
        "line 9: FunctionDef that is not a @hookimpl function",
    ]
