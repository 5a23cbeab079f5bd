"""Family daycare from 1 January 2027 (domain-rules §4.1, §4.4 [P7], [P12]): at most 7 children
at the same time whatever the licence says (8 until 31/12/2026), in free places, last-minute
places and plan checks; a warning list of homes and days where today's plans break a rule that
starts within the next months; the onthaalouder's own children count (§3.6, §4.2)."""
from __future__ import annotations

from datetime import date, datetime, time
from decimal import Decimal

import pytest

from core.clock import BRUSSELS, app_clock
from core.context import build_context, context_for
from core.models import CareType
from core.settings import set_setting
from core.values import Period
from plugins.planning import api
from tests.plugins.planning.conftest import full_week


@pytest.fixture
def home(factory, org):
    """A family daycare home licensed for 8 (as licences before 2027 allow)."""
    return factory.location(org, name="Onthaalouder Lies", care_type=CareType.GEZINSOPVANG, places=8)


def _children(session, factory, org, home, n, start=date(2026, 12, 1), **kw):
    kids = []
    for _ in range(n):
        kid = factory.child(org, location=home, born=date(2025, 6, 1))
        api.create_care_plan(context_for(session, org), child_id=kid.id, location_id=home.id, start_date=start,
                             days=full_week(), **kw)
        kids.append(kid)
    return kids


def _free(rows, home, period, last_minute=False):
    return {r.free_places for r in rows if r.location_id == home.id and r.period == period
            and r.day_parts == "ma-vr volle dag" and r.last_minute is last_minute}


def test_effective_capacity_caps_family_daycare_at_7_from_2027(factory, org, home, location):
    """§4.1: gezinsopvang max 8 until 31/12/2026, max 7 from 1/1/2027, whatever the licence; a
    smaller licence stays the limit; group care keeps its licensed places."""
    assert api.effective_capacity(home, date(2026, 12, 31)) == 8
    assert api.effective_capacity(home, date(2027, 1, 1)) == 7
    small = factory.location(org, care_type=CareType.GEZINSOPVANG, places=5)
    assert api.effective_capacity(small, date(2027, 1, 1)) == 5
    assert api.effective_capacity(location, date(2027, 1, 1)) == 18
    assert api.effective_capacity(home, date(2026, 6, 1), "kindratio_2027") == 7  # a forced rule set


def test_free_places_and_last_minute_places_follow_the_cap(session, factory, org, home):
    """§4.1: free places are counted against 8 in December 2026 and 7 in January 2027; last-minute
    places over the year end take the lower number."""
    app_clock().freeze(datetime(2026, 11, 20, 10, 0, tzinfo=BRUSSELS))
    _children(session, factory, org, home, 6)
    rows = api.per_month(api.free_places(context_for(session, org), start=Period(2026, 12), months=2,
                                         location_ids=[home.id]))
    assert _free(rows, home, Period(2026, 12)) == {2}
    assert _free(rows, home, Period(2027, 1)) == {1}
    app_clock().freeze(datetime(2026, 12, 21, 10, 0, tzinfo=BRUSSELS))
    rows = api.per_month(api.free_places(context_for(session, org), start=Period(2026, 12), months=1,
                                         location_ids=[home.id]))
    assert {r.free_places for r in rows if r.location_id == home.id and r.last_minute
            and r.day_parts == "ma-vr volle dag"} == {1}


def test_plan_check_warns_only_from_2027_for_the_eighth_child(session, factory, org, home):
    """§4.1: an 8th child fits until 31/12/2026 and breaks the cap from 1/1/2027: the plan check
    names the January dates, not the December ones."""
    _children(session, factory, org, home, 7)
    eighth = factory.child(org, location=home, born=date(2025, 6, 1))
    warnings = api.check_plan_change(context_for(session, org), location_id=home.id, start_date=date(2026, 12, 1),
                                     days=full_week(), child_id=eighth.id, horizon_days=62)
    [capacity] = [w for w in warnings if w.code == "capacity"]
    assert min(capacity.dates) == date(2027, 1, 4) and all(d.year == 2027 for d in capacity.dates)
    assert "7 kinderen tegelijk" in capacity.message


def test_warning_list_names_homes_and_days_before_the_rule_starts(session, factory, org, home, location):
    """§4.4 "plan admissions for it now": on 20 November 2026, 8 children planned for January at a
    home are listed per day when the rule starts within the horizon; a two-month horizon reaches
    January, one month does not; group care is not listed; a forced rule set lists nothing."""
    app_clock().freeze(datetime(2026, 11, 20, 10, 0, tzinfo=BRUSSELS))
    _children(session, factory, org, home, 8)
    _children(session, factory, org, location, 10)
    ctx = build_context(session, org)
    assert api.upcoming_rule_warnings(ctx, months=1) == []
    warnings = api.upcoming_rule_warnings(ctx, months=2)
    assert {w.location_id for w in warnings} == {home.id}
    assert warnings[0].day == date(2027, 1, 4)  # 1 January is a public holiday
    assert {(w.children, w.limit, w.starts) for w in warnings} == {(8, 7, date(2027, 1, 1))}
    assert all(w.day.month == 1 for w in warnings) and len(warnings) == 20  # weekdays of January but the 1st
    default = api.upcoming_rule_warnings(ctx)  # setting planning.rule_warning_months: 6, to the end of May
    assert max(w.day for w in default) == date(2027, 5, 31) and len(default) > 20
    set_setting(session, org, "planning.ratio_rule_set", "kindratio_2015")
    assert api.upcoming_rule_warnings(build_context(session, org), months=2) == []


