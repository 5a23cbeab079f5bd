"""Central allocation by deferred acceptance (Gale-Shapley, applicant-proposing, with capacities).

A pure function over plain data, so it is fast, testable and explainable:

* ``preferences[a]``: applicant ``a``'s places, best first (a place = a location's slot type);
* ``ranks[p][a]``: place ``p``'s priority rank of ``a`` (lower is better, strict per place);
  an applicant missing from ``ranks[p]`` is not eligible there and is skipped;
* ``capacities[p]``: number of free places of that type.

The applicant-proposing algorithm yields the stable matching that every applicant weakly prefers
to any other stable matching, and truthful reporting is a dominant strategy for applicants
(Dubins-Freedman, Roth 1982): a parent cannot gain by misstating preferences.
"""
from __future__ import annotations

import heapq
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass, field

A = Hashable
P = Hashable


@dataclass
class Allocation:
    assignment: dict  # applicant -> place or None
    held: dict  # place -> list of applicants admitted
    cutoffs: dict = field(default_factory=dict)  # place -> worst admitted rank when full, else None

    def explain(self, applicant, preferences: Mapping, ranks: Mapping, capacities: Mapping) -> list[dict]:
        """Per preference up to the one obtained: why it was or was not obtained."""
        got = self.assignment.get(applicant)
        lines = []
        for choice, place in enumerate(preferences.get(applicant, ()), start=1):
            rank = ranks.get(place, {}).get(applicant)
            if place == got:
                lines.append({"choice": choice, "place": place, "outcome": "assigned", "rank": rank})
                break
            if rank is None:
                reason = "not_eligible"
            elif capacities.get(place, 0) <= 0:
                reason = "no_capacity"
            else:
                reason = "full_with_better_ranked"
            lines.append({"choice": choice, "place": place, "outcome": reason, "rank": rank,
                          "cutoff": self.cutoffs.get(place)})
        return lines


def deferred_acceptance(preferences: Mapping[A, Sequence[P]], ranks: Mapping[P, Mapping[A, int]],
                        capacities: Mapping[P, int]) -> Allocation:
    next_choice = dict.fromkeys(preferences, 0)
    held: dict = {p: [] for p in capacities}  # max-heap on rank: entries (-rank, seq, applicant)
    seq = 0
    free = list(reversed(list(preferences)))
    while free:
        applicant = free.pop()
        while applicant is not None:
            plist = preferences[applicant]
            i = next_choice[applicant]
            rejected_all = True
            while i < len(plist):
                place = plist[i]
                i += 1
                rank = ranks.get(place, {}).get(applicant)
                cap = capacities.get(place, 0)
                if rank is None or cap <= 0:
                    continue
                heap = held[place]
                if len(heap) < cap:
                    seq += 1
                    heapq.heappush(heap, (-rank, seq, applicant))
                    next_choice[applicant] = i
                    applicant = None
                    rejected_all = False
                    break
                if -heap[0][0] > rank:
                    seq += 1
                    _, _, bumped = heapq.heapreplace(heap, (-rank, seq, applicant))
                    next_choice[applicant] = i
                    applicant = bumped  # the bumped applicant proposes to its next choice
                    rejected_all = False
                    break
            if rejected_all:
                next_choice[applicant] = i
                applicant = None
    assignment: dict = dict.fromkeys(preferences)
    admitted: dict = {}
    cutoffs: dict = {}
    for place, heap in held.items():
        admitted[place] = [a for _, _, a in sorted(heap, reverse=True)]
        for a in admitted[place]:
            assignment[a] = place
        cutoffs[place] = -heap[0][0] if heap and len(heap) >= capacities.get(place, 0) else None
    return Allocation(assignment=assignment, held=admitted, cutoffs=cutoffs)


def blocking_pairs(allocation: Allocation, preferences: Mapping, ranks: Mapping, capacities: Mapping) -> list:
    """Pairs (applicant, place) that would both rather be matched together: empty when stable."""
    pairs = []
    for applicant, plist in preferences.items():
        got = allocation.assignment.get(applicant)
        for place in plist:
            if place == got:
                break
            rank = ranks.get(place, {}).get(applicant)
            if rank is None or capacities.get(place, 0) <= 0:
                continue
            admitted = allocation.held.get(place, [])
            if len(admitted) < capacities[place]:
                pairs.append((applicant, place))
            elif any(ranks[place][other] > rank for other in admitted):
                pairs.append((applicant, place))
    return pairs
