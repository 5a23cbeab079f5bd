"""Planning and attendance to the letter of the rules, against the real planning module (no fake):
respijtdagen per agreement on reserved open days (domain-rules §2.4, §2.7), what billing needs from
a day (§1.2, §1.4, §2.2) and the register of the month with future days planned (§3.1, §3.3)."""
from __future__ import annotations

from datetime import date, datetime, time
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from core.clock import BRUSSELS, app_clock
from core.context import build_context, context_for
from core.models import ChildFamily, Location, PriceRegime
from core.settings import set_setting
from core.values import Period
from plugins.aanwezigheden.api import AbsenceKind, DayCategory, billable_days
from plugins.aanwezigheden.models import Absence
from plugins.aanwezigheden.services import AttendanceError, reports
from plugins.aanwezigheden.services.absences import record_absence
from plugins.aanwezigheden.services.register import register_data
from plugins.planning import api as planning
from plugins.planning.models import RespiteUse
from tests.conftest import login
from tests.plugins.aanwezigheden.conftest import db_org
from tests.plugins.aanwezigheden.test_api import stay

MON = date(2026, 11, 16)


def _days(days, part="full", start=None, end=None):
    return [planning.DayPlan(weekday=d, day_part=part, start=start, end=end) for d in days]


def _plan(session, o, child, location, days=range(5), start=date(2026, 11, 2), **kw):
    days = list(days)
    pattern = days if isinstance(days[0], planning.DayPlan) else _days(days)
    return planning.create_care_plan(context_for(session, o), child_id=child.id, location_id=location.id, start_date=start,
                                     days=pattern, **kw)


def _count(session, model) -> int:
    return session.scalar(select(func.count()).select_from(model))


def _co_parented(session, factory, o, location):
    """A child of two households: A on Monday and Tuesday, B on Thursday and Friday (free price,
    5 respijtdagen for full time, so 2 per agreement)."""
    o.price_regime = PriceRegime.VRIJE_PRIJS
    set_setting(session, o, "planning.respite_days_full_time", 5)
    fam_a, fam_b = factory.family(o, name="Gezin A"), factory.family(o, name="Gezin B")
    child = factory.child(o, family=fam_a, location=location, first_name="Co")
    session.add(ChildFamily(organisation_id=o.id, child_id=child.id, family_id=fam_b.id))
    a = _plan(session, o, child, location, [0, 1], start=date(2026, 1, 1), family_id=fam_a.id)
    b = _plan(session, o, child, location, [3, 4], start=date(2026, 1, 1), family_id=fam_b.id)
    return child, fam_a, fam_b, a, b


# --- 1. respijtdagen -----------------------------------------------------------------------------

def test_absence_on_a_closing_day_is_refused_in_the_screen_language_and_nothing_is_saved(
        client, session, factory, org, location, director):
    """§2.7 [P8]: reserved days on closing days are not charged, so an absence there is bad input:
    a clear message in the user's language (here French), no absence, no respijtdag."""
    app_clock().freeze(datetime(2026, 11, 18, 9, 0, tzinfo=BRUSSELS))
    o = db_org(session, org)
    kid = factory.child(o, location=location, first_name="Sluit")
    _plan(session, o, kid, location)
    planning.add_closing_period(context_for(session, o), start_date=date(2026, 11, 20), reason="Brugdag", kind="bridge")
    session.commit()
    login(client, director)
    client.set_cookie("lang", "fr")
    bad = client.post(f"/o/{org.slug}/aanwezigheden/absences/new",
                      data={"child_id": kid.id, "day": "2026-11-20", "kind": "auto"})
    assert bad.status_code == 422
    assert "jour de fermeture" in bad.get_data(as_text=True)
    assert _count(session, Absence) == 0 and _count(session, RespiteUse) == 0


