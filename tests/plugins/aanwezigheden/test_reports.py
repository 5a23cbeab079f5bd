"""Reports to Opgroeien: FO-SU-05 against the official XSD 2.3, the KOT payload against the
Swagger contract, the KOT client against a local stand-in server, the dashboard reminder."""
from __future__ import annotations

import json
from datetime import date, datetime, time

import jsonschema
import pytest
from lxml import etree
from sqlalchemy import delete, select

from core.clock import BRUSSELS, app_clock
from core.context import context_for
from core.models import PriceRegime, Role
from core.values import Period
from plugins.aanwezigheden.models import ChildCode, ReportSubmission
from plugins.aanwezigheden.services import AttendanceError, reports
from plugins.aanwezigheden.services.absences import record_absence
from tests.conftest import login
from tests.plugins.aanwezigheden.conftest import db_org
from tests.plugins.aanwezigheden.test_api import stay

NOV = Period(2026, 11)
DAYS = [date(2026, 11, d) for d in (16, 17, 18, 19, 20)]


def loc(session, location):
    from core.models import Location

    return session.get(Location, location.id)


def month_of_care(session, factory, org, location, planning):
    o = db_org(session, org)
    a = factory.child(o, location=location, first_name="Amber")
    b = factory.child(o, location=location, first_name="Bram")
    own = factory.child(o, location=location, first_name="Eigen")
    session.add_all([ChildCode(organisation_id=o.id, child_id=a.id, kindcode="250301-010-02", sex="V"),
                     ChildCode(organisation_id=o.id, child_id=b.id, kindcode="25030101001", sex="M"),
                     ChildCode(organisation_id=o.id, child_id=own.id, own_child=True)])
    planning.reserve(a, location, *DAYS)
    planning.reserve(b, location, *DAYS)
    planning.balance[b.id] = 1
    stay(session, o, a, location, DAYS[0], time(8), time(12))  # min5u
    stay(session, o, a, location, DAYS[1], time(8), time(17))  # min11u
    stay(session, o, a, location, DAYS[2], time(6, 30), time(18, 30))  # 12 h, no flex -> min11u
    record_absence(context_for(session, o), child_id=a.id, location_id=location.id, day=DAYS[3], kind="gerechtvaardigd",
                   reason="ziekte")
    stay(session, o, b, location, DAYS[0], time(7), time(16))
    record_absence(context_for(session, o), child_id=b.id, location_id=location.id, day=DAYS[1], kind="auto")  # respijt
    stay(session, o, own, location, DAYS[0], time(7), time(16))
    return o, a, b


def test_fo_su_05_counts(session, factory, org, location, planning):
    o, a, b = month_of_care(session, factory, org, location, planning)
    data = reports.fo_su_05_data(context_for(session, o), loc(session, location), NOV)
    lines = {line.first_name: line for line in data.lines}
    assert set(lines) == {"Amber", "Bram"}  # own children are not reported
    assert dict(lines["Amber"].present) == {"min5u": 1, "min11u": 2}
    assert dict(lines["Amber"].justified) == {"min11u": 1}
    assert dict(lines["Amber"].unjustified) == {"min11u": 1}  # reserved, not there, nothing recorded
    assert dict(lines["Bram"].justified) == {"min11u": 1} and dict(lines["Bram"].unjustified) == {"min11u": 3}
    assert data.opening_days == 20  # weekdays of November 2026 less 11 November (Wapenstilstand)


def test_fo_su_05_xml_is_valid_against_the_official_schema(session, factory, org, location, planning):
    o, _, _ = month_of_care(session, factory, org, location, planning)
    xml = reports.fo_su_05_xml(context_for(session, o), loc(session, location), NOV, responsible="An Verantwoordelijke")
    assert reports.validate_fo_su_05(xml) == []
    schema = etree.XMLSchema(etree.parse(str(reports.FO_SU_05_XSD)))
    doc = etree.fromstring(xml)
    schema.assertValid(doc)
    assert "versienummer: 2.3" in reports.FO_SU_05_XSD.read_text()
    assert doc.findtext("locatiegegevens/periode") == "11/2026"
    assert doc.findtext("locatiegegevens/flex") == "N"
    amber = next(p for p in doc.iter("prestatie") if p.findtext("kindInfo/kind/voornaam") == "Amber")
    assert amber.findtext("kindInfo/kind/code") == "250301-010-02"
    assert amber.findtext("aanwezigheden/min11u") == "2" and amber.find("aanwezigheden/min11uFlex") is None


def test_the_validator_catches_an_invalid_document(session, factory, org, location, planning):
    o, _, _ = month_of_care(session, factory, org, location, planning)
    xml = reports.fo_su_05_xml(context_for(session, o), loc(session, location), NOV)
    broken = xml.replace(b"<periode>11/2026</periode>", b"<periode>2026-11</periode>")
    assert reports.validate_fo_su_05(broken)


def test_fo_su_05_refuses_without_file_number(session, factory, org, location, planning):
    o, _, _ = month_of_care(session, factory, org, location, planning)
    place = loc(session, location)
    place.opgroeien_file_no = None
    with pytest.raises(AttendanceError, match="dossiernummer"):
        reports.fo_su_05_xml(context_for(session, o), place, NOV)


