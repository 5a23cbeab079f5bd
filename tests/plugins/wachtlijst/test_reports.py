"""Monthly report (counting rule, subcategories, placement rate, median time to offer, SVG, Excel)
and the yearly FO-RE-19 XML validated against Opgroeien's schema."""
from __future__ import annotations

import io
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from lxml import etree
from openpyxl import load_workbook

from core.clock import BRUSSELS, app_clock
from core.context import context_for
from core.models import Role
from core.settings import set_setting
from core.values import Period
from plugins.wachtlijst.services import intake, offers, placing, reports
from tests.conftest import login
from tests.plugins.wachtlijst.helpers import make_request


def at(day: date, hour: int = 10):
    app_clock().freeze(datetime.combine(day, datetime.min.time(), tzinfo=BRUSSELS) + timedelta(hours=hour))


@pytest.fixture
def month_data(session, org, location, director):
    """November 2026: four requests; one placed, one declined, one lapsed, one waiting."""
    at(date(2026, 11, 2))
    placed, _ = make_request(session, org, [location.id], email="a@example.be", facts={"work": True})
    declined, _ = make_request(session, org, [location.id], email="b@example.be", child_first_name="B",
                               facts={"low_income": True, "single_parent": True})
    lapsed, _ = make_request(session, org, [location.id], email="c@example.be", child_first_name="C")
    waiting, _ = make_request(session, org, [location.id], email="d@example.be", child_first_name="D",
                              facts={"urgent": True})
    at(date(2026, 11, 6))
    slot = placing.Slot(location.id, 2027, 1, "0-12m", "ma-vr volle dag", free=5)
    first = offers.make_offer(context_for(session, org), placed, slot, actor=director)
    second = offers.make_offer(context_for(session, org), declined, slot, actor=director)
    at(date(2026, 11, 10))
    offers.accept(context_for(session, org), first)
    offers.decline(context_for(session, org), second, "te ver")
    intake.lapse(context_for(session, org), lapsed, actor=director, reason="miskraam")
    at(date(2026, 12, 1))
    return placed, declined, lapsed, waiting


def test_monthly_report_follows_the_counting_rule(session, org, location, month_data):
    placed, declined, lapsed, waiting = month_data
    report = reports.monthly(session, [org], Period(2026, 11))
    assert report.received == 3  # the lapsed request is not counted
    assert report.offers == 2 and report.placements == 1
    assert report.declines == [("te ver", 1)]
    assert report.median_days_to_offer == 4.0
    rows = {r.key: r for r in report.groups}
    assert (rows["all"].received, rows["all"].placed, rows["all"].unanswered) == (3, 1, 2)
    assert (rows["work"].placed, rows["work"].rate) == (1, 1.0)
    assert rows["vulnerable"].received == 1 and rows["vulnerable"].unanswered == 1
    assert rows["urgent"].unanswered == 1
    svg = reports.chart_svg(report)
    etree.fromstring(svg.encode())  # well-formed
    assert "<rect" in svg and "100%" in svg
    book = load_workbook(io.BytesIO(reports.excel(report, org.name)))
    assert book["Overzicht"]["B2"].value == 3
    assert [c.value for c in book["Weigeringen"][2]] == ["te ver", 1]
    # the next month: nothing received, the two waiting requests are still unanswered
    december = reports.monthly(session, [org], Period(2026, 12))
    assert december.received == 0 and {r.key: r for r in december.groups}["all"].unanswered == 2


def test_report_page_and_excel_download(client, session, org, location, director, month_data):
    session.commit()
    login(client, director)
    slug = org.slug
    page = client.get(f"/o/{slug}/wachtlijst/reports?month=2026-11")
    assert page.status_code == 200 and "<svg" in page.get_data(as_text=True)
    xlsx = client.get(f"/o/{slug}/wachtlijst/reports.xlsx?month=2026-11")
    assert xlsx.status_code == 200 and xlsx.data[:2] == b"PK"


def test_koepel_report_sums_the_partners(session, factory, org, location, month_data):
    other = factory.org(modules={"wachtlijst"})
    make_request(session, other, [factory.location(other).id], email="x@example.be")
    koepel_nov = reports.monthly(session, [org, other], Period(2026, 11))
    assert koepel_nov.received == 3  # the other partner's request came in December
    koepel_dec = reports.monthly(session, [org, other], Period(2026, 12))
    assert koepel_dec.received == 1


