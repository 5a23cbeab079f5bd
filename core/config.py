"""Configuration defaults. Every value can be overridden by the ``config`` mapping given to
create_app or by environment variables (documented in README.md)."""
from __future__ import annotations

import os
import secrets
from pathlib import Path


def data_dir() -> Path:
    return Path(os.environ.get("KOEPEL_DATA_DIR", Path.cwd() / "var")).resolve()


def _secret_key(folder: Path) -> str:
    env = os.environ.get("SECRET_KEY")
    if env:
        return env
    path = folder / "secret.key"
    if path.exists():
        return path.read_text().strip()
    folder.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    path.write_text(key)
    path.chmod(0o600)
    return key


def defaults() -> dict:
    folder = data_dir()
    return {
        "KOEPEL_DATA_DIR": str(folder),
        "SECRET_KEY": None,  # filled lazily from env or the data folder
        "DATABASE_URL": os.environ.get("DATABASE_URL", f"sqlite:///{folder / 'koepel.db'}"),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": os.environ.get("KOEPEL_INSECURE_COOKIES") != "1",
        "REMEMBER_COOKIE_SECURE": os.environ.get("KOEPEL_INSECURE_COOKIES") != "1",
        "REMEMBER_COOKIE_HTTPONLY": True,
        "PERMANENT_SESSION_LIFETIME": 8 * 3600,
        "WTF_CSRF_ENABLED": True,
        "WTF_I18N_ENABLED": True,
        "BABEL_DEFAULT_LOCALE": "nl",
        "BABEL_DEFAULT_TIMEZONE": "Europe/Brussels",
        "KOEPEL_LANGUAGES": ["nl", "fr", "en"],
        "KOEPEL_LOGIN_MAX_FAILURES": 5,
        "KOEPEL_LOGIN_LOCK_SECONDS": 900,
        "KOEPEL_PAGE_SIZE": 25,
        # Links in e-mails, always (never the request's Host header, which the client chooses).
        "KOEPEL_BASE_URL": os.environ.get("KOEPEL_BASE_URL", "http://localhost:5000"),
        # Reverse proxies in front of the app whose X-Forwarded-For/-Proto are trusted (ProxyFix);
        # 0: the client address is the socket's peer, forwarded headers are ignored.
        "KOEPEL_TRUSTED_PROXIES": int(os.environ.get("KOEPEL_TRUSTED_PROXIES", "0") or 0),
        "KOEPEL_PASSWORD_HASH_FAST": False,  # tests: cheaper argon2 parameters
        # Parents' e-mail addresses: syntax only unless switched on; a DNS that does not answer
        # within the time-out (or no network) never refuses an address.
        "WACHTLIJST_CHECK_DELIVERABILITY": os.environ.get("KOEPEL_CHECK_EMAIL_DNS") == "1",
        "WACHTLIJST_DNS_TIMEOUT": 2.0,
    }


def resolve_secret(config: dict) -> None:
    if not config.get("SECRET_KEY"):
        config["SECRET_KEY"] = _secret_key(Path(config["KOEPEL_DATA_DIR"]))
