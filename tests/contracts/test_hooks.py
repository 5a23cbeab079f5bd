"""The plugin contract: hookspecs documented with their exact signatures, a misspelt hook or an
inconsistent plugin set fails at start-up, one name per plugin everywhere, and plugins talk to
each other only through ``api.py``."""
from __future__ import annotations

import ast
import inspect
import re
import sys
import types
from pathlib import Path

import pytest
from alembic.script import ScriptDirectory

import core
from core.app import create_app
from core.db import Base
from core.migrate import alembic_config, import_all_models
from core.plugins import PluginInfo, hookimpl, hookspecs
from core.plugins.manager import PluginError, available_plugins, build_plugin_manager, resolve_order
from core.security import TenantBlueprint
from tests.conftest import ALL_PLUGINS, make_config

ROOT = Path(core.__file__).resolve().parent.parent
DOC_HEADING = re.compile(r"^### `(\w+)\(([^)]*)\)`\s*$", re.MULTILINE)


def spec_signatures() -> dict[str, str]:
    specs = {}
    for name, fn in inspect.getmembers(hookspecs, inspect.isfunction):
        if fn.__module__ == hookspecs.__name__:
            specs[name] = ", ".join(inspect.signature(fn).parameters)
    return specs


def documented_signatures() -> dict[str, str]:
    text = (ROOT / "docs" / "hooks.md").read_text(encoding="utf-8")
    found: dict[str, str] = {}
    for name, args in DOC_HEADING.findall(text):
        assert name not in found, f"{name} documented twice in docs/hooks.md"
        found[name] = ", ".join(a.strip() for a in args.split(",") if a.strip())
    return found


# --- hookspecs and docs -----------------------------------------------------------------------


def test_every_hookspec_is_documented_with_its_exact_signature_and_vice_versa():
    specs, docs = spec_signatures(), documented_signatures()
    assert len(specs) >= 10
    assert sorted(set(specs) - set(docs)) == [], "hooks missing from docs/hooks.md"
    assert sorted(set(docs) - set(specs)) == [], "docs/hooks.md lists hooks that do not exist"
    wrong = {name: (specs[name], docs[name]) for name in specs if specs[name] != docs[name]}
    assert wrong == {}, "signature in hookspecs.py vs docs/hooks.md"


def test_every_hookspec_has_a_docstring():
    missing = [name for name, fn in inspect.getmembers(hookspecs, inspect.isfunction)
               if fn.__module__ == hookspecs.__name__ and not (fn.__doc__ or "").strip()]
    assert missing == []


def test_doc_heading_parser_reads_what_it_should():
    """The checker itself: a heading with a different signature is seen as different."""
    assert DOC_HEADING.findall("### `menu_items(org, user)`\n") == [("menu_items", "org, user")]
    assert DOC_HEADING.findall("### `menu_items(org)`\n") != [("menu_items", "org, user")]


# --- temporary plugins ------------------------------------------------------------------------


def temporary_plugin(monkeypatch, name: str, hooks: types.ModuleType, requires=()) -> PluginInfo:
    """Make ``plugins.<name>.plugin`` importable without a file on disk."""
    package = types.ModuleType(f"plugins.{name}")
    package.__path__ = []
    hooks.__name__ = f"plugins.{name}.plugin"
    monkeypatch.setitem(sys.modules, f"plugins.{name}", package)
    monkeypatch.setitem(sys.modules, f"plugins.{name}.plugin", hooks)
    return PluginInfo(name=name, title=name, requires=frozenset(requires))


def test_a_misspelt_hook_implementation_fails_at_start_up(monkeypatch):
    hooks = types.ModuleType("hooks")

    @hookimpl
    def menu_itemz(org, user):  # the typo
        return []

    hooks.menu_itemz = menu_itemz
    info = temporary_plugin(monkeypatch, "tikfout", hooks)
    with pytest.raises(PluginError, match="menu_itemz"):
        build_plugin_manager([info])


