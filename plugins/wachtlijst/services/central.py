"""Central allocation across the koepel: bulk-load every waiting request and every free place of
the partners that use the waiting list, build plain data, run deferred acceptance, keep the
proposal with an explanation per request, and turn the accepted lines into offers."""
from __future__ import annotations

from collections import defaultdict
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from core.context import context_for
from core.models import Location, Organisation, OrganisationModule, User

from ..models import (
    WAITING_STATUSES,
    AllocationRun,
    CareRequest,
    Offer,
    OfferStatus,
)
from . import placing
from .allocation import deferred_acceptance
from .errors import WachtlijstError
from .offers import eligible, offer_in_group
from .policy import Facts, flags_of, get_rules, location_quotas, rank


def participating(session: Session, koepel_id: int) -> list[Organisation]:
    return session.scalars(
        select(Organisation).join(OrganisationModule, OrganisationModule.organisation_id == Organisation.id)
        .where(Organisation.koepel_id == koepel_id, OrganisationModule.module == "wachtlijst")
        .order_by(Organisation.name)
    ).all()


def build_instance(session: Session, koepel_id: int, start: date, months: int = 6):
    """Plain data for ``deferred_acceptance`` plus what the explanation needs."""
    orgs = participating(session, koepel_id)
    org_ids = [o.id for o in orgs]
    contexts = {o.id: context_for(session, o) for o in orgs}
    reqs = session.scalars(
        select(CareRequest).where(CareRequest.organisation_id.in_(org_ids), CareRequest.status.in_(WAITING_STATUSES),
                                  CareRequest.merged_into_id.is_(None), CareRequest.anonymised_at.is_(None))
        .options(selectinload(CareRequest.preferences)).order_by(CareRequest.id)
    ).all()
    locations = {loc.id: loc for loc in session.scalars(select(Location).where(Location.organisation_id.in_(org_ids)))}
    open_offers = defaultdict(int)
    for row in session.execute(
        select(Offer.location_id, Offer.start_date, Offer.age_band, func.count())
        .where(Offer.organisation_id.in_(org_ids), Offer.status == OfferStatus.OPEN)
        .group_by(Offer.location_id, Offer.start_date, Offer.age_band)
    ):
        open_offers[(row[0], row[1].year, row[1].month, row[2])] += row[3]
    # place types: one per location, month and age band; its patterns share the same places
    groups: dict[str, list[placing.Slot]] = defaultdict(list)
    for org in orgs:
        for slot in placing.vacancies(contexts[org.id], start=start, months=months):
            if not slot.last_minute:
                groups[placing.group_key(slot)].append(slot)
    capacities: dict[str, int] = {}
    by_location: dict[int, list[str]] = defaultdict(list)
    for key, members in sorted(groups.items(), key=lambda kv: (kv[1][0].year, kv[1][0].month, kv[0])):
        first = members[0]
        free = max(m.free for m in members) - open_offers[(first.location_id, first.year, first.month, first.age_band)]
        if free > 0:
            capacities[key] = free
            by_location[first.location_id].append(key)
    # quotas per location (vulnerable reserve, Brussels Dutch-speaking share): a few queries per partner
    org_by_id = {o.id: o for o in orgs}
    settings = {o.id: (int(contexts[o.id].setting("wachtlijst.vulnerable_min_criteria")), get_rules(contexts[o.id]))
                for o in orgs}
    quotas = location_quotas(session, orgs, [locations[loc_id] for loc_id in by_location])
    # location rankings
    wanting: dict[int, list[CareRequest]] = defaultdict(list)
    for req in reqs:
        for pref in req.preferences:
            if pref.location_id in by_location:
                wanting[pref.location_id].append(req)
    loc_ranks: dict[int, dict[int, int]] = {}
    explanations: dict[int, dict[int, list[str]]] = {}
    for loc_id, group in wanting.items():
        loc = locations[loc_id]
        min_criteria, rules = settings[loc.organisation_id]
        ranked = rank([Facts(r.id, r.submitted_at, flags_of(r, min_criteria)) for r in group], rules,
                      quotas=quotas[loc_id])
        loc_ranks[loc_id] = {x.request_id: x.position for x in ranked}
        explanations[loc_id] = {x.request_id: x.matched for x in ranked}
    preferences: dict[int, list[str]] = {}
    ranks: dict[str, dict[int, int]] = defaultdict(dict)
    for req in reqs:
        plist = []
        for pref in req.preferences:
            for key in by_location.get(pref.location_id, ()):
                if any(eligible(req, slot, contexts[req.organisation_id].today()) for slot in groups[key]):
                    plist.append(key)
                    ranks[key][req.id] = loc_ranks[pref.location_id][req.id]
        preferences[req.id] = plist
    slots = {key: groups[key][0] for key in capacities}
    return {"orgs": org_by_id, "requests": {r.id: r for r in reqs}, "locations": locations, "slots": slots,
            "preferences": preferences, "ranks": dict(ranks), "capacities": capacities,
            "matched_rules": explanations}


def propose(session: Session, koepel_id: int, start: date, *, actor: User, months: int = 6) -> AllocationRun:
    data = build_instance(session, koepel_id, start, months)
    result = deferred_acceptance(data["preferences"], data["ranks"], data["capacities"])
    lines = []
    for req_id, req in data["requests"].items():
        place = result.assignment.get(req_id)
        steps = result.explain(req_id, data["preferences"], data["ranks"], data["capacities"])
        slot = data["slots"].get(place) if place else None
        lines.append({
            "request_id": req_id, "organisation_id": req.organisation_id, "slot": place,
            "location_id": slot.location_id if slot else None,
            "location": data["locations"][slot.location_id].name if slot else None,
            "month": f"{slot.month:02d}/{slot.year}" if slot else None,
            "choice": steps[-1]["choice"] if place and steps else None,
            "rules": data["matched_rules"].get(slot.location_id, {}).get(req_id, []) if slot else [],
            "steps": [{**s, "location": data["locations"][placing.Slot.from_key(s["place"]).location_id].name}
                      for s in steps],
            "eligible_places": len(data["preferences"][req_id]),
        })
    run = AllocationRun(koepel_id=koepel_id, created_by_id=actor.id, start=start, status="proposal",
                        result={"lines": lines, "capacities": data["capacities"],
                                "assigned": sum(1 for x in lines if x["slot"]), "requests": len(lines)})
    session.add(run)
    session.flush()
    return run


def send_offers(session: Session, run: AllocationRun, request_ids: set[int], *, actor: User) -> tuple[int, list[str]]:
    """Turn the accepted proposal lines into offers; a line whose place is gone is reported."""
    if run.status != "proposal":
        raise WachtlijstError("offer_closed")
    made, problems = 0, []
    orgs = {o.id: o for o in participating(session, run.koepel_id)}
    for line in run.result.get("lines", []):
        if line["request_id"] not in request_ids or not line["slot"]:
            continue
        org = orgs.get(line["organisation_id"])
        req = session.get(CareRequest, line["request_id"])
        if org is None or req is None:
            continue
        try:
            offer_in_group(context_for(session, org), req, line["slot"], actor=actor, allocation_run_id=run.id)
            made += 1
        except WachtlijstError as exc:
            problems.append(f"#{req.id}: {exc.message}")
    run.status = "sent"
    session.flush()
    return made, problems
