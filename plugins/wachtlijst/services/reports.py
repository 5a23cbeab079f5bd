"""Monthly waiting-list report (per organisation and for the koepel) and the yearly FO-RE-19
registration, both computed from the same rows: requests, their status history and offers.

Counting rule (Opgroeien): one request = one applicant + one child; merged duplicates and lapsed
requests are not counted; a request may fall into several subcategories.
"""
from __future__ import annotations

import io
import statistics
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from xml.sax.saxutils import escape

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from core.clock import BRUSSELS
from core.context import context_for
from core.errors import render as text
from core.models import Location, Organisation, PriceRegime, SubsidyLevel
from core.values import Period

from ..models import CareRequest, Offer, OfferStatus, Status, StatusChange
from . import placing
from .policy import is_vulnerable

XSD_PATH = Path(__file__).resolve().parent.parent / "schemas" / "FO-RE-19.xsd"
CLOSED = {Status.PLACED.value, Status.WITHDRAWN.value, Status.LAPSED.value}

GROUPS: list[tuple[str, object]] = [
    ("all", _l("Alle aanvragen")),
    ("urgent", _l("Dringend")),
    ("vulnerable", _l("Kwetsbaar gezin")),
    ("work", _l("Werk, werk zoeken of opleiding")),
    ("single_parent", _l("Alleenstaande ouder")),
    ("low_income", _l("Laag inkomen")),
    ("foster_child", _l("Pleegkind")),
    ("sibling_in_care", _l("Broer of zus in de opvang")),
    ("care_need", _l("Specifieke zorgbehoefte")),
    ("none", _l("Zonder voorrang")),
]
PRIORITY_FIELDS = ("work", "single_parent", "low_income", "foster_child", "sibling_in_care")


def _moment(day: date, end: bool) -> datetime:
    return datetime.combine(day, time.max if end else time.min, tzinfo=BRUSSELS).astimezone(UTC)


def groups_of(req: CareRequest, min_criteria: int) -> set[str]:
    found = {"all"}
    for name in ("urgent", "work", "single_parent", "low_income", "foster_child", "sibling_in_care", "care_need"):
        if getattr(req, name):
            found.add(name)
    if is_vulnerable(req, min_criteria):
        found.add("vulnerable")
    if not any(getattr(req, f) for f in PRIORITY_FIELDS) and "vulnerable" not in found:
        found.add("none")
    return found


@dataclass
class GroupRow:
    key: str
    label: str
    received: int = 0
    active: int = 0
    placed: int = 0
    unanswered: int = 0

    @property
    def rate(self) -> float:
        return self.placed / self.active if self.active else 0.0


@dataclass
class MonthReport:
    period: Period
    received: int = 0
    offers: int = 0
    placements: int = 0
    declines: list[tuple[str, int]] = field(default_factory=list)
    expired: int = 0
    groups: list[GroupRow] = field(default_factory=list)
    median_days_to_offer: float | None = None


