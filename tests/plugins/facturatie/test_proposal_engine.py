"""The month's proposal against the real planning and attendance modules: one draft invoice per
debtor, priced with the attest in force on each day, never billing respijt, closing days or own
children; warnings; diff; corrections after finalisation; bulk loading."""
from __future__ import annotations

from datetime import UTC, date, datetime, time
from decimal import Decimal

import pytest

from core.errors import DomainError
from core.models import PriceRegime
from core.settings import set_setting
from plugins.facturatie import api
from plugins.facturatie.models import LineKind
from plugins.facturatie.services import tariffs
from plugins.planning import api as planning_api
from tests.plugins.facturatie.engine_helpers import ctx_of, freeze, money, plan, stay, weekdays_of


def _ikt_family(session, factory, org, location, price="20.00"):
    family = factory.family(org, name="Gezin Peeters")
    family.street, family.postcode, family.municipality = "Kerkstraat 1", "9000", "Gent"
    child = factory.child(org, family=family, location=location, first_name="Emma")
    plan(session, org, child, location, start=date(2026, 11, 2))
    tariffs.add_attest(ctx_of(session, org), child_id=child.id, kindcode="250301-012-01", day_price=price,
                       valid_from=date(2026, 1, 1))
    return family, child


def _all_present(session, org, child, location, skip=(), short=()):
    for d in weekdays_of(2026, 11):
        if d < date(2026, 11, 2) or d in skip:
            continue
        stay(session, org, child, location, d, time(8), time(12) if d in short else time(16))


def test_ikt_month_every_day_at_the_attest_price(session, factory, org, location):
    freeze()
    family, child = _ikt_family(session, factory, org, location)
    _all_present(session, org, child, location)
    proposal = api.compute_proposal(ctx_of(session, org), 2026, 11)
    [inv] = proposal.invoices
    assert inv.family_id == family.id and inv.debtor_street == "Kerkstraat 1"
    [care] = [line for line in inv.lines if line.kind == LineKind.CARE]
    assert care.unit_price == Decimal("20.0000") and care.quantity == 21
    assert {d.rule for d in care.days} == {"ikt.full"}
    assert inv.total == money(20 * 21) == care.amount
    assert care.summary["days"] == {"full": 21}
    import json

    json.dumps([d.detail for d in care.days])  # stored as JSON at finalisation


def test_half_day_is_sixty_percent_only_when_reserved_half(session, factory, org, location):
    freeze()
    family = factory.family(org)
    child = factory.child(org, family=family, location=location)
    plan_id = planning_api.create_care_plan(
        ctx_of(session, org), child_id=child.id, location_id=location.id, start_date=date(2026, 11, 2),
        days=[planning_api.DayPlan(weekday=0, day_part="hours", start=time(8), end=time(12))])
    assert plan_id
    tariffs.add_attest(ctx_of(session, org), child_id=child.id, kindcode="250301-012-01", day_price="20",
                       valid_from=date(2026, 1, 1))
    mondays = [d for d in weekdays_of(2026, 11) if d.weekday() == 0 and d >= date(2026, 11, 2)]
    for d in mondays[:-1]:
        stay(session, org, child, location, d, time(8), time(12))
    stay(session, org, child, location, mondays[-1], time(8), time(17))  # stayed longer: a full day
    [inv] = api.compute_proposal(ctx_of(session, org), 2026, 11).invoices
    rules = sorted(d.rule for line in inv.lines for d in line.days)
    assert rules == ["ikt.full"] + ["ikt.half"] * (len(mondays) - 1)
    assert inv.total == money(12 * (len(mondays) - 1) + 20)


def test_attest_changes_mid_month_each_day_its_price(session, factory, org, location):
    freeze()
    family, child = _ikt_family(session, factory, org, location)
    tariffs.add_attest(ctx_of(session, org), child_id=child.id, kindcode="250301-012-02", day_price="10",
                       valid_from=date(2026, 11, 16))
    _all_present(session, org, child, location)
    [inv] = api.compute_proposal(ctx_of(session, org), 2026, 11).invoices
    prices = {line.unit_price: line.quantity for line in inv.lines if line.kind == LineKind.CARE}
    assert prices == {Decimal("20.0000"): 10, Decimal("10.0000"): 11}
    assert inv.total == money(200 + 110)


