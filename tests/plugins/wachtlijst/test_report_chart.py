"""The placement report's chart: per priority group one bar of the requests active in the month,
split in placed and not placed, on one scale, readable without colour; and the central
allocation's statuses in words."""
from __future__ import annotations

import re
from datetime import date

from lxml import etree
from sqlalchemy import select

from core.models import Role
from core.values import Period
from plugins.wachtlijst.models import Offer
from plugins.wachtlijst.services import central, reports
from tests.conftest import login
from tests.plugins.wachtlijst.helpers import make_request

SVG = "{http://www.w3.org/2000/svg}"


def _report(*rows):
    report = reports.MonthReport(period=Period(2026, 11))
    report.groups = [reports.GroupRow(key, label, active=active, placed=placed) for key, label, active, placed in rows]
    return report


def test_bars_per_group_placed_and_not_placed_on_one_scale(app):
    with app.test_request_context():
        svg = reports.chart_svg(_report(("all", "Alle aanvragen", 20, 5), ("work", "Werk & opleiding", 10, 10),
                                        ("none", "Leeg", 0, 0)))
    root = etree.fromstring(svg.encode())
    bars = [(r.get("class"), int(r.get("width"))) for r in root.iter(f"{SVG}rect") if r.find(f"{SVG}title") is not None]
    # two bars of two parts each (the empty group is left out); 20 active is the full scale
    assert [kind for kind, _w in bars] == ["placed", "waiting", "placed", "waiting"]
    (p1, w1), (p2, w2) = [(bars[0][1], bars[1][1]), (bars[2][1], bars[3][1])]
    assert p1 + w1 == 2 * (p2 + w2) and w1 == 3 * p1 and w2 == 0 and p2 == p1 * 2
    texts = [t.text for t in root.iter(f"{SVG}text")]
    assert "Werk & opleiding" in texts and "5 / 20 (25%)" in texts and "10 / 10 (100%)" in texts
    assert "geplaatst" in texts and "niet geplaatst" in texts  # the legend
    desc = root.find(f"{SVG}desc").text
    assert desc == "Alle aanvragen: 5 geplaatst, 15 niet geplaatst; Werk & opleiding: 10 geplaatst, 0 niet geplaatst"
    assert "Leeg" not in svg


def test_an_empty_month_says_so(app):
    with app.test_request_context():
        svg = reports.chart_svg(_report(("all", "Alle aanvragen", 0, 0)))
    etree.fromstring(svg.encode())
    assert "Geen gegevens" in svg


def test_central_allocation_statuses_in_words(client, session, factory, frozen_today):
    org = factory.org(name="Partner Noord", modules={"wachtlijst"})
    place = factory.location(org, name="Noord Klein", places=1)
    coordinator = factory.user(None, Role.COORDINATOR)
    req, _ = make_request(session, org, [place.id], email="p1@example.be", child_first_name="Eerste")
    session.commit()
    run = central.propose(session, org.koepel_id, date(2027, 1, 1), actor=coordinator, months=1)
    session.commit()
    login(client, coordinator)
    index = client.get("/koepel/wachtlijst/").get_data(as_text=True)
    assert "voorstel, nog niet verstuurd" in index and ">proposal<" not in index
    page = client.get(f"/koepel/wachtlijst/runs/{run.id}").get_data(as_text=True)
    assert "voorstel, nog niet verstuurd" in page and "bevestigd, op de wachtlijst" in page
    assert client.post(f"/koepel/wachtlijst/runs/{run.id}/send", data={"request_id": [str(req.id)]}).status_code == 302
    assert session.scalar(select(Offer.id).where(Offer.request_id == req.id)) is not None
    page = client.get(f"/koepel/wachtlijst/runs/{run.id}").get_data(as_text=True)
    assert "aanbiedingen verstuurd" in page and "aanbod gedaan" in page
    assert not re.search(r">\s*(sent|proposal|offer_made|confirmed)\s*<", page)
