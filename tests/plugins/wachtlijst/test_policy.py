"""Priority policy as data: ranking order, tie-break, reserved share, explanations."""
from __future__ import annotations

from datetime import UTC, datetime

import pytest

from core.context import context_for
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
    facts = [Facts(1, at(1), frozenset({"single_parent"})),
             Facts(2, at(2), frozenset({"dutch_speaking", policy.DUTCH_SHARE}))]
    assert [r.request_id for r in rank(facts, policy.PRESETS["brussel"])] == [2, 1]
    assert [r.request_id for r in rank(facts, policy.PRESETS["subsidiebesluit"])] == [1, 2]
    # the plain rule (no share) is still available for an organisation that wants it
    assert [r.request_id for r in rank(facts, ["work", "dutch_speaking", "single_parent"])] == [2, 1]


def test_brussels_share_acts_only_while_dutch_speaking_families_hold_less_than_the_share():
    facts = [Facts(1, at(1), frozenset({"single_parent"})),
             Facts(2, at(2), frozenset({"dutch_speaking", policy.DUTCH_SHARE})),
             Facts(3, at(3), frozenset({"work"}))]
    rules = policy.PRESETS["brussel"]
    open_share = {policy.DUTCH_SHARE: policy.Quota(55, 10, 4, maximum=True)}  # 5 places, 4 held
    ranked = rank(facts, rules, quotas=open_share)
    assert [r.request_id for r in ranked] == [3, 2, 1]
    assert ranked[1].matched == [policy.DUTCH_SHARE]
    assert ("voldoet aan: Nederlandstalig gezin, binnen het aandeel voor Nederlandstaligen (Brussel) "
            "(55 % van 10 plaatsen = 5; nu ingenomen: 4)") in ranked[1].reasons
    assert "na de vorige omdat die voldoet aan: Nederlandstalig gezin, binnen het aandeel voor " \
           "Nederlandstaligen (Brussel)" in ranked[2].reasons[-1]
    filled = {policy.DUTCH_SHARE: policy.Quota(55, 10, 5, maximum=True)}
    ranked = rank(facts, rules, quotas=filled)
    assert [r.request_id for r in ranked] == [3, 1, 2]
    assert ranked[2].matched == []
    assert ("niet toegepast, het aandeel is ingevuld: Nederlandstalig gezin, binnen het aandeel voor "
            "Nederlandstaligen (Brussel) (55 % van 10 plaatsen = 5; nu ingenomen: 5)") in ranked[2].reasons
    assert not any("niet toegepast" in line for line in ranked[1].reasons)  # not said to who it does not concern


def test_quota_rounding_floor_for_the_reserve_ceiling_for_the_brussels_share():
    assert policy.Quota(20, 18, 0).reserved == 4  # at least 20 %
    assert policy.Quota(55, 18, 0, maximum=True).reserved == 9  # at most 55 %
    assert policy.Quota(55, 1, 0, maximum=True).reserved == 1  # "min 1 kind"
    assert policy.Quota(55, 0, 0, maximum=True).reserved == 0
    assert policy.Quota(0, 18, 0, maximum=True).reserved == 0


def test_filled_vulnerable_reserve_is_explained_to_vulnerable_families():
    facts = [Facts(1, at(1), frozenset({"work"})), Facts(2, at(2), frozenset({"vulnerable", policy.RESERVED}))]
    ranked = rank(facts, ["work"], quotas={policy.RESERVED: policy.Quota(20, 18, 3)})
    assert [r.request_id for r in ranked] == [2, 1]
    assert ranked[0].reasons[0] == ("voldoet aan: Voorbehouden aandeel kwetsbare gezinnen "
                                    "(20 % van 18 plaatsen = 4; nu ingenomen: 3)")
    ranked = rank(facts, ["work"], quotas={policy.RESERVED: policy.Quota(20, 18, 4)})
    assert [r.request_id for r in ranked] == [1, 2]
    assert any(line.startswith("niet toegepast, het aandeel is ingevuld: Voorbehouden aandeel")
               for line in ranked[1].reasons)


def test_policy_refuses_the_plain_and_the_share_rule_together(session, factory):
    org = factory.org(modules={"wachtlijst"})
    with pytest.raises(ValueError):
        policy.set_rules(context_for(session, org), ["work", "dutch_speaking", "dutch_share"])


def test_policy_is_stored_per_organisation_with_defaults(session, factory):
    ikt = factory.org(modules={"wachtlijst"})
    free = factory.org(modules={"wachtlijst"}, price_regime=PriceRegime.VRIJE_PRIJS)
    assert policy.get_rules(context_for(session, ikt)) == policy.PRESETS["subsidiebesluit"]
    assert policy.get_rules(context_for(session, free)) == []
    policy.set_rules(context_for(session, free), ["urgent", "work"])
    assert policy.get_rules(context_for(session, free)) == ["urgent", "work"]
    assert policy.get_rules(context_for(session, ikt)) == policy.PRESETS["subsidiebesluit"]
    with pytest.raises(ValueError):
        policy.set_rules(context_for(session, free), ["work", "work"])
    with pytest.raises(ValueError):
        policy.set_rules(context_for(session, free), ["astrology"])
