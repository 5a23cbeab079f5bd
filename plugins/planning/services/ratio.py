"""The capacity and ratio engine. Rule sets are data (rules/kindratio.json, with valid_from /
valid_to); this module only interprets them, so a new regulation is a new entry, not a branch.

``staff_needed`` is a pure function of the rule set, the number of children present, how many
of them are babies, and whether it is the rest period."""
from __future__ import annotations

import json
import math
from dataclasses import dataclass
from datetime import date, time
from functools import lru_cache
from pathlib import Path
from typing import Any

RULES_FILE = Path(__file__).resolve().parent.parent / "rules" / "kindratio.json"


@dataclass(frozen=True)
class RuleSet:
    key: str
    label: str
    valid_from: date | None
    valid_to: date | None
    group: dict[str, Any]
    family: dict[str, Any]

    def covers(self, day: date) -> bool:
        return (self.valid_from is None or self.valid_from <= day) and (self.valid_to is None or day <= self.valid_to)

    @property
    def baby_under_months(self) -> int:
        return int(self.group.get("baby_under_months", 12))

    def is_baby(self, age_months: int) -> bool:
        """A baby is a child under 12 months (domain-rules §4.4 [P12]): 12 completed months is not."""
        return age_months < self.baby_under_months

    @property
    def living_group_max(self) -> int | None:
        return self.group.get("living_group_max")

    @property
    def family_max(self) -> int:
        return int(self.family["max_children"])


def _date(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


@lru_cache(maxsize=1)
def rule_sets(path: str = str(RULES_FILE)) -> tuple[RuleSet, ...]:
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    return tuple(RuleSet(r["key"], r["label"], _date(r.get("valid_from")), _date(r.get("valid_to")), r["group"],
                         r["family"]) for r in data["rule_sets"])


def rule_set_for(day: date, forced: str | None = None) -> RuleSet:
    """The rule set in force on ``day`` (or the one an organisation setting forces)."""
    sets = rule_sets()
    if forced and forced != "auto":
        for rs in sets:
            if rs.key == forced:
                return rs
        raise KeyError(f"unknown ratio rule set {forced}")
    for rs in sets:
        if rs.covers(day):
            return rs
    raise LookupError(f"no ratio rule set covers {day}")


def org_rule_set(ctx, day: date) -> RuleSet:
    return rule_set_for(day, str(ctx.setting("planning.ratio_rule_set") or "auto"))


def per_caregiver(rules: RuleSet, children: int, babies: int) -> int:
    table = rules.group["per_caregiver"]
    if "any" in table:
        return int(table["any"])
    if babies == children:
        return int(table["babies_only"])
    if babies == 0:
        return int(table["older_only"])
    return int(table["mixed"])


def staff_needed(rules: RuleSet, children: int, babies: int = 0, *, rest: bool = False,
                 family_daycare: bool = False) -> int:
    """Caregivers required for ``children`` present at the same time in one group."""
    if children <= 0:
        return 0
    if family_daycare:
        return math.ceil(children / rules.family_max)
    g = rules.group
    per = per_caregiver(rules, children, babies)
    alone = g.get("alone_max")
    if rest and g.get("rest"):
        r = g["rest"]
        if children <= (alone or per):
            return 1
        return max(int(r.get("min_caregivers", 1)), math.ceil(children / int(r["per_caregiver"])))
    if alone is not None and children <= alone:
        return 1
    need = math.ceil(children / per)
    if alone is not None:
        need = max(int(g.get("min_caregivers_above_alone", 1)), need)
    return need


def countable_staff(rules: RuleSet, qualified: int, logistics: int, needed: int) -> int:
    """Planned staff that counts for the ratio: the qualified caregivers, plus logistics staff for
    at most ``max_share`` (25 %) of the caregivers required, and only with at least
    ``min_qualified`` (2) qualified caregivers present (domain-rules §4.4 [P12]). Rule sets
    without a logistics rule count the qualified caregivers only."""
    rule = rules.group.get("logistics")
    if not rule or logistics <= 0 or qualified < int(rule.get("min_qualified", 0)):
        return qualified
    return qualified + min(logistics, math.floor(needed * float(rule["max_share"])))


def max_children(rules: RuleSet, caregivers: int, babies_only: bool = False, older_only: bool = True,
                 *, rest: bool = False, family_daycare: bool = False) -> int:
    """The largest group ``caregivers`` may look after (inverse of staff_needed, for display)."""
    if caregivers <= 0:
        return 0
    if family_daycare:
        return rules.family_max
    n = 0
    while True:
        k = n + 1
        babies = k if babies_only else (0 if older_only else 1)
        if staff_needed(rules, k, babies, rest=rest) > caregivers or k > 10_000:
            return n
        n = k


def in_window(start: time, end: time, window: tuple[time, time] | None) -> bool:
    return window is not None and window[0] <= start and end <= window[1]
