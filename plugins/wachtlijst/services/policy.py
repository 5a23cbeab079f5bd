"""Priority policy as data: an ordered list of rule keys per organisation, and a pure ranking
that says, for every request, which rules placed it where.

Ranking: requests are sorted on one flag per rule in the policy's order (meeting a rule comes
first), then on registration date (tie-break), then on id.

Two rules hold for a share of a location's licensed places only (a *quota*):

* the reserved share for vulnerable families (default 20 %, ``wachtlijst.vulnerable_share``):
  while it is not filled, the rule "reserved share" is put in front of the list for that location;
* the Brussels rule for Dutch-speaking families (``dutch_share``, an option of the policy; default
  55 %, ``wachtlijst.dutch_share``; Subsidiebesluit art. 23 as described by Brussels providers,
  wording UNCONFIRMED, domain-rules §5.1): it works at the place the organisation gives it in its
  list, as long as Dutch-speaking families hold less than that share of the places.

A quota counts the children placed through the waiting list at the location, unless their care
there has ended (per planning: all their care plans there ended before today; a child placed before
its plan exists, or starting later, counts). A filled quota is skipped, and the reasons of every
request it would have helped say so, with the figures.
"""
from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from core.clock import to_local
from core.context import context_for
from core.errors import render as text
from core.models import Location, Organisation, PriceRegime
from core.plugins import SettingDefinition

from ..models import CareRequest, Policy, Status

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
    "dutch_share": _l("Nederlandstalig gezin, binnen het aandeel voor Nederlandstaligen (Brussel)"),
}
RESERVED = "reserved_vulnerable"
RESERVED_LABEL = _l("Voorbehouden aandeel kwetsbare gezinnen")
DUTCH_SHARE = "dutch_share"
QUOTA_SETTINGS = {RESERVED: "wachtlijst.vulnerable_share", DUTCH_SHARE: "wachtlijst.dutch_share"}

# The Brussels share as a setting (plugin.py lists it with the module's other settings).
DUTCH_SHARE_SETTING = SettingDefinition(
    "wachtlijst.dutch_share", _l("Aandeel plaatsen met voorrang voor Nederlandstalige gezinnen (Brussel, %)"), 55,
    "int", help=_l("Brussel, Subsidiebesluit art. 23: voorrang voor Nederlandstalige gezinnen voor 55 % van de "
                   "capaciteit (formulering niet bevestigd). Geldt enkel als de regel \u201cNederlandstalig gezin, binnen "
                   "het aandeel voor Nederlandstaligen (Brussel)\u201d in het beleid staat."))
EXTRA_SETTINGS = (DUTCH_SHARE_SETTING,)

PRESETS: dict[str, list[str]] = {
    # Subsidiebesluit 22/11/2013 as explained by providers (domain-rules §5.1)
    "subsidiebesluit": ["work", "single_parent", "low_income", "foster_child", "sibling"],
    # Brussels Dutch-speaking care: art. 23 in addition, for a share of the places (wording
    # UNCONFIRMED, see domain-rules §5.1)
    "brussel": ["work", "dutch_share", "single_parent", "low_income", "foster_child", "sibling"],
    "chronologisch": [],
}


PRESET_LABELS: dict[str, object] = {
    "subsidiebesluit": _l("Subsidiebesluit: werk, alleenstaande ouder, laag inkomen, pleegkind, broer of zus"),
    "brussel": _l("Brussel: zoals het Subsidiebesluit, met het aandeel voor Nederlandstalige gezinnen"),
    "chronologisch": _l("Enkel inschrijvingsdatum (chronologisch)"),
}


def rules_from_ranks(form: dict) -> list[str]:
    """The rules in the order of their chosen place (``rank-<rule>`` = 1, 2, ...; empty = not used).
    ValueError for a place that is no number or is given twice, or an unknown rule."""
    ranked = []
    for name, raw in form.items():
        if not name.startswith("rank-") or not (raw or "").strip():
            continue
        key = name[len("rank-"):]
        if key not in RULES:
            raise ValueError(key)
        try:
            ranked.append((int(raw), key))
        except ValueError:
            raise ValueError(raw) from None
    places = [place for place, _key in ranked]
    if len(set(places)) != len(places) or any(place < 1 for place in places):
        raise ValueError("dubbele plaats")
    return [key for _place, key in sorted(ranked)]


