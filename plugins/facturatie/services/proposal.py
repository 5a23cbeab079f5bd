"""A month's proposal: one :class:`DraftInvoice` per debtor, computed on demand from
aanwezigheden's billable days (the whole month in one call), the tariffs in force on each day,
the extras, deposits and the corrections of months already finalised.

Bulk by construction: every source is read with a fixed number of statements for the whole
month (the count does not grow with the number of families), then priced in memory by the pure
functions of :mod:`.pricing`. Computing is idempotent; :func:`record` stores the totals per
debtor in the month's :class:`BillingRun` (``snapshot``; the one before in ``previous_snapshot``)
so the screen can show what changed after a correction of the register."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from core.models import Child, ChildFamily, ContactPerson, Family, Location, PriceRegime
from plugins.aanwezigheden.api import billable_days, unconfirmed_days
from plugins.planning.api import (
    agreement_deposits,
    agreements,
    book_respite_day,
    release_respite_day,
    respite_per_agreement_bulk,
)

from ..models import (
    BillingProfile,
    BillingRun,
    ChildBilling,
    CostShare,
    ExtraItem,
    ExtraUse,
    Invoice,
    InvoiceKind,
    InvoiceLine,
    InvoiceLineDay,
    LineKind,
    PaymentMethod,
    PaymentState,
    PlanMode,
    RunState,
    TariffPlan,
    WarningAcceptance,
)
from . import pricing
from .drafts import DraftDay, DraftInvoice, DraftLine, Proposal, ProposalWarning
from .errors import BillingError
from .months import check_month, lock_run, month_bounds
from .pricing import ZERO, PlanPrice, Priced, Rules, cents
from .settings import money
from .tariffs import attests_in, price_on
from .texts import LineTexts, line_text

RESPIJT_RULE = "not_billed.respijt"  # a reserved day nobody came or reported, counted as a respijtdag


def rules_of(ctx) -> Rules:
    return Rules(ikt=ctx.org.price_regime != PriceRegime.VRIJE_PRIJS,
                 maximum=money(ctx, "facturatie.maximum_tariff"),
                 no_attest=str(ctx.setting("facturatie.no_attest")),
                 absence_fee_mode=str(ctx.setting("facturatie.absence_fee_mode")),
                 absence_fee=money(ctx, "facturatie.absence_fee"),
                 late_fee=money(ctx, "facturatie.late_pickup_fee"),
                 late_period=int(ctx.setting("facturatie.late_pickup_period_minutes")),
                 outside_hours_price=money(ctx, "facturatie.outside_hours_price"))


# --- loading (fixed number of statements) -------------------------------------------------------

@dataclass
class Tariffs:
    """What prices a period: attests, plans, children's plans, shares, families of children."""

    attests: dict[int, list] = field(default_factory=dict)
    plans: dict[int, TariffPlan] = field(default_factory=dict)
    default_plan: TariffPlan | None = None
    child_plan: dict[int, int | None] = field(default_factory=dict)
    shares: dict[int, list[tuple[int, Decimal]]] = field(default_factory=dict)
    families_of: dict[int, list[int]] = field(default_factory=dict)
    children: dict[int, Child] = field(default_factory=dict)
    flex: dict[int, bool] = field(default_factory=dict)
    items: dict[int, ExtraItem] = field(default_factory=dict)

    def plan_for(self, child_id: int) -> TariffPlan | None:
        if child_id in self.child_plan and self.child_plan[child_id] is not None:
            return self.plans.get(self.child_plan[child_id])
        return self.default_plan


def load_tariffs(ctx, child_ids: set[int], location_ids: set[int], start: date, end: date, rules: Rules) -> Tariffs:
    session, org = ctx.session, ctx.org
    t = Tariffs()
    ids = sorted(child_ids)
    if ids:
        t.children = {c.id: c for c in session.scalars(select(Child).where(Child.organisation_id == org.id,
                                                                         Child.id.in_(ids)))}
        for child_id, family_id in session.execute(select(ChildFamily.child_id, ChildFamily.family_id).where(
                ChildFamily.organisation_id == org.id, ChildFamily.child_id.in_(ids))
                .order_by(ChildFamily.child_id, ChildFamily.id)):
            t.families_of.setdefault(child_id, []).append(family_id)
        for row in session.scalars(select(CostShare).where(CostShare.organisation_id == org.id,
                                                           CostShare.child_id.in_(ids))):
            t.shares.setdefault(row.child_id, []).append((row.family_id, row.percent))
        if rules.ikt:
            t.attests = attests_in(ctx, ids, start, end)
    if not rules.ikt:
        t.plans = {p.id: p for p in session.scalars(select(TariffPlan).where(TariffPlan.organisation_id == org.id)
                                                    .options(selectinload(TariffPlan.prices)))}
        t.default_plan = next((p for p in t.plans.values() if p.is_default), None)
        if ids:
            t.child_plan = {cid: pid for cid, pid in session.execute(select(
                ChildBilling.child_id, ChildBilling.tariff_plan_id).where(
                ChildBilling.organisation_id == org.id, ChildBilling.child_id.in_(ids)))}
    if location_ids:
        t.flex = {lid: bool(flex) for lid, flex in session.execute(select(Location.id, Location.flex_subsidy).where(
            Location.organisation_id == org.id, Location.id.in_(sorted(location_ids))))}
    t.items = {i.id: i for i in session.scalars(select(ExtraItem).where(ExtraItem.organisation_id == org.id))}
    return t