def test_absence_on_an_unreserved_day_uses_nothing_and_says_so(client, session, factory, org, location, director):
    """§2.4: a respijtdag excuses a reserved day; on a day the plan does not reserve (Wednesday
    for a Mon/Tue plan) nothing is used, and the message says so."""
    app_clock().freeze(datetime(2026, 11, 16, 9, 0, tzinfo=BRUSSELS))
    o = db_org(session, org)
    kid = factory.child(o, location=location, first_name="Vrij")
    _plan(session, o, kid, location, [0, 1])
    session.commit()
    login(client, director)
    bad = client.post(f"/o/{org.slug}/aanwezigheden/absences/new",
                      data={"child_id": kid.id, "day": "2026-11-18", "kind": "respijt"})
    assert bad.status_code == 422
    assert "geen opvang gereserveerd" in bad.get_data(as_text=True)
    assert _count(session, Absence) == 0 and _count(session, RespiteUse) == 0


def test_co_parenting_each_household_uses_its_own_respite(app, session, factory, org, location):
    """§2.1, §2.4 [P8]: two agreements under co-parenting; household A's days never come from
    B's balance. A's third absence is unjustified although B still has two days."""
    app_clock().freeze(datetime(2026, 11, 30, 12, 0, tzinfo=BRUSSELS))
    o = db_org(session, org)
    child, fam_a, fam_b, a, b = _co_parented(session, factory, o, location)
    kinds = {}
    for day in (date(2026, 11, 16), date(2026, 11, 17), date(2026, 11, 23), date(2026, 11, 19)):
        kinds[day] = record_absence(context_for(session, o), child_id=child.id, location_id=location.id, day=day, kind="auto").kind
    assert kinds == {date(2026, 11, 16): AbsenceKind.RESPIJT, date(2026, 11, 17): AbsenceKind.RESPIJT,
                     date(2026, 11, 23): AbsenceKind.ONGERECHTVAARDIGD, date(2026, 11, 19): AbsenceKind.RESPIJT}
    per = {x.care_plan_id: x for x in planning.respite_per_agreement(build_context(session, o), child.id, 2026)}
    assert (per[a].used, per[b].used) == (Decimal(2), Decimal(1))
    session.commit()  # the request context's teardown ends the session
    with app.test_request_context():
        with pytest.raises(AttendanceError) as refused:  # asked explicitly: A's days are used up
            record_absence(context_for(session, o), child_id=child.id, location_id=location.id, day=date(2026, 11, 24),
                           kind="respijt")
    assert refused.value.code == "no_respite" and _count(session, Absence) == 4
    o = db_org(session, org)
    rows = {r.day: r for r in billable_days(context_for(session, o), start=MON, end=date(2026, 11, 24), child_ids=[child.id])}
    assert (rows[date(2026, 11, 16)].care_plan_id, rows[date(2026, 11, 16)].family_id) == (a, fam_a.id)
    assert (rows[date(2026, 11, 19)].care_plan_id, rows[date(2026, 11, 19)].family_id) == (b, fam_b.id)
    assert rows[date(2026, 11, 23)].billable and not rows[date(2026, 11, 16)].billable


# --- 2. what billing needs from a day ------------------------------------------------------------

def test_short_stay_on_a_reserved_full_day_is_billed_as_a_full_day(session, factory, org, location):
    """§1.2, §1.4 "bestellen is betalen" [P10]: what was reserved is billed at least; a stay of 3 h
    on a reserved full day is registered as a half day but billed as a full day; a stay longer
    than reserved (4 h reserved, 6 h stayed) is billed for what was registered."""
    app_clock().freeze(datetime(2026, 11, 30, 12, 0, tzinfo=BRUSSELS))
    o = db_org(session, org)
    kid = factory.child(o, location=location)
    plan = _plan(session, o, kid, location, _days([0, 1, 2], "full")
                 + _days([3, 4], "hours", time(8), time(12)))
    stay(session, o, kid, location, MON, time(8), time(11))  # Monday: full day reserved, 3 h stayed
    stay(session, o, kid, location, date(2026, 11, 19), time(8), time(14))  # Thursday: 4 h reserved, 6 h
    rows = {r.day: r for r in billable_days(context_for(session, o), start=MON, end=date(2026, 11, 20))}
    monday = rows[MON]
    assert (monday.reserved_day_part, monday.reserved_start, monday.reserved_end) == ("full", time(7), time(18, 30))
    assert monday.reserved_minutes == 690 and monday.reserved_category == DayCategory.FULL
    assert monday.registered_category == DayCategory.HALF and monday.billing_category == DayCategory.FULL
    assert monday.care_plan_id == plan and monday.family_id is None
    thursday = rows[date(2026, 11, 19)]
    assert (thursday.reserved_minutes, thursday.reserved_category) == (240, DayCategory.HALF)
    assert thursday.registered_category == DayCategory.FULL and thursday.billing_category == DayCategory.FULL
    friday = rows[date(2026, 11, 20)]  # 4 h reserved, nobody came, nothing recorded: unjustified, half day
    assert friday.absence == AbsenceKind.ONGERECHTVAARDIGD and friday.billing_category == DayCategory.HALF