def test_no_attest_maximum_with_warning_and_acceptance(session, factory, org, location, finance):
    freeze()
    family = factory.family(org)
    child = factory.child(org, family=family, location=location, first_name="Zonder")
    plan(session, org, child, location)
    _all_present(session, org, child, location)
    ctx = ctx_of(session, org)
    proposal = api.compute_proposal(ctx, 2026, 11)
    [inv] = proposal.invoices
    assert {d.rule for line in inv.lines for d in line.days} == {"no_attest.maximum"}
    assert inv.total == money(Decimal("32.18") * 21)
    keys = {w.key for w in proposal.blocking}
    assert f"no_attest:child:{child.id}" in keys and f"no_address:family:{family.id}" in keys
    from plugins.facturatie.services import proposal as service

    with pytest.raises(DomainError) as err:
        service.accept_warning(ctx, 2026, 11, f"no_attest:child:{child.id}", "kort", keys, finance.id)
    assert err.value.code == "facturatie.reason_required"
    service.accept_warning(ctx, 2026, 11, f"no_attest:child:{child.id}", "Attest aangevraagd bij Opgroeien",
                           keys, finance.id)
    again = api.compute_proposal(ctx, 2026, 11)
    assert f"no_attest:child:{child.id}" not in {w.key for w in again.blocking}
    accepted = next(w for w in again.warnings if w.key == f"no_attest:child:{child.id}")
    assert accepted.accepted and accepted.accepted_reason.startswith("Attest")


def test_respijt_justified_closing_and_own_child_not_billed(session, factory, org, location):
    from plugins.aanwezigheden.services.absences import record_absence
    from plugins.planning import api as planning

    freeze()
    family, child = _ikt_family(session, factory, org, location)
    ctx = ctx_of(session, org)
    planning.add_closing_period(ctx, start_date=date(2026, 11, 11), reason="Wapenstilstand",
                                location_id=location.id)
    record_absence(ctx, child_id=child.id, location_id=location.id, day=date(2026, 11, 5), kind="gerechtvaardigd",
                   reason="ziekte")
    record_absence(ctx, child_id=child.id, location_id=location.id, day=date(2026, 11, 6), kind="respijt")
    _all_present(session, org, child, location, skip={date(2026, 11, 5), date(2026, 11, 6), date(2026, 11, 11)})
    from core.models import CareType

    home = factory.location(org, name="Onthaalouder Els", care_type=CareType.GEZINSOPVANG, places=8)
    own = factory.child(org, location=home, first_name="Eigen")
    plan(session, org, own, home, own_child=True)
    _all_present(session, org, own, home, skip={date(2026, 11, 11)})
    proposal = api.compute_proposal(ctx_of(session, org), 2026, 11)
    assert [inv.family_id for inv in proposal.invoices] == [family.id], [(i.family_id, i.lines[0].days[:1]) for i in proposal.invoices]
    [inv] = proposal.invoices
    [care] = [line for line in inv.lines if line.kind == LineKind.CARE]
    days = {d.day: d for d in care.days}
    assert days[date(2026, 11, 5)].amount == 0 and days[date(2026, 11, 5)].rule.startswith("not_billed.")
    assert days[date(2026, 11, 6)].rule == "not_billed.respijt"
    assert date(2026, 11, 11) not in days
    assert care.quantity == 18 and inv.total == money(20 * 18)
    assert care.summary["respijt_used"] == 1 and "respijt_left" in care.summary
    assert care.summary["absences"]["justified"] == 1 and care.summary["not_billed"] == {"gerechtvaardigd": 1}
    import json

    json.dumps(care.summary)  # stored as JSON at finalisation


def test_month_in_the_future_is_refused(session, org):
    freeze()
    with pytest.raises(DomainError) as err:
        api.compute_proposal(ctx_of(session, org), 2027, 1)
    assert err.value.code == "facturatie.month_future"
    with pytest.raises(DomainError) as err:
        api.compute_proposal(ctx_of(session, org), 2026, 13)
    assert err.value.code == "facturatie.month_invalid"


def test_recording_is_idempotent_and_keeps_the_diff(session, factory, org, location):
    from plugins.facturatie.services import proposal as service

    freeze()
    family, child = _ikt_family(session, factory, org, location)
    _all_present(session, org, child, location)
    ctx = ctx_of(session, org)
    api.record_proposal(ctx, 2026, 11)
    run = service.run_of(ctx, 2026, 11)
    first = dict(run.snapshot)
    api.record_proposal(ctx, 2026, 11)
    assert run.snapshot == first and run.previous_snapshot == {}
    tariffs.add_attest(ctx, child_id=child.id, kindcode="250301-012-02", day_price="10",
                       valid_from=date(2026, 11, 16))
    current = service.snapshot_of(*_comp(ctx))
    [change] = service.since_last(run, current)
    assert change.family_id == family.id and change.before == money(420) and change.after == money(310)
    api.record_proposal(ctx, 2026, 11)
    assert run.previous_snapshot == first
    assert [c.after for c in service.since_last(run, run.snapshot)] == [money(310)]


