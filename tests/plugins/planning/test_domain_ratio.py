"""The ratio rule sets, case by case against domain-rules.md §4 (4.1, 4.3, 4.4)."""
from datetime import date, time, timedelta

import pytest

from core.context import context_for
from core.settings import set_setting
from plugins.planning.services.profile import Presence, Shift, compute_profile
from plugins.planning.services.ratio import rule_set_for, rule_sets, staff_needed

OLD = rule_set_for(date(2026, 12, 31))
NEW = rule_set_for(date(2027, 1, 1))


def test_rule_sets_are_chosen_by_date():
    assert OLD.key == "kindratio_2015"
    assert NEW.key == "kindratio_2027"
    assert rule_set_for(date(2020, 5, 1)).key == "kindratio_2015"
    assert rule_set_for(date(2035, 5, 1)).key == "kindratio_2027"
    assert rule_set_for(date(2026, 6, 1), "kindratio_2027").key == "kindratio_2027"
    assert rule_set_for(date(2028, 6, 1), "kindratio_2015").key == "kindratio_2015"
    with pytest.raises(KeyError):
        rule_set_for(date(2026, 6, 1), "kindratio_1999")


def test_rule_set_periods_do_not_overlap_and_leave_no_gap():
    sets = sorted(rule_sets(), key=lambda r: r.valid_from or date.min)
    assert sets[0].valid_from is None and sets[-1].valid_to is None
    for earlier, later in zip(sets, sets[1:], strict=False):
        assert earlier.valid_to + timedelta(days=1) == later.valid_from


# §4.3: one caregiver alone max 8; with 2 or more present max 9 each.
@pytest.mark.parametrize(("children", "staff"), [(0, 0), (1, 1), (8, 1), (9, 2), (18, 2), (19, 3), (27, 3), (28, 4)])
def test_until_2026_alone_8_then_9_each(children, staff):
    assert staff_needed(OLD, children, babies=0) == staff
    assert staff_needed(OLD, children, babies=children) == staff  # age does not matter before 2027


# §4.3: rest period (max 2 h): max 14 per caregiver, at least 2 present.
@pytest.mark.parametrize(("children", "staff"), [(8, 1), (9, 2), (28, 2), (29, 3), (42, 3), (43, 4)])
def test_until_2026_rest_period_14_each(children, staff):
    assert staff_needed(OLD, children, rest=True) == staff


# §4.1: family daycare max 8 until 2026, max 7 from 2027.
def test_family_daycare_maximum():
    assert OLD.family_max == 8 and NEW.family_max == 7
    assert staff_needed(OLD, 8, family_daycare=True) == 1
    assert staff_needed(OLD, 9, family_daycare=True) == 2
    assert staff_needed(NEW, 7, family_daycare=True) == 1
    assert staff_needed(NEW, 8, family_daycare=True) == 2


# §4.4: babies only (≤ 12 months) 1:5.
@pytest.mark.parametrize(("children", "staff"), [(1, 1), (5, 1), (6, 2), (10, 2), (11, 3)])
def test_from_2027_babies_only_1_to_5(children, staff):
    assert staff_needed(NEW, children, babies=children) == staff


# §4.4: all older than 12 months 1:8.
@pytest.mark.parametrize(("children", "staff"), [(8, 1), (9, 2), (16, 2), (17, 3)])
def test_from_2027_older_1_to_8(children, staff):
    assert staff_needed(NEW, children, babies=0) == staff


# §4.4: mixed 1:7.
@pytest.mark.parametrize(("children", "babies", "staff"), [(7, 1, 1), (7, 6, 1), (8, 3, 2), (14, 2, 2), (15, 2, 3)])
def test_from_2027_mixed_1_to_7(children, babies, staff):
    assert staff_needed(NEW, children, babies=babies) == staff


def test_from_2027_rest_period_and_living_group():
    assert staff_needed(NEW, 28, babies=0, rest=True) == 2
    assert staff_needed(NEW, 29, babies=0, rest=True) == 3
    assert NEW.living_group_max == 18 and OLD.living_group_max == 18


def _kids(n, age, group=None, start=time(8), end=time(17)):
    return [Presence(i + (1000 if age <= 12 else 0), start, end, age, group) for i in range(n)]


def test_a_baby_is_under_12_months_a_child_of_12_months_is_not():
    """§4.4 [P12] as the issue reads the rule text: a baby is a child under 12 months; 11 completed
    months is a baby, 12 is not (babies only 1:5, older 1:8)."""
    six_babies = compute_profile(_kids(6, 11), time(8), time(9), NEW)
    assert {s.staff_needed for s in six_babies} == {2} and six_babies[0].babies == 6
    six_older = compute_profile(_kids(6, 12), time(8), time(9), NEW)
    assert {s.staff_needed for s in six_older} == {1} and six_older[0].babies == 0


