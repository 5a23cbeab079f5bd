"""Helpers for the wachtlijst tests (and the tenancy contract's URL-argument registry)."""
from __future__ import annotations

import itertools
from datetime import date

from core.context import context_for
from plugins.wachtlijst.services.intake import RequestData, create_requests

_seq = itertools.count(1)
WEEKDAYS_FULL = [{"weekday": d, "day_part": "full"} for d in range(5)]


def request_data(location_ids, **overrides) -> RequestData:
    values = dict(applicant_first_name="Ouder", applicant_last_name="Peeters", email="ouder@example.be",
                  child_first_name="Lotte", child_last_name="Peeters", child_birth_date=date(2026, 6, 1),
                  desired_start=date(2027, 1, 4), location_ids=list(location_ids), days=list(WEEKDAYS_FULL))
    facts = overrides.pop("facts", {})
    values.update(overrides)
    return RequestData(**values, facts=facts)


def make_request(session, org, location_ids, *, channel="staff", actor=None, **overrides):
    """One stored request (confirmed when entered by staff); returns (request, token)."""
    return create_requests(context_for(session, org), request_data(location_ids, **overrides), channel=channel, actor=actor)[0]


def route_token(factory, org, session) -> str:
    """A real status-page token of a request of ``org`` (for the tenancy contract test)."""
    location = factory.location(org)
    _req, token = make_request(session, org, [location.id], child_first_name="Contractkind",
                               child_last_name="Wachtlijsttest", email=f"contract{next(_seq)}@example.be")
    session.commit()
    return token


def route_request_id(factory, org, session) -> int:
    location = factory.location(org)
    req, _token = make_request(session, org, [location.id], child_first_name="Contractkind",
                               child_last_name="Wachtlijstid", email=f"contract-id{next(_seq)}@example.be")
    session.commit()
    return req.id


def route_offer_id(factory, org, session) -> int:
    from datetime import timedelta

    from core.clock import clock
    from plugins.wachtlijst.models import CareRequest, Offer, OfferStatus

    req_id = route_request_id(factory, org, session)
    location_id = session.get(CareRequest, req_id).preferences[0].location_id
    offer = Offer(organisation_id=org.id, request_id=req_id, location_id=location_id, start_date=clock.today(),
                  deadline=clock.today() + timedelta(days=10), status=OfferStatus.OPEN)
    session.add(offer)
    session.commit()
    return offer.id


def route_run_id(factory, org, session) -> int:
    from plugins.wachtlijst.models import AllocationRun

    run = AllocationRun(koepel_id=org.koepel_id, start=date(2027, 1, 1), result={"lines": []})
    session.add(run)
    session.commit()
    return run.id
