"""Data protection: national register numbers encrypted at rest, an audit trail of every create,
update, delete and every opening of a child's file (secrets masked), and an audit page that only
a director sees, only for the own organisation."""
from __future__ import annotations

import json
import random
from datetime import date

import pytest
from sqlalchemy import select, text

from core import crypto
from core.demo import synthetic_national_number
from core.models import AuditEntry, Child, ContactPerson, Family, Role, User
from tests.conftest import login

CHILD_NN = synthetic_national_number(random.Random(1), date(2025, 3, 1))
PARENT_NN = synthetic_national_number(random.Random(2), date(1990, 5, 17))


@pytest.fixture
def org(factory):
    return factory.org(name="Kinderopvang De Vlinder")


@pytest.fixture
def director(factory, org):
    return factory.user(org, Role.DIRECTOR)


@pytest.fixture
def family(factory, org):
    return factory.family(org, name="Gezin Vlinderman")


def entries(session, **where):
    stmt = select(AuditEntry).order_by(AuditEntry.id)
    for key, value in where.items():
        stmt = stmt.where(getattr(AuditEntry, key) == value)
    return session.scalars(stmt).all()


def create_child(client, slug, family_id, **extra):
    data = {"first_name": "Fien", "last_name": "Vlinderman", "date_of_birth": "2025-03-01",
            "national_number": CHILD_NN, "family_ids": [str(family_id)], "location_id": "0"}
    data.update(extra)
    return client.post(f"/o/{slug}/children/new", data=data)


def test_child_national_number_is_encrypted_at_rest(client, session, org, director, family, frozen_today):
    login(client, director)
    assert create_child(client, org.slug, family.id).status_code == 302
    child_id = session.scalar(select(Child.id).where(Child.first_name == "Fien"))
    raw = session.execute(text("SELECT national_number, national_number_hash FROM child WHERE id = :id"),
                          {"id": child_id}).one()
    assert raw.national_number and CHILD_NN not in raw.national_number
    assert CHILD_NN[:6] not in raw.national_number
    assert crypto.decrypt(raw.national_number) == CHILD_NN
    assert raw.national_number_hash == crypto.lookup_hash(CHILD_NN) != CHILD_NN
    assert session.get(Child, child_id).national_number == CHILD_NN


def test_contact_national_number_is_encrypted_at_rest(client, session, org, director, family):
    login(client, director)
    response = client.post(f"/o/{org.slug}/families/{family.id}/contacts/new", data={
        "first_name": "Ilse", "last_name": "Vlinderman", "relation": "ouder", "language": "nl",
        "national_number": PARENT_NN})
    assert response.status_code == 302
    contact_id = session.scalar(select(ContactPerson.id).where(ContactPerson.first_name == "Ilse"))
    raw = session.execute(text("SELECT national_number FROM contact_person WHERE id = :id"), {"id": contact_id}).scalar()
    assert PARENT_NN not in raw and crypto.decrypt(raw) == PARENT_NN


def test_encryption_is_not_deterministic():
    assert crypto.encrypt(CHILD_NN) != crypto.encrypt(CHILD_NN)


def test_create_and_update_are_audited_with_old_and_new_values_and_secrets_masked(
        client, session, org, director, family, frozen_today):
    login(client, director)
    create_child(client, org.slug, family.id)
    child_id = session.scalar(select(Child.id).where(Child.first_name == "Fien"))
    [created] = entries(session, entity="child", entity_id=child_id, action="create")
    assert created.user_id == director.id and created.organisation_id == org.id
    assert created.changes["first_name"] == [None, "Fien"]
    assert created.changes["date_of_birth"] == [None, "2025-03-01"]
    assert created.changes["national_number"] == [None, "***"]
    assert created.changes["national_number_hash"] == [None, "***"]
    response = client.post(f"/o/{org.slug}/children/{child_id}/edit", data={
        "first_name": "Fenna", "last_name": "Vlinderman", "date_of_birth": "2025-03-01",
        "national_number": "", "clear_national_number": "y", "family_ids": [str(family.id)], "location_id": "0"})
    assert response.status_code == 302
    [updated] = entries(session, entity="child", entity_id=child_id, action="update")
    assert updated.changes["first_name"] == ["Fien", "Fenna"]
    assert updated.changes["national_number"] == ["***", None]
    assert "last_name" not in updated.changes  # unchanged fields are not logged
    dumped = json.dumps([e.changes for e in entries(session)])
    assert CHILD_NN not in dumped and CHILD_NN[:6] + CHILD_NN[6:9] not in dumped