def swagger_validator():
    spec = json.loads(reports.KOT_SWAGGER.read_text())
    schema = {"definitions": spec["definitions"], "$ref": "#/definitions/" + reports.KOT_REQUEST}
    return jsonschema.Draft4Validator(schema, format_checker=jsonschema.FormatChecker())


def test_kot_payload_follows_the_swagger_contract(session, factory, org, location, planning):
    o, a, b = month_of_care(session, factory, org, location, planning)
    body, problems = reports.kot_payload(context_for(session, o), loc(session, location), NOV)
    assert problems == []
    swagger_validator().validate(body)
    names = [p["kind"]["kindVoornaam"] for p in body["prestaties"]]
    assert "Eigen" not in names and set(names) == {"Amber", "Bram"}
    amber = next(p["kind"] for p in body["prestaties"] if p["kind"]["kindVoornaam"] == "Amber")
    assert amber["kindGeslacht"] == "V" and len(amber["kindPrestaties"]) == 3
    assert amber["kindPrestaties"][0]["kindPrestatiesDetails"] == [
        {"checkIn": "2026-11-16T08:00:00", "checkOut": "2026-11-16T12:00:00"}]


def test_the_swagger_check_can_fail():
    bad = {"locatieId": "123", "periode": "2026-11-01T00:00:00",
           "prestaties": [{"kind": {"kindNaam": "X", "kindVoornaam": "Y", "kindGeboortedatum": "2025-13-45",
                                    "kindGeslacht": "X", "kindPrestaties": []}}]}
    errors = list(swagger_validator().iter_errors(bad))
    assert len(errors) >= 3  # too short locatieId, bad sex, bad date


def test_kot_names_children_that_cannot_be_sent(session, factory, org, location, planning):
    o, a, b = month_of_care(session, factory, org, location, planning)
    session.scalar(select(ChildCode).where(ChildCode.child_id == a.id)).sex = None
    stay(session, o, b, location, DAYS[4], time(8), None)  # departure missing
    body, problems = reports.kot_payload(context_for(session, o), loc(session, location), NOV)
    assert body["prestaties"] == [] and len(problems) == 2
    assert any("geslacht" in p for p in problems) and any("vertrek ontbreekt" in p for p in problems)


def reminder(app, session, org, user) -> str:
    """The dashboard card of this module (called directly: the dashboard also renders other modules)."""
    from core.models import User
    from plugins.aanwezigheden.views.admin import reminder_widget

    with app.test_request_context(f"/o/{org.slug}/"):
        widget = reminder_widget(db_org(session, org), session.get(User, user.id))
        return str(widget.html) if widget else ""


def test_downloads_and_reminder(app, client, session, factory, org, location, director, planning):
    o, _, _ = month_of_care(session, factory, org, location, planning)
    session.commit()
    app_clock().freeze(datetime(2026, 12, 3, 9, 0, tzinfo=BRUSSELS))
    login(client, director)
    card = reminder(app, session, org, director)
    assert "FO-SU-05-rapport van 2026-11" in card and location.name in card
    r = client.get(f"/o/{org.slug}/aanwezigheden/reports/{location.id}/fo-su-05.xml?month=2026-11")
    assert r.status_code == 200 and r.mimetype == "application/xml"
    assert reports.validate_fo_su_05(r.data) == []
    from core.models import (
        Document,  # kept in the document store (core.documents), served from there
    )

    [doc] = session.scalars(select(Document).where(Document.kind == "aanwezigheden.fo_su_05")).all()
    assert doc.organisation_id == org.id and doc.sha256 == __import__("hashlib").sha256(r.data).hexdigest()
    assert r.headers["Content-Disposition"] == f'attachment; filename="{doc.filename}"'
    assert reminder(app, session, org, director) == ""  # downloaded: done
    app_clock().freeze(datetime(2026, 12, 8, 9, 0, tzinfo=BRUSSELS))
    session.execute(delete(ReportSubmission))
    assert reminder(app, session, org, director) == ""  # after the 7th: no card


def test_kot_download_for_free_price(app, client, session, factory, org, location, director, planning):
    o, _, _ = month_of_care(session, factory, org, location, planning)
    o.price_regime = PriceRegime.VRIJE_PRIJS
    session.commit()
    app_clock().freeze(datetime(2026, 12, 2, 9, 0, tzinfo=BRUSSELS))
    login(client, director)
    assert "KOT-gegevens van 2026-11" in reminder(app, session, org, director)
    r = client.get(f"/o/{org.slug}/aanwezigheden/reports/{location.id}/kot.json?month=2026-11")
    assert r.status_code == 200
    swagger_validator().validate(json.loads(r.data))
    assert session.scalar(select(ReportSubmission).where(ReportSubmission.location_id == location.id)).ok


def test_caregiver_cannot_download_reports(client, session, factory, org, location, caregiver):
    login(client, caregiver)
    assert client.get(f"/o/{org.slug}/aanwezigheden/reports/{location.id}/kot.json").status_code == 403
    assert Role.CAREGIVER.value == "caregiver"