def test_a_hook_implementation_with_an_unknown_argument_fails(monkeypatch):
    hooks = types.ModuleType("hooks")

    @hookimpl
    def menu_items(org, user, colour):
        return []

    hooks.menu_items = menu_items
    info = temporary_plugin(monkeypatch, "teveel", hooks)
    with pytest.raises(PluginError, match="colour"):
        build_plugin_manager([info])


def test_a_correct_temporary_plugin_is_accepted(monkeypatch):
    hooks = types.ModuleType("hooks")

    @hookimpl
    def menu_items(org):  # fewer arguments than the spec is allowed
        return []

    hooks.menu_items = menu_items
    info = temporary_plugin(monkeypatch, "goed", hooks)
    pm = build_plugin_manager([info])
    assert pm.infos == {"goed": info}


def test_a_plugin_without_its_blueprint_does_not_start(monkeypatch, tmp_path):
    info = temporary_plugin(monkeypatch, "zonderbp", types.ModuleType("hooks"))
    with pytest.raises(RuntimeError, match="zonderbp"):
        create_app(make_config("sqlite://", tmp_path), plugins=[info])


def test_a_plugin_with_a_misnamed_blueprint_does_not_start(monkeypatch, tmp_path):
    hooks = types.ModuleType("hooks")

    @hookimpl
    def register_blueprints(app):
        app.register_blueprint(TenantBlueprint("anderenaam", __name__, module="verkeerd", url_prefix="/verkeerd"))

    hooks.register_blueprints = register_blueprints
    info = temporary_plugin(monkeypatch, "verkeerd", hooks)
    with pytest.raises(RuntimeError, match="verkeerd"):
        create_app(make_config("sqlite://", tmp_path), plugins=[info])


def test_unknown_plugin_name_fails():
    with pytest.raises(PluginError, match="bestaatniet"):
        build_plugin_manager(["bestaatniet"])


@pytest.mark.parametrize(
    ("infos", "message"),
    [
        ([PluginInfo("a", "A", requires={"ontbreekt"})], "requires missing plugin"),
        ([PluginInfo("a", "A", requires={"b"}), PluginInfo("b", "B", requires={"a"})], "cyclic"),
        ([PluginInfo("a", "A", requires={"b"}), PluginInfo("b", "B", requires={"c"}),
          PluginInfo("c", "C", requires={"a"})], "cyclic"),
        ([PluginInfo("a", "A"), PluginInfo("a", "A bis")], "listed twice"),
    ],
)
def test_inconsistent_plugin_sets_fail_fast(infos, message):
    with pytest.raises(PluginError, match=message):
        resolve_order(infos)


def test_requirements_come_first():
    order = [i.name for i in resolve_order([PluginInfo("c", "C", requires={"b"}), PluginInfo("b", "B", requires={"a"}),
                                            PluginInfo("a", "A")])]
    assert order == ["a", "b", "c"]


def test_real_plugins_fail_without_their_requirements():
    with pytest.raises(PluginError, match="facturatie.*requires missing plugin"):
        build_plugin_manager(["facturatie"])


# --- naming agreement -------------------------------------------------------------------------


def test_installed_plugins_are_the_shipped_five():
    assert sorted(available_plugins()) == sorted(ALL_PLUGINS)