def rule_label(key: str) -> str:
    return text(RESERVED_LABEL if key == RESERVED else RULES.get(key, key))


def default_rules(org: Organisation) -> list[str]:
    if org.price_regime == PriceRegime.INKOMENSTARIEF:
        return list(PRESETS["subsidiebesluit"])
    return list(PRESETS["chronologisch"])


def get_rules(ctx) -> list[str]:
    session = ctx.session
    org = ctx.org
    rules = session.scalar(select(Policy.rules).where(Policy.organisation_id == org.id))
    return list(rules) if rules is not None else default_rules(org)


def set_rules(ctx, rules: Sequence[str]) -> None:
    session = ctx.session
    org = ctx.org
    unknown = [r for r in rules if r not in RULES]
    if unknown or len(set(rules)) != len(rules):
        raise ValueError("onbekende of dubbele regel: " + ", ".join(unknown or rules))
    if "dutch_speaking" in rules and DUTCH_SHARE in rules:
        raise ValueError("dutch_speaking en dutch_share sluiten elkaar uit")
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
    if "dutch_speaking" in flags:
        flags.add(DUTCH_SHARE)
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


@dataclass(frozen=True)
class Quota:
    """A rule that holds for ``share`` % of a location's ``places``; ``held`` places are taken."""

    share: int
    places: int
    held: int
    maximum: bool = False  # the share is a ceiling (Brussels rule), not a floor (vulnerable reserve)

    @property
    def reserved(self) -> int:
        """Places the rule holds for: a floor is rounded up (20 % of 18 = 4); a ceiling is rounded
        down, with at least one place ("max 55 % / min 1 kind" on Brussels providers' pages;
        interpretation UNCONFIRMED, domain-rules §5.1)."""
        if not self.maximum:
            return math.ceil(self.places * self.share / 100)
        return max(1, self.places * self.share // 100) if self.places and self.share else 0

    @property
    def open(self) -> bool:
        return self.held < self.reserved


def effective_rules(rules: Sequence[str], reserve_open: bool, quotas: Mapping[str, Quota] | None = None) -> list[str]:
    """The rules that act at a location: the vulnerable reserve in front while open, then the
    policy's rules without the quota rules whose share is filled."""
    quotas = quotas or {}
    if RESERVED in quotas:
        reserve_open = quotas[RESERVED].open
    return ([RESERVED] if reserve_open else []) + [
        r for r in rules if r != RESERVED and (r not in quotas or quotas[r].open)]


def _quota_label(key: str, quota: Quota) -> str:
    return text(_l("%(rule)s (%(share)s %% van %(places)s plaatsen = %(reserved)s; nu ingenomen: %(held)s)",
                   rule=rule_label(key), share=quota.share, places=quota.places, reserved=quota.reserved,
                   held=quota.held))


def rank(facts: Iterable[Facts], rules: Sequence[str], *, reserve_open: bool = False,
         quotas: Mapping[str, Quota] | None = None) -> list[Ranked]:
    """Order requests by the policy; every entry says which rules placed it where. The texts are
    built once per rule, so ranking thousands of requests costs a sort and some lookups.

    ``quotas`` (per rule key: the location's share and how much of it is taken) decides whether
    the vulnerable reserve and the Brussels Dutch-speaking share act; a filled one is explained."""
    quotas = dict(quotas or {})
    active = effective_rules(rules, reserve_open, quotas)
    labels = {r: _quota_label(r, quotas[r]) if r in quotas else rule_label(r) for r in active}
    meets = {r: text(_l("voldoet aan: %(rule)s", rule=labels[r])) for r in active}
    misses = {r: text(_l("voldoet niet aan: %(rule)s", rule=labels[r])) for r in active}
    after = {r: text(_l("na de vorige omdat die voldoet aan: %(rule)s", rule=rule_label(r))) for r in active}
    # quota rules of the policy (and the reserve) that do not act here: said to whoever meets them
    filled = {r: text(_l("niet toegepast, het aandeel is ingevuld: %(rule)s", rule=_quota_label(r, q)))
              for r, q in quotas.items() if r not in active and (r == RESERVED or r in rules)}
    same = text(_l("na de vorige omdat die vroeger ingeschreven is (zelfde voorrang)"))
    registered = text(_l("ingeschreven op %(date)s", date="{}"))
    items = sorted(facts, key=lambda f: (tuple(r not in f.flags for r in active), f.registered_at, f.request_id))
    out: list[Ranked] = []
    previous: Facts | None = None
    for position, item in enumerate(items, start=1):
        flags = item.flags
        reasons = [meets[r] if r in flags else misses[r] for r in active]
        reasons.extend(line for r, line in filled.items() if r in flags)
        reasons.append(registered.replace("{}", to_local(item.registered_at).strftime("%d/%m/%Y %H:%M")))
        if previous is not None:
            differing = next((r for r in active if (r in previous.flags) != (r in flags)), None)
            reasons.append(after[differing] if differing else same)
        out.append(Ranked(position, item.request_id, [r for r in active if r in flags], reasons))
        previous = item
    return out


def location_quotas(session: Session, orgs: Sequence[Organisation], locations: Sequence[Location],
                    ) -> dict[int, dict[str, Quota]]:
    """Per location: the vulnerable reserve and, when the organisation's policy has it, the Brussels
    Dutch-speaking share, with the places their families hold now. A fixed number of queries per
    organisation, whatever the number of requests."""
    by_org = {o.id: o for o in orgs}
    settings = {o.id: (int(context_for(session, o).setting("wachtlijst.vulnerable_min_criteria")),
                       {k: int(context_for(session, o).setting(key)) for k, key in QUOTA_SETTINGS.items()},
                       get_rules(context_for(session, o))) for o in orgs}
    loc_ids = [loc.id for loc in locations]
    placed = session.execute(
        select(CareRequest.id, CareRequest.organisation_id, CareRequest.placed_location_id, CareRequest.child_id,
               *(getattr(CareRequest, c) for c in VULNERABILITY_CRITERIA), CareRequest.dutch_speaking)
        .where(CareRequest.organisation_id.in_(list(by_org)), CareRequest.status == Status.PLACED,
               CareRequest.placed_location_id.in_(loc_ids))
    ).all() if loc_ids else []
    ended = _care_ended(session, by_org, placed, loc_ids)
    held: dict[tuple[int, str], int] = {}
    for row in placed:
        if (row.placed_location_id, row.child_id) in ended:
            continue
        min_criteria = settings[row.organisation_id][0]
        if is_vulnerable(row, min_criteria):
            held[(row.placed_location_id, RESERVED)] = held.get((row.placed_location_id, RESERVED), 0) + 1
        if row.dutch_speaking:
            held[(row.placed_location_id, DUTCH_SHARE)] = held.get((row.placed_location_id, DUTCH_SHARE), 0) + 1
    out: dict[int, dict[str, Quota]] = {}
    for loc in locations:
        _min, shares, rules = settings[loc.organisation_id]
        keys = [RESERVED] + ([DUTCH_SHARE] if DUTCH_SHARE in rules else [])
        out[loc.id] = {k: Quota(shares[k], loc.licensed_places or 0, held.get((loc.id, k), 0), k == DUTCH_SHARE)
                       for k in keys}
    return out


def _care_ended(session: Session, orgs: Mapping[int, Organisation], placed, loc_ids) -> set[tuple[int, int]]:
    """(location, child) pairs of placed requests whose care there has ended (children who left no
    longer hold a place). One planning query per organisation that has placed children."""
    from . import placing

    children: dict[int, set[int]] = {}
    for row in placed:
        if row.child_id is not None:
            children.setdefault(row.organisation_id, set()).add(row.child_id)
    found: set[tuple[int, int]] = set()
    for org_id, child_ids in children.items():
        found |= placing.planning_api().care_ended(context_for(session, orgs[org_id]), child_ids, location_ids=loc_ids)
    return found