def test_children_at_different_times_are_not_at_the_same_time(session, factory, org, home):
    """§4.1 counts children "at the same time": 4 mornings and 4 afternoons are 4 at a time."""
    app_clock().freeze(datetime(2026, 11, 20, 10, 0, tzinfo=BRUSSELS))
    for part in ("morning", "afternoon"):
        for _ in range(4):
            kid = factory.child(org, location=home, born=date(2025, 6, 1))
            api.create_care_plan(context_for(session, org), child_id=kid.id, location_id=home.id, start_date=date(2026, 12, 1),
                                 days=full_week(part=part))
    assert api.upcoming_rule_warnings(build_context(session, org), months=3) == []


def test_own_children_count_in_capacity_and_ratio_but_get_no_respite(session, factory, org, home):
    """§3.6, §4.2: the onthaalouder's own children count in capacity and ratio (up to and
    including kleuterschool, so no baby-care age limit); they are never billed and have no
    respijtdagen. 7 children and an own child of 5 are 8 at the same time from 2027."""
    app_clock().freeze(datetime(2026, 11, 20, 10, 0, tzinfo=BRUSSELS))
    _children(session, factory, org, home, 7)
    own = factory.child(org, location=home, born=date(2021, 9, 1))
    plan = api.create_care_plan(context_for(session, org), child_id=own.id, location_id=home.id, start_date=date(2026, 12, 1),
                                days=[api.DayPlan(d, "hours", time(16), time(18)) for d in range(5)],
                                own_child=True)
    slots = api.half_hour_profile(context_for(session, org), home.id, date(2027, 1, 4))
    assert max(s.children for s in slots) == 8 and next(s for s in slots if s.start == time(16)).children == 8
    warnings = api.upcoming_rule_warnings(build_context(session, org), months=2)
    assert warnings and all(w.children == 8 for w in warnings)
    assert api.respite_entitlements(context_for(session, org), own.id, 2027) == {plan: Decimal(0)}


def test_own_child_only_in_family_daycare(session, factory, org, location):
    """Bad input: an own child of an onthaalouder exists only in gezinsopvang; nothing is saved."""
    from sqlalchemy import func, select

    from plugins.planning.models import CarePlan

    kid = factory.child(org, location=location)
    with pytest.raises(api.PlanningError, match="alleen in gezinsopvang"):
        api.create_care_plan(context_for(session, org), child_id=kid.id, location_id=location.id, start_date=date(2026, 12, 1),
                             days=full_week(), own_child=True)
    assert session.scalar(select(func.count()).select_from(CarePlan)) == 0


def test_dashboard_card_lists_the_homes_to_act_on(client, session, factory, org, home):
    """§4.4: directors see, before 1/1/2027, which homes plan more than 7 children at a time and
    from when, and the card counts the home's places as 8 today (7 from 2027)."""
    from core.models import Role
    from tests.conftest import login

    app_clock().freeze(datetime(2026, 12, 1, 9, 0, tzinfo=BRUSSELS))
    _children(session, factory, org, home, 8)
    session.commit()
    login(client, factory.user(org, Role.DIRECTOR))
    text = client.get(f"/o/{org.slug}/").get_data(as_text=True)
    card = text[text.index("Vandaag verwacht"):]
    assert "Plannen die een nieuwe regel overschrijden" in card
    assert "Onthaalouder Lies: tot 8 kinderen tegelijk op" in card and "hoogstens 7" in card
    assert '<td class="num">8</td>' in card


def test_dashboard_card_costs_the_same_statements_with_or_without_homes(client, session, factory, org, home,
                                                                        location):
    """Issue 12: in December (the 2027 rule within the horizon) the card of a partner whose homes
    break the cap costs the statements of a partner without any home: the homes' plans come with
    today's plans, in one load. A caregiver of one home sees that home's warning only."""
    from core.models import Role
    from tests.conftest import QueryCounter, login

    app_clock().freeze(datetime(2026, 12, 2, 9, 0, tzinfo=BRUSSELS))
    other_home = factory.location(org, name="Onthaalouder Mia", care_type=CareType.GEZINSOPVANG, places=8)
    _children(session, factory, org, home, 8)
    _children(session, factory, org, other_home, 8)
    small = factory.org(modules={"planning"})
    crib = factory.location(small, places=18)
    _children(session, factory, small, crib, 3)
    session.commit()
    counts, texts = {}, {}
    for partner in (org, small):
        login(client, factory.user(partner, Role.DIRECTOR))
        client.get(f"/o/{partner.slug}/")
        with QueryCounter(session.connection()) as q:
            texts[partner.slug] = client.get(f"/o/{partner.slug}/").get_data(as_text=True)
        counts[partner.slug] = q.count
        client.post("/logout")
    assert "Onthaalouder Mia: tot 8 kinderen tegelijk" in texts[org.slug]
    assert "Plannen die een nieuwe regel" not in texts[small.slug]
    assert counts[org.slug] == counts[small.slug]
    login(client, factory.user(org, Role.CAREGIVER, locations=[other_home]))
    card = client.get(f"/o/{org.slug}/").get_data(as_text=True)
    assert "Onthaalouder Mia: tot 8 kinderen tegelijk" in card and "Onthaalouder Lies" not in card
