"""Reports to Opgroeien, built from :func:`plugins.aanwezigheden.api.billable_days`.

* FO-SU-05 (income-tariff locations): per kindcode (and per BO flag) the counts of present,
  justified absent (respijt and other justified reasons) and unjustified absent days in the
  buckets min3u/min5u/min11u/min11uFlex, as XML valid against the official XSD 2.3, shipped as
  package data (``schemas/FO-SU-05.xsd``).
* KOT (free-price locations): per child and per day the check-in/check-out times, as the JSON body
  of ``POST /opvangprestaties`` of the childcare-allowance API (Swagger ``KinderOpvangToeslag.json``,
  also shipped). ``kot.py`` sends it through the jobs outbox when the organisation set the API
  address and token; otherwise the director downloads the file for a manual upload.
"""
from __future__ import annotations

import xml.etree.ElementTree as ET
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from flask_babel import gettext as _
from sqlalchemy import select

from core.clock import BRUSSELS
from core.models import Child, Location
from core.values import Period

from ..api import billable_days
from ..models import (
    AbsenceKind,
    AttendanceEvent,
    ChildCode,
    EventStatus,
)
from . import AttendanceError, kindcodes, planning_adapter
from .registrations import stays
from .settings import setting

SCHEMAS = Path(__file__).resolve().parent.parent / "schemas"
FO_SU_05_XSD = SCHEMAS / "FO-SU-05.xsd"
KOT_SWAGGER = SCHEMAS / "KinderOpvangToeslag.json"
VIEWER = "Koepel 0.1"
KOT_REQUEST = "Request voor het registreren van opvangprestaties"


def opening_days(ctx, location: Location, period: Period) -> int:
    """Days of the month the location was open: weekdays with opening hours minus closing days."""
    weekdays = {oh.weekday for oh in location.opening_hours}
    try:
        closed = planning_adapter.closing_days(ctx, location.id, period.first_day, period.last_day)
    except (ImportError, AttributeError):
        closed = {}
    days = [period.first_day.replace(day=n) for n in range(1, period.last_day.day + 1)]
    return sum(1 for d in days if d.weekday() in weekdays and d not in closed)


@dataclass
class FoLine:
    child_id: int
    kindcode: str
    first_name: str
    last_name: str
    bo: bool
    present: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    justified: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    unjustified: dict[str, int] = field(default_factory=lambda: defaultdict(int))


@dataclass
class FoReport:
    location: Location
    period: Period
    opening_days: int
    lines: list[FoLine]
    warnings: list[str]


def fo_su_05_data(ctx, location: Location, period: Period) -> FoReport:
    """Lines per (kindcode, BO flag). A child whose co-parents each hold an attest (a household
    kindcode) appears once per kindcode: a day goes to the kindcode of the household whose care
    plan it belongs to, else to the child's own kindcode (domain rules §3.3, "Matching")."""
    session = ctx.session
    org = ctx.org
    days = billable_days(ctx, start=period.first_day, end=period.last_day, location_id=location.id)
    children = {c.id: c for c in session.scalars(select(Child).where(
        Child.organisation_id == org.id, Child.id.in_({d.child_id for d in days})))}
    # the attests inkomenstarief (facturatie) are the kindcode's home; this module's table otherwise
    codes, household_codes = kindcodes.kindcodes_for(ctx, set(children), period.first_day, period.last_day)
    lines: dict[tuple[int, str, bool], FoLine] = {}
    warnings: list[str] = []
    for d in days:
        if d.own_child or d.planned or d.fo_bucket is None or d.absence == AbsenceKind.SLUITING:
            continue  # a planned (future) day is never an absence
        child = children[d.child_id]
        kindcode = household_codes.get((d.child_id, d.family_id)) or codes.get(d.child_id) or ""
        key = (d.child_id, kindcode, d.out_of_school)
        line = lines.get(key)
        if line is None:
            line = lines[key] = FoLine(d.child_id, kindcode, child.first_name, child.last_name, d.out_of_school)
        if d.present:
            line.present[d.fo_bucket] += 1
        elif d.absence in (AbsenceKind.RESPIJT, AbsenceKind.GERECHTVAARDIGD):
            line.justified[d.fo_bucket] += 1
        else:
            line.unjustified[d.fo_bucket] += 1
        if d.open_stay:
            warnings.append(_("%(name)s: vertrek ontbreekt op %(day)s.", name=child.full_name, day=d.day.isoformat()))
    for line in lines.values():
        if not line.kindcode:
            warnings.append(_("%(name)s heeft geen kindcode.", name=f"{line.first_name} {line.last_name}"))
    ordered = sorted(lines.values(), key=lambda x: (x.last_name.lower(), x.first_name.lower(), x.kindcode, x.bo))
    return FoReport(location, period, opening_days(ctx, location, period), ordered, sorted(set(warnings)))


