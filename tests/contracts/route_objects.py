"""How the tenancy contract test fills each URL argument with an object of *another*
organisation (the victim). Every URL argument name used by any route must have an entry here;
the contract test fails on an unknown name, so a new route cannot escape the check.

Each entry: ``name -> function(factory, victim_org, session) -> value for the URL``.
Plugins add their own entries (one line each) next to the core ones.
"""
from __future__ import annotations

from collections.abc import Callable


def _victim_incident(factory, org, session) -> int:
    from datetime import date

    from core.models import IncidentEntry, IncidentKind

    entry = IncidentEntry(organisation_id=org.id, occurred_on=date(2026, 1, 5), kind=IncidentKind.KLACHT,
                          summary="victim", follow_up="", last_activity_on=date(2026, 1, 5))
    session.add(entry)
    session.flush()
    return entry.id


ROUTE_OBJECTS: dict[str, Callable] = {
    "org": lambda f, org, s: org.slug,
    "location_id": lambda f, org, s: f.location(org).id,
    "family_id": lambda f, org, s: f.family(org).id,
    "child_id": lambda f, org, s: f.child(org, location=f.location(org)).id,
    "group_id": lambda f, org, s: f.location(org).living_groups[0].id,
    "module": lambda f, org, s: "planning",
    "change": lambda f, org, s: "enable",
    "code": lambda f, org, s: "fr",
    "filename": lambda f, org, s: "core/koepel.css",
    "device_id": lambda f, org, s: __import__("tests.plugins.aanwezigheden.helpers", fromlist=["_"]).victim_device(f, org, s),
    "request_id": lambda f, org, s: __import__("tests.plugins.wachtlijst.helpers", fromlist=["_"]).route_request_id(f, org, s),
    "offer_id": lambda f, org, s: __import__("tests.plugins.wachtlijst.helpers", fromlist=["_"]).route_offer_id(f, org, s),
    "run_id": lambda f, org, s: __import__("tests.plugins.wachtlijst.helpers", fromlist=["_"]).route_run_id(f, org, s),
    "token": lambda f, org, s: __import__("tests.plugins.wachtlijst.helpers", fromlist=["_"]).route_token(f, org, s),
    "job_id": lambda f, org, s: __import__("tests.core.outbox_helpers", fromlist=["_"]).victim_job(f, org, s),
    "document_id": lambda f, org, s: __import__("tests.core.outbox_helpers", fromlist=["_"]).victim_document(f, org, s),
    "care_plan_id": lambda f, org, s: __import__("tests.plugins.planning.route_objects_planning", fromlist=["x"]).victim_care_plan(f, org, s),
    "house_rules_id": lambda f, org, s: __import__("tests.plugins.planning.route_objects_planning", fromlist=["x"]).victim_house_rules(f, org, s),
    "agreement_id": lambda f, org, s: __import__("tests.plugins.planning.route_objects_planning", fromlist=["x"]).victim_agreement(f, org, s),
    "closing_day_id": lambda f, org, s: __import__("tests.plugins.planning.route_objects_planning", fromlist=["x"]).victim_closing_day(f, org, s),
    "entry_id": _victim_incident,
    "year": lambda f, org, s: 2026,
    "month": lambda f, org, s: 10,
    "fmt": lambda f, org, s: "xlsx",
    "invoice_id": lambda f, org, s: __import__("tests.plugins.facturatie.route_objects_facturatie", fromlist=["x"]).victim_invoice(f, org, s),
    "plan_id": lambda f, org, s: __import__("tests.plugins.facturatie.engine_helpers", fromlist=["x"]).victim_plan(f, org, s),
    "mandate_id": lambda f, org, s: __import__("tests.plugins.facturatie.route_objects_payments", fromlist=["x"]).victim_mandate(f, org, s),
    "batch_id": lambda f, org, s: __import__("tests.plugins.facturatie.route_objects_payments", fromlist=["x"]).victim_batch(f, org, s),
    "movement_id": lambda f, org, s: __import__("tests.plugins.facturatie.route_objects_payments", fromlist=["x"]).victim_movement(f, org, s),
    "payment_id": lambda f, org, s: __import__("tests.plugins.facturatie.route_objects_payments", fromlist=["x"]).victim_payment(f, org, s),
    "certificate_id": lambda f, org, s: __import__("tests.plugins.facturatie.route_objects_payments", fromlist=["x"]).victim_certificate(f, org, s),
}
