"""FO-SU-05's BO tick and kindcodes (issue 10 item 6), against the real planning module.

Domain rules §3.3 [P10] (Opgroeien functional description, 2025) and [P11] (FO-SU-05 XSD 2.3): the
school-attendance tick "BO" is set from full-time school or from age 3½, only at a location
allowed to register out-of-school care; a child with several attests has several kindcodes and is
reported per kindcode."""
from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import date, datetime, time

import pytest
from sqlalchemy import func, select

from core.clock import BRUSSELS, app_clock
from core.context import build_context, context_for
from core.models import CareType, ChildFamily, Location
from core.values import Period
from plugins.aanwezigheden.models import ChildCode, HouseholdKindcode
from plugins.aanwezigheden.services import AttendanceError, reports
from plugins.aanwezigheden.services.kindcodes import set_household_kindcode
from plugins.aanwezigheden.services.rules import is_out_of_school, months_after
from plugins.planning import api as planning
from tests.conftest import login
from tests.plugins.aanwezigheden.conftest import db_org
from tests.plugins.aanwezigheden.test_api import stay

NOV = Period(2026, 11)
MON = date(2026, 11, 16)


def _plan(session, o, child, location, weekdays, **kw):
    return planning.create_care_plan(context_for(session, o), child_id=child.id, location_id=location.id,
                                     start_date=date(2026, 11, 2),
                                     days=[planning.DayPlan(weekday=d, day_part="full") for d in weekdays], **kw)


def _report(session, o, location):
    return reports.fo_su_05_data(context_for(session, o), session.get(Location, location.id), NOV)


@pytest.fixture
def month_end():
    app_clock().freeze(datetime(2026, 11, 30, 20, 0, tzinfo=BRUSSELS))


# --- the rule itself ------------------------------------------------------------------------------

def test_bo_needs_the_locations_permission():
    """§3.3 [P10]: BO only where the location may register out-of-school care; without that
    permission neither school nor age ticks it."""
    kw = dict(birth_date=date(2020, 1, 1), school_start=date(2023, 9, 1), day=date(2026, 11, 16))
    assert is_out_of_school(bo_location=True, **kw)
    assert not is_out_of_school(bo_location=False, **kw)


def test_part_time_school_does_not_tick_bo_before_three_and_a_half():
    """§3.3 [P10]: "vanaf voltijds schoollopen of vanaf 3,5 jaar" - a toddler at part-time school
    (2 years 10 months) is not BO; at full-time school it is; at 3½ it is whatever the school."""
    born, day = date(2024, 1, 10), date(2026, 11, 16)
    assert not is_out_of_school(bo_location=True, birth_date=born, school_start=date(2026, 9, 1), day=day,
                                school_part_time=True)
    assert is_out_of_school(bo_location=True, birth_date=born, school_start=date(2026, 9, 1), day=day)
    assert is_out_of_school(bo_location=True, birth_date=date(2023, 5, 16), school_start=date(2026, 9, 1),
                            day=day, school_part_time=True)


@pytest.mark.parametrize("born, first_bo_day", [
    (date(2022, 8, 31), date(2026, 2, 28)),  # 31 August + 42 months: February has no 31st
    (date(2020, 8, 31), date(2024, 2, 29)),  # leap year
    (date(2020, 2, 29), date(2023, 8, 29)),  # born on a leap day
    (date(2023, 6, 30), date(2026, 12, 30)),  # turns 3½ at the year end
])
def test_three_and_a_half_years_at_month_ends_and_leap_years(born, first_bo_day):
    """§3.3 [P10] age limit 3½ years = 42 months; a birthday the month lacks falls on its last day."""
    assert months_after(born, 42) == first_bo_day
    before = date.fromordinal(first_bo_day.toordinal() - 1)
    assert is_out_of_school(bo_location=True, birth_date=born, school_start=None, day=first_bo_day)
    assert not is_out_of_school(bo_location=True, birth_date=born, school_start=None, day=before)


# --- the report -----------------------------------------------------------------------------------