def test_extra_agreed_day_and_version_changing_mid_month(session, factory, org, location):
    """§2.2 point 6 [P8]: an occasional extra day needs no plan change and is billed like a
    reserved day; an addendum from the 16th changes what is reserved from that day on."""
    app_clock().freeze(datetime(2026, 11, 30, 12, 0, tzinfo=BRUSSELS))
    o = db_org(session, org)
    kid = factory.child(o, location=location)
    plan = _plan(session, o, kid, location, range(5))
    planning.new_care_plan_version(context_for(session, o), plan, effective_date=MON, days=_days([0, 1], "hours", time(8), time(12)))
    planning.add_extra_day(context_for(session, o), plan, planning.ScheduledDay(date(2026, 11, 19), "full"))
    stay(session, o, kid, location, date(2026, 11, 19), time(8), time(16))
    rows = {r.day: r for r in billable_days(context_for(session, o), start=date(2026, 11, 9), end=date(2026, 11, 22))}
    assert rows[date(2026, 11, 12)].reserved_category == DayCategory.FULL  # Thursday before the addendum
    assert rows[MON].reserved_category == DayCategory.HALF  # Monday after it: 08:00-12:00
    assert date(2026, 11, 18) not in rows  # Wednesday no longer reserved
    extra = rows[date(2026, 11, 19)]
    assert extra.extra_day and extra.billable and extra.care_plan_id == plan
    assert not rows[MON].extra_day


@pytest.mark.parametrize(("billing", "billable"), [("ikt", True), ("none", False)])
def test_settling_in_days_follow_the_organisations_setting(session, factory, org, location, billing, billable):
    """§2.2 point 1 [P8]: the family has a right to settle in (wennen), put in the care plan; the
    organisation bills settling-in days at IKT or not at all (setting). A day after the settling
    in is an ordinary reserved day."""
    app_clock().freeze(datetime(2026, 11, 30, 12, 0, tzinfo=BRUSSELS))
    o = db_org(session, org)
    set_setting(session, o, "aanwezigheden.settling_in_billing", billing)
    kid = factory.child(o, location=location)
    _plan(session, o, kid, location, [0, 1], start=MON, settling_in_until=date(2026, 11, 20))
    stay(session, o, kid, location, MON, time(9), time(11))
    stay(session, o, kid, location, date(2026, 11, 18), time(9), time(11))  # unreserved Wednesday, still settling
    stay(session, o, kid, location, date(2026, 11, 23), time(9), time(11))
    rows = {r.day: r for r in billable_days(context_for(session, o), start=MON, end=date(2026, 11, 23))}
    assert rows[MON].settling_in and rows[MON].billable is billable
    assert rows[date(2026, 11, 18)].settling_in and rows[date(2026, 11, 18)].billable is billable
    assert rows[date(2026, 11, 18)].care_plan_id is not None and not rows[date(2026, 11, 18)].reserved
    assert not rows[date(2026, 11, 23)].settling_in and rows[date(2026, 11, 23)].billable


# --- 3. the register of the month ----------------------------------------------------------------

