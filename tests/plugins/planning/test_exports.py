"""Excel and iCalendar exports read back with openpyxl and icalendar; the SVG pictures parse."""
from __future__ import annotations

import io
import json
from datetime import UTC, date, datetime, time
from xml.etree import ElementTree

import pytest
from icalendar import Calendar
from openpyxl import load_workbook

from plugins.planning.services.exports import (
    DaySummary,
    OccupancyRow,
    PlanningRow,
    ReservedDay,
    VacancyRow,
    day_planning_workbook,
    occupancy_workbook,
    reserved_days_calendar,
)
from plugins.planning.views.heatmap import HeatCell, heatmap_data, occupancy_colour, ratio_curve_svg


def test_day_planning_workbook_round_trip():
    rows = [PlanningRow(date(2026, 11, 19), "Het Nest", "Baby's", "Lotte Peeters", 9, "volledige dag", time(7, 30),
                        time(17, 0)),
            PlanningRow(date(2026, 11, 20), "Het Nest", "Peuters", "Noah Janssens", 20, "voormiddag", time(8), time(12))]
    summaries = [DaySummary(date(2026, 11, 19), "Het Nest", 1, 18, 1, 1, ""),
                 DaySummary(date(2026, 11, 20), "Het Nest", 1, 18, 1, 1, "Capaciteit overschreden")]
    wb = load_workbook(io.BytesIO(day_planning_workbook("November 2026", rows, summaries)))
    assert wb.sheetnames == ["Dagplanning", "Overzicht per dag"]
    sheet = wb["Dagplanning"]
    assert [c.value for c in sheet[1]][:4] == ["Datum", "Locatie", "Leefgroep", "Kind"]
    assert sheet["A2"].value.date() == date(2026, 11, 19)
    assert (sheet["D2"].value, sheet["E2"].value, sheet["G2"].value, sheet["H2"].value) == (
        "Lotte Peeters", 9, "07:30", "17:00")
    assert sheet["D3"].value == "Noah Janssens"
    overview = wb["Overzicht per dag"]
    assert overview["G3"].value == "Capaciteit overschreden"
    assert overview["A3"].fill.fgColor.rgb.endswith("F8D7DA")
    assert wb.properties.title == "November 2026"


def test_occupancy_workbook_round_trip():
    occ = [OccupancyRow("Het Nest", date(2026, 12, 1), 18, 540, 720), OccupancyRow("Zonnetje", date(2026, 12, 1),
                                                                                     None, 2, 0)]
    vac = [VacancyRow("Het Nest", date(2026, 12, 1), date(2027, 2, 1), "0-12 maanden", "ma-di-wo volle dag", 1.0,
                      True)]
    wb = load_workbook(io.BytesIO(occupancy_workbook("Bezetting", occ, vac)))
    ws = wb["Bezetting"]
    assert (ws["A2"].value, ws["C2"].value, ws["D2"].value, ws["E2"].value, ws["F2"].value) == (
        "Het Nest", 18, 540, 720, 75.0)
    assert ws["F3"].value is None
    free = wb["Vrije plaatsen"]
    assert (free["B2"].value.date(), free["C2"].value.date(), free["D2"].value) == (
        date(2026, 12, 1), date(2027, 2, 1), "0-12 maanden")
    assert free["G2"].value == "ja"


def test_reserved_days_calendar_round_trip():
    days = [ReservedDay(date(2026, 11, 23), time(7, 30), time(17, 0), "volledige dag"),
            ReservedDay(date(2026, 11, 24), None, None, "")]
    data = reserved_days_calendar(child_key="c42", child_name="Lotte Peeters", location_name="Het Nest",
                                  location_address="Kerkstraat 1, 8500 Kortrijk", organisation_name="Kinderopvang X",
                                  days=days, stamp=datetime(2026, 11, 18, 9, tzinfo=UTC))
    cal = Calendar.from_ical(data)
    events = cal.walk("VEVENT")
    assert len(events) == 2
    first, second = events
    assert str(first["summary"]) == "Opvang Lotte Peeters (volledige dag)"
    start = first.decoded("dtstart")
    assert (start.date(), start.hour, start.minute) == (date(2026, 11, 23), 7, 30)
    assert start.utcoffset().total_seconds() == 3600  # Brussels winter time
    assert second.decoded("dtstart") == date(2026, 11, 24)
    assert str(first["uid"]) == "c42-2026-11-23@koepel"
    assert "Kortrijk" in str(first["location"])
    assert cal.walk("VTIMEZONE"), "the Brussels timezone definition travels with the file"


