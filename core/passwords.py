"""Password hashing with argon2id (argon2-cffi).

Parameters: OWASP's Password Storage Cheat Sheet (2023+) first argon2id choice, m=19 MiB, t=2,
p=1 — a current recommendation that answers a login in well under half a second on a small shared
server (``bench/login.py``). argon2-cffi's own default (RFC 9106 "low memory": 64 MiB, t=3, p=4)
took 1.6-2.4 s per login here. Every hash carries its parameters, so hashes made with other
parameters keep verifying; ``needs_rehash`` tells the login to store a new hash."""
from __future__ import annotations

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError

#: OWASP Password Storage Cheat Sheet: argon2id, 19 MiB, 2 iterations, 1 degree of parallelism.
TIME_COST, MEMORY_COST_KIB, PARALLELISM = 2, 19 * 1024, 1


def recommended_hasher() -> PasswordHasher:
    return PasswordHasher(time_cost=TIME_COST, memory_cost=MEMORY_COST_KIB, parallelism=PARALLELISM,
                          type=Type.ID)


_hasher = recommended_hasher()
_DUMMY = None


def use_fast_hashing() -> None:
    """Tests only: much cheaper parameters, same code path."""
    global _hasher, _DUMMY
    _hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    _DUMMY = None


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def needs_rehash(password_hash: str) -> bool:
    """True when the hash was made with other parameters than today's (e.g. the slower defaults
    before OWASP's): the login then stores a new hash of the password it just verified."""
    try:
        return _hasher.check_needs_rehash(password_hash)
    except (InvalidHashError, ValueError):
        return True


def verify_password(password_hash: str | None, password: str) -> bool:
    """Constant work whether or not the account exists (a dummy hash is checked instead)."""
    global _DUMMY
    if password_hash is None:
        if _DUMMY is None:
            _DUMMY = _hasher.hash("not-a-real-password")
        password_hash = _DUMMY
        try:
            _hasher.verify(password_hash, password)
        except (VerificationError, InvalidHashError):
            pass
        return False
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False
