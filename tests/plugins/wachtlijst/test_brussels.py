"""The Brussels Dutch-speaking priority rule (domain-rules §5.1) as an option of the priority
policy: it acts for a share of a location's places (default 55 %, a setting), counted on the
children placed through the waiting list who are still in care, and the ranking says why."""
from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from core.clock import BRUSSELS, app_clock
from core.context import context_for
from core.settings import definitions, get_setting, set_setting
from core.values import Period
from plugins.wachtlijst.models import Status
from plugins.wachtlijst.services import central, offers, placing, policy
from tests.conftest import login
from tests.plugins.wachtlijst.helpers import make_request


@pytest.fixture
def brussels(factory, org):
    """A location of 4 places (Brussels share: at most 55 % = 2 places) under the Brussels preset."""
    location = factory.location(org, name="Brussel Centrum", places=4)
    return location


@pytest.fixture
def vacancies(monkeypatch, brussels):
    slot = placing.Slot(brussels.id, 2027, 1, "0-12m", "ma-vr volle dag", free=4)
    monkeypatch.setattr(placing, "vacancies", lambda *a, **k: [slot])
    return slot


def place(session, org, slot, email, name, **facts):
    req, _ = make_request(session, org, [slot.location_id], email=email, child_first_name=name, facts=facts)
    offer = offers.make_offer(context_for(session, org), req, slot, actor=None)
    offers.accept(context_for(session, org), offer)
    return req


def order(session, org, location_id):
    ranked, reqs = offers.ranking(context_for(session, org), location_id)
    return [reqs[r.request_id].child_first_name for r in ranked], ranked


def test_share_counts_placed_dutch_speaking_children_still_in_care(session, org, brussels, vacancies, frozen_today):
    policy.set_rules(context_for(session, org), policy.PRESETS["brussel"])
    assert get_setting(session, org, "wachtlijst.dutch_share") == 55
    make_request(session, org, [brussels.id], email="alleen@example.be", child_first_name="Alleen",
                 facts={"single_parent": True})
    make_request(session, org, [brussels.id], email="nl@example.be", child_first_name="Nederlands",
                 facts={"dutch_speaking": True})
    names, ranked = order(session, org, brussels.id)
    assert names == ["Nederlands", "Alleen"]
    assert any("(55 % van 4 plaatsen = 2; nu ingenomen: 0)" in line for line in ranked[0].reasons)
    first = place(session, org, vacancies, "p1@example.be", "Eerste", dutch_speaking=True)
    place(session, org, vacancies, "p2@example.be", "Tweede", dutch_speaking=True)
    place(session, org, vacancies, "p3@example.be", "Derde")  # not Dutch-speaking: does not count
    names, ranked = order(session, org, brussels.id)
    assert names == ["Alleen", "Nederlands"]
    assert ("niet toegepast, het aandeel is ingevuld: Nederlandstalig gezin, binnen het aandeel voor "
            "Nederlandstaligen (Brussel) (55 % van 4 plaatsen = 2; nu ingenomen: 2)") in ranked[1].reasons
    # a child who left care no longer holds a place
    placing.planning_api().end_care_plan(context_for(session, org), first.care_plan_id, end_date=date(2027, 1, 31))
    app_clock().freeze(datetime(2027, 2, 15, 10, tzinfo=BRUSSELS))
    names, ranked = order(session, org, brussels.id)
    assert names == ["Nederlands", "Alleen"]
    assert any("nu ingenomen: 1)" in line for line in ranked[0].reasons)


def test_share_is_a_setting(session, org, brussels, vacancies, frozen_today):
    assert "wachtlijst.dutch_share" in definitions()  # listed by plugin.py
    assert not hasattr(policy, "setting")  # so read through core.settings, without a fallback of its own
    policy.set_rules(context_for(session, org), policy.PRESETS["brussel"])
    place(session, org, vacancies, "p1@example.be", "Eerste", dutch_speaking=True)
    make_request(session, org, [brussels.id], email="alleen@example.be", child_first_name="Alleen",
                 facts={"single_parent": True})
    make_request(session, org, [brussels.id], email="nl@example.be", child_first_name="Nederlands",
                 facts={"dutch_speaking": True})
    set_setting(session, org, "wachtlijst.dutch_share", 25)  # 25 % of 4 = 1 place, held
    assert order(session, org, brussels.id)[0] == ["Alleen", "Nederlands"]
    set_setting(session, org, "wachtlijst.dutch_share", 55)
    assert order(session, org, brussels.id)[0] == ["Nederlands", "Alleen"]


def test_rule_only_acts_when_the_policy_has_it(session, org, brussels, vacancies, frozen_today):
    make_request(session, org, [brussels.id], email="alleen@example.be", child_first_name="Alleen",
                 facts={"single_parent": True})
    make_request(session, org, [brussels.id], email="nl@example.be", child_first_name="Nederlands",
                 facts={"dutch_speaking": True})
    names, ranked = order(session, org, brussels.id)  # Subsidiebesluit default: no Brussels rule
    assert names == ["Alleen", "Nederlands"]
    assert not any("Nederlandstalig" in line for r in ranked for line in r.reasons)