def monthly(session: Session, orgs: list[Organisation], period: Period) -> MonthReport:
    """The month's figures over ``orgs`` (one organisation, or every partner of the koepel).
    A fixed number of queries, whatever the number of requests."""
    org_ids = [o.id for o in orgs]
    min_criteria = {o.id: int(context_for(session, o).setting("wachtlijst.vulnerable_min_criteria")) for o in orgs}
    start, end = _moment(period.first_day, False), _moment(period.last_day, True)
    reqs = session.scalars(select(CareRequest).where(
        CareRequest.organisation_id.in_(org_ids), CareRequest.submitted_at <= end,
        CareRequest.merged_into_id.is_(None), CareRequest.status != Status.LAPSED)).all()
    by_id = {r.id: r for r in reqs}
    history: dict[int, list[StatusChange]] = defaultdict(list)
    for change in session.scalars(select(StatusChange).where(
            StatusChange.organisation_id.in_(org_ids), StatusChange.at <= end).order_by(StatusChange.at, StatusChange.id)):
        if change.request_id in by_id:
            history[change.request_id].append(change)
    report = MonthReport(period=period)
    rows = {key: GroupRow(key, text(label)) for key, label in GROUPS}
    for req in reqs:
        changes = history.get(req.id, [])
        before = [c for c in changes if c.at < start]
        status_at_start = before[-1].new_status if before else None
        status_at_end = changes[-1].new_status if changes else req.status.value
        if not status_at_end or status_at_end == Status.SUBMITTED.value:
            continue  # never confirmed: not a registered request
        received_now = start <= req.submitted_at <= end
        active = status_at_start not in CLOSED
        placed_now = any(c.new_status == Status.PLACED.value and c.at >= start for c in changes)
        if received_now:
            report.received += 1
        for key in groups_of(req, min_criteria[req.organisation_id]):
            row = rows[key]
            row.received += received_now
            row.active += active
            row.placed += placed_now
            row.unanswered += status_at_end not in CLOSED
    report.groups = list(rows.values())
    offers = session.scalars(select(Offer).where(Offer.organisation_id.in_(org_ids), Offer.made_at <= end)).all()
    report.offers = sum(1 for o in offers if o.made_at >= start)
    report.placements = rows["all"].placed
    declines = Counter(o.decline_reason or "-" for o in offers
                       if o.status == OfferStatus.DECLINED and o.answered_at and start <= o.answered_at <= end)
    report.declines = sorted(declines.items(), key=lambda kv: (-kv[1], kv[0]))
    report.expired = sum(1 for o in offers if o.status == OfferStatus.EXPIRED and o.answered_at
                         and start <= o.answered_at <= end)
    first_offer: dict[int, datetime] = {}
    for o in sorted(offers, key=lambda o: o.made_at):
        first_offer.setdefault(o.request_id, o.made_at)
    waits = [(made - by_id[rid].submitted_at).total_seconds() / 86400 for rid, made in first_offer.items()
             if rid in by_id and start <= made <= end]
    report.median_days_to_offer = round(statistics.median(waits), 1) if waits else None
    return report


def chart_svg(report: MonthReport) -> str:
    """Placed and not placed per priority group as stacked horizontal bars on one scale, drawn on
    the server as inline SVG (no script): each bar's length is the group's requests active in the
    month, its dark part those placed; counts and rate are written beside it, and a legend and a
    text description make it readable without colour."""
    rows = [r for r in report.groups if r.active]
    title = text(_l("Geplaatst en niet geplaatst per voorrangsgroep"))
    placed_word, waiting_word = text(_l("geplaatst")), text(_l("niet geplaatst"))
    width, bar_h, label_w, top = 720, 30, 250, 34
    scale_w = width - label_w - 150
    biggest = max((r.active for r in rows), default=1)
    height = top + bar_h * max(len(rows), 1) + 28
    desc = "; ".join(f"{r.label}: {r.placed} {placed_word}, {r.active - r.placed} {waiting_word}" for r in rows)
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" width="{width}" height="{height}" '
             f'viewBox="0 0 {width} {height}" aria-labelledby="chart-title chart-desc">'
             f'<title id="chart-title">{escape(title)}</title><desc id="chart-desc">{escape(desc)}</desc>',
             f'<rect class="placed" x="{label_w}" y="4" width="14" height="14"/>'
             f'<text x="{label_w + 20}" y="16">{escape(placed_word)}</text>'
             f'<rect class="waiting" x="{label_w + 130}" y="4" width="14" height="14"/>'
             f'<text x="{label_w + 150}" y="16">{escape(waiting_word)}</text>']
    for i, row in enumerate(rows):
        y = top + i * bar_h
        placed_w = round(scale_w * row.placed / biggest)
        waiting_w = round(scale_w * (row.active - row.placed) / biggest)
        parts.append(
            f'<text x="{label_w - 8}" y="{y + 18}" text-anchor="end">{escape(row.label)}</text>'
            f'<rect class="placed" x="{label_w}" y="{y + 4}" width="{placed_w}" height="{bar_h - 8}">'
            f'<title>{row.placed} {escape(placed_word)}</title></rect>'
            f'<rect class="waiting" x="{label_w + placed_w}" y="{y + 4}" width="{waiting_w}" height="{bar_h - 8}">'
            f'<title>{row.active - row.placed} {escape(waiting_word)}</title></rect>'
            f'<text x="{label_w + placed_w + waiting_w + 8}" y="{y + 18}">{row.placed} / {row.active} '
            f'({row.rate:.0%})</text>')
    if not rows:
        parts.append(f'<text x="{label_w}" y="{top + 18}">{escape(text(_l("Geen gegevens")))}</text>')
    axis_y = top + bar_h * max(len(rows), 1) + 4
    parts.append(f'<line x1="{label_w}" y1="{top}" x2="{label_w}" y2="{axis_y}" stroke="#4a5560"/>'
                 f'<text x="{label_w}" y="{axis_y + 16}">0</text>'
                 f'<text x="{label_w + scale_w}" y="{axis_y + 16}" text-anchor="end">{biggest}</text>')
    parts.append("</svg>")
    return "".join(parts)


