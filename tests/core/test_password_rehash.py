"""Password hashes: today's parameters are a current recommendation (OWASP argon2id), hashes made
with older parameters keep verifying and are replaced by a new hash at the next good login, and a
failed login never touches the stored hash."""
from __future__ import annotations

from argon2 import PasswordHasher, extract_parameters

from core import passwords
from core.models import Role, User
from tests.conftest import PASSWORD, login

#: A hash made with other (older) parameters than the test suite's fast ones.
OLD = PasswordHasher(time_cost=3, memory_cost=2048, parallelism=2)


def test_recommended_parameters_are_owasps_argon2id():
    params = extract_parameters(passwords.recommended_hasher().hash("x"))
    assert (params.type.name, params.memory_cost, params.time_cost, params.parallelism) == ("ID", 19456, 2, 1)


def test_needs_rehash_only_for_other_parameters():
    assert passwords.needs_rehash(OLD.hash("geheim"))
    assert not passwords.needs_rehash(passwords.hash_password("geheim"))
    assert passwords.needs_rehash("not-a-hash")


def test_old_hash_verifies_and_is_replaced_at_login(client, factory, session):
    org = factory.org()
    user = factory.user(org, Role.DIRECTOR, email="oud@nest.example")
    old_hash = OLD.hash(PASSWORD)
    user.password_hash = old_hash
    session.commit()
    login(client, user)
    session.expire_all()
    stored = session.get(User, user.id).password_hash
    assert stored != old_hash
    assert not passwords.needs_rehash(stored)
    assert passwords.verify_password(stored, PASSWORD)


def test_wrong_password_keeps_the_old_hash(client, factory, session):
    org = factory.org()
    user = factory.user(org, Role.DIRECTOR, email="oud2@nest.example")
    old_hash = OLD.hash(PASSWORD)
    user.password_hash = old_hash
    session.commit()
    response = client.post("/login", data={"email": user.email, "password": "fout-wachtwoord"})
    assert response.status_code == 401
    session.expire_all()
    assert session.get(User, user.id).password_hash == old_hash
