"""Tariffs as data: attests inkomenstarief with history and bad input, the import from the
spreadsheet template (nothing half-imported), tariff plans with indexation, extras, and the
attest as the kindcode's one home for FO-SU-05."""
from __future__ import annotations

import io
from datetime import date, time
from decimal import Decimal

import pytest
from openpyxl import Workbook

from core.errors import DomainError
from core.models import Organisation
from plugins.facturatie.models import IncomeTariffAttest
from plugins.facturatie.services import attest_import, tariffs
from tests.plugins.facturatie.engine_helpers import ctx_of, freeze


def _code(err) -> str:
    return err.value.code


def test_attest_history_closes_the_open_one(session, factory, org, location):
    freeze()
    child = factory.child(org, location=location)
    ctx = ctx_of(session, org)
    first = tariffs.add_attest(ctx, child_id=child.id, kindcode="250301-012-01", day_price="12,34",
                               valid_from=date(2026, 1, 1))
    second = tariffs.add_attest(ctx, child_id=child.id, kindcode="250301-012-02", day_price="13.50",
                                valid_from="01/07/2026")
    assert first.valid_to == date(2026, 6, 30) and second.valid_to is None
    assert [a.id for a in tariffs.attests_of(ctx, child.id)] == [second.id, first.id]
    rows = tariffs.attests_in(ctx, [child.id], date(2026, 6, 1), date(2026, 7, 31))[child.id]
    assert tariffs.attest_on(rows, date(2026, 6, 30), None).day_price == Decimal("12.3400")
    assert tariffs.attest_on(rows, date(2026, 7, 1), None).day_price == Decimal("13.5000")


@pytest.mark.parametrize("kwargs, code", [
    ({"day_price": "-1"}, "facturatie.price_negative"),
    ({"day_price": "twaalf"}, "facturatie.price_invalid"),
    ({"day_price": "NaN"}, "facturatie.price_invalid"),
    ({"day_price": "1.00"}, "facturatie.attest_below_minimum"),
    ({"kindcode": "12"}, "facturatie.kindcode_invalid"),
    ({"valid_from": "2026-02-30"}, "facturatie.date_invalid"),
    ({"valid_to": "2025-12-31"}, "facturatie.period_invalid"),
])
def test_attest_bad_input(session, factory, org, location, kwargs, code):
    freeze()
    child = factory.child(org, location=location)
    values = {"kindcode": "250301-012-01", "day_price": "20", "valid_from": "2026-01-01", **kwargs}
    with pytest.raises(DomainError) as err:
        tariffs.add_attest(ctx_of(session, org), child_id=child.id, **values)
    assert _code(err) == code
    assert session.query(IncomeTariffAttest).count() == 0


def test_attest_overlap_and_other_organisation(session, factory, org, location):
    freeze()
    child = factory.child(org, location=location)
    ctx = ctx_of(session, org)
    tariffs.add_attest(ctx, child_id=child.id, kindcode="250301-012-01", day_price="20", valid_from=date(2026, 1, 1),
                       valid_to=date(2026, 12, 31))
    with pytest.raises(DomainError) as err:
        tariffs.add_attest(ctx, child_id=child.id, kindcode="250301-012-02", day_price="20",
                           valid_from=date(2026, 6, 1))
    assert _code(err) == "facturatie.attest_overlap"
    other = factory.org(modules={"planning", "aanwezigheden", "facturatie"})
    stranger = factory.child(other, location=factory.location(other))
    with pytest.raises(DomainError) as err:
        tariffs.add_attest(ctx, child_id=stranger.id, kindcode="250301-012-01", day_price="20",
                           valid_from=date(2026, 1, 1))
    assert _code(err) == "facturatie.child_unknown"
    with pytest.raises(DomainError) as err:
        tariffs.add_attest(ctx, child_id=child.id, kindcode="250301-012-01", day_price="20",
                           valid_from=date(2027, 1, 1), family_id=factory.family(org).id)
    assert _code(err) == "facturatie.family_unknown"


def test_ivt_may_go_below_the_minimum(session, factory, org, location):
    freeze()
    child = factory.child(org, location=location)
    row = tariffs.add_attest(ctx_of(session, org), child_id=child.id, kindcode="250301-012-01", day_price="2.10",
                             valid_from=date(2026, 1, 1), ivt=True)
    assert row.ivt and row.day_price == Decimal("2.1000")


def _xlsx(rows) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.append(attest_import.COLUMNS)
    for row in rows:
        ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def test_import_from_excel_and_csv(session, factory, org, location):
    freeze()
    a = factory.child(org, location=location, first_name="Emma", born=date(2025, 3, 1))
    b = factory.child(org, location=location, first_name="Lucas", born=date(2025, 4, 2))
    ctx = ctx_of(session, org)
    data = _xlsx([("", "Emma", a.last_name, date(2025, 3, 1), "250301-012-01", 12.34, date(2026, 1, 1), None, "nee", ""),
                  (str(b.id), "", "", "", "250402-013-01", "2,50", "2026-01-01", "", "ja", "")])
    count, errors = attest_import.import_attests(ctx, "attesten.xlsx", data)
    assert (count, errors) == (2, [])
    csv_data = ("kind_id;kindcode;dagprijs;geldig_van;geldig_tot;ivt\n"
                f"{a.id};250301-012-02;13,00;2027-01-01;;\n").encode()
    assert attest_import.import_attests(ctx, "a.csv", csv_data) == (1, [])
    assert session.query(IncomeTariffAttest).count() == 3