def _plan_price(plan: TariffPlan | None, day: date) -> PlanPrice | None:
    row = price_on(plan, day)
    if plan is None or row is None:
        return None
    return PlanPrice(plan.mode, row.full_day, row.half_day, row.hour, row.month_fee)


@dataclass(frozen=True, slots=True)
class Entry:
    """A priced day with its debtor (family) and the line it goes to."""

    family_id: int | None
    kind: LineKind
    group: str  # care | no_attest | outside_hours | absence | late_pickup | extra:<item id>
    day: DraftDay


def _debtor_family(d_family: int | None, child_id: int, t: Tariffs) -> int | None:
    if d_family is not None:
        return d_family
    families = t.families_of.get(child_id) or []
    return families[0] if families else None


def _with_shares(family_id: int | None, priced: Priced, child_id: int, t: Tariffs) -> list[Entry]:
    shares = t.shares.get(child_id)
    if not shares:
        return [Entry(family_id, priced.kind, priced.group, priced.day)]
    return [Entry(fam, priced.kind, priced.group, pricing.split(priced.day, pct)) for fam, pct in shares]


def price_days(ctx, days, t: Tariffs, rules: Rules, *, virtual_respijt: set[tuple[int, date]]) -> list[Entry]:
    """Every billable day priced with the tariff in force that day, per debtor."""
    entries: list[Entry] = []
    periods = _attest_periods(t.attests) if rules.ikt else {}
    for d in days:
        family_id = _debtor_family(d.family_id, d.child_id, t)
        attest = _attest_on(periods.get(d.child_id, ()), d.day, family_id) if rules.ikt else None
        plan = None if rules.ikt else _plan_price(t.plan_for(d.child_id), d.day)
        extra = attest[1] if attest else None
        for priced in pricing.price_day(d, rules=rules, attest_price=attest[0] if attest else None, plan=plan,
                                        flex_location=t.flex.get(d.location_id, False),
                                        respijt_virtual=(d.child_id, d.day) in virtual_respijt, extra_detail=extra):
            entries.extend(_with_shares(family_id, priced, d.child_id, t))
    return entries


def _attest_periods(attests: dict[int, list]) -> dict[int, list[tuple]]:
    """Per child, its attests as plain tuples (from, to, household, (day price, detail)): read
    once from the ORM rows instead of once per child-day."""
    return {child_id: [(a.valid_from, a.valid_to, a.family_id,
                        (a.day_price, {"attest_id": a.id, "kindcode": a.kindcode, "ivt": a.ivt})) for a in rows]
            for child_id, rows in attests.items()}


def _attest_on(periods: list[tuple], day: date, family_id: int | None) -> tuple | None:
    """:func:`.tariffs.attest_on` on :func:`_attest_periods`: the household's own attest in
    force first, else the child's; (day price, detail) or None."""
    own = general = None
    for lo, hi, fam, value in periods:
        if lo <= day and (hi is None or hi >= day):
            if fam is not None and fam == family_id:
                own = value
            elif fam is None:
                general = value
    return own or general


def extra_entries(ctx, start: date, end: date, days, t: Tariffs, child_ids=None) -> list[Entry]:
    """Extras recorded per child per day, and the catalogue's per-present-day items."""
    family_of_day = {(d.child_id, d.day): d.family_id for d in days}
    entries: list[Entry] = []
    stmt = select(ExtraUse).where(ExtraUse.organisation_id == ctx.org.id, ExtraUse.day >= start, ExtraUse.day <= end)
    if child_ids is not None:
        stmt = stmt.where(ExtraUse.child_id.in_(child_ids))
    for use in ctx.session.scalars(stmt.order_by(ExtraUse.child_id, ExtraUse.day)):
        item = t.items.get(use.item_id)
        if item is None:
            continue
        family_id = _debtor_family(family_of_day.get((use.child_id, use.day)), use.child_id, t)
        qty = Decimal(use.quantity)
        day = DraftDay(use.child_id, use.day, "extra", f"extra.{item.id}", qty, use.unit_price,
                       cents(use.unit_price * qty), {"item": item.name})
        entries.extend(_with_shares(family_id, Priced(item.kind, f"extra:{item.id}", day), use.child_id, t))
    automatic = [i for i in t.items.values() if i.active and i.per_present_day]
    for d in days:
        if not d.present or d.own_child:
            continue
        family_id = _debtor_family(d.family_id, d.child_id, t)
        for item in automatic:
            day = DraftDay(d.child_id, d.day, "extra", f"extra.{item.id}", Decimal(1), item.price, cents(item.price),
                           {"item": item.name, "automatic": True})
            entries.extend(_with_shares(family_id, Priced(item.kind, f"extra:{item.id}", day), d.child_id, t))
    return entries


def virtual_respite(days, balances: dict[int, list]) -> set[tuple[int, date]]:
    """Unrecorded absences on reserved days (nobody came, nobody said anything) taken as
    respijtdagen while the agreement's balance lasts (setting ``facturatie.unrecorded_absence``);
    finalising books them through planning (``book_respite_days``)."""
    left: dict[int, Decimal] = {}
    for rows in balances.values():
        for r in rows:
            left[r.care_plan_id] = left.get(r.care_plan_id, ZERO) + r.balance
    result: set[tuple[int, date]] = set()
    for d in sorted(days, key=lambda x: (x.child_id, x.day)):
        if d.billable and not d.present and not d.absence_recorded and d.care_plan_id is not None:
            if left.get(d.care_plan_id, ZERO) >= 1:
                left[d.care_plan_id] -= 1
                result.add((d.child_id, d.day))
    return result


