"""The 2027 ratio details (domain-rules §4.4 [P12]): logistics staff for at most 25 % of the
required caregivers (with at least 2 qualified present), the ratio judged per location with
living groups as a warning, and a day part whose hours make it a full day by duration (§1.4)."""
from __future__ import annotations

from datetime import date, time

import pytest

from core.context import context_for
from core.settings import set_setting
from plugins.planning import api
from plugins.planning.services.profile import Presence, Shift, add_staff_shift, compute_profile
from plugins.planning.services.ratio import countable_staff, rule_set_for
from tests.plugins.planning.conftest import full_week

OLD, NEW = rule_set_for(date(2026, 6, 1)), rule_set_for(date(2027, 6, 1))
JAN4 = date(2027, 1, 4)


@pytest.mark.parametrize(("qualified", "logistics", "needed", "counted"), [
    (2, 3, 8, 4),  # 25 % of 8 required = 2 logistics at most
    (3, 1, 4, 4),  # 25 % of 4 = 1
    (2, 1, 3, 2),  # 25 % of 3 = 0.75: none counts
    (1, 1, 4, 1),  # fewer than 2 qualified caregivers: logistics never counts
    (2, 0, 8, 2),
])
def test_logistics_staff_count_for_at_most_a_quarter_of_the_required_caregivers(qualified, logistics, needed,
                                                                                counted):
    """§4.4: a logistiek medewerker counts for at most 25 % of the required begeleiders, only
    under the new ratio and with at least 2 qualified begeleiders present."""
    assert countable_staff(NEW, qualified, logistics, needed) == counted


def test_logistics_staff_never_count_before_2027():
    assert countable_staff(OLD, 2, 3, 8) == 2


def test_profile_counts_logistics_staff_in_the_planned_staff():
    """32 older children need 4 caregivers from 2027 (1:8): 3 qualified and 1 logistics suffice;
    20 need 3: 2 qualified and 1 logistics do not (25 % of 3 is less than one)."""
    def kids(n):
        return [Presence(i, time(8), time(17), 24, None) for i in range(n)]

    enough = compute_profile(kids(32), time(8), time(8, 30), NEW, shifts=[Shift(time(7), time(18), 3, None, 1)])
    assert (enough[0].staff_needed, enough[0].staff_planned) == (4, 4)
    short = compute_profile(kids(20), time(8), time(8, 30), NEW, shifts=[Shift(time(7), time(18), 2, None, 1)])
    assert (short[0].staff_needed, short[0].staff_planned) == (3, 2)


def test_a_morning_of_five_hours_or_more_is_a_full_day_by_duration(session, org, location, child):
    """§1.4: less than 5 h is a half day, 5 h up to 11 h a full day. A morning 07:00-13:00 at this
    location lasts 6 h, so the plan check warns before saving; hours 08:00-12:00 do not."""
    warnings = api.check_plan_change(context_for(session, org), location_id=location.id, start_date=date(2026, 12, 1),
                                     days=[api.DayPlan(1, "morning")], child_id=child.id, horizon_days=14)
    [long] = [w for w in warnings if w.code == "day_part_full"]
    assert "voormiddag 07:00-13:00" in long.message and long.dates == (date(2026, 12, 1), date(2026, 12, 8))
    short = api.check_plan_change(context_for(session, org), location_id=location.id, start_date=date(2026, 12, 1),
                                  days=[api.DayPlan(1, "hours", time(8), time(12))], child_id=child.id,
                                  horizon_days=14)
    assert "day_part_full" not in {w.code for w in short}


def test_living_group_shortage_is_a_warning_when_the_location_has_enough(session, factory, org, location):
    """§4.4 per location: 8 older children in two living groups need 1 caregiver at the location
    (1:8) but 2 counted per group; with 1 caregiver planned the plan check warns about the living
    groups, and with the setting "living_group" it is a ratio shortage."""
    from core.models import LivingGroup

    first = location.living_groups[0]
    other = LivingGroup(organisation_id=org.id, location_id=location.id, name="Groep 2", capacity=18)
    session.add(other)
    session.flush()
    for i in range(7):
        kid = factory.child(org, location=location, born=date(2025, 1, 1))
        api.create_care_plan(context_for(session, org), child_id=kid.id, location_id=location.id, start_date=JAN4,
                             days=full_week(), living_group_id=first.id if i < 4 else other.id)
    add_staff_shift(context_for(session, org), location_id=location.id, weekday=0, start=time(7), end=time(18, 30), caregivers=1)
    newcomer = factory.child(org, location=location, born=date(2025, 1, 1))
    kwargs = dict(location_id=location.id, start_date=JAN4, days=[api.DayPlan(0, "full")], child_id=newcomer.id,
                  living_group_id=other.id, horizon_days=1)
    codes = {w.code for w in api.check_plan_change(context_for(session, org), **kwargs)}
    assert "ratio_living_group" in codes and "ratio" not in codes
    set_setting(session, org, "planning.ratio_scope", "living_group")
    codes = {w.code for w in api.check_plan_change(context_for(session, org), **kwargs)}
    assert "ratio" in codes and "ratio_living_group" not in codes


def test_negative_logistics_staff_is_refused(session, org, location):
    """Bad input: a negative number of staff is refused, nothing saved."""
    with pytest.raises(api.PlanningError, match="0 of meer"):
        add_staff_shift(context_for(session, org), location_id=location.id, weekday=0, start=time(7), end=time(18),
                        caregivers=2, logistics=-1)