def test_future_days_are_planned_never_absences_in_register_billing_and_fo_su_05(session, factory, org, location):
    """§3.1 [P15] the register is real time, so a day that has not come is no absence; §3.3 [P11]
    FO-SU-05 counts only what happened. On Wednesday 18 November at noon: Monday present, Tuesday
    nothing (unjustified), Wednesday (today) still judged, Thursday and Friday planned; a parent's
    notice for Friday stays an absence of its kind."""
    app_clock().freeze(datetime(2026, 11, 18, 12, 0, tzinfo=BRUSSELS))
    o = db_org(session, org)
    kid = factory.child(o, location=location, first_name="Toekomst")
    _plan(session, o, kid, location, start=MON)
    stay(session, o, kid, location, MON, time(8), time(17))
    record_absence(context_for(session, o), child_id=kid.id, location_id=location.id, day=date(2026, 11, 27),
                   kind="auto", in_advance=True)
    rows = {r.day: r for r in billable_days(context_for(session, o), start=MON, end=date(2026, 11, 30))}
    assert rows[date(2026, 11, 17)].absence == AbsenceKind.ONGERECHTVAARDIGD and rows[date(2026, 11, 17)].billable
    assert rows[date(2026, 11, 18)].absence == AbsenceKind.ONGERECHTVAARDIGD and not rows[date(2026, 11, 18)].planned
    for future in (date(2026, 11, 19), date(2026, 11, 20), date(2026, 11, 23)):
        row = rows[future]
        assert row.planned and row.absence is None and not row.billable and row.fo_bucket is None
        assert row.reserved_category == DayCategory.FULL
    notice = rows[date(2026, 11, 27)]
    assert notice.absence == AbsenceKind.RESPIJT and not notice.planned
    register = register_data(session, o, session.get(Location, location.id), Period(2026, 11))
    [row] = register["rows"]
    cells = {c["day"]: c for c in row["cells"]}
    assert cells[date(2026, 11, 19)]["planned"] and cells[date(2026, 11, 19)]["absence"] == ""
    assert row["totals"] == {"present": 1, "absent": 3, "late": 0, "planned": 7}  # 17, 18 and 27 absent
    fo = reports.fo_su_05_data(context_for(session, o), session.get(Location, location.id), Period(2026, 11))
    [line] = fo.lines
    assert dict(line.present) == {"min11u": 1}
    assert dict(line.unjustified) == {"min11u": 2} and dict(line.justified) == {"min11u": 1}


def test_year_end_31_december_is_judged_and_january_is_planned(session, factory, org, location):
    """Year end: on 31 December 2026 the day itself is judged (nothing registered: unjustified),
    1 January is a public holiday (not reserved), 4 January 2027 is planned."""
    app_clock().freeze(datetime(2026, 12, 31, 15, 0, tzinfo=BRUSSELS))
    o = db_org(session, org)
    kid = factory.child(o, location=location)
    _plan(session, o, kid, location, start=date(2026, 12, 28))
    rows = {r.day: r for r in billable_days(context_for(session, o), start=date(2026, 12, 28), end=date(2027, 1, 8))}
    assert rows[date(2026, 12, 31)].absence == AbsenceKind.ONGERECHTVAARDIGD
    assert date(2027, 1, 1) not in rows
    assert rows[date(2027, 1, 4)].planned and rows[date(2027, 1, 4)].absence is None


def test_own_child_plan_is_never_billed(session, factory, org):
    """§3.6, §4.2: the onthaalouder's own child counts in capacity and ratio only; a day its plan
    reserves is never billed, also without the attendance module's own-child mark."""
    from core.models import CareType

    app_clock().freeze(datetime(2026, 11, 30, 12, 0, tzinfo=BRUSSELS))
    o = db_org(session, org)
    home = factory.location(o, care_type=CareType.GEZINSOPVANG, places=8)
    own = factory.child(o, location=home, born=date(2021, 9, 1))
    _plan(session, o, own, home, own_child=True)
    stay(session, o, own, home, MON, time(16), time(18))
    rows = billable_days(context_for(session, o), start=MON, end=date(2026, 11, 20), child_ids=[own.id])
    assert len(rows) == 5 and all(r.own_child and not r.billable for r in rows)