# --- grouping into invoices ---------------------------------------------------------------------

def _child_name(t: Tariffs, child_id: int | None) -> str:
    child = t.children.get(child_id) if child_id else None
    return f"{child.first_name} {child.last_name}" if child else ""


def _lines_of(entries: list[Entry], t: Tariffs, locale: str, respite_left: dict[tuple[int, int], Decimal],
              family_id: int, texts=line_text) -> list[DraftLine]:
    """One line per child, kind, group and unit price; the days not billed (respijt, absences,
    closing) go with the child's first care line so the explanation shows every day."""
    groups: dict[tuple, list[DraftDay]] = defaultdict(list)
    zero_days: dict[int, list[DraftDay]] = defaultdict(list)
    for e in entries:
        if e.day.rule.startswith("not_billed."):
            zero_days[e.day.child_id].append(e.day)
            continue
        groups[(e.day.child_id, e.kind, e.group, e.day.day_price)].append(e.day)
    lines: list[DraftLine] = []
    children = sorted({k[0] for k in groups} | set(zero_days),
                      key=lambda c: (_child_name(t, c).lower(), c))
    order = {LineKind.CARE: 0, LineKind.ABSENCE_FEE: 1, LineKind.FINE: 2, LineKind.MEALS: 3, LineKind.EXTRA: 4}
    unjustified: dict[int, int] = defaultdict(int)
    for e in entries:
        if e.kind == LineKind.ABSENCE_FEE:
            unjustified[e.day.child_id] += 1
    summarised: set[int] = set()  # the summary goes on the child's first care line only
    for child_id in children:
        name = _child_name(t, child_id)
        keys = sorted((k for k in groups if k[0] == child_id), key=lambda k: (order.get(k[1], 9), k[2], k[3]))
        if not any(k[1] == LineKind.CARE for k in keys) and zero_days.get(child_id):
            keys.insert(0, (child_id, LineKind.CARE, "care", ZERO))
        first_care = True
        for key in keys:
            _, kind, group, price = key
            days = list(groups.get(key, []))
            if kind == LineKind.CARE and first_care:
                days += zero_days.get(child_id, [])
                first_care = False
            days.sort(key=lambda d: d.day)
            billed = [d for d in days if not d.rule.startswith("not_billed.")]
            quantity = sum((d.fraction for d in billed), ZERO)
            amount = sum((d.amount for d in billed), ZERO)
            if group.startswith("extra:"):
                item = t.items.get(int(group.split(":")[1]))
                text = texts("extra", locale, item=item.name if item else "", name=name)
            else:
                text = texts(group, locale, name=name)
            rule = billed[0].rule if billed and len({d.rule for d in billed}) == 1 else group
            summary: dict = {}
            if kind == LineKind.CARE and child_id not in summarised:
                summarised.add(child_id)
                summary = _summary(days, respite_left.get((family_id, child_id)), unjustified.get(child_id, 0))
            lines.append(DraftLine(kind=kind, child_id=child_id, description=text, rule=rule[:60],
                                   quantity=quantity, unit_price=price, amount=amount, days=tuple(days),
                                   summary=summary))
    return lines


def _summary(days: list[DraftDay], respite_left: Decimal | None, unjustified: int = 0) -> dict:
    """What the PDF says of a care line: days per category, respijt used and left, absences
    (``justified``: justified absences and closing days, never billed; ``unjustified``: the days
    on the child's absence-fee line) and, per reason, the days not billed."""
    per_category: dict[str, int] = defaultdict(int)
    not_billed: dict[str, int] = defaultdict(int)
    respijt = 0
    for d in days:
        if d.rule.startswith("not_billed."):
            reason = d.rule.split(".", 1)[1]
            if reason == "respijt":
                respijt += 1
            else:
                not_billed[reason] += 1
        else:
            per_category[d.category] += 1
    summary: dict = {"days": dict(per_category), "respijt_used": respijt,
                     "absences": {"justified": sum(not_billed.values()), "unjustified": unjustified},
                     "not_billed": dict(not_billed)}
    if respite_left is not None:
        summary["respijt_left"] = _plain(respite_left)
    return summary


def _plain(value: Decimal) -> int | float:
    """A JSON number for the stored summary (9 or 9.5, never "9.0")."""
    return int(value) if value == value.to_integral_value() else float(value)


@dataclass(frozen=True)
class Debtor:
    family_id: int
    name: str
    contact_id: int | None
    street: str
    postcode: str
    municipality: str
    email: str
    language: str
    method: PaymentMethod
    family_name: str


