"""Key rotation: several Fernet keys (newest first), old ciphertexts stay readable, and
``koepel crypto rotate`` re-encrypts everything with the newest key and rebuilds the lookup
hashes in one transaction, after which the old key can be dropped."""
from __future__ import annotations

import random
from datetime import date

import pytest
from click.testing import CliRunner
from cryptography.fernet import Fernet
from flask.cli import ScriptInfo
from sqlalchemy import text

from core import crypto
from core.app import create_app
from core.cli import main
from core.demo import synthetic_national_number
from core.models import Child, ContactPerson, Role
from tests.conftest import TEST_KEY, login, make_config

OLD = TEST_KEY
NEW = Fernet.generate_key().decode()
OTHER = Fernet.generate_key().decode()
CHILD_NN = synthetic_national_number(random.Random(11), date(2025, 3, 1))
PARENT_NN = synthetic_national_number(random.Random(12), date(1990, 5, 17))


@pytest.fixture(autouse=True)
def restore_key():
    yield
    crypto.configure(OLD)


@pytest.fixture
def stored(session, factory):
    """A child and a contact person with national numbers, written under the old key only."""
    crypto.configure(OLD)
    org = factory.org()
    family = factory.family(org)
    child = factory.child(org, family=family, national_number=CHILD_NN,
                          national_number_hash=crypto.lookup_hash(CHILD_NN))
    contact = family.contacts[0]
    contact.national_number = PARENT_NN
    session.commit()
    return {"org": org, "family": family, "child_id": child.id, "contact_id": contact.id}


def raw(session, table, row_id):
    return session.execute(text(f"SELECT * FROM {table} WHERE id = :id"), {"id": row_id}).mappings().one()


def reread(session, model, row_id):
    session.expire_all()
    return session.get(model, row_id)


def cli(app, *args):
    return CliRunner().invoke(main, list(args), obj=ScriptInfo(create_app=lambda: app))


def test_old_data_is_readable_after_adding_a_new_key(session, stored):
    crypto.configure(f"{NEW},{OLD}")
    assert reread(session, Child, stored["child_id"]).national_number == CHILD_NN
    assert reread(session, ContactPerson, stored["contact_id"]).national_number == PARENT_NN
    # new values are written with the newest key
    token = crypto.encrypt("x")
    assert Fernet(NEW.encode()).decrypt(token.encode()) == b"x"
    # the stored (old) hash is still found
    assert raw(session, "child", stored["child_id"])["national_number_hash"] in crypto.lookup_hashes(CHILD_NN)
    assert crypto.lookup_hash(CHILD_NN) == crypto.lookup_hashes(CHILD_NN)[0] != crypto.lookup_hashes(CHILD_NN)[1]


def test_without_the_old_key_old_data_is_unreadable(session, stored):
    crypto.configure(NEW)
    with pytest.raises(RuntimeError, match="cannot decrypt"):
        reread(session, Child, stored["child_id"]).national_number  # noqa: B018


def test_rotate_reencrypts_with_the_newest_key(app, session, stored):
    old_child = raw(session, "child", stored["child_id"])
    crypto.configure(f"{NEW},{OLD}")
    result = cli(app, "crypto", "rotate")
    assert result.exit_code == 0, result.output
    assert "2 waarden opnieuw versleuteld" in result.output and "1 opzoeksleutels herberekend" in result.output
    new_child = raw(session, "child", stored["child_id"])
    assert new_child["national_number"] != old_child["national_number"]
    assert new_child["national_number_hash"] != old_child["national_number_hash"]
    # re-encrypting is no change of the file: the retention clock (updated_at) stays
    assert str(new_child["updated_at"]) == str(old_child["updated_at"])
    # only the new key from now on
    crypto.configure(NEW)
    assert reread(session, Child, stored["child_id"]).national_number == CHILD_NN
    assert reread(session, ContactPerson, stored["contact_id"]).national_number == PARENT_NN
    assert new_child["national_number_hash"] == crypto.lookup_hash(CHILD_NN)
    assert Fernet(NEW.encode()).decrypt(new_child["national_number"].encode()).decode() == CHILD_NN
    # and the old key alone can no longer read it
    crypto.configure(OLD)
    with pytest.raises(RuntimeError):
        reread(session, Child, stored["child_id"]).national_number  # noqa: B018


def test_duplicate_check_works_between_adding_the_key_and_rotating(client, session, stored, factory):
    crypto.configure(f"{NEW},{OLD}")
    director = factory.user(stored["org"], Role.DIRECTOR)
    login(client, director)
    response = client.post(f"/o/{stored['org'].slug}/children/new", data={
        "first_name": "Tweeling", "last_name": "X", "date_of_birth": "2025-03-01", "national_number": CHILD_NN,
        "family_ids": [str(stored["family"].id)], "location_id": "0"})
    assert response.status_code == 422
    assert "Er is al een kind met dit rijksregisternummer." in response.get_data(as_text=True)


def test_rotate_with_an_unreadable_value_changes_nothing(app, session, stored):
    crypto.configure(OTHER)  # a value written under a key that is not configured below
    stray = Fernet(OTHER.encode()).encrypt(b"00000000000").decode()
    session.execute(text("UPDATE contact_person SET national_number = :v WHERE id = :id"),
                    {"v": stray, "id": stored["contact_id"]})
    session.commit()
    before = raw(session, "child", stored["child_id"])
    crypto.configure(f"{NEW},{OLD}")
    result = cli(app, "crypto", "rotate")
    assert result.exit_code == 2
    assert "cannot decrypt with any key" in result.stderr and "niets gewijzigd" in result.stderr
    assert "Traceback" not in result.output
    assert raw(session, "child", stored["child_id"]) == before


def test_rotate_twice_keeps_data_readable(app, session, stored):
    crypto.configure(f"{NEW},{OLD}")
    assert cli(app, "crypto", "rotate").exit_code == 0
    again = cli(app, "crypto", "rotate")
    assert again.exit_code == 0 and "2 waarden" in again.output
    crypto.configure(NEW)
    assert reread(session, Child, stored["child_id"]).national_number == CHILD_NN


@pytest.mark.parametrize("bad", ["", " , ", "not-a-key", f"{NEW},kapot"])
def test_bad_key_lists_are_refused(bad):
    with pytest.raises(ValueError):
        crypto.configure(bad)


def test_key_list_from_the_app_config(tmp_path, session, stored):
    create_app(make_config("sqlite://", tmp_path, KOEPEL_ENCRYPTION_KEY=f" {NEW} , {OLD} "), plugins=[])
    assert reread(session, Child, stored["child_id"]).national_number == CHILD_NN
    assert Fernet(NEW.encode()).decrypt(crypto.encrypt("y").encode()) == b"y"