def excel(report: MonthReport, title: str) -> bytes:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "Overzicht"
    ws.append([title, str(report.period)])
    for label, value in ((_l("Aanvragen ontvangen"), report.received), (_l("Aanbiedingen"), report.offers),
                         (_l("Plaatsingen"), report.placements), (_l("Verlopen aanbiedingen"), report.expired),
                         (_l("Mediaan dagen tot aanbod"), report.median_days_to_offer)):
        ws.append([text(label), value])
    groups = wb.create_sheet("Voorrangsgroepen")
    groups.append([text(_l("Groep")), text(_l("Ontvangen")), text(_l("Actief")), text(_l("Geplaatst")),
                   text(_l("Plaatsingsgraad")), text(_l("Onbeantwoord einde maand"))])
    for row in report.groups:
        groups.append([row.label, row.received, row.active, row.placed, round(row.rate, 4), row.unanswered])
    declines = wb.create_sheet("Weigeringen")
    declines.append([text(_l("Reden")), text(_l("Aantal"))])
    for reason, count in report.declines:
        declines.append([reason, count])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


# --- FO-RE-19 -----------------------------------------------------------------------------------

FO_RE_19_DETAILS = (("WerkOpleiding", "work"), ("Alleenstaanden", "single_parent"), ("LaagInkomen", "low_income"),
                    ("Pleegkinderen", "foster_child"), ("GezinslidHandicap", "family_member_handicap"),
                    ("GezinslidZelfzorgvermogen", "family_member_self_care"),
                    ("SociaalPedagogisch", "social_pedagogical"), ("LaagOpleidingsniveau", "low_education"))


class ReportError(ValueError):
    """The registration cannot be made; the message (Dutch) says what to fix."""


@dataclass
class LocationCounts:
    location: Location
    total: int
    priority: int
    vulnerable: int
    details: dict[str, int]


def fo_re_19_counts(ctx, year: int) -> list[LocationCounts]:
    session = ctx.session
    org = ctx.org
    locations = session.scalars(select(Location).where(Location.organisation_id == org.id).order_by(Location.name)).all()
    min_criteria = int(ctx.setting("wachtlijst.vulnerable_min_criteria"))
    placed = {r.child_id: r for r in session.scalars(select(CareRequest).where(
        CareRequest.organisation_id == org.id, CareRequest.child_id.is_not(None)))}
    api = placing.planning_api()
    days = api.reserved_days(ctx, start=date(year, 1, 1), end=date(year, 12, 31))
    children: dict[int, set[int]] = defaultdict(set)
    for day in days:
        children[day.location_id].add(day.child_id)
    out = []
    for loc in locations:
        kids = children.get(loc.id, set())
        reqs = [placed[c] for c in kids if c in placed]
        details = {tag: sum(1 for r in reqs if getattr(r, attr)) for tag, attr in FO_RE_19_DETAILS}
        vulnerable = sum(1 for r in reqs if is_vulnerable(r, min_criteria))
        priority = sum(1 for r in reqs if is_vulnerable(r, min_criteria)
                       or any(getattr(r, attr) for _, attr in FO_RE_19_DETAILS))
        out.append(LocationCounts(loc, len(kids), priority, vulnerable, details))
    return out


