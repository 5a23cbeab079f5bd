"""Priority policy as data: an ordered list of rule keys per organisation, and a pure ranking
that says, for every request, which rules placed it where.

Ranking: requests are sorted on one flag per rule in the policy's order (meeting a rule comes
first), then on registration date (tie-break), then on id. When a location has not yet filled
its reserved share of places for vulnerable families (default 20 %, a setting), a rule
"reserved share" is put in front of the list for that location.
"""
from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.models import Location, Organisation, PriceRegime
from core.settings import get_setting
from plugins.wachtlijst.i18n import text
from plugins.wachtlijst.models import CareRequest, Policy, Status

VULNERABILITY_CRITERIA = ("low_income", "single_parent", "low_education", "family_member_handicap",
                          "family_member_self_care", "social_pedagogical")

RULES: dict[str, object] = {
    "work": _l("Werk, werk zoeken of opleiding"),
    "single_parent": _l("Alleenstaande ouder"),
    "low_income": _l("Laag inkomen"),
    "foster_child": _l("Pleegkind"),
    "sibling": _l("Broer of zus in de opvang"),
    "vulnerable": _l("Kwetsbaar gezin"),
    "care_need": _l("Specifieke zorgbehoefte"),
    "urgent": _l("Dringende vraag"),
    "dutch_speaking": _l("Nederlandstalig gezin (Brussel)"),
}
RESERVED = "reserved_vulnerable"
RESERVED_LABEL = _l("Voorbehouden aandeel kwetsbare gezinnen")

PRESETS: dict[str, list[str]] = {
    # Subsidiebesluit 22/11/2013 as explained by providers (domain-rules §5.1)
    "subsidiebesluit": ["work", "single_parent", "low_income", "foster_child", "sibling"],
    # Brussels Dutch-speaking care: art. 23 in addition (wording UNCONFIRMED, see domain-rules §5.1)
    "brussel": ["work", "dutch_speaking", "single_parent", "low_income", "foster_child", "sibling"],
    "chronologisch": [],
}


def rule_label(key: str) -> str:
    return text(RESERVED_LABEL if key == RESERVED else RULES.get(key, key))


def default_rules(org: Organisation) -> list[str]:
    if org.price_regime == PriceRegime.INKOMENSTARIEF:
        return list(PRESETS["subsidiebesluit"])
    return list(PRESETS["chronologisch"])


def get_rules(session: Session, org: Organisation) -> list[str]:
    rules = session.scalar(select(Policy.rules).where(Policy.organisation_id == org.id))
    return list(rules) if rules is not None else default_rules(org)


def set_rules(session: Session, org: Organisation, rules: Sequence[str]) -> None:
    unknown = [r for r in rules if r not in RULES]
    if unknown or len(set(rules)) != len(rules):
        raise ValueError("onbekende of dubbele regel: " + ", ".join(unknown or rules))
    row = session.scalar(select(Policy).where(Policy.organisation_id == org.id))
    if row is None:
        session.add(Policy(organisation_id=org.id, rules=list(rules)))
    else:
        row.rules = list(rules)
    session.flush()


def is_vulnerable(req: CareRequest, min_criteria: int) -> bool:
    return sum(bool(getattr(req, c)) for c in VULNERABILITY_CRITERIA) >= min_criteria


def flags_of(req: CareRequest, min_criteria: int) -> frozenset[str]:
    """The rule keys this request meets (the facts the ranking works on)."""
    flags = {key for key, attr in (("work", "work"), ("single_parent", "single_parent"),
                                   ("low_income", "low_income"), ("foster_child", "foster_child"),
                                   ("sibling", "sibling_in_care"), ("care_need", "care_need"),
                                   ("urgent", "urgent"), ("dutch_speaking", "dutch_speaking"))
             if getattr(req, attr)}
    if is_vulnerable(req, min_criteria):
        flags |= {"vulnerable", RESERVED}
    return frozenset(flags)


@dataclass(frozen=True)
class Facts:
    request_id: int
    registered_at: datetime
    flags: frozenset[str]


@dataclass
class Ranked:
    position: int
    request_id: int
    matched: list[str]  # rule keys met, in policy order
    reasons: list[str] = field(default_factory=list)  # human explanation lines


def effective_rules(rules: Sequence[str], reserve_open: bool) -> list[str]:
    return ([RESERVED] if reserve_open else []) + [r for r in rules if r != RESERVED]


def rank(facts: Iterable[Facts], rules: Sequence[str], *, reserve_open: bool = False) -> list[Ranked]:
    """Order requests by the policy; every entry says which rules placed it where. The texts are
    built once per rule, so ranking thousands of requests costs a sort and some lookups."""
    active = effective_rules(rules, reserve_open)
    items = sorted(facts, key=lambda f: (tuple(r not in f.flags for r in active), f.registered_at, f.request_id))
    meets = {r: text(_l("voldoet aan: %(rule)s", rule=rule_label(r))) for r in active}
    misses = {r: text(_l("voldoet niet aan: %(rule)s", rule=rule_label(r))) for r in active}
    after = {r: text(_l("na de vorige omdat die voldoet aan: %(rule)s", rule=rule_label(r))) for r in active}
    same = text(_l("na de vorige omdat die vroeger ingeschreven is (zelfde voorrang)"))
    registered = text(_l("ingeschreven op %(date)s", date="{}"))
    out: list[Ranked] = []
    previous: Facts | None = None
    for position, item in enumerate(items, start=1):
        flags = item.flags
        reasons = [meets[r] if r in flags else misses[r] for r in active]
        reasons.append(registered.replace("{}", item.registered_at.strftime("%d/%m/%Y %H:%M")))
        if previous is not None:
            differing = next((r for r in active if (r in previous.flags) != (r in flags)), None)
            reasons.append(after[differing] if differing else same)
        out.append(Ranked(position, item.request_id, [r for r in active if r in flags], reasons))
        previous = item
    return out


def reserved_places(session: Session, org: Organisation, location: Location) -> tuple[int, int]:
    """(places reserved for vulnerable families, places they now hold) at ``location``."""
    share = int(get_setting(session, org, "wachtlijst.vulnerable_share"))
    reserved = math.ceil((location.licensed_places or 0) * share / 100)
    min_criteria = int(get_setting(session, org, "wachtlijst.vulnerable_min_criteria"))
    placed = session.scalars(
        select(CareRequest).where(
            CareRequest.organisation_id == org.id,
            CareRequest.placed_location_id == location.id,
            CareRequest.status == Status.PLACED,
        )
    ).all() if reserved else []
    held = sum(1 for r in placed if is_vulnerable(r, min_criteria))
    return reserved, held


def reserved_counts(session: Session, org: Organisation, location_ids: Sequence[int]) -> dict[int, int]:
    """Placed requests per location (one query), used when many locations are ranked at once."""
    rows = session.execute(
        select(CareRequest.placed_location_id, func.count())
        .where(CareRequest.organisation_id == org.id, CareRequest.status == Status.PLACED,
               CareRequest.placed_location_id.in_(location_ids))
        .group_by(CareRequest.placed_location_id)
    )
    return dict(rows.all())
