"""Encryption at rest for sensitive identifiers (national register numbers).

Fernet (AES-128-CBC + HMAC) from `cryptography`; the key comes from KOEPEL_ENCRYPTION_KEY or a
key file in the data folder, created once. Several keys may be given, newest first and separated
by commas: new values are encrypted with the first, every key still decrypts (MultiFernet), so a
new key can be introduced without a moment where stored values are unreadable; ``koepel crypto
rotate`` then re-encrypts everything with the newest key and the old keys can be dropped.

A keyed hash allows exact lookups (duplicates) without decrypting. It is written with the newest
key; lookups try the hashes of every configured key until the rotation has rebuilt them.
"""
from __future__ import annotations

import hashlib
import hmac
import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from sqlalchemy import String, select, type_coerce, update
from sqlalchemy.types import TypeDecorator

_fernet: MultiFernet | None = None
_hash_keys: list[bytes] = []

# A hash column marked with info={LOOKUP_HASH_OF: "<encrypted column>"} is rebuilt by rotate().
LOOKUP_HASH_OF = "lookup_hash_of"


def parse_keys(keys: str | bytes | Iterable[str | bytes]) -> list[bytes]:
    """``"new,old"`` (or a list) into raw keys, newest first; empty entries are ignored."""
    if isinstance(keys, bytes):
        keys = keys.decode()
    parts = keys.split(",") if isinstance(keys, str) else list(keys)
    raw = [(p.encode() if isinstance(p, str) else p).strip() for p in parts]
    raw = [k for k in raw if k]
    if not raw:
        raise ValueError("KOEPEL_ENCRYPTION_KEY is empty")
    return raw


def configure(keys: str | bytes | Iterable[str | bytes]) -> None:
    global _fernet, _hash_keys
    raw = parse_keys(keys)
    _fernet = MultiFernet([Fernet(k) for k in raw])
    _hash_keys = [hashlib.sha256(b"koepel-lookup:" + k).digest() for k in raw]


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


def _configured() -> MultiFernet:
    if _fernet is None:
        raise RuntimeError("encryption key not configured")
    return _fernet


def encrypt(value: str) -> str:
    return _configured().encrypt(value.encode()).decode()


def decrypt(token: str) -> str:
    try:
        return _configured().decrypt(token.encode()).decode()
    except InvalidToken as exc:
        raise RuntimeError("cannot decrypt: wrong KOEPEL_ENCRYPTION_KEY?") from exc


def lookup_hash(value: str) -> str:
    """The hash to store, keyed with the newest key."""
    _configured()
    return hmac.new(_hash_keys[0], value.encode(), hashlib.sha256).hexdigest()


def lookup_hashes(value: str) -> list[str]:
    """Every hash ``value`` may be stored under (one per configured key): search with ``IN``."""
    _configured()
    return [hmac.new(key, value.encode(), hashlib.sha256).hexdigest() for key in _hash_keys]


class EncryptedString(TypeDecorator):
    """A string column whose value is encrypted before it reaches the database."""

    impl = String(255)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        return None if value is None else encrypt(value)

    def process_result_value(self, value, dialect):
        return None if value is None else decrypt(value)


@dataclass
class RotationReport:
    values: int = 0
    hashes: int = 0
    columns: int = 0


def encrypted_columns(metadata) -> list:
    """Every column of ``metadata`` stored with EncryptedString."""
    return [col for table in metadata.sorted_tables for col in table.columns if isinstance(col.type, EncryptedString)]


def rotate(session, metadata) -> RotationReport:
    """Re-encrypt every stored ciphertext with the newest key and rebuild the lookup hashes, in
    the caller's transaction. A value no configured key can read aborts everything (no half
    rotation)."""
    fernet = _configured()
    report = RotationReport()
    for col in encrypted_columns(metadata):
        table = col.table
        pk = list(table.primary_key.columns)
        if len(pk) != 1:
            raise RuntimeError(f"{table.name}: encrypted columns need a single-column primary key")
        pk = pk[0]
        raw = type_coerce(col, String)
        hash_cols = [c for c in table.columns if c.info.get(LOOKUP_HASH_OF) == col.name]
        report.columns += 1
        rows = session.execute(select(pk, raw).where(col.is_not(None)).order_by(pk)).all()
        for row_id, token in rows:
            try:
                new_token = fernet.rotate(token.encode()).decode()
            except InvalidToken as exc:
                raise RuntimeError(f"{table.name}.{col.name} id={row_id}: cannot decrypt with any key") from exc
            values = {col.name: type_coerce(new_token, String)}
            if hash_cols:
                plain = fernet.decrypt(new_token.encode()).decode()
                for hash_col in hash_cols:
                    values[hash_col.name] = lookup_hash(plain)
                    report.hashes += 1
            if "updated_at" in table.c:  # re-encrypting is no change of the file: keep its retention clock
                values["updated_at"] = table.c.updated_at
            session.execute(update(table).where(pk == row_id).values(**values))
            report.values += 1
    return report