def fo_re_19_xml(ctx, year: int) -> bytes:
    """The FO-RE-19 XML of ``org`` for ``year``, validated against the official schema."""
    org = ctx.org
    if org.price_regime != PriceRegime.INKOMENSTARIEF:
        raise ReportError("FO-RE-19 geldt enkel voor organisaties met inkomenstarief.")
    group_id = ctx.setting("wachtlijst.subsidiegroep_id")
    if not str(group_id or "").isdigit() or not 0 < int(group_id) <= 9999999999:
        raise ReportError("Vul eerst het id van de subsidiegroep (Opgroeien) in bij de instellingen.")
    counts = [c for c in fo_re_19_counts(ctx, year)]
    missing = [c.location.name for c in counts if not (c.location.opgroeien_file_no or "").isdigit()]
    if missing:
        raise ReportError("Locaties zonder dossiernummer van Opgroeien: " + ", ".join(missing))
    if not counts:
        raise ReportError("Deze organisatie heeft geen locaties.")
    plus = "J" if org.subsidy_level == SubsidyLevel.TRAP_3 else "N"

    def num(value: int) -> str:
        return str(min(value, 999))

    groups = []
    for c in counts:
        ratio = ""
        if c.location.licensed_places:
            ratio = str(Decimal(c.priority / c.location.licensed_places).quantize(Decimal("0.01"), ROUND_HALF_UP))
        details = "".join(f"<{tag}>{num(c.details[tag])}</{tag}>" for tag, _ in FO_RE_19_DETAILS)
        groups.append(
            "<Voorrangsgroep>"
            f"<LocatieId>{int(c.location.opgroeien_file_no)}</LocatieId>"
            f"<LocatieNaam>{escape(c.location.name[:50])}</LocatieNaam>"
            "<MaxVergundeCapaciteit>999</MaxVergundeCapaciteit>"
            f"<InkomensTarief><DatumBegin>{year}-01-01</DatumBegin><DatumEind>{year}-12-31</DatumEind></InkomensTarief>"
            f"<KenmerkPlusSubsidie>{plus}</KenmerkPlusSubsidie>"
            f"<AantalOpgevangenKinderen><Totaal>{num(c.total)}</Totaal>"
            f"<UitVoorrangsgroepen>{num(c.priority)}</UitVoorrangsgroepen>"
            f"<UitKwetsbareGezinnen>{num(c.vulnerable)}</UitKwetsbareGezinnen></AantalOpgevangenKinderen>"
            f"<DetailsVoorrangsgroep>{details}</DetailsVoorrangsgroep>"
            f"<KindPlaatsRatio>{ratio}</KindPlaatsRatio>"
            "</Voorrangsgroep>")
    xml = (
        '<?xml version="1.0" encoding="UTF-8"?>\n<KindEnGezin>'
        "<Header><DocumentIndicator>FO-RE-19</DocumentIndicator><FormVersion>1.1</FormVersion>"
        "<MinReaderVersion>9.1</MinReaderVersion><UsedViewer>Koepel</UsedViewer></Header>"
        f"<DocumentGegevens><NaamSubsidiegroep>{escape(org.name[:50])}</NaamSubsidiegroep>"
        f"<NaamOrganisator>{escape(org.name[:50])}</NaamOrganisator>"
        f"<SubsidiegroepId>{int(group_id)}</SubsidiegroepId><Jaar>{year}</Jaar></DocumentGegevens>"
        f"<Voorrangsgroepen>{''.join(groups)}</Voorrangsgroepen>"
        "<FormulierGecontroleerd>J</FormulierGecontroleerd>"
        "<Parameters><ParamVerschilRatio>999</ParamVerschilRatio></Parameters>"
        "</KindEnGezin>"
    ).encode()
    errors = validate_fo_re_19(xml)
    if errors:
        raise ReportError("De registratie voldoet niet aan het schema: " + "; ".join(errors[:3]))
    return xml


def validate_fo_re_19(xml: bytes) -> list[str]:
    from lxml import etree

    schema = etree.XMLSchema(etree.parse(str(XSD_PATH)))
    doc = etree.fromstring(xml)
    if schema.validate(doc):
        return []
    return [f"regel {e.line}: {e.message}" for e in schema.error_log]