def _comp(ctx):
    from plugins.facturatie.services import proposal as service

    result = service.compute(ctx, 2026, 11)
    return result.proposal, result.debtors


def test_co_parents_each_their_own_invoice(session, factory, org, location):
    from core.models import ChildFamily

    freeze()
    fam_a, fam_b = factory.family(org, name="Gezin A"), factory.family(org, name="Gezin B")
    child = factory.child(org, family=fam_a, location=location, first_name="Co")
    session.add(ChildFamily(organisation_id=org.id, child_id=child.id, family_id=fam_b.id))
    plan(session, org, child, location, weekdays=[0, 1], family_id=fam_a.id)
    plan(session, org, child, location, weekdays=[3, 4], family_id=fam_b.id)
    ctx = ctx_of(session, org)
    tariffs.add_attest(ctx, child_id=child.id, kindcode="250301-012-01", day_price="20", valid_from=date(2026, 1, 1),
                       family_id=fam_a.id)
    tariffs.add_attest(ctx, child_id=child.id, kindcode="250301-012-02", day_price="8", valid_from=date(2026, 1, 1),
                       family_id=fam_b.id)
    for d in weekdays_of(2026, 11):
        if d >= date(2026, 11, 2) and d.weekday() in (0, 1, 3, 4):
            stay(session, org, child, location, d, time(8), time(16))
    invoices = {inv.family_id: inv for inv in api.compute_proposal(ctx, 2026, 11).invoices}
    assert set(invoices) == {fam_a.id, fam_b.id}
    assert invoices[fam_a.id].total == money(20 * 9)  # 5 Mondays... Mo/Tu from 2 Nov: 9 days
    assert invoices[fam_b.id].total == money(8 * 8)
    from plugins.facturatie.services import proposal as service

    for fam in (fam_a, fam_b):  # a family's draft page computes its children only, with the same result
        narrowed = service.compute(ctx, 2026, 11, family_id=fam.id).proposal
        assert [i for i in narrowed.invoices if i.family_id == fam.id] == [invoices[fam.id]]


def test_cost_share_percentage_splits_each_day(session, factory, org, location):
    from core.models import ChildFamily

    freeze()
    family, child = _ikt_family(session, factory, org, location)
    other = factory.family(org, name="Gezin Twee")
    session.add(ChildFamily(organisation_id=org.id, child_id=child.id, family_id=other.id))
    session.flush()
    ctx = ctx_of(session, org)
    with pytest.raises(DomainError) as err:
        tariffs.set_cost_shares(ctx, child.id, {family.id: "60", other.id: "30"})
    assert err.value.code == "facturatie.share_total"
    tariffs.set_cost_shares(ctx, child.id, {family.id: "60", other.id: "40"})
    _all_present(session, org, child, location)
    invoices = {inv.family_id: inv for inv in api.compute_proposal(ctx, 2026, 11).invoices}
    assert invoices[family.id].total == money(12 * 21) and invoices[other.id].total == money(8 * 21)


def test_free_price_plan_extras_late_pickup_and_siblings(session, factory, org, location):
    freeze()
    o = ctx_of(session, org).org
    o.price_regime = PriceRegime.VRIJE_PRIJS
    set_setting(session, o, "facturatie.late_pickup_fee", "5")
    set_setting(session, o, "facturatie.late_pickup_period_minutes", 15)
    session.flush()
    ctx = ctx_of(session, org)
    day_plan = tariffs.save_plan(ctx, name="Standaard", mode="day", is_default=True, sibling_reduction_pct="10")
    tariffs.add_plan_price(ctx, day_plan, valid_from=date(2026, 1, 1), full_day="40", half_day="25")
    tariffs.add_plan_price(ctx, day_plan, valid_from=date(2026, 11, 16), full_day="42", half_day="26")
    meal = tariffs.save_extra(ctx, name="Warme maaltijd", kind="meals", price="3.5")
    family = factory.family(org)
    older = factory.child(org, family=family, location=location, born=date(2024, 5, 1), first_name="Oud")
    younger = factory.child(org, family=family, location=location, born=date(2025, 6, 1), first_name="Jong")
    for kid in (older, younger):
        plan(session, org, kid, location, weekdays=[2])
    wednesdays = [d for d in weekdays_of(2026, 11) if d.weekday() == 2 and d != date(2026, 11, 11)]  # a holiday
    for d in wednesdays:
        stay(session, org, older, location, d, time(8), time(16))
        stay(session, org, younger, location, d, time(8), time(12) if d.day < 16 else time(18, 50))
    tariffs.record_extra(ctx, child_id=older.id, item_id=meal.id, day=wednesdays[0], quantity=2)
    [inv] = api.compute_proposal(ctx, 2026, 11).invoices
    by_rule = {}
    for line in inv.lines:
        by_rule.setdefault(line.rule, []).append(line)
    older_care = sum(line.amount for line in inv.lines if line.child_id == older.id and line.kind == LineKind.CARE)
    assert older_care == money(40 + 42 * 2)  # 4 | 18, 25 November
    [meals] = [line for line in inv.lines if line.kind == LineKind.MEALS]
    assert meals.amount == money(7) and meals.quantity == 2
    young_days = sorted((d.day, d.rule) for line in inv.lines if line.child_id == younger.id
                        and line.kind == LineKind.CARE for d in line.days)
    assert [r for _, r in young_days] == ["free.full", "free.full", "free.full"]  # reserved full days
    [fine] = [line for line in inv.lines if line.kind == LineKind.FINE]
    assert fine.child_id == younger.id and fine.amount > 0
    [sibling] = by_rule["free.sibling_reduction"]
    assert sibling.child_id == younger.id and sibling.amount == -money((40 + 42 * 2) * Decimal("0.1"))


