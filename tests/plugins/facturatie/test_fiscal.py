"""The 281.86 certificate: what counts (care received in the year), lines per day tariff, the age
limit, co-parents, the certificates that cannot be made, and the Belcotax-on-web XML validated
against the official schema with its control totals and field lengths checked here."""
from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from lxml import etree
from sqlalchemy import select

from core.context import build_context
from core.settings import set_setting
from plugins.facturatie.models import ChildFiscalInfo
from plugins.facturatie.services import belcotax, fiscal
from plugins.facturatie.services.errors import BillingError

from . import payment_builders as build

SCHEMA = Path(__file__).resolve().parents[3] / ".." / "shared" / "data" / "belcotax" / "Belcotax-2025.xsd"


@pytest.fixture
def ctx(session, org, frozen_today):
    org.enterprise_number = "0403170701"
    org.street, org.postcode, org.municipality = "Kerkstraat 1", "9000", "Gent"
    session.commit()
    set_setting(session, org, "facturatie.fiscal_day_maximum", "2024:16.40,2025:16.90")
    session.commit()
    return build_context(session, org)


def parent_family(factory, org, born=date(1985, 7, 30), seq=1, national=True):
    family = factory.family(org)
    contact = family.contacts[0]
    contact.national_number = build.rrn(born, seq) if national else None
    contact.street, contact.postcode, contact.municipality = "Dorp 2", "9000", "Gent"
    factory.session.commit()
    return family


def kid(factory, org, family, born=date(2024, 1, 1), seq=7):
    return factory.child(org, family, born=born, national_number=build.rrn(born, seq))


def test_only_care_received_in_the_year_counts(ctx, factory, org, session):
    fam = parent_family(factory, org)
    child = kid(factory, org, fam)
    jan = build.invoice(session, org, fam, child, care="150", meals="30", fine="10", absence="16", year=2025, month=1,
                        day_price="15")
    build.pay(session, org, jan, "206", date(2025, 2, 10))  # everything: only the 150 of care counts
    nov = build.invoice(session, org, fam, child, care="150", meals="20", year=2025, month=11, day_price="15")
    build.pay(session, org, nov, "100", date(2025, 12, 20))  # partial: meals first, 80 of care
    dec = build.invoice(session, org, fam, child, care="150", year=2025, month=12, day_price="15")
    build.pay(session, org, dec, "150", date(2026, 1, 15))  # received in 2026: not on the 2025 certificate
    build.invoice(session, org, fam, child, care="150", year=2025, month=10, day_price="15")  # never paid

    drafts, problems = fiscal.compute(ctx, 2025)
    assert problems == []
    (draft,) = drafts
    assert draft.amount == Decimal("230.00")
    (line,) = draft.lines  # 15 € a day is below the 2025 maximum: one line
    assert line.days == 20 and (line.start, line.end) == (date(2025, 1, 1), date(2025, 11, 10))
    assert line.tariff == Decimal("11.50")


def test_a_line_per_tariff_when_a_day_is_above_the_maximum(ctx, factory, org, session):
    fam = parent_family(factory, org)
    child = kid(factory, org, fam)
    a = build.invoice(session, org, fam, child, care="100", year=2025, month=3, day_price="10")
    b = build.invoice(session, org, fam, child, care="200", year=2025, month=4, day_price="20")
    build.pay(session, org, a, "100", date(2025, 4, 1))
    build.pay(session, org, b, "200", date(2025, 5, 1))
    (draft,), _ = fiscal.compute(ctx, 2025)
    assert [(ln.tariff, ln.days, ln.amount) for ln in draft.lines] == [
        (Decimal("10.00"), 10, Decimal("100.00")), (Decimal("20.00"), 10, Decimal("200.00"))]


def test_age_limit_fourteen_or_twenty_one_with_a_severe_handicap(ctx, factory, org, session):
    fam = parent_family(factory, org)
    child = kid(factory, org, fam, born=date(2011, 6, 5))  # 14 on 5 June 2025
    inv = build.invoice(session, org, fam, child, care="100", year=2025, month=6, day_price="10")
    build.pay(session, org, inv, "100", date(2025, 7, 1))
    (draft,), _ = fiscal.compute(ctx, 2025)
    assert draft.amount == Decimal("40.00") and draft.lines[0].end == date(2025, 6, 4)
    session.add(ChildFiscalInfo(organisation_id=org.id, child_id=child.id, severe_handicap=True))
    session.commit()
    (draft,), _ = fiscal.compute(ctx, 2025)
    assert draft.amount == Decimal("100.00")


def test_co_parents_each_for_what_they_paid_and_the_list_of_impossible_ones(ctx, factory, org, session):
    mum = parent_family(factory, org, seq=11)
    dad = parent_family(factory, org, born=date(1983, 2, 1), seq=12)
    child = kid(factory, org, mum)
    from core.models import ChildFamily

    session.add(ChildFamily(organisation_id=org.id, child_id=child.id, family_id=dad.id))
    session.commit()
    build.pay(session, org, build.invoice(session, org, mum, child, care="60", year=2025, month=2, day_price="10"),
              "60", date(2025, 3, 1))
    build.pay(session, org, build.invoice(session, org, dad, child, care="40", year=2025, month=2, day_price="10"),
              "40", date(2025, 3, 2))
    nobody = parent_family(factory, org, seq=13, national=False)
    other = kid(factory, org, nobody, seq=8)
    build.pay(session, org, build.invoice(session, org, nobody, other, care="50", year=2025, month=2), "50",
              date(2025, 3, 3))
    certs, problems = fiscal.issue(ctx, 2025)
    session.commit()
    assert sorted(c.amount for c in certs) == [Decimal("40.00"), Decimal("60.00")]
    assert {c.debtor_contact_id for c in certs} == {mum.contacts[0].id, dad.contacts[0].id}
    assert [c.number for c in sorted(certs, key=lambda c: c.number)] == [1, 2]
    (problem,) = problems
    assert problem.debtor_id == nobody.contacts[0].id and "rijksregisternummer" in problem.reason
    # issuing again keeps the numbers
    again, _ = fiscal.issue(ctx, 2025)
    assert {c.id: c.number for c in again} == {c.id: c.number for c in certs}