def load_debtors(ctx, family_ids: set[int]) -> dict[int, Debtor]:
    """The paying contact of each family (its billing profile, else the first contact), with the
    address (the contact's, else the family's), e-mail and language. Two statements."""
    if not family_ids:
        return {}
    profiles = {p.family_id: p for p in ctx.session.scalars(select(BillingProfile).where(
        BillingProfile.organisation_id == ctx.org.id, BillingProfile.family_id.in_(sorted(family_ids))))}
    contacts: dict[int, list[ContactPerson]] = defaultdict(list)
    for c in ctx.session.scalars(select(ContactPerson).where(ContactPerson.organisation_id == ctx.org.id,
                                                             ContactPerson.family_id.in_(sorted(family_ids)))
                                 .order_by(ContactPerson.id)):
        contacts[c.family_id].append(c)  # one statement (selectinload would split per 500 families)
    result = {}
    for fam in ctx.session.scalars(select(Family).where(Family.organisation_id == ctx.org.id,
                                                        Family.id.in_(sorted(family_ids)))):
        profile = profiles.get(fam.id)
        own = contacts.get(fam.id, [])
        contact = None
        if profile is not None and profile.paying_contact_id:
            contact = next((c for c in own if c.id == profile.paying_contact_id), None)
        contact = contact or (own[0] if own else None)
        own_address = contact is not None and bool((contact.street or "").strip())
        src = contact if own_address else fam
        email = (profile.invoice_email if profile and profile.invoice_email else (contact.email if contact else "")) or ""
        result[fam.id] = Debtor(
            fam.id, contact.full_name if contact else fam.name, contact.id if contact else None,
            (src.street or "").strip(), (src.postcode or "").strip(), (src.municipality or "").strip(), email.strip(),
            getattr(contact.language, "value", "nl") if contact else "nl",
            profile.payment_method if profile else PaymentMethod.TRANSFER, fam.name)
    return result


# --- the proposal -------------------------------------------------------------------------------

@dataclass
class Computation:
    """A proposal and what the screens show next to it (per family totals, names)."""

    proposal: Proposal
    debtors: dict[int, Debtor]
    children: dict[int, Child]


def compute_proposal(ctx, year: int, month: int) -> Proposal:
    """The month's proposal (finalising's seam: ``services/finalise.py`` calls this)."""
    return compute(ctx, year, month).proposal


def children_of_family(ctx, family_id: int) -> list[int]:
    """The children of one household (for a single family's draft: the same computation, narrowed)."""
    return sorted(ctx.session.scalars(select(ChildFamily.child_id).where(
        ChildFamily.organisation_id == ctx.org.id, ChildFamily.family_id == family_id)))


def compute(ctx, year: int, month: int, *, family_id: int | None = None) -> Computation:
    """The month's proposal (no writes). With ``family_id``: only that household's children are
    read (its draft page), with the same rules; other households of those children are left out."""
    start, end = check_month(ctx, year, month)
    rules = rules_of(ctx)
    only = children_of_family(ctx, family_id) if family_id is not None else None
    days = [d for d in billable_days(ctx, start=start, end=end, child_ids=only) if not d.planned]
    child_ids = {d.child_id for d in days}
    extra_stmt = select(ExtraUse.child_id).where(ExtraUse.organisation_id == ctx.org.id, ExtraUse.day >= start,
                                                 ExtraUse.day <= end)
    if only is not None:
        extra_stmt = extra_stmt.where(ExtraUse.child_id.in_(only))
    extra_children = set(ctx.session.scalars(extra_stmt.distinct()))
    running = agreements(ctx, start=start, end=end, child_ids=only)
    deposit_billing = bool(ctx.setting("facturatie.deposit_billing"))
    deposit_plans = [a for a in running if deposit_billing and ((start <= a.start <= end) or
                                                                   (a.end is not None and start <= a.end <= end))]
    t = load_tariffs(ctx, child_ids | extra_children | {a.child_id for a in deposit_plans},
                     {d.location_id for d in days}, start, end, rules)
    absent_children = {d.child_id for d in days if d.absence is not None or (d.billable and not d.present)}
    balances = respite_per_agreement_bulk(ctx, absent_children, year) if absent_children else {}
    virtual = set()
    if str(ctx.setting("facturatie.unrecorded_absence")) == "respijt_first":
        virtual = virtual_respite(days, balances)
    entries = price_days(ctx, days, t, rules, virtual_respijt=virtual)
    entries += extra_entries(ctx, start, end, days, t, only)

    warnings: list[ProposalWarning] = []
    per_family: dict[int, list[Entry]] = defaultdict(list)
    for e in entries:
        if e.family_id is None:
            warnings.append(ProposalWarning(f"no_debtor:child:{e.day.child_id}", "facturatie.warn.no_debtor",
                                            {"name": _child_name(t, e.day.child_id)}, child_id=e.day.child_id))
            continue
        per_family[e.family_id].append(e)
    respite_left: dict[tuple[int, int], Decimal] = {}
    used_virtual: dict[int, int] = defaultdict(int)
    for child_id, _day in virtual:
        used_virtual[child_id] += 1
    for child_id, rows in balances.items():
        for r in rows:
            fam = _debtor_family(r.family_id, child_id, t)
            if fam is not None:
                respite_left[(fam, child_id)] = respite_left.get((fam, child_id), ZERO) + r.balance
        fam0 = _debtor_family(None, child_id, t)
        if used_virtual.get(child_id) and (fam0, child_id) in respite_left:
            respite_left[(fam0, child_id)] -= used_virtual[child_id]
    extra_lines: dict[int, list[DraftLine]] = defaultdict(list)
    _month_fees(days, t, rules, start, extra_lines)
    _deposits(ctx, deposit_plans, start, end, t, extra_lines)
    corrections = correction_lines(ctx, year, month, rules, only)
    for fam, lines in corrections.items():
        extra_lines[fam].extend(lines)
    debtors = load_debtors(ctx, set(per_family) | set(extra_lines))
    invoices = []
    texts = LineTexts()  # each template translated once per language, not per line
    for fam_id in sorted(set(per_family) | set(extra_lines),
                         key=lambda f: (debtors[f].family_name.lower() if f in debtors else "", f)):
        debtor = debtors.get(fam_id)
        if debtor is None:
            continue
        lines = _lines_of(per_family.get(fam_id, []), t, debtor.language, respite_left, fam_id, texts)
        lines += _localised(extra_lines.get(fam_id, []), t, debtor.language, texts)
        lines += _sibling_reductions(lines, t, rules, debtor.language, texts)
        invoices.append(DraftInvoice(
            family_id=fam_id, debtor_contact_id=debtor.contact_id, debtor_name=debtor.name[:300],
            debtor_street=debtor.street, debtor_postcode=debtor.postcode, debtor_municipality=debtor.municipality,
            debtor_email=debtor.email, language=debtor.language, payment_method=debtor.method,
            lines=tuple(lines)))
    warnings += _warnings(ctx, days, entries, invoices, debtors, t, rules, start, end)
    draft = Proposal(year=year, month=month, invoices=tuple(invoices))
    warnings += month_changes(ctx, year, month, snapshot_of(draft, debtors))
    warnings = _accepted(ctx, year, month, _unique(warnings))
    proposal = Proposal(year=year, month=month, invoices=tuple(invoices), warnings=tuple(warnings))
    return Computation(proposal, debtors, t.children)