def test_changed_registration_after_finalising_flows_into_next_month(session, factory, org, location):
    from plugins.aanwezigheden.services.absences import record_absence
    from tests.plugins.facturatie.engine_helpers import store_as_finalised

    freeze(2026, 12, 2)
    family, child = _ikt_family(session, factory, org, location)
    _all_present(session, org, child, location)
    ctx = ctx_of(session, org)
    [invoice] = store_as_finalised(session, org, api.compute_proposal(ctx, 2026, 11))
    december = api.compute_proposal(ctx_of(session, org), 2026, 12)
    assert not any(line.corrects_invoice_id for inv in december.invoices for line in inv.lines)
    # the register of 20 November is corrected afterwards: the child was ill (a justified absence)
    from plugins.aanwezigheden.models import AttendanceEvent

    for event in session.query(AttendanceEvent).filter_by(child_id=child.id, day=date(2026, 11, 20)):
        session.delete(event)
    session.flush()
    record_absence(ctx_of(session, org), child_id=child.id, location_id=location.id, day=date(2026, 11, 20),
                   kind="gerechtvaardigd", reason="ziekte")
    december = api.compute_proposal(ctx_of(session, org), 2026, 12)
    [inv] = [i for i in december.invoices if i.family_id == family.id]
    [correction] = [line for line in inv.lines if line.corrects_invoice_id]
    assert correction.corrects_invoice_id == invoice.id and correction.amount == money(-20)
    [day] = correction.days
    assert day.day == date(2026, 11, 20) and day.detail["was"] == "20.00" and day.detail["now"] == "0"
    # once that correction is finalised too, it is not proposed again
    store_as_finalised(session, org, december, number_start=10)
    from plugins.facturatie.models import BillingRun

    session.query(BillingRun).filter_by(organisation_id=org.id, year=2026, month=12).one().state = "draft"
    session.flush()
    again = api.compute_proposal(ctx_of(session, org), 2026, 12)
    assert not any(line.corrects_invoice_id for i in again.invoices for line in i.lines)


def test_proposal_statements_do_not_grow_with_families(app, session, factory, org, location):
    from tests.conftest import QueryCounter

    freeze()

    def add_families(n):
        for _ in range(n):
            fam, kid = _ikt_family(session, factory, org, location)
            for d in list(weekdays_of(2026, 11))[3:8]:
                stay(session, org, kid, location, d, time(8), time(16))
        session.commit()

    def count():
        with QueryCounter(session.connection()) as counter:
            api.compute_proposal(ctx_of(session, org), 2026, 11)
        return counter.count, counter.statements

    add_families(2)
    small, _ = count()
    add_families(6)
    large, statements = count()
    assert large == small, statements


