"""The reference lokaal loket: a small Flask app of its own (own database, own staff users) that
implements docs/loket-api.yaml. It is the counterpart of plugins/loket_sync in the tests and
usable as is by a municipality without a loket platform. ``create_app(config)`` builds it;
``koepel loket serve`` runs it."""
from __future__ import annotations

import json
import os
from collections.abc import Mapping
from pathlib import Path

from flask import Flask, g, request
from flask_babel import Babel
from flask_login import LoginManager
from flask_wtf import CSRFProtect

from core.db import Database

SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Content-Security-Policy": "default-src 'self'; style-src 'self'; frame-ancestors 'none'; form-action 'self'",
}


def defaults() -> dict:
    data_dir = Path(os.environ.get("KOEPEL_DATA_DIR", Path.cwd() / "var")).resolve()
    return {
        "LOKET_DATA_DIR": str(data_dir),
        "DATABASE_URL": os.environ.get("LOKET_DATABASE_URL", f"sqlite:///{data_dir / 'loket.db'}"),
        "SECRET_KEY": os.environ.get("LOKET_SECRET_KEY"),
        "LOKET_ENCRYPTION_KEY": os.environ.get("LOKET_ENCRYPTION_KEY"),
        "LOKET_SIGNATURE_WINDOW": int(os.environ.get("LOKET_SIGNATURE_WINDOW", "300")),
        "LOKET_PUBLIC_URL": os.environ.get("LOKET_PUBLIC_URL", ""),
        "LOKET_FAULTS": os.environ.get("LOKET_FAULTS", ""),
        "LOKET_VALIDATE_RESPONSES": True,
        "LOKET_STRICT_RESPONSES": os.environ.get("LOKET_STRICT_RESPONSES") == "1",
        "LOKET_LANGUAGES": ["nl", "fr", "en"],
        "LOKET_CREATE_TABLES": True,
        "MAX_CONTENT_LENGTH": 2 * 1024 * 1024,
        "SESSION_COOKIE_NAME": "loket_session",
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": os.environ.get("KOEPEL_INSECURE_COOKIES") != "1",
        "BABEL_DEFAULT_LOCALE": "nl",
        "BABEL_DEFAULT_TIMEZONE": "Europe/Brussels",
        "WTF_CSRF_ENABLED": True,
    }


def _file_secret(folder: Path, name: str, make) -> str:
    path = folder / name
    if path.exists():
        return path.read_text().strip()
    folder.mkdir(parents=True, exist_ok=True)
    value = make()
    path.write_text(value)
    path.chmod(0o600)
    return value


def create_app(config: Mapping | None = None) -> Flask:
    import secrets

    from cryptography.fernet import Fernet

    from core.app import RowIdConverter
    from loket import api, db, views
    from loket.faults import FaultInjector, Faults
    from loket.partners import make_fernet

    app = Flask("loket", static_folder=None)
    app.url_map.converters["int"] = RowIdConverter
    app.config.update(defaults())
    if config:
        app.config.update(config)
    folder = Path(app.config["LOKET_DATA_DIR"])
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = _file_secret(folder, "loket-secret.key", lambda: secrets.token_urlsafe(48))
    keys = app.config.get("LOKET_ENCRYPTION_KEY") or _file_secret(
        folder, "loket-encryption.key", lambda: Fernet.generate_key().decode())
    app.extensions["loket_fernet"] = make_fernet(keys)
    if app.config.get("LOKET_PASSWORD_HASH_FAST"):
        from core.passwords import use_fast_hashing

        use_fast_hashing()

    from core.clock import Clock

    app.extensions["koepel_clock"] = Clock()  # core.clock reads it: a test freezes the loket's time here
    database = Database(app.config["DATABASE_URL"])
    app.extensions[db.EXTENSION] = database
    if app.config.get("LOKET_CREATE_TABLES"):
        db.create_all(database)
    app.extensions["loket_openapi"] = api.load_openapi()
    app.extensions["loket_response_errors"] = []

    _init_babel(app)
    CSRFProtect(app).exempt(api.bp)
    _init_login(app)
    _init_request_cycle(app)
    app.register_blueprint(views.bp)
    app.register_blueprint(api.bp)
    api.json_errors(app)

    faults = Faults.parse(app.config.get("LOKET_FAULTS"))
    if faults is not None:
        app.wsgi_app = FaultInjector(app.wsgi_app, faults)
        app.extensions["loket_faults"] = app.wsgi_app
    return app


def _init_babel(app: Flask) -> None:
    from core.i18n import compile_catalogues

    translations = Path(__file__).resolve().parent.parent / "core" / "translations"
    compile_catalogues(translations)

    def select_locale():
        languages = app.config["LOKET_LANGUAGES"]
        choice = request.cookies.get("lang")
        if choice in languages:
            return choice
        return request.accept_languages.best_match(languages) or "nl"

    app.config.setdefault("BABEL_DEFAULT_TIMEZONE", "Europe/Brussels")  # times shown as in Koepel
    Babel(app, locale_selector=select_locale, default_translation_directories=str(translations))
    from flask_babel import get_locale

    from core.templating import date_filter

    app.jinja_env.globals["get_locale"] = get_locale
    app.jinja_env.filters["date"] = date_filter


def _init_login(app: Flask) -> None:
    login = LoginManager(app)
    login.login_view = "loket.login"
    login.login_message = None
    login.session_protection = "strong"

    @login.user_loader
    def load_user(user_id: str):
        from loket.db import session
        from loket.models import StaffUser

        return session().get(StaffUser, int(user_id)) if user_id.isdigit() else None


def _init_request_cycle(app: Flask) -> None:
    """One transaction per request: committed on success, rolled back on a 4xx/5xx."""
    from loket.db import EXTENSION

    @app.after_request
    def finish(response):
        sess = app.extensions[EXTENSION].scoped()
        if response.status_code < 400 and not g.get("rollback_only"):
            sess.commit()
        else:
            sess.rollback()
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        return response

    @app.teardown_request
    def cleanup(exc):
        database = app.extensions[EXTENSION]
        if exc is not None:
            database.scoped().rollback()
        database.scoped.remove()


def faults_from_option(value: str | None):
    """``--faults`` on the command line: JSON, or ``error=0.3,timeout=0.05,drop=0.05,seed=1``."""
    if not value:
        return None
    value = value.strip()
    if value.startswith("{"):
        return json.loads(value)
    names = {"error": "error_rate", "5xx": "error_rate", "timeout": "timeout_rate", "drop": "drop_rate",
             "seed": "seed", "timeout_seconds": "timeout_seconds"}
    out = {}
    for part in value.split(","):
        key, _, raw = part.partition("=")
        key = names.get(key.strip(), key.strip())
        out[key] = int(raw) if key == "seed" else float(raw)
    return out