def _unique(warnings: list[ProposalWarning]) -> list[ProposalWarning]:
    seen: dict[str, ProposalWarning] = {}
    for w in warnings:
        seen.setdefault(w.key, w)
    return list(seen.values())


def _localised(lines: list[DraftLine], t: Tariffs, locale: str, texts=line_text) -> list[DraftLine]:
    """Lines built before the debtor was known carry their text key in ``description``."""
    result = []
    for line in lines:
        key, _, params = line.description.partition("|")
        values = dict(p.split("=", 1) for p in params.split("&") if "=" in p)
        values["name"] = _child_name(t, line.child_id)
        result.append(DraftLine(line.kind, line.child_id, texts(key, locale, **values), line.rule, line.quantity,
                                line.unit_price, line.amount, line.days, line.summary, line.corrects_invoice_id))
    return result


def _month_fees(days, t: Tariffs, rules: Rules, start: date, out: dict[int, list[DraftLine]]) -> None:
    """Free price, month plans: one flat fee per child with care in the month (its first day's family)."""
    if rules.ikt:
        return
    first: dict[int, object] = {}
    for d in days:
        if d.billable and not d.own_child and d.child_id not in first:
            first[d.child_id] = d
    for child_id, d in first.items():
        plan = t.plan_for(child_id)
        if plan is None or plan.mode != PlanMode.MONTH:
            continue
        row = price_on(plan, start) or price_on(plan, d.day)
        if row is None:
            continue
        family_id = _debtor_family(d.family_id, child_id, t)
        shares = t.shares.get(child_id) or [(family_id, Decimal(100))]
        for fam, pct in shares:
            if fam is None:
                continue
            amount = cents(row.month_fee * pct / Decimal(100))
            out[fam].append(DraftLine(LineKind.CARE, child_id, "month_fee", "free.month", Decimal(1), amount, amount,
                                      summary={"share_percent": str(pct)} if pct != 100 else {}))


def _deposits(ctx, plans, start: date, end: date, t: Tariffs, out: dict[int, list[DraftLine]]) -> None:
    """The deposit of an agreement starting this month; its refund (a negative deposit line) when
    the care ends this month and a deposit was invoiced (domain-rules §2.6)."""
    if not plans:
        return
    rules = agreement_deposits(ctx, [a.care_plan_id for a in plans])
    ending = [a for a in plans if a.end is not None and start <= a.end <= end]
    invoiced: dict[int, Decimal] = defaultdict(lambda: ZERO)
    if ending:
        for summary, amount in ctx.session.execute(
                select(InvoiceLine.summary, InvoiceLine.amount).join(Invoice, Invoice.id == InvoiceLine.invoice_id)
                .where(InvoiceLine.organisation_id == ctx.org.id, InvoiceLine.kind == LineKind.DEPOSIT,
                       InvoiceLine.child_id.in_(sorted({a.child_id for a in ending})))):
            plan_id = (summary or {}).get("care_plan_id")
            if plan_id is not None:
                invoiced[int(plan_id)] += Decimal(str(amount))
    for a in plans:
        family_id = _debtor_family(a.family_id, a.child_id, t)
        if family_id is None:
            continue
        rule = rules.get(a.care_plan_id)
        if start <= a.start <= end and rule is not None and rule.amount and Decimal(str(rule.amount)) > 0:
            amount = cents(Decimal(str(rule.amount)))
            out[family_id].append(DraftLine(LineKind.DEPOSIT, a.child_id, "deposit", "deposit", Decimal(1), amount,
                                            amount, summary={"care_plan_id": a.care_plan_id}))
        if a in ending and invoiced.get(a.care_plan_id, ZERO) > 0:
            amount = -invoiced[a.care_plan_id]
            out[family_id].append(DraftLine(LineKind.DEPOSIT, a.child_id, "deposit_refund", "deposit.refund",
                                            Decimal(1), amount, amount,
                                            summary={"care_plan_id": a.care_plan_id, "refund": True}))