def test_deposit_charged_when_care_starts_and_refunded_when_it_ends(session, factory, org, location):
    from plugins.planning import api as planning
    from plugins.planning.models import HouseRules
    from plugins.planning.services import agreements
    from tests.plugins.facturatie.engine_helpers import store_as_finalised

    freeze(2026, 12, 2)
    session.add(HouseRules(organisation_id=org.id, effective_date=date(2026, 1, 1), title="Reglement", text="x"))
    family, child = _ikt_family(session, factory, org, location)
    ctx = ctx_of(session, org)
    agreements.generate_agreements(ctx, child.id, deposit_amount="100")
    _all_present(session, org, child, location)
    november = api.compute_proposal(ctx, 2026, 11)
    [deposit] = [line for inv in november.invoices for line in inv.lines if line.kind == LineKind.DEPOSIT]
    assert deposit.amount == money(100) and deposit.rule == "deposit"
    store_as_finalised(session, org, november)
    [plan_id] = [a.care_plan_id for a in planning.agreements(ctx, start=date(2026, 11, 1), end=date(2026, 12, 31))]
    planning.end_care_plan(ctx, plan_id, end_date=date(2026, 12, 1))
    december = api.compute_proposal(ctx_of(session, org), 2026, 12)
    refunds = [line for inv in december.invoices for line in inv.lines if line.kind == LineKind.DEPOSIT]
    assert [(r.rule, r.amount) for r in refunds] == [("deposit.refund", money(-100))]


def test_unrecorded_absences_use_respite_first_and_finalising_books_them(session, factory, org, location):
    from plugins.planning import api as planning

    freeze()
    family, child = _ikt_family(session, factory, org, location)
    ctx = ctx_of(session, org)
    [balance] = planning.respite_per_agreement(ctx, child.id, 2026)
    left = int(balance.balance)
    assert left >= 1
    absent = [d for d in weekdays_of(2026, 11) if d >= date(2026, 11, 23)]  # nobody came, nobody reported
    _all_present(session, org, child, location, skip=set(absent))
    proposal = api.compute_proposal(ctx, 2026, 11)
    [inv] = proposal.invoices
    respijt = [d for line in inv.lines for d in line.days if d.rule == "not_billed.respijt"]
    fees = [d for line in inv.lines if line.kind == LineKind.ABSENCE_FEE for d in line.days]
    assert len(respijt) == min(left, len(absent)) and len(fees) == len(absent) - len(respijt)
    assert all(d.detail["book_respite"] for d in respijt) and all(d.amount <= Decimal("32.18") for d in fees)
    assert api.book_respite_days(ctx, proposal) == len(respijt)
    [after] = planning.respite_per_agreement(ctx_of(session, org), child.id, 2026)
    assert after.balance == balance.balance - len(respijt)


def test_month_fee_plan(session, factory, org, location):
    freeze()
    o = ctx_of(session, org).org
    o.price_regime = PriceRegime.VRIJE_PRIJS
    session.flush()
    ctx = ctx_of(session, org)
    monthly = tariffs.save_plan(ctx, name="Maand", mode="month", is_default=True)
    tariffs.add_plan_price(ctx, monthly, valid_from=date(2026, 1, 1), month_fee="650")
    family, child = factory.family(org), None
    child = factory.child(org, family=family, location=location)
    plan(session, org, child, location)
    _all_present(session, org, child, location)
    [inv] = api.compute_proposal(ctx, 2026, 11).invoices
    assert inv.total == money(650)
    assert {line.rule for line in inv.lines} == {"free.month"}


def test_open_stay_unconfirmed_and_month_change_warnings(session, factory, org, location):
    from plugins.aanwezigheden.models import Confirmation
    from plugins.facturatie.services import proposal as service

    freeze()
    family, child = _ikt_family(session, factory, org, location)
    days = [d for d in weekdays_of(2026, 11) if d >= date(2026, 11, 2)]
    for d in days[:-1]:
        stay(session, org, child, location, d, time(8), time(16))
    stay(session, org, child, location, days[-1], time(8), None)  # departure missing
    session.add(Confirmation(organisation_id=org.id, client_id="c1", child_id=child.id, location_id=location.id,
                             start_day=date(2026, 11, 2), end_day=date(2026, 11, 22), kind="week",
                             confirmed_by="ouder", at=datetime(2026, 11, 22, 18, tzinfo=UTC)))
    session.flush()
    ctx = ctx_of(session, org)
    # October's run said 100 euro for this family: November moves far more than 25 %
    from plugins.facturatie.models import BillingRun

    session.add(BillingRun(organisation_id=org.id, year=2026, month=10, snapshot={
        str(family.id): {"total": "100.00", "name": family.name, "lines": {}}}, previous_snapshot={}))
    session.flush()
    warnings = {w.key: w for w in api.compute_proposal(ctx, 2026, 11).warnings}
    assert f"open_stay:child:{child.id}:{days[-1].isoformat()}" in warnings
    unconfirmed = warnings[f"unconfirmed:child:{child.id}"]
    assert unconfirmed.params["days"] == len([d for d in days if d > date(2026, 11, 22)])
    change = warnings[f"change:family:{family.id}"]
    assert not change.blocking and change.params["previous"] == "100.00"
    assert service.diff({}, {}) == []
