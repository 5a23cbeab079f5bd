"""Nothing typed is lost: every WTForms form of core and the modules is walked, and each field it
shows is either saved (to a named model attribute, which must exist) or explicitly marked as not
stored, with the reason. A field added to a form without a decision here fails the test; the
free-text fields of the main forms are posted and read back from the database. The table is in
``tests/core/form_fates.py``; ``tests/core/test_form_walk.py`` walks the forms as rendered."""
from __future__ import annotations

import importlib
import pkgutil
from datetime import date

import pytest
import wtforms
from sqlalchemy import inspect as sa_inspect
from sqlalchemy import select

import core
import plugins as plugin_package
from core.models import ContactPerson, Family, Role
from tests.conftest import login
from tests.core.form_fates import FATES


def _import_everything() -> None:
    for package in (core, plugin_package):
        for info in pkgutil.walk_packages(package.__path__, package.__name__ + "."):
            if ".migrations" not in info.name and "skeleton" not in info.name:
                importlib.import_module(info.name)


def _form_classes() -> dict[str, type]:
    _import_everything()
    found, todo = {}, list(wtforms.Form.__subclasses__())
    while todo:
        cls = todo.pop()
        todo.extend(cls.__subclasses__())
        if cls.__module__.startswith(("core.", "plugins.")):
            found[f"{cls.__module__}.{cls.__name__}"] = cls
    return found


def _field_names(cls) -> set[str]:
    return {name for name in dir(cls) if isinstance(getattr(cls, name, None), wtforms.fields.core.UnboundField)}


def _models() -> dict[str, type]:
    from core.db import Base
    from core.migrate import import_all_models

    import_all_models()
    return {mapper.class_.__name__: mapper.class_ for mapper in Base.registry.mappers}


def test_every_form_is_known_here():
    assert set(_form_classes()) == set(FATES), "a form was added or removed: decide the fate of its fields here"


@pytest.mark.parametrize("form_name", sorted(FATES))
def test_every_field_is_saved_or_declared_read_only(form_name):
    cls = _form_classes()[form_name]
    assert _field_names(cls) == set(FATES[form_name]), f"{form_name}: a field without a decided fate"
    models = _models()
    for field, fate in FATES[form_name].items():
        if fate.startswith("read-only:"):
            continue
        model_name, attribute = fate.split(".")
        assert model_name in models, f"{form_name}.{field}: no model {model_name}"
        attributes = sa_inspect(models[model_name]).attrs.keys()
        assert attribute in attributes, f"{form_name}.{field}: {model_name} has no {attribute} to keep it in"


# --- posted and read back ------------------------------------------------------------------------


@pytest.fixture
def plugins():
    return ["planning", "wachtlijst"]


@pytest.fixture
def world(factory, client):
    org = factory.org(modules={"planning", "wachtlijst"})
    director = factory.user(org, Role.DIRECTOR)
    login(client, director)
    return org, director


def test_family_form_keeps_every_typed_text(client, session, world):
    org, _director = world
    typed = {"name": "Gezin Tekstproef", "street": "Proefstraat 7", "postcode": "8500", "municipality": "Kortrijk",
             "notes": "Papa haalt op woensdag; allergie voor noten."}
    response = client.post(f"/o/{org.slug}/families/new", data=typed)
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    family = session.scalar(select(Family).where(Family.name == typed["name"]))
    assert {key: getattr(family, key) for key in typed} == typed


def test_contact_form_keeps_every_typed_text(client, session, factory, world):
    org, _director = world
    family = factory.family(org, contacts=0)
    typed = {"first_name": "An", "last_name": "Tekstproef", "relation": "voogd", "email": "an@example.be",
             "phone": "+32 470 12 34 56", "language": "fr", "street": "Proefstraat 8", "postcode": "8500",
             "municipality": "Kortrijk"}
    response = client.post(f"/o/{org.slug}/families/{family.id}/contacts/new", data=typed)
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    contact = session.scalar(select(ContactPerson).where(ContactPerson.last_name == "Tekstproef"))
    assert {key: str(getattr(contact, key)) for key in typed} == typed