def _sibling_reductions(lines: list[DraftLine], t: Tariffs, rules: Rules, locale: str,
                        texts=line_text) -> list[DraftLine]:
    """Free price: the plan's reduction on the care of the second and further child of one
    household in the month (the eldest pays in full)."""
    if rules.ikt:
        return []
    care: dict[int, Decimal] = defaultdict(lambda: ZERO)
    for line in lines:
        if line.kind == LineKind.CARE and line.child_id and line.corrects_invoice_id is None and line.amount > 0:
            care[line.child_id] += line.amount
    children = sorted(care, key=lambda c: (getattr(t.children.get(c), "date_of_birth", None) or date.max, c))
    result = []
    for child_id in children[1:]:
        plan = t.plan_for(child_id)
        pct = plan.sibling_reduction_pct if plan else ZERO
        if not pct:
            continue
        amount = -cents(care[child_id] * pct / Decimal(100))
        result.append(DraftLine(LineKind.CARE, child_id, texts("sibling", locale, pct=f"{pct:g}",
                                                                   name=_child_name(t, child_id)),
                                "free.sibling_reduction", Decimal(1), amount, amount, summary={"percent": str(pct)}))
    return result


def _warnings(ctx, days, entries: list[Entry], invoices, debtors, t: Tariffs, rules: Rules, start, end):
    warnings: list[ProposalWarning] = []
    no_attest: dict[int, int] = defaultdict(int)
    no_plan: set[int] = set()
    for e in entries:
        if e.day.rule.startswith("no_attest."):
            no_attest[e.day.child_id] += 1
        elif e.day.rule == "no_plan":
            no_plan.add(e.day.child_id)
    if rules.no_attest != "maximum":
        code = "facturatie.warn.no_attest_skip" if rules.no_attest == "skip" else "facturatie.warn.no_attest"
        for child_id, count in sorted(no_attest.items()):
            warnings.append(ProposalWarning(f"no_attest:child:{child_id}", code,
                                            {"name": _child_name(t, child_id), "days": count}, child_id=child_id))
    for child_id in sorted(no_plan):
        warnings.append(ProposalWarning(f"no_plan:child:{child_id}", "facturatie.warn.no_plan",
                                        {"name": _child_name(t, child_id)}, child_id=child_id))
    for d in days:
        if d.open_stay and not d.own_child:
            warnings.append(ProposalWarning(f"open_stay:child:{d.child_id}:{d.day.isoformat()}",
                                            "facturatie.warn.open_stay",
                                            {"name": _child_name(t, d.child_id), "day": d.day.strftime("%d/%m/%Y")},
                                            family_id=d.family_id, child_id=d.child_id))
    for child_id, unconfirmed in sorted(unconfirmed_days(ctx, start=start, end=end).items()):
        if child_id in t.children:
            warnings.append(ProposalWarning(f"unconfirmed:child:{child_id}", "facturatie.warn.unconfirmed",
                                            {"name": _child_name(t, child_id), "days": len(unconfirmed)},
                                            child_id=child_id))
    for inv in invoices:
        debtor = debtors[inv.family_id]
        if not (debtor.street and debtor.postcode and debtor.municipality):
            warnings.append(ProposalWarning(f"no_address:family:{inv.family_id}", "facturatie.warn.no_address",
                                            {"name": debtor.family_name}, family_id=inv.family_id))
        if not debtor.email:
            warnings.append(ProposalWarning(f"no_email:family:{inv.family_id}", "facturatie.warn.no_email",
                                            {"name": debtor.family_name}, family_id=inv.family_id, blocking=False))
    return warnings


def _accepted(ctx, year: int, month: int, warnings: list[ProposalWarning]) -> list[ProposalWarning]:
    accepted = {a.key: a.reason for a in ctx.session.scalars(select(WarningAcceptance).where(
        WarningAcceptance.organisation_id == ctx.org.id, WarningAcceptance.year == year,
        WarningAcceptance.month == month))}
    return [ProposalWarning(w.key, w.code, w.params, w.family_id, w.child_id, w.blocking, w.key in accepted,
                            accepted.get(w.key, "")) if w.key in accepted else w for w in warnings]


# --- corrections of months already finalised ----------------------------------------------------

def _month_add(year: int, month: int, delta: int) -> tuple[int, int]:
    index = year * 12 + (month - 1) + delta
    return index // 12, index % 12 + 1


