"""Against the real planning module (no fake): expected children on the tablet, reserved days in
billable_days, respijtdagen consumed and released through planning's balance."""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from core.clock import BRUSSELS, app_clock
from core.context import context_for
from plugins.aanwezigheden.api import AbsenceKind, billable_days
from plugins.aanwezigheden.services import absences
from plugins.planning import api as planning
from tests.conftest import login
from tests.plugins.aanwezigheden.conftest import api, db_org, pair, unlock

MONDAY = date(2026, 11, 16)


def plan(session, o, child, location, days=range(5)):
    return planning.create_care_plan(context_for(session, o), child_id=child.id, location_id=location.id, start_date=MONDAY,
                                     days=[planning.DayPlan(weekday=d, day_part="full") for d in days])


def test_expected_children_come_from_planning(client, session, factory, org, location, director):
    app_clock().freeze(datetime(2026, 11, 18, 8, 0, tzinfo=BRUSSELS))
    o = db_org(session, org)
    kid = factory.child(o, location=location, first_name="Gepland")
    plan(session, o, kid, location)
    session.commit()
    pair(client, session, org, location, director)
    assert unlock(client, org, director).status_code == 200
    today = api(client, org, "today").json
    row = next(c for c in today["children"] if c["id"] == kid.id)
    assert row["expected"] and row["status"] == "expected"


def test_reserved_days_and_respite_through_planning(session, factory, org, location):
    app_clock().freeze(datetime(2026, 11, 30, 12, 0, tzinfo=BRUSSELS))
    o = db_org(session, org)
    kid = factory.child(o, location=location)
    plan(session, o, kid, location)
    before = planning.respite_balance(context_for(session, o), kid.id, 2026)
    absence = absences.record_absence(context_for(session, o), child_id=kid.id, location_id=location.id,
                                      day=date(2026, 11, 17), kind="auto")
    assert absence.kind == AbsenceKind.RESPIJT
    assert planning.respite_balance(context_for(session, o), kid.id, 2026) == before - Decimal(1)
    absences.remove_absence(context_for(session, o), absence.id)
    assert planning.respite_balance(context_for(session, o), kid.id, 2026) == before
    rows = billable_days(context_for(session, o), start=MONDAY, end=date(2026, 11, 22))
    assert [r.day for r in rows] == [MONDAY + (date(2026, 11, 17) - MONDAY) * i for i in range(5)]
    assert all(r.reserved and not r.present and not r.absence_recorded for r in rows)


def test_absence_notice_page(client, session, factory, org, location, director):
    app_clock().freeze(datetime(2026, 11, 18, 9, 0, tzinfo=BRUSSELS))
    o = db_org(session, org)
    kid = factory.child(o, location=location, first_name="Melder")
    plan(session, o, kid, location)
    session.commit()
    login(client, director)
    page = client.get(f"/o/{org.slug}/aanwezigheden/absences/new")
    assert page.status_code == 200 and "Melder" in page.get_data(as_text=True)
    bad = client.post(f"/o/{org.slug}/aanwezigheden/absences/new", data={"child_id": kid.id, "day": "morgen"})
    assert bad.status_code == 422 and "JJJJ-MM-DD" in bad.get_data(as_text=True)
    ok = client.post(f"/o/{org.slug}/aanwezigheden/absences/new",
                     data={"child_id": kid.id, "day": "2026-11-20", "kind": "gerechtvaardigd", "reason": "ziekte"})
    assert ok.status_code == 302
    [row] = [r for r in billable_days(context_for(session, db_org(session, org)), start=date(2026, 11, 20),
                                      end=date(2026, 11, 20))]
    assert row.absence == AbsenceKind.GERECHTVAARDIGD and row.absence_recorded and not row.billable
