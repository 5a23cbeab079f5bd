"""Deferred acceptance as a pure function: stable, capacity-respecting, applicant-optimal and
strategy-proof for applicants (property tests on small instances)."""
from __future__ import annotations

import itertools
from datetime import date

from hypothesis import example, given, settings
from hypothesis import strategies as st

from plugins.wachtlijst.services.allocation import blocking_pairs, deferred_acceptance


@st.composite
def instances(draw, max_applicants=5, max_places=3):
    n_a = draw(st.integers(1, max_applicants))
    n_p = draw(st.integers(1, max_places))
    applicants = list(range(n_a))
    places = [f"p{i}" for i in range(n_p)]
    prefs = {a: draw(st.lists(st.sampled_from(places), unique=True, max_size=n_p)) for a in applicants}
    ranks = {}
    for p in places:
        order = draw(st.permutations(applicants))
        eligible = draw(st.sets(st.sampled_from(applicants))) if draw(st.booleans()) else set(applicants)
        ranks[p] = {a: i for i, a in enumerate(order) if a in eligible}
    caps = {p: draw(st.integers(0, 2)) for p in places}
    return prefs, ranks, caps


def test_small_example_by_hand():
    prefs = {"ann": ["A", "B"], "bob": ["A"], "cas": ["A", "B"]}
    ranks = {"A": {"bob": 1, "cas": 2, "ann": 3}, "B": {"ann": 1, "cas": 2}}
    result = deferred_acceptance(prefs, ranks, {"A": 1, "B": 1})
    assert result.assignment == {"ann": "B", "bob": "A", "cas": None}
    why = result.explain("cas", prefs, ranks, {"A": 1, "B": 1})
    assert [w["outcome"] for w in why] == ["full_with_better_ranked", "full_with_better_ranked"]
    assert why[0]["cutoff"] == 1 and why[1]["cutoff"] == 1


def test_ineligible_and_zero_capacity_are_skipped():
    prefs = {1: ["A", "B", "C"]}
    result = deferred_acceptance(prefs, {"A": {}, "B": {1: 1}, "C": {1: 1}}, {"A": 3, "B": 0, "C": 1})
    assert result.assignment == {1: "C"}
    assert [w["outcome"] for w in result.explain(1, prefs, {"A": {}, "B": {1: 1}, "C": {1: 1}},
                                                {"A": 3, "B": 0, "C": 1})] == ["not_eligible", "no_capacity", "assigned"]


@settings(max_examples=300, deadline=None)
@given(instances())
def test_stable_and_within_capacity(instance):
    prefs, ranks, caps = instance
    result = deferred_acceptance(prefs, ranks, caps)
    for place, admitted in result.held.items():
        assert len(admitted) <= caps[place]
        assert all(a in ranks[place] for a in admitted)
    for a, place in result.assignment.items():
        assert place is None or place in prefs[a]
    assert blocking_pairs(result, prefs, ranks, caps) == []


def _rank_of(prefs_a, place):
    return len(prefs_a) if place is None else prefs_a.index(place)


@settings(max_examples=150, deadline=None)
@given(instances(max_applicants=4, max_places=3))
def test_no_applicant_gains_by_misreporting(instance):
    prefs, ranks, caps = instance
    truthful = deferred_acceptance(prefs, ranks, caps).assignment
    places = sorted(caps)
    for a in prefs:
        true_value = _rank_of(prefs[a], truthful[a])
        for k in range(len(places) + 1):
            for lie in itertools.permutations(places, k):
                got = deferred_acceptance({**prefs, a: list(lie)}, ranks, caps).assignment[a]
                if got is not None and got in prefs[a]:
                    assert _rank_of(prefs[a], got) >= true_value, (a, lie)


@settings(max_examples=150, deadline=None)
@given(instances(max_applicants=4, max_places=3))
def test_applicant_optimal_among_all_stable_matchings(instance):
    """Brute force: no stable matching gives any applicant a better place."""
    prefs, ranks, caps = instance
    result = deferred_acceptance(prefs, ranks, caps)
    options = {a: [None] + [p for p in prefs[a] if a in ranks[p] and caps[p] > 0] for a in prefs}
    from plugins.wachtlijst.services.allocation import Allocation

    for combo in itertools.product(*options.values()):
        assignment = dict(zip(options, combo, strict=True))
        held = {p: [a for a, q in assignment.items() if q == p] for p in caps}
        if any(len(v) > caps[p] for p, v in held.items()):
            continue
        other = Allocation(assignment=assignment, held=held)
        if blocking_pairs(other, prefs, ranks, caps):
            continue
        for a in prefs:
            assert _rank_of(prefs[a], result.assignment[a]) <= _rank_of(prefs[a], assignment[a])


def test_blocking_pair_detector_finds_an_unstable_matching():
    from plugins.wachtlijst.services.allocation import Allocation

    prefs = {"a": ["X"], "b": ["X"]}
    ranks = {"X": {"a": 1, "b": 2}}
    unstable = Allocation(assignment={"a": None, "b": "X"}, held={"X": ["b"]})
    assert blocking_pairs(unstable, prefs, ranks, {"X": 1}) == [("a", "X")]


@given(st.dates(), st.dates())
@example(date(2000, 1, 29), date(2001, 2, 28))  # a shorter month completes on its last day
@example(date(2000, 3, 31), date(2000, 4, 30))
def test_age_months_matches_dateutil(birth, on):
    from dateutil.relativedelta import relativedelta

    from plugins.wachtlijst.services.offers import age_months

    delta = relativedelta(on, birth)
    if on >= birth:
        assert age_months(birth, on) == delta.years * 12 + delta.months