def correction_lines(ctx, year: int, month: int, rules: Rules, only=None) -> dict[int, list[DraftLine]]:
    """Registrations changed after an earlier month was finalised: per debtor, lines with the
    difference between what the stored line days say and what billable_days says now, each
    pointing at the invoice it corrects (``corrects_invoice_id``) with the day in the detail.
    Earlier corrections count as stored, so a change is corrected once. Invoices cancelled by a
    credit note are left alone."""
    window = int(ctx.setting("facturatie.correction_months"))
    if window <= 0:
        return {}
    months = [_month_add(year, month, -i) for i in range(window, 0, -1)]
    finalised = {(r.year, r.month) for r in ctx.session.scalars(select(BillingRun).where(
        BillingRun.organisation_id == ctx.org.id, BillingRun.state == RunState.FINALISED,
        BillingRun.year * 12 + BillingRun.month >= months[0][0] * 12 + months[0][1],
        BillingRun.year * 12 + BillingRun.month < year * 12 + month))}
    if not finalised:
        return {}
    first = min(finalised)
    last = max(finalised)
    start, end = month_bounds(*first)[0], month_bounds(*last)[1]
    stored: dict[tuple, Decimal] = defaultdict(lambda: ZERO)
    stored_rule: dict[tuple, str] = {}
    original: dict[tuple[int, int, date], int] = {}
    of_period: dict[tuple[int, int, int], int] = {}
    skipped: set[tuple[int, date]] = set()
    stored_respijt: set[tuple[int, date]] = set()
    rows = ctx.session.execute(
        select(InvoiceLineDay.child_id, InvoiceLineDay.day, InvoiceLineDay.amount, InvoiceLineDay.rule,
               InvoiceLine.kind, InvoiceLine.corrects_invoice_id, Invoice.id, Invoice.family_id,
               Invoice.payment_state, Invoice.period_year, Invoice.period_month, Invoice.display_number)
        .join(InvoiceLine, InvoiceLine.id == InvoiceLineDay.line_id)
        .join(Invoice, Invoice.id == InvoiceLine.invoice_id)
        .where(InvoiceLineDay.organisation_id == ctx.org.id, InvoiceLineDay.day >= start, InvoiceLineDay.day <= end,
               Invoice.kind == InvoiceKind.INVOICE,
               InvoiceLineDay.child_id.in_(only) if only is not None else InvoiceLineDay.id.is_not(None))).all()
    numbers: dict[int, str] = {}
    for child_id, day, amount, rule, kind, corrects, inv_id, fam, state, py, pm, number in rows:
        numbers[inv_id] = number
        if state == PaymentState.CREDITED:
            skipped.add((child_id, day))
            continue
        if (day.year, day.month) not in finalised:
            continue
        key = (fam, child_id, day, LineKind(kind))
        stored[key] += Decimal(str(amount))
        stored_rule.setdefault(key, rule)
        if rule == RESPIJT_RULE:
            stored_respijt.add((child_id, day))
        if corrects is None:
            original[(fam, child_id, day)] = inv_id
            of_period[(fam, py, pm)] = inv_id
    now_days = [d for d in billable_days(ctx, start=start, end=end, child_ids=only)
                if (d.day.year, d.day.month) in finalised and not d.planned]
    t = load_tariffs(ctx, {d.child_id for d in now_days} | {k[1] for k in stored},
                     {d.location_id for d in now_days}, start, end, rules)
    # a respijtdag booked at finalising stays one while the day is still an unrecorded absence; a
    # late registration that shows the child came makes it a billed day (book_respite_days gives it back)
    still_respijt = {(d.child_id, d.day) for d in now_days if (d.child_id, d.day) in stored_respijt and not d.present}
    entries = price_days(ctx, now_days, t, rules, virtual_respijt=still_respijt)
    entries += extra_entries(ctx, start, end, now_days, t, only)
    now: dict[tuple, Decimal] = defaultdict(lambda: ZERO)
    now_day: dict[tuple, DraftDay] = {}
    for e in entries:
        if e.family_id is None:
            continue
        key = (e.family_id, e.day.child_id, e.day.day, e.kind)
        now[key] += e.day.amount
        now_day.setdefault(key, e.day)
    grouped: dict[tuple[int, int | None, int, LineKind], list[DraftDay]] = defaultdict(list)
    for key in sorted(set(stored) | set(now), key=lambda k: (k[0], k[1], k[2], k[3].value)):
        fam, child_id, day, kind = key
        if (child_id, day) in skipped:
            continue
        diff = now.get(key, ZERO) - stored.get(key, ZERO)
        if diff == 0:
            continue
        invoice_id = original.get((fam, child_id, day)) or of_period.get((fam, day.year, day.month))
        base = now_day.get(key)
        detail = {**(base.detail if base else {}), "corrects_day": day.isoformat(),
                  "was": str(stored.get(key, ZERO)), "now": str(now.get(key, ZERO)),
                  "was_rule": stored_rule.get(key, "")}
        grouped[(fam, invoice_id, child_id, kind)].append(DraftDay(
            child_id, day, base.category if base else "", (base.rule if base else "correction.removed")[:60],
            base.fraction if base else ZERO, base.day_price if base else ZERO, diff, detail))
    result: dict[int, list[DraftLine]] = defaultdict(list)
    for (fam, invoice_id, child_id, kind), cdays in grouped.items():
        amount = sum((d.amount for d in cdays), ZERO)
        months_of = sorted({d.day.strftime("%m/%Y") for d in cdays})
        # the text names the corrected invoice, so the family can find it (the link is corrects_invoice_id)
        text = (f"correction_of|month={', '.join(months_of)}&invoice={numbers[invoice_id]}"
                if invoice_id in numbers else f"correction|month={', '.join(months_of)}")
        result[fam].append(DraftLine(kind, child_id, text, "correction",
                                     Decimal(1), amount, amount, tuple(cdays), {"correction": True},
                                     corrects_invoice_id=invoice_id))
    return result


# --- recording and comparing ---------------------------------------------------------------------