def _sub(parent, tag: str, text: str | None = None):
    node = ET.SubElement(parent, tag)
    if text is not None:
        node.text = text
    return node


def _counts(parent, tag: str, counts: dict[str, int], *, bo: bool, flex: bool) -> None:
    node = _sub(parent, tag)
    buckets = (["min3u"] if bo else []) + ["min5u", "min11u"] + (["min11uFlex"] if flex else [])
    for bucket in buckets:
        _sub(node, bucket, str(counts.get(bucket, 0)))


def fo_su_05_xml(ctx, location: Location, period: Period, *,
                 responsible: str = "") -> bytes:
    """The FO-SU-05 XML document. Raises AttendanceError when it cannot be valid."""
    org = ctx.org
    file_no = (location.opgroeien_file_no or "").strip()
    if not file_no.isdigit() or not 9 <= len(file_no) <= 10:
        raise AttendanceError(_("Vul eerst het dossiernummer van Opgroeien (9 of 10 cijfers) van de locatie in."),
                              field="opgroeien_file_no")
    report = fo_su_05_data(ctx, location, period)
    if not report.lines:
        raise AttendanceError(_("Er zijn geen aan- of afwezigheden om te rapporteren voor deze maand."), code="empty")
    responsible = responsible or str(setting(ctx, "report_responsible") or "") or org.name
    bo_location = location.registers_out_of_school
    root = ET.Element("IKG")
    prestaties = _sub(root, "prestaties")
    for line in report.lines:
        p = _sub(prestaties, "prestatie")
        kind = _sub(_sub(p, "kindInfo"), "kind")
        _sub(kind, "code", line.kindcode)
        _sub(kind, "voornaam", line.first_name[:50])
        _sub(kind, "naam", line.last_name[:50])
        _sub(kind, "bo", "J" if line.bo else "N")
        _counts(p, "aanwezigheden", line.present, bo=line.bo, flex=location.flex_subsidy)
        _counts(p, "gerechtvaardigde_afwezigheden", line.justified, bo=line.bo, flex=location.flex_subsidy)
        _counts(p, "niet_gerechtvaardigde_afwezigheden", line.unjustified, bo=line.bo, flex=location.flex_subsidy)
    _sub(_sub(root, "closing"), "verantwoordelijke", responsible[:200])
    loc = _sub(root, "locatiegegevens")
    _sub(loc, "naam_locatie", location.name[:50])
    _sub(loc, "dossiernummer", file_no)
    _sub(loc, "naam_organisator", org.name[:50])
    _sub(loc, "periode", f"{period.month:02d}/{period.year}")
    _sub(loc, "aantal_openingsdagen", str(min(report.opening_days, 31)))
    _sub(loc, "bo", "J" if bo_location else "N")
    _sub(loc, "flex", "J" if location.flex_subsidy else "N")
    header = _sub(root, "Header")
    _sub(header, "DocumentIndicator", "FO-SU-05")
    _sub(header, "FormVersion", "1.0")
    _sub(header, "MinReaderVersion", "9.1")
    _sub(header, "UsedViewer", VIEWER)
    _sub(root, "FormulierGecontroleerd", "J")
    ET.indent(root)
    return ET.tostring(root, encoding="UTF-8", xml_declaration=True)


