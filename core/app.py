"""The application factory."""
from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from flask import Flask, g
from flask_babel import Babel
from flask_login import LoginManager
from flask_wtf import CSRFProtect
from werkzeug.routing import IntegerConverter

from core import (
    audit,  # noqa: F401  (registers the session listeners)
    crypto,
)
from core.clock import Clock
from core.config import defaults, resolve_secret
from core.db import Database
from core.plugins import PluginInfo
from core.plugins.manager import build_plugin_manager
from core.settings import collect_setting_definitions

SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
    "Content-Security-Policy": (
        "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
        "frame-ancestors 'none'; form-action 'self'; base-uri 'self'"
    ),
}


_SECURITY_HEADERS_LOWER = tuple((name.lower(), name, value) for name, value in SECURITY_HEADERS.items())


class RowIdConverter(IntegerConverter):
    """``<int:...>`` stops at the largest 32-bit id: a bigger number names no row and answers 404
    (unbounded, PostgreSQL refused it with an error 500 and SQLite overflowed)."""

    def __init__(self, map, fixed_digits=0, min=None, max=2**31 - 1, signed=False):  # noqa: A002
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


def create_app(config: Mapping | None = None, *, plugins: list[str | PluginInfo] | None = None) -> Flask:
    """Build a Koepel app. ``plugins=None`` loads every installed plugin (entry points);
    tests always pass an explicit list."""
    app = Flask("core", instance_relative_config=False)
    app.url_map.converters["int"] = RowIdConverter
    app.config.update(defaults())
    if config:
        app.config.update(config)
    resolve_secret(app.config)
    data_dir = Path(app.config["KOEPEL_DATA_DIR"])
    crypto.configure(app.config.get("KOEPEL_ENCRYPTION_KEY") or crypto.load_or_create_key(data_dir))
    if app.config.get("KOEPEL_PASSWORD_HASH_FAST"):
        from core.passwords import use_fast_hashing

        use_fast_hashing()

    import core.models  # noqa: F401
    import core.sessions  # noqa: F401  (ends other sessions when a password or role changes)
    from core import jobs

    app.extensions["koepel_db"] = Database(app.config["DATABASE_URL"])
    app.extensions["koepel_clock"] = Clock()
    pm = build_plugin_manager(plugins)
    app.extensions["koepel_plugins"] = pm
    app.extensions["koepel_setting_definitions"] = collect_setting_definitions(pm)
    app.extensions[jobs.EXTENSION_KEY] = jobs.build_registry(pm)

    _init_extensions(app)
    _init_request_cycle(app)
    _trust_proxies(app)
    from core import errors

    errors.init_app(app)

    from core.views import register_core_blueprints

    register_core_blueprints(app)
    pm.hook.register_blueprints(app=app)
    _check_blueprint_names(app, pm)
    # The CLI is per installation, not per organisation: every installed plugin adds its commands.
    pm.hook.register_cli_commands(cli=app.cli)

    from core.templating import init_jinja

    init_jinja(app)
    pm.hook.register_jinja(env=app.jinja_env)
    return app


def _init_extensions(app: Flask) -> None:
    from core.i18n import compile_catalogues, select_locale

    compile_catalogues(Path(app.root_path) / "translations")
    Babel(app, locale_selector=select_locale, default_translation_directories="translations")
    CSRFProtect(app)
    login = LoginManager(app)
    login.login_view = "auth.login"
    login.login_message = None
    login.session_protection = "strong"

    @login.user_loader
    def load_user(user_id: str):
        from core.db import session
        from core.sessions import load_user as load_session_user

        return load_session_user(session(), user_id)


def _init_request_cycle(app: Flask) -> None:
    """One unit of work per request: commit when the answer is a success, else roll back."""

    @app.after_request
    def finish(response):
        db = app.extensions["koepel_db"]
        sess = db.scoped()
        if response.status_code < 400 and not g.get("rollback_only"):
            sess.commit()
        else:
            sess.rollback()
        headers = response.headers
        present = {key.lower() for key in headers.keys()}  # one pass (setdefault scans twice per header)
        for lower, name, value in _SECURITY_HEADERS_LOWER:
            if lower not in present:
                headers.add(name, value)
        return response

    @app.teardown_request
    def cleanup(exc):
        db = app.extensions["koepel_db"]
        if exc is not None:
            db.scoped().rollback()
        db.scoped.remove()


def _trust_proxies(app: Flask) -> None:
    """The client's address and scheme come from X-Forwarded-For/-Proto only when the app is
    told how many proxies stand in front of it (KOEPEL_TRUSTED_PROXIES, docs/operations.md);
    otherwise anybody could choose the address the throttles count."""
    count = int(app.config.get("KOEPEL_TRUSTED_PROXIES") or 0)
    if count > 0:
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=count, x_proto=count)


def _check_blueprint_names(app: Flask, pm) -> None:
    for name in pm.infos:
        if name not in app.blueprints:
            raise RuntimeError(f"plugin {name!r} registered no blueprint named {name!r}")