def test_2027_ratio_judged_per_location_living_groups_as_a_warning_or_by_setting():
    """§4.4: the ratio is judged per location as the rule states; per living group is the other
    reading (setting planning.ratio_scope) and otherwise shows as ``staff_needed_by_group``."""
    split = _kids(4, 20, group=1) + [Presence(70 + i, time(8), time(17), 20, 2) for i in range(4)]
    slot = compute_profile(split, time(8), time(8, 30), NEW)[0]
    assert (slot.staff_needed, slot.staff_needed_by_group) == (1, 2)  # 8 older children: 1:8 at the location
    assert compute_profile(split, time(8), time(8, 30), NEW, scope="living_group")[0].staff_needed == 2
    assert compute_profile(split, time(8), time(8, 30), OLD)[0].staff_needed == 1  # 8 alone at the location


def test_profile_counts_presence_per_half_hour_and_rest_window_and_planned_staff():
    children = _kids(9, 20, start=time(8), end=time(12)) + [Presence(99, time(11, 30), time(13), 20, None)]
    slots = compute_profile(children, time(7), time(13), OLD, rest=(time(12), time(13)),
                            shifts=[Shift(time(7), time(13), 1)])
    by_start = {s.start: s for s in slots}
    assert by_start[time(7)].children == 0 and by_start[time(7)].staff_needed == 0
    assert by_start[time(8)].children == 9 and by_start[time(8)].staff_needed == 2
    assert by_start[time(11, 30)].children == 10
    assert by_start[time(12)].children == 1 and by_start[time(12)].rest
    assert all(s.staff_planned == 1 for s in slots)
    assert len(slots) == 12


def test_organisation_setting_forces_a_rule_set(session, org, location, child):
    from plugins.planning.services.ratio import org_rule_set

    assert org_rule_set(context_for(session, org), date(2026, 5, 1)).key == "kindratio_2015"
    set_setting(session, org, "planning.ratio_rule_set", "kindratio_2027")
    assert org_rule_set(context_for(session, org), date(2026, 5, 1)).key == "kindratio_2027"


def test_rule_tables_are_data_with_the_numbers_of_domain_rules_4():
    """The JSON holds §4.1/4.3/4.4 literally; the engine has no number of its own."""
    import json

    from plugins.planning.services.ratio import RULES_FILE

    data = {r["key"]: r for r in json.loads(RULES_FILE.read_text(encoding="utf-8"))["rule_sets"]}
    old, new = data["kindratio_2015"], data["kindratio_2027"]
    assert (old["valid_to"], new["valid_from"]) == ("2026-12-31", "2027-01-01")
    assert old["group"]["alone_max"] == 8 and old["group"]["per_caregiver"] == {"any": 9}
    assert old["group"]["rest"] == {"per_caregiver": 14, "max_minutes": 120, "min_caregivers": 2}
    assert old["family"]["max_children"] == 8 and new["family"]["max_children"] == 7
    assert new["group"]["per_caregiver"] == {"babies_only": 5, "older_only": 8, "mixed": 7}
    assert new["group"]["baby_under_months"] == 12 and new["group"]["living_group_max"] == 18
    assert new["group"]["logistics"] == {"max_share": 0.25, "min_qualified": 2} and "logistics" not in old["group"]
    assert new["group"]["rest"]["per_caregiver"] == 14


def test_a_new_rule_set_is_a_new_data_entry_not_code(tmp_path, monkeypatch):
    import json

    from plugins.planning.services import ratio

    data = json.loads(ratio.RULES_FILE.read_text(encoding="utf-8"))
    data["rule_sets"][1]["valid_to"] = "2029-12-31"
    data["rule_sets"].append({"key": "kindratio_2030", "label": "test", "valid_from": "2030-01-01", "valid_to": None,
                              "group": {"scope": "location", "alone_max": None, "per_caregiver": {"any": 6},
                                        "baby_max_months": 12, "living_group_max": 16},
                              "family": {"max_children": 6}})
    path = tmp_path / "kindratio.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    sets = ratio.rule_sets.__wrapped__(str(path))
    monkeypatch.setattr(ratio, "rule_sets", lambda: sets)
    rules = ratio.rule_set_for(date(2030, 3, 1))
    assert rules.key == "kindratio_2030" and rules.family_max == 6 and rules.living_group_max == 16
    assert [staff_needed(rules, n) for n in (6, 7, 12, 13)] == [1, 2, 2, 3]
    assert ratio.rule_set_for(date(2028, 3, 1)).key == "kindratio_2027"