def test_ikt_kinderdagverblijf_with_bo_permission_ticks_bo_in_the_xml(session, factory, org, location, month_end):
    """§3.3 [P11]: the location's own <bo> follows its permission (an IKT kinderdagverblijf may
    have it); a 4-year-old there is reported with bo=J and the min3u bucket, a toddler with bo=N."""
    o = db_org(session, org)
    place = session.get(Location, location.id)
    place.out_of_school_permission = True
    older = factory.child(o, location=location, first_name="Oudste", born=date(2022, 3, 1))
    toddler = factory.child(o, location=location, first_name="Peuter", born=date(2025, 3, 1))
    for kid, code in ((older, "220301-010-01"), (toddler, "250301-020-01")):
        session.add(ChildCode(organisation_id=o.id, child_id=kid.id, kindcode=code))
        _plan(session, o, kid, location, [0])
        stay(session, o, kid, location, MON, time(15), time(17))  # 2 h
    xml = reports.fo_su_05_xml(context_for(session, o), place, NOV)
    assert reports.validate_fo_su_05(xml) == []
    lines = {line.first_name: line for line in _report(session, o, location).lines}
    assert lines["Oudste"].bo and dict(lines["Oudste"].present) == {"min3u": 1}
    assert not lines["Peuter"].bo and dict(lines["Peuter"].present) == {"min5u": 1}
    assert ET.fromstring(xml).findtext("locatiegegevens/bo") == "J"


def test_without_permission_a_four_year_old_is_not_bo(session, factory, org, location, month_end):
    """§3.3 [P10]: a kinderdagverblijf without the BO permission never ticks it, even for a child
    over 3½ (3 years 8 months) at full-time school; the location's own <bo> is N."""
    o = db_org(session, org)
    kid = factory.child(o, location=location, first_name="Vier", born=date(2023, 3, 1))
    session.add(ChildCode(organisation_id=o.id, child_id=kid.id, kindcode="220301-010-01",
                          school_start=date(2025, 9, 1)))
    _plan(session, o, kid, location, [0])
    stay(session, o, kid, location, MON, time(15), time(17))
    [line] = _report(session, o, location).lines
    assert not line.bo and dict(line.present) == {"min5u": 1}
    xml = reports.fo_su_05_xml(context_for(session, o), session.get(Location, location.id), NOV)
    assert ET.fromstring(xml).findtext("locatiegegevens/bo") == "N"
    assert ET.fromstring(xml).findtext("prestaties/prestatie/kindInfo/kind/bo") == "N"


def test_bso_location_has_the_permission_by_nature(session, factory, org):
    """Out-of-school locations register out-of-school care by definition (XSD: min3u only BSO)."""
    o = db_org(session, org)
    bso = factory.location(o, name="BSO", care_type=CareType.BUITENSCHOOLSE_OPVANG)
    assert bso.registers_out_of_school and not bso.out_of_school_permission
    kdv = factory.location(o, name="KDV")
    assert not kdv.registers_out_of_school
    kdv.out_of_school_permission = True
    assert kdv.registers_out_of_school


def test_co_parents_each_with_an_attest_give_one_line_per_kindcode(session, factory, org, location, month_end):
    """§3.3 [P10] "a child with several attests can have several codes": co-parents in two
    households, each with an attest; the child appears once per kindcode, each line with the days
    of its own household's care plan."""
    o = db_org(session, org)
    fam_a, fam_b = factory.family(o, name="Gezin A"), factory.family(o, name="Gezin B")
    kid = factory.child(o, family=fam_a, location=location, first_name="Co")
    session.add(ChildFamily(organisation_id=o.id, child_id=kid.id, family_id=fam_b.id))
    session.add(ChildCode(organisation_id=o.id, child_id=kid.id, kindcode="250301-010-01"))
    _plan(session, o, kid, location, [0, 1], family_id=fam_a.id)
    _plan(session, o, kid, location, [3, 4], family_id=fam_b.id)
    ctx = build_context(session, o)
    set_household_kindcode(ctx, kid.id, fam_a.id, "250301-010-01")
    set_household_kindcode(ctx, kid.id, fam_b.id, "250301-010-02")
    stay(session, o, kid, location, MON, time(8), time(17))  # household A's Monday
    stay(session, o, kid, location, date(2026, 11, 19), time(8), time(12))  # household B's Thursday
    lines = {line.kindcode: line for line in _report(session, o, location).lines}
    assert set(lines) == {"250301-010-01", "250301-010-02"}
    a, b = lines["250301-010-01"], lines["250301-010-02"]
    assert a.present["min11u"] == 1 and b.present["min5u"] == 1
    # every reserved day of the month counts for its own household only
    assert sum(a.present.values()) + sum(a.unjustified.values()) == 9  # 5 Mondays + 4 Tuesdays from 2 Nov
    assert sum(b.present.values()) + sum(b.unjustified.values()) == 8  # 4 Thursdays + 4 Fridays
    xml = reports.fo_su_05_xml(context_for(session, o), session.get(Location, location.id), NOV)
    assert reports.validate_fo_su_05(xml) == [] and xml.decode().count("<voornaam>Co</voornaam>") == 2