def test_fo_re_19_validates_against_the_official_schema(session, org, location, month_data):
    set_setting(session, org, "wachtlijst.subsidiegroep_id", "123456")
    xml = reports.fo_re_19_xml(context_for(session, org), 2027)
    assert reports.validate_fo_re_19(xml) == []
    doc = etree.fromstring(xml)
    group = doc.find("Voorrangsgroepen/Voorrangsgroep")
    assert group.findtext("LocatieId") == str(int(location.opgroeien_file_no))
    assert group.findtext("AantalOpgevangenKinderen/Totaal") == "1"
    assert group.findtext("AantalOpgevangenKinderen/UitVoorrangsgroepen") == "1"
    assert group.findtext("DetailsVoorrangsgroep/WerkOpleiding") == "1"
    assert group.findtext("DetailsVoorrangsgroep/LaagInkomen") == "0"
    # the validator does catch a wrong document
    broken = xml.replace(b"<Jaar>2027</Jaar>", b"<Jaar>1999</Jaar>")
    assert reports.validate_fo_re_19(broken)


def test_fo_re_19_refuses_without_subsidy_group_or_for_free_price(session, factory, org, location, month_data):
    with pytest.raises(reports.ReportError, match="subsidiegroep"):
        reports.fo_re_19_xml(context_for(session, org), 2027)
    from core.models import PriceRegime

    free = factory.org(modules={"wachtlijst"}, price_regime=PriceRegime.VRIJE_PRIJS)
    with pytest.raises(reports.ReportError, match="inkomenstarief"):
        reports.fo_re_19_xml(context_for(session, free), 2027)


def test_fo_re_19_download(client, session, factory, org, location, month_data):
    set_setting(session, org, "wachtlijst.subsidiegroep_id", "99")
    director = factory.user(org, Role.DIRECTOR)
    session.commit()
    login(client, director)
    response = client.get(f"/o/{org.slug}/wachtlijst/fo-re-19.xml?year=2027")
    assert response.status_code == 200 and response.mimetype == "application/xml"
    assert reports.validate_fo_re_19(response.data) == []


OFFICIAL_XSD = Path(__file__).resolve().parents[4] / "shared" / "data" / "opgroeien" / "FO-RE-19.xsd"


def test_fo_re_19_against_the_official_schema_file(session, factory, org, location, month_data):
    """Validated with the schema as Opgroeien publishes it (../shared/data/opgroeien), not only the
    module's copy; a second location with an awkward name and a vulnerable family placed."""
    assert OFFICIAL_XSD.exists(), f"the official Opgroeien documents belong beside the repository: {OFFICIAL_XSD}"
    assert reports.XSD_PATH.read_bytes() == OFFICIAL_XSD.read_bytes()  # the bundled copy is the official one
    set_setting(session, org, "wachtlijst.subsidiegroep_id", "4711")
    second = factory.location(org, name="Kinderdagverblijf <De Zon> & 't Maantje — een heel lange naam voorbij 50 tekens",
                              places=14)
    slot = placing.Slot(second.id, 2027, 1, "0-12m", "ma-vr volle dag", free=3)
    at(date(2026, 12, 2))
    req, _ = make_request(session, org, [second.id], email="kw@example.be", child_first_name="Kw",
                          facts={"low_income": True, "single_parent": True, "foster_child": True})
    offers.accept(context_for(session, org), offers.make_offer(context_for(session, org), req, slot, actor=None))
    xml = reports.fo_re_19_xml(context_for(session, org), 2027)
    schema = etree.XMLSchema(etree.parse(str(OFFICIAL_XSD)))
    doc = etree.fromstring(xml)
    assert schema.validate(doc), schema.error_log
    groups = {g.findtext("LocatieId"): g for g in doc.findall("Voorrangsgroepen/Voorrangsgroep")}
    group = groups[str(int(second.opgroeien_file_no))]
    assert group.findtext("LocatieNaam") == second.name[:50]
    assert group.findtext("AantalOpgevangenKinderen/UitKwetsbareGezinnen") == "1"
    assert [group.findtext(f"DetailsVoorrangsgroep/{tag}") for tag in ("Alleenstaanden", "LaagInkomen",
                                                                        "Pleegkinderen", "WerkOpleiding")] == \
        ["1", "1", "1", "0"]
    assert group.findtext("KindPlaatsRatio") == "0.07"  # 1 child from the priority groups / 14 places
    assert doc.findtext("DocumentGegevens/SubsidiegroepId") == "4711"
