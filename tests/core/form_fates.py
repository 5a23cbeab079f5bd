"""Where every typed field goes: the one reviewed table of the form walk.

``FATES``: each WTForms class of core and the modules -> field -> ``Model.attribute`` it is saved
in, or a reason (``read-only: ...``) it is not stored. ``SHOWN``: each endpoint that receives a
posted form a user can see -> field name as shown (digits become ``#``) -> the same. An endpoint
built on a WTForms class reuses that class's entry (``_of``). A new field without an entry, or an
entry naming an attribute that does not exist, fails ``tests/core/test_form_walk.py`` and
``tests/core/test_forms_keep_input.py``.
"""
from __future__ import annotations

from tests.core.form_walk import field_key

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


ID = "read-only: names the row the action is about (hidden)"
CONFIRMATION = "read-only: typed twice to catch a typing error; compared with the first, not stored"
UPLOAD = "read-only: an uploaded file, parsed or stored as a document (its contents, not the typed name)"


def _of(form_class: str, **extra: str) -> dict[str, str]:
    return {field_key(name): fate for name, fate in {**FATES[form_class], **extra}.items()}


_PATTERN = {f"{week}-days-#-{part}": fate for week in ("week_a", "week_b") for part, fate in (
    ("kind", "PatternDay.day_part"), ("start", "PatternDay.start_time"), ("end", "PatternDay.end_time"))}