def test_certificate_year_in_the_future_is_refused(ctx):
    for year in (2026, 2027):
        with pytest.raises(BillingError) as err:
            fiscal.compute(ctx, year)
        assert err.value.code == "facturatie.certificate_year_future"


def _lengths_ok(doc):
    for el in doc.iter():
        limit = belcotax.LENGTHS.get(el.tag)
        if limit:
            assert len(el.text or "") <= limit, (el.tag, el.text)


def test_belcotax_xml_validates_with_right_totals(ctx, factory, org, session):
    for n in range(3):
        fam = parent_family(factory, org, seq=20 + n)
        child = kid(factory, org, fam, seq=30 + n)
        child.last_name = "Van Den Bossche-" + "Verylongname" * 5  # longer than the field: cut
        a = build.invoice(session, org, fam, child, care="100", year=2025, month=3, day_price="10")
        b = build.invoice(session, org, fam, child, care=str(200 + n), year=2025, month=4, day_price="20")
        build.pay(session, org, a, "100", date(2025, 4, 1))
        build.pay(session, org, b, str(200 + n), date(2025, 5, 1))
    certs, problems = fiscal.issue(ctx, 2025)
    assert not problems and len(certs) == 3
    xml = belcotax.build_xml(ctx, 2025, certs)
    schema = etree.XMLSchema(etree.parse(str(SCHEMA)))
    doc = etree.fromstring(xml)
    schema.assertValid(doc)
    _lengths_ok(doc)
    fiches = doc.findall(".//Fiche28186")
    assert len(fiches) == 3
    controls = []
    for fiche in fiches:
        amounts = [int(fiche.findtext(f)) for f in ("f86_2060_amount1", "f86_2061_amount2")]
        total = int(fiche.findtext("f86_2064_totalamount"))
        assert sum(amounts) == total
        assert int(fiche.findtext("f86_2059_totaalcontrole")) == sum(amounts) + total
        assert fiche.findtext("f86_2111_dailytariff1") == "1000" and fiche.findtext("f86_2115_dailytariff2") == "2000"
        assert len(fiche.findtext("f2011_nationaalnr")) == 11 and len(fiche.findtext("f86_2153_nnchild")) == 11
        controls.append(int(fiche.findtext("f86_2059_totaalcontrole")))
    assert doc.findtext(".//r8010_aantalrecords") == "5"
    assert doc.findtext(".//r8011_controletotaal") == "6"  # 1 + 2 + 3
    assert int(doc.findtext(".//r8012_controletotaal")) == sum(controls) == int(doc.findtext(".//r9013_controletotaal"))
    assert doc.findtext(".//r9011_totaalaantalrecords") == "7"
    # reading the national numbers is in the audit log (3 debtors, 3 children)
    from core.models import AuditEntry

    reads = session.scalars(select(AuditEntry.entity).where(AuditEntry.action == "view",
                                                            AuditEntry.organisation_id == org.id)).all()
    assert sorted(reads) == ["child"] * 3 + ["contact_person"] * 3
    # the official example validates too (the schema is the real one), and a wrong order fails
    fiche = fiches[0]
    moved = fiche.find("f86_2064_totalamount")
    fiche.remove(moved)
    fiche.insert(0, moved)
    assert not schema.validate(doc)


def test_belcotax_needs_the_senders_data(ctx, org, session):
    org.enterprise_number = None
    with pytest.raises(BillingError) as err:
        belcotax.build_xml(ctx, 2025, [])
    assert err.value.code == "facturatie.sender_incomplete"


def test_certificates_are_issued_in_a_fixed_number_of_statements(ctx, factory, org, session):
    """Two certificates or six: the same statements, one audit entry naming every certificate."""
    from core.models import AuditEntry
    from tests.conftest import QueryCounter

    counts = []
    for year, n in ((2024, 2), (2025, 6)):
        for i in range(n):
            fam = parent_family(factory, org, seq=40 + i)
            child = kid(factory, org, fam, seq=60 + i)
            inv = build.invoice(session, org, fam, child, care="100", year=year, month=3, day_price="10")
            build.pay(session, org, inv, "100", date(year, 4, 1))
        with QueryCounter(session.connection()) as q:
            certs, problems = fiscal.issue(ctx, year)
        counts.append(q.count)
        assert len(certs) == n and not problems
    assert counts[1] <= counts[0], counts  # the first also reads the settings
    entry = session.scalars(select(AuditEntry).where(AuditEntry.entity == "facturatie_fiscal_certificate",
                                                     AuditEntry.summary == "2025: 6")).one()
    assert entry.action == "create" and entry.changes["year"] == [None, 2025]
    assert sorted(entry.changes["certificates"][1]) == sorted(
        [c.id, c.number, c.child_id, c.debtor_contact_id, str(c.amount)] for c in certs)
