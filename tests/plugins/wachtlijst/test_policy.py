"""Priority policy as data: ranking order, tie-break, reserved share, explanations."""
from __future__ import annotations

from datetime import UTC, datetime

from core.models import PriceRegime
from plugins.wachtlijst.services import policy
from plugins.wachtlijst.services.policy import Facts, rank


def at(day: int) -> datetime:
    return datetime(2026, 1, day, 9, 0, tzinfo=UTC)


def test_subsidiebesluit_order_then_registration_date():
    facts = [
        Facts(1, at(1), frozenset()),
        Facts(2, at(5), frozenset({"work"})),
        Facts(3, at(3), frozenset({"single_parent"})),
        Facts(4, at(2), frozenset({"work", "low_income"})),
        Facts(5, at(4), frozenset({"work"})),
    ]
    ranked = rank(facts, policy.PRESETS["subsidiebesluit"])
    assert [r.request_id for r in ranked] == [4, 5, 2, 3, 1]
    assert ranked[0].matched == ["work", "low_income"]
    # every entry says why it sits where it sits
    assert any("Laag inkomen" in line for line in ranked[1].reasons)  # 5 is after 4 because of low income
    assert "vroeger ingeschreven" in ranked[2].reasons[-1]  # 2 after 5: same priority, later registration
    assert "Werk" in ranked[3].reasons[-1]  # 3 after 2: 2 meets the work rule


def test_reserved_share_puts_vulnerable_families_first_only_while_open():
    facts = [Facts(1, at(1), frozenset({"work"})), Facts(2, at(2), frozenset({"vulnerable", policy.RESERVED}))]
    assert [r.request_id for r in rank(facts, ["work"], reserve_open=True)] == [2, 1]
    assert [r.request_id for r in rank(facts, ["work"], reserve_open=False)] == [1, 2]


def test_chronological_policy_is_registration_order():
    facts = [Facts(1, at(3), frozenset({"work"})), Facts(2, at(1), frozenset())]
    assert [r.request_id for r in rank(facts, [])] == [2, 1]


def test_brussels_option_ranks_dutch_speaking_after_work():
    facts = [Facts(1, at(1), frozenset({"single_parent"})), Facts(2, at(2), frozenset({"dutch_speaking"}))]
    assert [r.request_id for r in rank(facts, policy.PRESETS["brussel"])] == [2, 1]
    assert [r.request_id for r in rank(facts, policy.PRESETS["subsidiebesluit"])] == [1, 2]


def test_policy_is_stored_per_organisation_with_defaults(session, factory):
    ikt = factory.org(modules={"wachtlijst"})
    free = factory.org(modules={"wachtlijst"}, price_regime=PriceRegime.VRIJE_PRIJS)
    assert policy.get_rules(session, ikt) == policy.PRESETS["subsidiebesluit"]
    assert policy.get_rules(session, free) == []
    policy.set_rules(session, free, ["urgent", "work"])
    assert policy.get_rules(session, free) == ["urgent", "work"]
    assert policy.get_rules(session, ikt) == policy.PRESETS["subsidiebesluit"]
    import pytest

    with pytest.raises(ValueError):
        policy.set_rules(session, free, ["work", "work"])
    with pytest.raises(ValueError):
        policy.set_rules(session, free, ["astrology"])