def snapshot_of(proposal: Proposal, debtors: dict[int, Debtor]) -> dict:
    """What a computation gave, per debtor: the total and the amount per line (for the diff)."""
    result = {}
    for inv in proposal.invoices:
        lines: dict[str, str] = {}
        for line in inv.lines:
            key = f"{line.kind.value}:{line.child_id or 0}:{line.rule}:{line.unit_price}"
            lines[key] = str(Decimal(lines.get(key, "0")) + line.amount)
        name = debtors[inv.family_id].family_name if inv.family_id in debtors else inv.debtor_name
        result[str(inv.family_id)] = {"total": str(inv.total), "name": name, "lines": lines}
    return result


def record(ctx, proposal: Proposal, debtors: dict[int, Debtor]) -> BillingRun:
    """Store the computation's totals in the month's run (created when missing, locked so two
    recomputations do not race); unchanged totals leave the run as it was (idempotent)."""
    run = lock_run(ctx, proposal.year, proposal.month)
    if run.state == RunState.FINALISED:
        raise BillingError("facturatie.already_finalised", "month", year=proposal.year, month=proposal.month)
    snap = snapshot_of(proposal, debtors)
    if snap != (run.snapshot or {}):
        run.previous_snapshot = run.snapshot or {}
        run.snapshot = snap
    run.computed_at = ctx.now()
    ctx.session.flush()
    return run


def run_of(ctx, year: int, month: int) -> BillingRun | None:
    return ctx.session.scalar(select(BillingRun).where(BillingRun.organisation_id == ctx.org.id,
                                                       BillingRun.year == year, BillingRun.month == month))


@dataclass(frozen=True)
class Change:
    family_id: int
    name: str
    before: Decimal | None
    after: Decimal | None

    @property
    def difference(self) -> Decimal:
        return (self.after or ZERO) - (self.before or ZERO)


def diff(before: dict, after: dict) -> list[Change]:
    """Families whose total differs between two snapshots (new and gone ones included)."""
    changes = []
    for key in sorted(set(before) | set(after), key=lambda k: int(k)):
        b, a = before.get(key), after.get(key)
        tb = Decimal(b["total"]) if b else None
        ta = Decimal(a["total"]) if a else None
        if tb != ta:
            changes.append(Change(int(key), (a or b).get("name", ""), tb, ta))
    return changes


def since_last(run: BillingRun | None, current: dict) -> list[Change]:
    """The diff shown on the proposal: against the stored computation when the current one
    differs from it, else against the one before it (what the last recomputation changed)."""
    if run is None:
        return []
    stored = run.snapshot or {}
    if stored and stored != current:
        return diff(stored, current)
    return diff(run.previous_snapshot or {}, current) if run.previous_snapshot else []


def month_changes(ctx, year: int, month: int, current: dict) -> list[ProposalWarning]:
    """Families whose total moved more than the threshold against their previous month (a flag,
    not blocking)."""
    py, pm = _month_add(year, month, -1)
    previous = run_of(ctx, py, pm)
    if previous is None or not previous.snapshot:
        return []
    threshold = Decimal(int(ctx.setting("facturatie.change_threshold_pct")))
    flags = []
    for change in diff(previous.snapshot, current):
        if change.before is None or change.after is None or change.before == 0:
            continue
        if abs(change.difference) * 100 / abs(change.before) > threshold:
            flags.append(ProposalWarning(f"change:family:{change.family_id}", "facturatie.warn.change",
                                         {"name": change.name, "total": f"{change.after:.2f}",
                                          "previous": f"{change.before:.2f}"},
                                         family_id=change.family_id, blocking=False))
    return flags


def accept_warning(ctx, year: int, month: int, key: str, reason: str, keys: set[str], user_id: int | None):
    """Accept a warning of the month's proposal with a reason (audited); it then no longer blocks."""
    reason = (reason or "").strip()
    if len(reason) < 5:
        raise BillingError("facturatie.reason_required", "reason")
    if key not in keys:
        raise BillingError("facturatie.warning_unknown", "key")
    lock_run(ctx, year, month)  # two users accepting the same warning: the second waits, then updates
    row = ctx.session.scalar(select(WarningAcceptance).where(
        WarningAcceptance.organisation_id == ctx.org.id, WarningAcceptance.year == year,
        WarningAcceptance.month == month, WarningAcceptance.key == key))
    if row is None:
        row = WarningAcceptance(organisation_id=ctx.org.id, year=year, month=month, key=key[:120])
        ctx.session.add(row)
    row.reason, row.accepted_by_id, row.accepted_at = reason[:500], user_id, ctx.now()
    ctx.session.flush()
    return row


def book_respite_days(ctx, proposal: Proposal) -> int:
    """Book, through planning, the respijtdagen the proposal counted for reserved days nobody
    came and nobody reported (``detail["book_respite"]``), and give back those of a finalised
    month that a correction now charges because the child came after all (a day cannot be both
    used as respijt and billed as care). Call it in the finalising transaction; returns how many
    were booked."""
    booked = 0
    for inv in proposal.invoices:
        for line in inv.lines:
            for d in line.days:
                if d.detail.get("book_respite"):
                    outcome = book_respite_day(ctx, d.child_id, d.day, location_id=d.detail.get("location_id"))
                    booked += bool(outcome.booked)
                elif d.detail.get("was_rule") == RESPIJT_RULE and d.rule != RESPIJT_RULE:
                    release_respite_day(ctx, d.child_id, d.day)
    return booked