@pytest.mark.parametrize("name", ALL_PLUGINS)
def test_one_name_per_plugin_everywhere(name, tmp_path):
    info = available_plugins()[name]
    # entry point name == PluginInfo.name (checked by available_plugins) == package directory
    assert info.name == name
    package_dir = ROOT / "plugins" / name
    assert package_dir.is_dir() and (package_dir / "plugin.py").is_file()
    # blueprint name (the app refuses to start otherwise; prove it with the real app)
    app = create_app(make_config("sqlite://", tmp_path), plugins=ALL_PLUGINS)
    assert app.blueprints[name].name == name
    for endpoint in app.view_functions:
        if endpoint.startswith(f"{name}."):
            assert endpoint.split(".")[0] == name
    # Alembic branch label: every revision in the plugin's folder belongs to the branch <name>
    script = ScriptDirectory.from_config(alembic_config("sqlite://"))
    versions = package_dir / "migrations" / "versions"
    revisions = [rev for rev in script.walk_revisions() if Path(rev.path).parent == versions]
    assert revisions, f"{name} has no migration branch"
    # Alembic copies a branch label onto every descendant; only the declared labels name the root.
    roots = [rev for rev in revisions if rev._orig_branch_labels]
    assert [tuple(rev._orig_branch_labels) for rev in roots] == [(name,)]
    for rev in revisions:
        assert name in script.get_revision(rev.revision).branch_labels | {
            label for r in script.iterate_revisions(rev.revision, "base") for label in r.branch_labels
        }
    # template folder: only templates/<name>/
    templates = package_dir / "templates"
    if templates.exists():
        assert sorted(p.name for p in templates.iterdir() if not p.name.startswith(".")) == [name]
    # table prefix
    import_all_models()
    for mapper in Base.registry.mappers:
        module = mapper.class_.__module__
        if module == f"plugins.{name}" or module.startswith(f"plugins.{name}."):
            table = mapper.class_.__table__.name
            assert table.startswith(f"{name}_"), f"{mapper.class_.__name__}: table {table}"
    for table in Base.metadata.tables.values():
        for other in ALL_PLUGINS:
            if table.name.startswith(f"{other}_"):
                assert _table_module(table.name).startswith(f"plugins.{other}"), table.name
    # settings namespace
    pm = app.extensions["koepel_plugins"]
    for chunk in pm.subset_hook_caller("setting_definitions", remove_plugins=[
        m for n, m in pm.modules.items() if n != name] + [pm.get_plugin("core")])():
        for definition in chunk or []:
            assert definition.key.startswith(f"{name}."), definition.key


def _table_module(table_name: str) -> str:
    for mapper in Base.registry.mappers:
        if getattr(mapper.class_, "__tablename__", None) == table_name:
            return mapper.class_.__module__
    return "plugins." + table_name  # plain Table objects: judged by their prefix only


# --- imports between plugins ------------------------------------------------------------------


def imported_modules(path: Path) -> list[tuple[int, str]]:
    """Every absolute module an import statement names (``from x import y`` gives x and x.y)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found += [(node.lineno, f"{node.module}.{alias.name}") for alias in node.names]
    return found


def foreign_import_violations(owner: str | None, path: Path) -> list[str]:
    bad = []
    for lineno, module in imported_modules(path):
        parts = module.split(".")
        if parts[0] != "plugins" or len(parts) < 2 or parts[1] == owner:
            continue
        if owner is None or len(parts) < 3 or parts[2] != "api":
            shown = path.relative_to(ROOT) if path.is_relative_to(ROOT) else path.name
            bad.append(f"{shown}:{lineno} imports {module}")
    return bad


def test_plugins_import_only_other_plugins_api():
    bad = []
    for name in ALL_PLUGINS:
        for path in sorted((ROOT / "plugins" / name).rglob("*.py")):
            bad += foreign_import_violations(name, path)
    assert bad == []


def test_core_imports_no_plugin():
    bad = []
    for path in sorted((ROOT / "core").rglob("*.py")):
        bad += foreign_import_violations(None, path)
    assert bad == []


def test_import_scanner_catches_a_forbidden_import(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text("from plugins.aanwezigheden.models import AttendanceEvent\n"
                      "from plugins.planning import api\nimport plugins.planning.api\n"
                      "from plugins.facturatie.models import X\nfrom plugins.wachtlijst import services\n"
                      "def later():\n    import plugins.loket_sync.views\n")
    bad = foreign_import_violations("facturatie", sample)
    assert [line.split(" imports ")[1] for line in bad] == [
        "plugins.aanwezigheden.models.AttendanceEvent", "plugins.wachtlijst.services", "plugins.loket_sync.views"]