SHOWN: dict[str, dict[str, str]] = {
    # core
    "auth.login": _of("core.forms.LoginForm"),
    "org.edit": _of("core.forms.OrganisationForm"),
    "koepel.create_organisation": _of("core.forms.OrganisationForm"),
    "org.create_user": _of("core.forms.UserForm"),
    "org.upload_logo": {"logo": "Organisation.logo", "remove": ACTION},
    "locations.create": _of("core.forms.LocationForm"),
    "locations.edit": _of("core.forms.LocationForm"),
    "locations.add_group": _of("core.forms.LivingGroupForm"),
    "families.create": _of("core.forms.FamilyForm"),
    "families.edit": _of("core.forms.FamilyForm"),
    "families.add_contact": _of("core.forms.ContactForm"),
    "children.create": _of("core.forms.ChildForm"),
    "children.edit": _of("core.forms.ChildForm"),
    "incidents.index": {name: f"IncidentEntry.{name}" for name in ("occurred_on", "kind", "summary", "follow_up")},
    "incidents.follow_up": {"follow_up": "IncidentEntry.follow_up"},
    # every setting definition of the organisation, parsed and kept under its key (one generic loop)
    "settings.index": {"*.*": "OrganisationSetting.value"},
    # planning
    "planning.new_plan": _of("plugins.planning.forms.CarePlanForm", **_PATTERN),
    "planning.new_version": _of("plugins.planning.forms.CarePlanForm", **_PATTERN,
                                start_date="CarePlanVersion.start_date"),  # the change's effective date
    "planning.end_plan": _of("plugins.planning.forms.EndPlanForm"),
    "planning.closing_days": _of("plugins.planning.forms.ClosingDayForm"),
    "planning.house_rules": _of("plugins.planning.forms.HouseRulesForm"),
    "planning.child_agreements": _of("plugins.planning.forms.AgreementForm"),
    # aanwezigheden (hand-written forms)
    "aanwezigheden.absence_notice": {name: f"Absence.{name}" for name in ("child_id", "day", "kind", "reason", "note")},
    "aanwezigheden.child_code": {
        **{name: f"ChildCode.{name}" for name in ("kindcode", "sex", "school_start", "school_part_time", "own_child")},
        "household_#": "HouseholdKindcode.kindcode"},
    "aanwezigheden.day": {"action": ACTION, "date": "AttendanceEvent.day", "time": "AttendanceEvent.at",
                          "child_id": "AttendanceEvent.child_id", "kind": "AttendanceEvent.kind",
                          "reason": "AttendanceEvent.reason", "event_id": ID},
    "aanwezigheden.devices": {"location_id": "Device.location_id", "name": "Device.name"},
    "aanwezigheden.kot_api": {"token": "KotCredential.token", "remove": ACTION},
    "aanwezigheden.pin": {"pin": "StaffPin.pin_hash", "pin_again": CONFIRMATION},
    "aanwezigheden.rejected": {"item_id": ID, "event_id": ID, "reason": "RejectedItem.reason"},
    # facturatie (hand-written forms)
    "facturatie.billing_profile_post": {name: f"BillingProfile.{name}" for name in (
        "paying_contact_id", "payment_method", "invoice_email", "notes", "is_company", "company_name",
        "company_kbo", "company_vat")},
    "facturatie.child_tariffs_post": {
        "action": ACTION,
        **{name: f"IncomeTariffAttest.{name}" for name in (
            "kindcode", "day_price", "valid_from", "valid_to", "ivt", "family_id", "notes")},
        "tariff_plan_id": "ChildBilling.tariff_plan_id",
        "share_#": "CostShare.percent",  # a child in two households: each household's share of the bill
        "item_id": "ExtraUse.item_id", "day": "ExtraUse.day", "quantity": "ExtraUse.quantity"},
    "facturatie.plan_add": {
        **{name: f"TariffPlan.{name}" for name in ("name", "mode", "is_default", "sibling_reduction_pct")},
        **{name: f"TariffPlanPrice.{name}" for name in ("valid_from", "full_day", "half_day", "hour", "month_fee")}},
    "facturatie.plan_price_add": {name: f"TariffPlanPrice.{name}" for name in (
        "valid_from", "full_day", "half_day", "hour", "month_fee")},
    "facturatie.extra_add": {name: f"ExtraItem.{name}" for name in ("name", "kind", "price", "per_present_day")},
    "facturatie.credit": {"amount_#": "InvoiceLine.amount", "reason": "Invoice.reason",
                          "mode": ACTION},  # full or partial credit note: decides which amounts are used
    "facturatie.accept": {"key": "WarningAcceptance.key", "reason": "WarningAcceptance.reason"},
    "facturatie.attest_import_post": {"file": UPLOAD},
    "facturatie.payments_bank_upload": _of("plugins.facturatie.views.payment_forms.UploadForm"),
    "facturatie.payments_batch_new": _of("plugins.facturatie.views.payment_forms.CollectionForm"),
    "facturatie.payments_mandate_new": _of("plugins.facturatie.views.payment_forms.MandateForm"),
    "facturatie.payments_mandate_amend": _of("plugins.facturatie.views.payment_forms.AmendForm"),
    "facturatie.payments_match": _of("plugins.facturatie.views.payment_forms.MatchForm"),
    "facturatie.payments_cash": _of("plugins.facturatie.views.payment_forms.CashForm"),
    "facturatie.payments_method": _of("plugins.facturatie.views.payment_forms.MethodForm"),
    "facturatie.payments_handicap": _of("plugins.facturatie.views.payment_forms.HandicapForm"),
    # loket_sync
    "loket_sync.save_settings": _of("plugins.loket_sync.forms.ConnectionForm"),
    # wachtlijst (hand-written forms)
    "wachtlijst.create": _of("plugins.wachtlijst.forms.RequestForm"),
    "wachtlijst.close": {"reason": "StatusChange.reason",
                         "how": "read-only: chooses the new status (withdrawn, or lapsed that does not count)"},
    "wachtlijst.duplicates": {"keep": ID, "drop": ID},
    "wachtlijst.policy_page": {"preset": "Policy.rules", "rank-*": "Policy.rules"},
    "wachtlijst.make_offer": {"request_id": "Offer.request_id", "slot": "Offer.location_id", "confirm": ACTION,
                              "start_date": "Offer.start_date", "deadline": "Offer.deadline"},
    "wachtlijst.answer_offer": {"answer": ACTION, "reason": "Offer.decline_reason"},
    "wachtlijst.public_answer": {"offer_id": ID, "answer": ACTION, "reason": "Offer.decline_reason"},
    "wachtlijst_koepel.koepel_propose": {"start": "AllocationRun.start"},
    "wachtlijst_koepel.koepel_send": {"request_id": ID},
}