def test_care_plan_notes_are_kept_and_shown_and_edited_with_a_new_version(client, session, factory, world,
                                                                          frozen_today):
    from plugins.planning.models import CarePlan

    org, _director = world
    location = factory.location(org, places=18)
    family = factory.family(org)
    child = factory.child(org, family=family, location=location, born=date(2025, 3, 1))
    data = {"location_id": str(location.id), "family_id": str(family.id), "living_group_id": "0",
            "start_date": "2026-12-01", "notes": "Wennen met mama; geen melk na 15u."}
    data.update({f"week_a-days-{d}-kind": "full" if d < 5 else "" for d in range(7)})
    response = client.post(f"/o/{org.slug}/planning/children/{child.id}/plans/new", data=data)
    assert response.status_code == 302, response.get_data(as_text=True)[:1500]
    plan = session.scalar(select(CarePlan).where(CarePlan.child_id == child.id))
    assert plan.notes == "Wennen met mama; geen melk na 15u."
    shown = client.get(f"/o/{org.slug}/planning/children/{child.id}/plans").get_data(as_text=True)
    assert "Wennen met mama; geen melk na 15u." in shown
    form = client.get(f"/o/{org.slug}/planning/plans/{plan.id}/versions/new").get_data(as_text=True)
    assert "Wennen met mama; geen melk na 15u." in form
    data = {"start_date": "2027-01-04", "notes": "Vanaf januari: halve dagen.", "confirm": "y"}  # warnings confirmed
    data.update({f"week_a-days-{d}-kind": "morning" if d < 5 else "" for d in range(7)})
    response = client.post(f"/o/{org.slug}/planning/plans/{plan.id}/versions/new", data=data)
    assert response.status_code == 302, response.get_data(as_text=True)[:1500]
    session.expire_all()
    assert session.get(CarePlan, plan.id).notes == "Vanaf januari: halve dagen."


def test_care_plan_notes_too_long_are_refused_and_nothing_is_written(client, session, factory, world, frozen_today):
    from plugins.planning.models import CarePlan

    org, _director = world
    location = factory.location(org, places=18)
    family = factory.family(org)
    child = factory.child(org, family=family, location=location, born=date(2025, 3, 1))
    data = {"location_id": str(location.id), "family_id": str(family.id), "living_group_id": "0",
            "start_date": "2026-12-01", "notes": "x" * 1001}
    data.update({f"week_a-days-{d}-kind": "full" if d < 5 else "" for d in range(7)})
    response = client.post(f"/o/{org.slug}/planning/children/{child.id}/plans/new", data=data)
    assert response.status_code == 422
    assert session.scalar(select(CarePlan).where(CarePlan.child_id == child.id)) is None


def test_staff_request_form_keeps_every_typed_text(client, session, factory, world, frozen_today):
    from plugins.wachtlijst.models import CareRequest

    org, _director = world
    location = factory.location(org, places=18)
    typed = {"applicant_first_name": "Marie", "applicant_last_name": "Tekstproef", "email": "marie@example.be",
             "phone": "+32 470 12 34 56", "street": "Proefstraat 9", "postcode": "8500", "municipality": "Kortrijk",
             "child_first_name": "Léa", "child_last_name": "Tekstproef", "referrer_name": "",
             "notes": "Broer zit al in de opvang."}
    data = {**typed, "child_birth_date": "2026-08-01", "desired_start": "2027-02-01", "day_0": "full",
            "choice_1": str(location.id), "language": "nl"}
    response = client.post(f"/o/{org.slug}/wachtlijst/new", data=data)
    assert response.status_code == 302, response.get_data(as_text=True)[:1500]
    req = session.scalar(select(CareRequest).where(CareRequest.applicant_last_name == "Tekstproef"))
    assert {key: getattr(req, key) for key in typed} == typed