def test_delete_is_audited_with_the_old_values(app, session, org, family):
    family_id = family.id
    session.delete(session.get(Family, family_id))
    session.flush()
    [deleted] = entries(session, entity="family", entity_id=family_id, action="delete")
    assert deleted.changes["name"] == ["Gezin Vlinderman", None]
    assert deleted.organisation_id == org.id
    # the contacts went with the family (cascade) and are logged too
    assert entries(session, entity="contact_person", action="delete")


def test_password_hashes_are_masked_in_the_audit_log(client, session, org, director):
    login(client, director)
    client.post(f"/o/{org.slug}/users/new", data={
        "name": "Nieuwe Collega", "email": "collega@vlinder.example", "role": "finance", "language": "nl",
        "password": "een-lang-wachtwoord"})
    user_id = session.scalar(select(User.id).where(User.email == "collega@vlinder.example"))
    [created] = entries(session, entity="user_account", entity_id=user_id, action="create")
    assert created.changes["password_hash"] == [None, "***"]
    assert "argon2" not in json.dumps(created.changes)


@pytest.mark.parametrize("role", [Role.DIRECTOR, Role.CAREGIVER, Role.FINANCE])
def test_opening_a_childs_file_is_recorded(client, session, factory, org, role):
    location = factory.location(org)
    child = factory.child(org, location=location)
    child_id = child.id
    user = factory.user(org, role, locations=[location] if role == Role.CAREGIVER else ())
    login(client, user)
    assert client.get(f"/o/{org.slug}/children/{child_id}").status_code == 200
    [view] = entries(session, entity="child", entity_id=child_id, action="view")
    assert view.user_id == user.id and view.organisation_id == org.id
    # the list does not count as opening a file
    client.get(f"/o/{org.slug}/children/")
    assert len(entries(session, entity="child", entity_id=child_id, action="view")) == 1


def test_a_refused_file_opening_records_nothing(client, session, factory, org):
    location, elsewhere = factory.location(org), factory.location(org)
    child_id = factory.child(org, location=elsewhere).id
    login(client, factory.user(org, Role.CAREGIVER, locations=[location]))
    assert client.get(f"/o/{org.slug}/children/{child_id}").status_code == 404
    assert entries(session, entity="child", entity_id=child_id, action="view") == []


def test_only_a_director_reads_the_national_number_on_the_file(client, factory, org, family, session):
    location = factory.location(org)
    child = factory.child(org, family=family, location=location)
    child.national_number = CHILD_NN
    session.commit()
    slug, child_id = org.slug, child.id
    login(client, factory.user(org, Role.CAREGIVER, locations=[location]))
    body = client.get(f"/o/{slug}/children/{child_id}").get_data(as_text=True)
    assert "geregistreerd" in body and CHILD_NN[:6] not in body


@pytest.mark.parametrize("role", [Role.FINANCE, Role.CAREGIVER, Role.COORDINATOR])
def test_audit_page_is_for_directors_only(client, factory, org, role):
    login(client, factory.user(org if role != Role.COORDINATOR else None, role))
    assert client.get(f"/o/{org.slug}/audit").status_code == 403


def test_audit_page_shows_only_the_own_organisation(client, session, factory, org, director):
    other = factory.org(name="Andere Opvang")
    factory.family(other, name="Gezin Buitenstaander")
    factory.family(org, name="Gezin Binnenstaander")
    login(client, director)
    body = client.get(f"/o/{org.slug}/audit").get_data(as_text=True)
    assert "Gezin Binnenstaander" in body
    assert "Gezin Buitenstaander" not in body and "Andere Opvang" not in body
    searched = client.get(f"/o/{org.slug}/audit", query_string={"q": "Buitenstaander"}).get_data(as_text=True)
    assert "Gezin Buitenstaander" not in searched
    other_slug = other.slug
    assert client.get(f"/o/{other_slug}/audit").status_code == 404