def test_import_with_a_bad_row_imports_nothing(session, factory, org, location):
    freeze()
    a = factory.child(org, location=location)
    other = factory.org(modules={"planning", "aanwezigheden", "facturatie"})
    stranger = factory.child(other, location=factory.location(other))
    data = _xlsx([(str(a.id), "", "", "", "250301-012-01", "12", "2026-01-01", "", "", ""),
                  (str(a.id), "", "", "", "250301-012-02", "-5", "2026-02-01", "", "", ""),
                  (str(stranger.id), "", "", "", "250301-012-01", "12", "2026-01-01", "", "", ""),
                  ("", "Niemand", "Onbekend", "2024-01-01", "250301-012-01", "12", "2026-01-01", "", "", "")])
    count, errors = attest_import.import_attests(ctx_of(session, org), "attesten.xlsx", data)
    assert count == 0 and [e.row for e in errors] == [3, 4, 5]
    assert "negatief" in errors[0].message and "organisatie" in errors[1].message
    assert session.query(IncomeTariffAttest).count() == 0


@pytest.mark.parametrize("name, data", [("x.pdf", b"%PDF"), ("x.xlsx", b"not a zip"), ("x.csv", b""),
                                        ("x.csv", b"naam;prijs\nx;1\n")])
def test_import_refuses_what_is_not_the_template(session, org, name, data):
    freeze()
    with pytest.raises(DomainError) as err:
        attest_import.import_attests(ctx_of(session, org), name, data)
    assert _code(err) in ("facturatie.import_format", "facturatie.import_empty")


def test_plans_extras_and_bad_input(session, org):
    freeze()
    ctx = ctx_of(session, org)
    plan = tariffs.save_plan(ctx, name="Basis", mode="hour", is_default=True)
    tariffs.add_plan_price(ctx, plan, valid_from="2026-01-01", hour="6")
    tariffs.add_plan_price(ctx, plan, valid_from="2027-01-01", hour="6.2")
    assert tariffs.price_on(plan, date(2026, 12, 31)).hour == Decimal("6.0000")
    assert tariffs.price_on(plan, date(2027, 1, 1)).hour == Decimal("6.2000")
    assert tariffs.price_on(plan, date(2025, 12, 31)) is None
    for call, code in [
        (lambda: tariffs.add_plan_price(ctx, plan, valid_from="2026-01-01", hour="7"), "facturatie.plan_price_exists"),
        (lambda: tariffs.add_plan_price(ctx, plan, valid_from="2028-01-01", full_day="-3"), "facturatie.price_negative"),
        (lambda: tariffs.save_plan(ctx, name="basis", mode="day"), "facturatie.name_taken"),
        (lambda: tariffs.save_plan(ctx, name=" ", mode="day"), "facturatie.name_required"),
        (lambda: tariffs.save_plan(ctx, name="X", mode="week"), "facturatie.plan_mode"),
        (lambda: tariffs.save_plan(ctx, name="Y", mode="day", sibling_reduction_pct="150"), "facturatie.percent_invalid"),
        (lambda: tariffs.save_extra(ctx, name="Luier", kind="care", price="1"), "facturatie.extra_kind"),
        (lambda: tariffs.save_extra(ctx, name="Luier", kind="extra", price="-1"), "facturatie.price_negative"),
    ]:
        with pytest.raises(DomainError) as err:
            call()
        assert _code(err) == code
    second = tariffs.save_plan(ctx, name="Maand", mode="month", is_default=True)
    assert second.is_default and not plan.is_default


def test_fo_su_05_reads_the_kindcode_from_the_attest(session, factory, org, location):
    from core.values import Period
    from plugins.aanwezigheden.api import kindcode
    from plugins.aanwezigheden.models import ChildCode
    from plugins.aanwezigheden.services import reports
    from tests.plugins.facturatie.engine_helpers import plan, stay

    freeze()
    child = factory.child(org, location=location, first_name="Code")
    session.add(ChildCode(organisation_id=org.id, child_id=child.id, kindcode="250301-099-01"))
    old = factory.child(org, location=location, first_name="Oudcode")
    session.add(ChildCode(organisation_id=org.id, child_id=old.id, kindcode="250301-077-01"))
    plan(session, org, child, location)
    plan(session, org, old, location)
    stay(session, org, child, location, date(2026, 11, 3), time(8), time(16))
    stay(session, org, old, location, date(2026, 11, 3), time(8), time(16))
    ctx = ctx_of(session, org)
    assert kindcode(ctx, child.id) == "250301-099-01"  # no attest yet: aanwezigheden's own table
    tariffs.add_attest(ctx, child_id=child.id, kindcode="250301-012-01", day_price="20", valid_from=date(2026, 1, 1))
    assert kindcode(ctx_of(session, org), child.id) == "250301-012-01"
    o = session.get(Organisation, org.id)
    report = reports.fo_su_05_data(ctx_of(session, org), o.locations[0], Period(2026, 11))
    codes = {line.first_name: line.kindcode for line in report.lines}
    assert codes == {"Code": "250301-012-01", "Oudcode": "250301-077-01"}
