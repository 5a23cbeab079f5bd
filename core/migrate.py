"""Alembic, configured in code: one environment, one branch per plugin, ``upgrade heads``."""
from __future__ import annotations

import importlib
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory

import core

CORE_DIR = Path(core.__file__).parent


def all_plugin_names() -> list[str]:
    from core.plugins.manager import available_plugins

    return sorted(available_plugins())


def import_all_models() -> None:
    """Every installed module's tables belong to the migrated schema, enabled or not."""
    import core.models  # noqa: F401

    for name in all_plugin_names():
        try:
            importlib.import_module(f"plugins.{name}.models")
        except ModuleNotFoundError as exc:
            if exc.name != f"plugins.{name}.models":
                raise


def version_locations() -> list[str]:
    locations = [str(CORE_DIR / "migrations" / "versions")]
    for name in all_plugin_names():
        module = importlib.import_module(f"plugins.{name}")
        locations.append(str(Path(module.__file__).parent / "migrations" / "versions"))
    return locations


def alembic_config(url: str, connection=None) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(CORE_DIR / "migrations"))
    cfg.set_main_option("version_locations", " ".join(version_locations()))
    cfg.set_main_option("path_separator", "space")
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    if connection is not None:
        cfg.attributes["connection"] = connection
    return cfg


def upgrade(url: str, connection=None, target: str = "heads") -> None:
    command.upgrade(alembic_config(url, connection), target)


def downgrade(url: str, connection=None, target: str = "base") -> None:
    command.downgrade(alembic_config(url, connection), target)


def heads(url: str) -> list[str]:
    return list(ScriptDirectory.from_config(alembic_config(url)).get_heads())
