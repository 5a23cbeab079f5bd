"""Encryption at rest for sensitive identifiers (national register numbers).

Fernet (AES-128-CBC + HMAC) from `cryptography`; the key comes from KOEPEL_ENCRYPTION_KEY or a
key file in the data folder, created once. A keyed hash allows exact lookups (duplicates)
without decrypting.
"""
from __future__ import annotations

import hashlib
import hmac
import os
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken
from sqlalchemy import String
from sqlalchemy.types import TypeDecorator

_fernet: Fernet | None = None
_hash_key: bytes = b""


def configure(key: str | bytes) -> None:
    global _fernet, _hash_key
    raw = key.encode() if isinstance(key, str) else key
    _fernet = Fernet(raw)
    _hash_key = hashlib.sha256(b"koepel-lookup:" + raw).digest()


def load_or_create_key(data_dir: Path) -> str:
    env = os.environ.get("KOEPEL_ENCRYPTION_KEY")
    if env:
        return env
    path = data_dir / "encryption.key"
    if path.exists():
        return path.read_text().strip()
    data_dir.mkdir(parents=True, exist_ok=True)
    key = Fernet.generate_key().decode()
    path.write_text(key)
    path.chmod(0o600)
    return key


def encrypt(value: str) -> str:
    if _fernet is None:
        raise RuntimeError("encryption key not configured")
    return _fernet.encrypt(value.encode()).decode()


def decrypt(token: str) -> str:
    if _fernet is None:
        raise RuntimeError("encryption key not configured")
    try:
        return _fernet.decrypt(token.encode()).decode()
    except InvalidToken as exc:
        raise RuntimeError("cannot decrypt: wrong KOEPEL_ENCRYPTION_KEY?") from exc


def lookup_hash(value: str) -> str:
    return hmac.new(_hash_key, value.encode(), hashlib.sha256).hexdigest()


class EncryptedString(TypeDecorator):
    """A string column whose value is encrypted before it reaches the database."""

    impl = String(255)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        return None if value is None else encrypt(value)

    def process_result_value(self, value, dialect):
        return None if value is None else decrypt(value)