def test_candidates_and_central_allocation_apply_the_share(session, factory, org, brussels, vacancies, director,
                                                             frozen_today):
    from core.models import Role

    policy.set_rules(context_for(session, org), policy.PRESETS["brussel"])
    alone, _ = make_request(session, org, [brussels.id], email="alleen@example.be", child_first_name="Alleen",
                            facts={"single_parent": True})
    dutch, _ = make_request(session, org, [brussels.id], email="nl@example.be", child_first_name="Nederlands",
                            facts={"dutch_speaking": True})
    ranked, _ = offers.candidates(context_for(session, org), vacancies)
    assert [r.request_id for r in ranked] == [dutch.id, alone.id]
    coordinator = factory.user(None, Role.COORDINATOR)
    run = central.propose(session, org.koepel_id, Period(2027, 1).first_day, actor=coordinator, months=1)
    lines = {line["request_id"]: line for line in run.result["lines"]}
    assert lines[dutch.id]["rules"] == ["dutch_share"] and lines[dutch.id]["slot"]


def test_policy_and_ranking_pages_show_the_rule(client, session, org, brussels, director, frozen_today):
    make_request(session, org, [brussels.id], email="nl@example.be", child_first_name="Nederlands",
                 facts={"dutch_speaking": True})
    session.commit()
    slug, loc_id = org.slug, brussels.id
    login(client, director)
    assert client.post(f"/o/{slug}/wachtlijst/policy", data={"preset": "brussel"}).status_code == 302
    page = client.get(f"/o/{slug}/wachtlijst/policy").get_data(as_text=True)
    assert "minder dan 55 % van de plaatsen" in page
    body = client.get(f"/o/{slug}/wachtlijst/ranking?location={loc_id}").get_data(as_text=True)
    assert "voldoet aan: Nederlandstalig gezin, binnen het aandeel voor Nederlandstaligen (Brussel)" in body
    assert "55 % van 4 plaatsen = 2" in body


def test_reserve_no_longer_counts_children_who_left(session, org, location, frozen_today, monkeypatch):
    """The vulnerable reserve is counted the same way (before, every placement ever counted)."""
    slot = placing.Slot(location.id, 2027, 1, "0-12m", "ma-vr volle dag", free=18)
    monkeypatch.setattr(placing, "vacancies", lambda *a, **k: [slot])
    vulnerable = {"low_income": True, "single_parent": True}
    placed = [place(session, org, slot, f"v{i}@example.be", f"Kwetsbaar{i}", **vulnerable) for i in range(4)]
    quotas = policy.location_quotas(session, [org], [location])[location.id]
    assert (quotas[policy.RESERVED].reserved, quotas[policy.RESERVED].held) == (4, 4)
    for req in placed[:2]:
        placing.planning_api().end_care_plan(context_for(session, org), req.care_plan_id,
                                             end_date=date(2027, 1, 4) + timedelta(days=30))
    app_clock().freeze(datetime(2027, 3, 1, 10, tzinfo=BRUSSELS))
    quotas = policy.location_quotas(session, [org], [location])[location.id]
    assert quotas[policy.RESERVED].held == 2 and quotas[policy.RESERVED].open


def _held(session, org, location):
    return policy.location_quotas(session, [org], [location])[location.id][policy.RESERVED].held


def test_reserve_counts_a_child_starting_more_than_a_year_ahead(session, org, location, frozen_today, monkeypatch):
    """Placed now for a start in 2028: the place is taken (before, only reserved care in the next
    366 days counted, so the reserve stayed open and kept jumping the queue)."""
    slot = placing.Slot(location.id, 2028, 3, "12-24m", "ma-vr volle dag", free=18)
    monkeypatch.setattr(placing, "vacancies", lambda *a, **k: [slot])
    place(session, org, slot, "later@example.be", "Later", low_income=True, single_parent=True)
    assert _held(session, org, location) == 1


def test_reserve_counts_a_placed_child_without_care_plan_yet(session, org, location, frozen_today):
    """A request marked placed before planning has its care plan still holds the place."""
    req, _ = make_request(session, org, [location.id], email="zonderplan@example.be", child_first_name="Zonder",
                          facts={"low_income": True, "single_parent": True})
    req.status, req.placed_location_id = Status.PLACED, location.id
    session.flush()
    assert _held(session, org, location) == 1


def test_reserve_counts_until_the_last_care_day_has_passed(session, org, location, frozen_today, monkeypatch):
    slot = placing.Slot(location.id, 2027, 1, "0-12m", "ma-vr volle dag", free=18)
    monkeypatch.setattr(placing, "vacancies", lambda *a, **k: [slot])
    req = place(session, org, slot, "v@example.be", "Kwetsbaar", low_income=True, single_parent=True)
    placing.planning_api().end_care_plan(context_for(session, org), req.care_plan_id, end_date=date(2027, 3, 31))
    app_clock().freeze(datetime(2027, 3, 31, 10, tzinfo=BRUSSELS))
    assert _held(session, org, location) == 1  # the last care day itself
    app_clock().freeze(datetime(2027, 4, 1, 10, tzinfo=BRUSSELS))
    assert _held(session, org, location) == 0


def test_quotas_do_not_expand_reserved_days(session, org, location, frozen_today, monkeypatch):
    """Ranking asks planning which care has ended (one query), never a year of reserved days per child."""
    slot = placing.Slot(location.id, 2027, 1, "0-12m", "ma-vr volle dag", free=18)
    monkeypatch.setattr(placing, "vacancies", lambda *a, **k: [slot])
    for i in range(3):
        place(session, org, slot, f"v{i}@example.be", f"Kwetsbaar{i}", low_income=True, single_parent=True)

    def refuse(*a, **k):
        raise AssertionError("reserved_days expanded while ranking")

    monkeypatch.setattr(placing.planning_api(), "reserved_days", refuse)
    assert _held(session, org, location) == 3
    offers.ranking(context_for(session, org), location.id)
