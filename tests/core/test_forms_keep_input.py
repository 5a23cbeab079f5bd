"""Nothing typed is lost: every WTForms form of core and the modules is walked, and each field it
shows is either saved (to a named model attribute, which must exist) or explicitly marked as not
stored, with the reason. A field added to a form without a decision here fails the test; the
free-text fields of the main forms are posted and read back from the database."""
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

# Not stored, on purpose (each with why):
ACTION = "read-only: steers the action (confirmation, choice, navigation), nothing to keep"
CREDENTIAL = "read-only: a credential, checked or hashed, never stored as typed"
FILTER = "read-only: chooses what the page shows"
PART = "read-only: part of the weekly pattern, stored as its PatternDay rows (see CarePlanForm.week_a)"

# Form -> field -> "Model.attribute" (saved there) or a reason it is not stored.
FATES: dict[str, dict[str, str]] = {
    "core.forms.LoginForm": {"email": CREDENTIAL, "password": CREDENTIAL},
    "core.forms.ConfirmForm": {},
    "core.forms.OrganisationForm": {name: f"Organisation.{name}" for name in (
        "name", "legal_form", "enterprise_number", "street", "postcode", "municipality", "iban", "bic",
        "sepa_creditor_id", "price_regime", "subsidy_level")},
    "core.forms.LocationForm": {
        **{name: f"Location.{name}" for name in ("name", "care_type", "street", "postcode", "municipality",
                                                  "opgroeien_file_no", "licensed_places", "caregiver_name",
                                                  "flex_subsidy", "out_of_school_permission")},
        "opens": "OpeningHours.opens", "closes": "OpeningHours.closes", "weekdays": "OpeningHours.weekday"},
    "core.forms.FamilyForm": {name: f"Family.{name}" for name in ("name", "street", "postcode", "municipality",
                                                                  "notes")},
    "core.forms.ContactForm": {name: f"ContactPerson.{name}" for name in (
        "first_name", "last_name", "relation", "email", "phone", "language", "street", "postcode", "municipality",
        "national_number")},
    "core.forms.ChildForm": {
        **{name: f"Child.{name}" for name in ("first_name", "last_name", "date_of_birth", "expected_birth_date",
                                               "national_number", "care_need", "location_id")},
        "family_ids": "ChildFamily.family_id",
        "clear_national_number": ACTION},  # removes the stored Child.national_number
    "core.forms.UserForm": {"name": "User.name", "email": "User.email", "role": "User.role",
                            "language": "User.language", "password": "User.password_hash",
                            "location_ids": "User.locations"},
    "core.forms.LivingGroupForm": {name: f"LivingGroup.{name}" for name in (
        "name", "capacity", "min_age_months", "max_age_months")},
    "plugins.planning.forms.CarePlanForm": {
        "location_id": "CarePlan.location_id", "family_id": "CarePlan.family_id",
        "living_group_id": "CarePlan.living_group_id", "start_date": "CarePlan.start_date",
        "end_date": "CarePlan.end_date", "settling_in_end": "CarePlan.settling_in_until",
        "alternating": "CarePlanVersion.kind", "week_a": "PatternDay.day_part", "week_b": "PatternDay.day_part",
        "schedule": "ScheduleDay.day", "notes": "CarePlan.notes", "confirm": ACTION,
        "own_child": "CarePlan.own_child"},
    "plugins.planning.forms.HouseRulesForm": {name: f"HouseRules.{name}" for name in (
        "effective_date", "title", "text", "pdf", "to_detriment")},
    "plugins.planning.forms.AgreementForm": {name: f"CareAgreement.{name}" for name in (
        "deposit_amount", "low_income", "language")},
    "plugins.planning.forms.SignedCopyForm": {"scan": "CareAgreement.signed_copy"},
    "plugins.planning.forms.AcceptForm": {},
    "plugins.planning.forms.WeekForm": {"days": PART},
    "plugins.planning.forms.DaySlotForm": {"kind": "PatternDay.day_part", "start": "PatternDay.start_time",
                                           "end": "PatternDay.end_time"},
    "plugins.planning.forms.EndPlanForm": {"end_date": "CarePlan.end_date"},
    "plugins.planning.forms.ExtraDayForm": {"day": "ExtraDay.day", "kind": "ExtraDay.day_part",
                                            "start": "ExtraDay.start_time", "end": "ExtraDay.end_time"},
    "plugins.planning.forms.ClosingDayForm": {"start_date": "ClosingPeriod.start_date",
                                              "end_date": "ClosingPeriod.end_date",
                                              "location_id": "ClosingPeriod.location_id",
                                              "kind": "ClosingPeriod.kind", "reason": "ClosingPeriod.reason"},
    "plugins.planning.forms.DeleteForm": {"next": ACTION},
    "plugins.planning.forms.YearForm": {"year": FILTER},
    "plugins.wachtlijst.forms.RequestForm": {
        **{name: f"CareRequest.{name}" for name in (
            "applicant_first_name", "applicant_last_name", "email", "phone", "street", "postcode", "municipality",
            "child_first_name", "child_last_name", "child_birth_date", "expected_birth_date", "desired_start",
            "work", "single_parent", "low_income", "foster_child", "sibling_in_care", "care_need", "low_education",
            "family_member_handicap", "family_member_self_care", "social_pedagogical", "dutch_speaking", "urgent",
            "referrer_name", "consent_referrers", "language", "notes")},
        "twin_first_name": "CareRequest.child_first_name",  # the twin's own request
        **{f"day_{i}": "CareRequest.days" for i in range(5)},
        **{f"choice_{i}": "Preference.location_id" for i in range(1, 6)}},
    "plugins.wachtlijst.forms.DeclineForm": {"reason": "Offer.decline_reason"},
    "plugins.wachtlijst.forms.PolicyForm": {},  # CSRF only: rank-<rule> selects, kept in Policy.rules
    # facturatie, payments (fact-pay)
    "plugins.facturatie.views.payment_forms.MandateForm": {
        name: f"SepaMandate.{name}" for name in ("reference", "contact_id", "debtor_name", "iban", "bic", "signed_on")},
    "plugins.facturatie.views.payment_forms.AmendForm": {
        "debtor_name": "SepaMandate.debtor_name", "reference": "SepaMandate.reference",
        "iban": "SepaMandate.iban", "bic": "SepaMandate.bic",
        "reason": "SepaMandateAmendment.reason"},
    "plugins.facturatie.views.payment_forms.CollectionForm": {"collection_date": "DirectDebitBatch.collection_date"},
    "plugins.facturatie.views.payment_forms.UploadForm": {
        "files": "read-only: a bank statement, parsed into BankMovement rows (CodaImport keeps its name and hash)"},
    "plugins.facturatie.views.payment_forms.MatchForm": {"invoice_id": "PaymentAllocation.invoice_id"},
    "plugins.facturatie.views.payment_forms.CashForm": {
        "invoice_id": "PaymentAllocation.invoice_id", "amount": "Payment.amount", "received_on": "Payment.received_on"},
    "plugins.facturatie.views.payment_forms.MethodForm": {
        "payment_method": "BillingProfile.payment_method", "reminders_stopped": "BillingProfile.reminders_stopped"},
    # loket_sync: the connection (the secret is write-only, encrypted in core's outbound secrets)
    "plugins.loket_sync.forms.ConnectionForm": {
        "adapter": "Connection.adapter", "base_url": "Connection.base_url", "partner_id": "Connection.partner_id",
        "key_id": "Connection.key_id", "secret": "OutboundSecret.value"},
    "plugins.facturatie.views.payment_forms.HandicapForm": {
        "child_id": "ChildFiscalInfo.child_id", "severe_handicap": "ChildFiscalInfo.severe_handicap"},
}


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