def test_one_household_without_its_own_code_falls_back_to_the_childs_kindcode(
        session, factory, org, location, month_end):
    """Only household B has its own attest code: A's days stay on the child's kindcode."""
    o = db_org(session, org)
    fam_a, fam_b = factory.family(o), factory.family(o)
    kid = factory.child(o, family=fam_a, location=location)
    session.add(ChildFamily(organisation_id=o.id, child_id=kid.id, family_id=fam_b.id))
    session.add(ChildCode(organisation_id=o.id, child_id=kid.id, kindcode="250301-010-01"))
    _plan(session, o, kid, location, [0], family_id=fam_a.id)
    _plan(session, o, kid, location, [4], family_id=fam_b.id)
    set_household_kindcode(build_context(session, o), kid.id, fam_b.id, "250301-010-02")
    assert {line.kindcode for line in _report(session, o, location).lines} == {"250301-010-01", "250301-010-02"}


def test_bad_household_kindcode_is_refused_and_nothing_saved(session, factory, org, location):
    """Bad input: a malformed code, or a household that is not the child's, writes nothing."""
    o = db_org(session, org)
    kid = factory.child(o, location=location)
    stranger = factory.family(o)
    ctx = build_context(session, o)
    own = session.scalar(select(ChildFamily.family_id).where(ChildFamily.child_id == kid.id))
    with pytest.raises(AttendanceError, match="11 cijfers"):
        set_household_kindcode(ctx, kid.id, own, "12-34")
    with pytest.raises(AttendanceError, match="hoort niet bij dit kind"):
        set_household_kindcode(ctx, kid.id, stranger.id, "250301-010-02")
    assert session.scalar(select(func.count()).select_from(HouseholdKindcode)) == 0


def test_child_code_screen_saves_part_time_school_and_household_codes_in_one_go(
        client, session, factory, org, location, director):
    """The screen: part-time school is a checkbox; under co-parenting a kindcode per household.
    A bad household code is a translated 422 and nothing of the form is saved."""
    o = db_org(session, org)
    fam_a, fam_b = factory.family(o, name="Gezin A"), factory.family(o, name="Gezin B")
    kid = factory.child(o, family=fam_a, location=location)
    session.add(ChildFamily(organisation_id=o.id, child_id=kid.id, family_id=fam_b.id))
    session.commit()
    login(client, director)
    url = f"/o/{org.slug}/aanwezigheden/children/{kid.id}/code"
    page = client.get(url)
    assert page.status_code == 200 and "Gezin B" in page.get_data(as_text=True)
    client.set_cookie("lang", "en")
    bad = client.post(url, data={"kindcode": "250301-010-01", "school_part_time": "1",
                                 f"household_{fam_b.id}": "nonsense"})
    assert bad.status_code == 422 and "11 digits" in bad.get_data(as_text=True)
    session.expire_all()
    assert session.scalar(select(func.count()).select_from(ChildCode)) == 0
    ok = client.post(url, data={"kindcode": "250301-010-01", "school_part_time": "1",
                                f"household_{fam_a.id}": "250301-010-01", f"household_{fam_b.id}": "250301-010-02"})
    assert ok.status_code == 302
    session.expire_all()
    row = session.scalar(select(ChildCode).where(ChildCode.child_id == kid.id))
    assert row.school_part_time
    codes = dict(session.execute(select(HouseholdKindcode.family_id, HouseholdKindcode.kindcode)).all())
    assert codes == {fam_a.id: "250301-010-01", fam_b.id: "250301-010-02"}