def test_calendar_events_keep_local_hours_across_the_dst_changes():
    """Last Sunday of March 2027 (28/3) and of October 2027 (31/10): 07:30 stays 07:30 in Brussels."""
    days = [ReservedDay(date(2027, 3, d), time(7, 30), time(17, 0), "") for d in (26, 29)] + [
        ReservedDay(date(2027, m, d), time(7, 30), time(17, 0), "") for m, d in ((10, 29), (11, 2))]
    cal = Calendar.from_ical(reserved_days_calendar(
        child_key="c1", child_name="Lotte", location_name="Het Nest", location_address="", organisation_name="X",
        days=days, stamp=datetime(2027, 1, 1, tzinfo=UTC)))
    starts = [e.decoded("dtstart") for e in cal.walk("VEVENT")]
    assert [(s.hour, s.minute) for s in starts] == [(7, 30)] * 4
    assert [int(s.utcoffset().total_seconds()) // 3600 for s in starts] == [1, 2, 2, 1]
    assert [s.astimezone(UTC).hour for s in starts] == [6, 5, 5, 6]


def test_heatmap_data_is_compact_json_with_colours_labels_and_highlights():
    cells = [[HeatCell(0.5, "9/18", "dec: 9 van 18"), HeatCell(1.2, "22/18", "jan <vol>", highlight=True)]]
    data = json.loads(heatmap_data(["Het <Nest> & co"], ["dec", "jan"], cells, title="Bezetting",
                                   description="per maand"))
    assert data["rows"] == ["Het <Nest> & co"] and data["columns"] == ["dec", "jan"]
    assert data["cells"] == [[[occupancy_colour(0.5), "9/18", "dec: 9 van 18", 0, 0],
                              [occupancy_colour(1.2), "22/18", "jan <vol>", 1, 1]]]  # white ink from 100%
    with pytest.raises(ValueError):
        heatmap_data(["a"], ["x", "y"], [[cells[0][0]]], title="t")


def test_colour_scale_runs_from_light_to_red():
    assert occupancy_colour(None) == "#e0e0e0"
    assert occupancy_colour(0) == "#e8f5e9" and occupancy_colour(2.0) == "#b71c1c"
    assert occupancy_colour(0.3) != occupancy_colour(0.9)


def test_ratio_curve_svg():
    svg = ratio_curve_svg(["07:00", "07:30", "08:00"], [2, 9, 10], [1, 2, 2], capacity=9, title="Kindratio")
    root = ElementTree.fromstring(str(svg))
    titles = [t.text for t in root.iter("{http://www.w3.org/2000/svg}title")]
    assert "07:30: 9 kinderen, 2 begeleiders nodig" in titles
    assert "07:00: 2 kinderen, 1 begeleider nodig" in titles  # singular where it is one
    assert root.find("{http://www.w3.org/2000/svg}line") is not None  # capacity line
    with pytest.raises(ValueError):
        ratio_curve_svg(["07:00"], [1, 2], [1], capacity=None, title="x")


def test_long_row_labels_are_shortened_but_kept_whole_for_the_table():
    name = "Onthaalouder " + "Heel Lange Naam " * 4
    data = json.loads(heatmap_data([name], ["dec"], [[HeatCell(0.1, "10%", "x")]], title="t"))
    assert data["shown"][0].endswith("…") and len(data["shown"][0]) == 34
    assert data["rows"] == [name]