def test_an_entry_of_a_record_without_a_readable_name_has_no_python_repr(app, session, org, family):
    contact = ContactPerson(organisation_id=org.id, family_id=family.id, first_name="Fien", last_name="Vlinderman")
    session.add(contact)
    session.flush()
    assert type(contact).__str__ is object.__str__  # the case this test is about
    [created] = entries(session, entity="contact_person", entity_id=contact.id, action="create")
    assert " object at 0x" not in created.summary and created.summary == ""
    [named] = entries(session, entity="family", entity_id=family.id, action="create")
    assert named.summary == "Gezin Vlinderman"


@pytest.mark.parametrize("lang, label", [("nl", "Gezin #"), ("fr", "Famille #"), ("en", "Family #")])
def test_audit_page_names_what_changed_in_the_readers_language(client, factory, org, director, lang, label):
    factory.family(org, name="Gezin Leesbaar")
    login(client, director)
    client.set_cookie("lang", lang)
    body = client.get(f"/o/{org.slug}/audit").get_data(as_text=True)
    assert label in body and ">family #" not in body


def test_every_audited_model_has_a_label():
    from core.audit import audit_labels
    from core.db import Base
    from core.migrate import import_all_models

    import_all_models()
    audited = {m.class_.__tablename__ for m in Base.registry.mappers if getattr(m.class_, "__audited__", False)}
    assert audited - set(audit_labels()) == set()


def test_the_edit_form_masks_the_national_number_and_keeps_it_unless_a_new_one_is_typed(
        client, session, org, director, family, frozen_today):
    from core.validators import format_national_number

    login(client, director)
    create_child(client, org.slug, family.id)
    child_id = session.scalar(select(Child.id).where(Child.first_name == "Fien"))
    url = f"/o/{org.slug}/children/{child_id}/edit"
    page = client.get(url).get_data(as_text=True)
    assert CHILD_NN not in page and format_national_number(CHILD_NN) not in page
    # the serial digits are not there (the organisation's slug, org-<sequence>, may contain them by chance)
    assert CHILD_NN[6:9] not in page.replace(CHILD_NN[:6], "").replace(f"/o/{org.slug}/", "/o/-/")
    assert f"{CHILD_NN[:6]}-•••-••" in page
    form = {"first_name": "Fien", "last_name": "Vlinderman", "date_of_birth": "2025-03-01",
            "national_number": "", "family_ids": [str(family.id)], "location_id": "0"}
    assert client.post(url, data=form).status_code == 302
    session.expire_all()
    assert session.get(Child, child_id).national_number == CHILD_NN  # left empty: kept
    other = synthetic_national_number(random.Random(7), date(2025, 3, 1))
    assert client.post(url, data={**form, "national_number": other}).status_code == 302
    session.expire_all()
    assert session.get(Child, child_id).national_number == other  # typed: replaced


def test_showing_the_national_number_in_full_is_a_post_and_is_audited(
        client, session, factory, org, director, family, frozen_today):
    from core.validators import format_national_number

    login(client, director)
    create_child(client, org.slug, family.id)
    child_id = session.scalar(select(Child.id).where(Child.first_name == "Fien"))
    url = f"/o/{org.slug}/children/{child_id}/national-number"
    assert client.get(url).status_code == 405
    before = len([e for e in entries(session, entity="child", entity_id=child_id, action="view")
                  if (e.changes or {}).get("opened") == "rijksregisternummer"])
    shown = client.post(url)
    assert shown.status_code == 200 and format_national_number(CHILD_NN) in shown.get_data(as_text=True)
    views = [e for e in entries(session, entity="child", entity_id=child_id, action="view")
             if (e.changes or {}).get("opened") == "rijksregisternummer"]
    assert len(views) == before + 1 and views[-1].user_id == director.id
    location = factory.location(org)
    login(client, factory.user(org, Role.CAREGIVER, locations=[location]))
    assert client.post(url).status_code == 403