def validate_fo_su_05(xml: bytes) -> list[str]:
    """Errors of the document against the official XSD (empty list = valid)."""
    from lxml import etree

    schema = etree.XMLSchema(etree.parse(str(FO_SU_05_XSD)))
    doc = etree.fromstring(xml)
    return [] if schema.validate(doc) else [str(e.message) for e in schema.error_log]


# --- KOT ------------------------------------------------------------------------------------------


def _local_iso(moment: datetime) -> str:
    return moment.astimezone(BRUSSELS).replace(tzinfo=None).isoformat(timespec="seconds")


def kot_payload(ctx, location: Location, period: Period) -> tuple[dict, list[str]]:
    """(request body, problems). Children with a problem (sex unknown, a missing departure) are
    left out and named in the problems; own children and days from school start on are never sent."""
    session = ctx.session
    org = ctx.org
    file_no = (location.opgroeien_file_no or "").strip()
    if not file_no.isdigit() or not 9 <= len(file_no) <= 10:
        raise AttendanceError(_("Vul eerst het dossiernummer van Opgroeien (9 of 10 cijfers) van de locatie in."),
                              field="opgroeien_file_no")
    events = list(session.scalars(select(AttendanceEvent).where(
        AttendanceEvent.organisation_id == org.id, AttendanceEvent.location_id == location.id,
        AttendanceEvent.day >= period.first_day, AttendanceEvent.day <= period.last_day,
        AttendanceEvent.status == EventStatus.ACCEPTED, AttendanceEvent.child_id.is_not(None))))
    per_child: dict[int, dict[date, list]] = defaultdict(lambda: defaultdict(list))
    for e in events:
        per_child[e.child_id][e.day].append(e)
    children = {c.id: c for c in session.scalars(select(Child).where(Child.organisation_id == org.id,
                                                                     Child.id.in_(set(per_child))))}
    codes = {c.child_id: c for c in session.scalars(select(ChildCode).where(ChildCode.organisation_id == org.id,
                                                                            ChildCode.child_id.in_(set(per_child))))}
    prestaties, problems = [], []
    for child_id in sorted(per_child, key=lambda i: (children[i].last_name.lower(), children[i].first_name.lower(), i)):
        child, code = children[child_id], codes.get(child_id)
        if code and code.own_child:
            continue
        if code is None or code.sex not in ("M", "V"):
            problems.append(_("%(name)s: geslacht ontbreekt (nodig voor de KOT).", name=child.full_name))
            continue
        days, broken = [], False
        for day in sorted(per_child[child_id]):
            if code.school_start and day >= code.school_start:
                continue
            spans = stays(per_child[child_id][day])
            if any(s.end is None for s in spans):
                problems.append(_("%(name)s: vertrek ontbreekt op %(day)s.", name=child.full_name, day=day.isoformat()))
                broken = True
                continue
            days.append({"datumOpvang": day.isoformat(), "kindPrestatiesDetails": [
                {"checkIn": _local_iso(s.start), "checkOut": _local_iso(s.end)} for s in spans]})
        if broken or not days:
            continue
        kind = {"kindNaam": child.last_name[:50], "kindVoornaam": child.first_name[:25],
                "kindGeboortedatum": child.birth_date.isoformat(), "kindGeslacht": code.sex, "kindPrestaties": days}
        if code.school_start:
            kind["datumSchoolgaand"] = code.school_start.isoformat()
        prestaties.append({"kind": kind})
    body = {"locatieId": file_no, "periode": f"{period.first_day.isoformat()}T00:00:00", "prestaties": prestaties}
    return body, problems
