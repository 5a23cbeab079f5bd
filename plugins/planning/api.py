"""The public contract of the planning module: the only module other plugins may import.

Every function takes the TenantContext (``core.context``) first: its session, organisation, clock
and settings. Writes only add and flush (the caller's unit of work commits). Bad input raises
PlanningError, whose ``message`` is Dutch and ready for the UI, before anything is written."""
from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal

from core.values import Period

from .services import capacity as _capacity
from .services import care_plans as _plans
from .services import closing_days as _closing
from .services import labels as _labels
from .services import occupancy as _occupancy
from .services import profile as _profile
from .services import reservations as _reservations
from .services import respite as _respite
from .services.agreements import DepositRule
from .services.capacity import RuleWarning
from .services.respite import AgreementRespite, RespiteOutcome
from .services.types import (
    Agreement,
    ClosingDay,
    DayPlan,
    ExpectedChild,
    HalfHourSlot,
    MonthVacancy,
    OccupancyCell,
    PlanningError,
    PlanWarning,
    ReservedDay,
    ScheduledDay,
    Vacancy,
    per_month,
)

__all__ = [
    "Agreement", "AgreementRespite", "RespiteOutcome", "RuleWarning", "agreements", "book_respite_day",
    "effective_capacity", "respite_per_agreement", "respite_per_agreement_bulk", "upcoming_rule_warnings",
    "ClosingDay", "DayPlan", "ExpectedChild", "HalfHourSlot", "MonthVacancy", "OccupancyCell", "PlanningError", "PlanWarning",
    "ReservedDay", "ScheduledDay", "Vacancy", "add_closing_period", "add_extra_day", "care_ended", "check_plan_change",
    "closing_days", "create_care_plan", "end_care_plan", "expected_children", "free_places", "half_hour_profile",
    "new_care_plan_version", "occupancy", "per_month", "release_respite_day", "remove_closing_period", "remove_extra_day",
    "reserved_days", "respite_balance", "respite_entitlement", "respite_entitlements", "respite_used",
    "use_respite_day", "yearly_closing_calendar", "DepositRule", "agreement_deposit", "agreement_deposits",
    "pattern_label", "age_band_label", "age_bands_label", "weekday_short",
]


# --- care plans ------------------------------------------------------------------------------

def create_care_plan(ctx, *, child_id: int, location_id: int, start_date: date, days: Sequence[DayPlan],
                     end_date: date | None = None, end_description: str = "", family_id: int | None = None,
                     settling_in_until: date | None = None, living_group_id: int | None = None,
                     actor_id: int | None = None, schedule: Sequence[ScheduledDay] | None = None,
                     reference_date: date | None = None, extra_days: Sequence[ScheduledDay] = (),
                     own_child: bool = False, notes: str = "") -> int:
    """Create an opvangplan with its first version; returns its id.

    ``days``: the weekly pattern (DayPlan per weekday; ``week`` "A"/"B" makes it alternate, week A
    being the week of ``reference_date``, default ``start_date``). ``schedule`` instead of ``days``:
    a custom shift-work schedule of explicit dates. ``family_id``: the household that signs
    (co-parenting: one plan per household). Refused (PlanningError) on overlap with a plan of the
    same child, location and household, end before start, a weekday the location is closed, hours
    outside the opening hours, or a child too old/young for the location's care type.
    ``own_child``: the onthaalouder's own child at a family daycare location (domain-rules §3.6,
    §4.2): its presence counts in capacity and ratio, it is never billed, has no respijtdagen and
    no age limit of the care type.
    ``notes``: free remarks of the agreement, kept with the plan (audited like its other fields).
    Fires on_care_plan_changed("created") and on_vacancies_changed."""
    return _plans.create_care_plan(
        ctx, child_id=child_id, location_id=location_id, start_date=start_date, days=days,
        end_date=end_date, end_description=end_description, family_id=family_id,
        settling_in_until=settling_in_until, living_group_id=living_group_id, actor_id=actor_id,
        schedule=schedule, reference_date=reference_date, extra_days=extra_days, own_child=own_child, notes=notes)


def new_care_plan_version(ctx, care_plan_id: int, *, effective_date: date, days: Sequence[DayPlan],
                          actor_id: int | None = None, schedule: Sequence[ScheduledDay] | None = None,
                          reference_date: date | None = None) -> int:
    """An addendum from ``effective_date`` on (the previous version ends the day before); returns the
    new version's id. Fires on_care_plan_changed("versioned") and on_vacancies_changed."""
    return _plans.new_care_plan_version(ctx, care_plan_id, effective_date=effective_date, days=days,
                                        actor_id=actor_id, schedule=schedule, reference_date=reference_date)


def end_care_plan(ctx, care_plan_id: int, *, end_date: date, actor_id: int | None = None) -> None:
    """Set the last care day. Fires on_care_plan_changed("ended") and on_vacancies_changed."""
    _plans.end_care_plan(ctx, care_plan_id, end_date=end_date, actor_id=actor_id)


def add_extra_day(ctx, care_plan_id: int, extra: ScheduledDay, actor_id: int | None = None) -> int:
    """An occasional extra agreed care day (no new version needed); returns its id."""
    return _plans.add_extra_day(ctx, care_plan_id, extra, actor_id)


def remove_extra_day(ctx, care_plan_id: int, day: date, actor_id: int | None = None) -> None:
    _plans.remove_extra_day(ctx, care_plan_id, day, actor_id)


def care_ended(ctx, child_ids, *, today: date | None = None, location_ids=None) -> set[tuple[int, int]]:
    """(location_id, child_id) pairs whose care has ended: among ``child_ids`` (and ``location_ids``
    when given), the children with care plans at a location that all ended before ``today``
    (default: the context's today). A child without a plan at a location, or with one still
    running or not started yet, is not in the result. One query whatever the number of children."""
    return _plans.care_ended(ctx, child_ids, today=today, location_ids=location_ids)


def check_plan_change(ctx, *, location_id: int, start_date: date, days: Sequence[DayPlan] = (),
                      end_date: date | None = None, child_id: int | None = None, care_plan_id: int | None = None,
                      living_group_id: int | None = None, schedule: Sequence[ScheduledDay] | None = None,
                      reference_date: date | None = None, horizon_days: int = 91) -> list[PlanWarning]:
    """What would this plan (or new version from ``start_date``) change? Warnings to show BEFORE
    saving: a new plan starting on a closing day, licensed places exceeded (which dates / half hours), staff
    needed above the planned staff (when known), living group above its maximum. Writes nothing.
    ``care_plan_id``: the plan being changed (its own days are not counted twice)."""
    return _profile.check_plan_change(
        ctx, location_id=location_id, start_date=start_date, days=days, end_date=end_date,
        child_id=child_id, care_plan_id=care_plan_id, living_group_id=living_group_id, schedule=schedule,
        reference_date=reference_date, horizon_days=horizon_days)


# --- who is expected -------------------------------------------------------------------------

def expected_children(ctx, location_id: int, day: date) -> list[ExpectedChild]:
    """Children expected at a location on a day (closing days: nobody), with age in months."""
    return _reservations.expected_children(ctx, location_id, day)


def half_hour_profile(ctx, location_id: int, day: date,
                      living_group_id: int | None = None) -> list[HalfHourSlot]:
    """Per half hour of the opening hours: children present, babies, caregivers needed under the
    rule set of that date, and the planned caregivers when known."""
    return _profile.half_hour_profile(ctx, location_id, day, living_group_id)


def reserved_days(ctx, *, start: date, end: date, child_ids=None,
                  location_id: int | None = None) -> list[ReservedDay]:
    """Reserved care (one row per day and block) in [start, end], closing days excluded. Each row
    names its agreement (``care_plan_id``), the household that pays it (``family_id``), whether it
    is an extra agreed day (``extra``) and whether it is a settling-in day (``settling_in``). A
    fixed number of queries whatever the number of children."""
    return _reservations.reserved_days(ctx, start=start, end=end, child_ids=child_ids,
                                       location_id=location_id)


def effective_capacity(location, day: date, forced: str | None = None) -> int | None:
    """Children allowed at the same time at ``location`` on ``day``: the licensed places, and for
    family daycare at most the rule set's maximum (8 until 2026, 7 from 1/1/2027, domain-rules
    §4.1) whatever the licence says. Free places, last-minute places and plan checks use it."""
    return _capacity.effective_capacity(location, day, forced)


def upcoming_rule_warnings(ctx, months: int | None = None) -> list[RuleWarning]:
    """Per family daycare location and day: today's plans exceed a capacity rule that starts
    within ``months`` months (default: setting ``planning.rule_warning_months``), so that
    directors can act before the date (domain-rules §4.4). Own children's plans count."""
    if months is None:
        months = int(ctx.setting("planning.rule_warning_months"))
    return _capacity.upcoming_rule_warnings(ctx, ctx.today(), months)


def agreements(ctx, *, start: date, end: date, child_ids=None, location_id: int | None = None) -> list[Agreement]:
    """The agreements (care plans) overlapping [start, end]: child, location, the household that
    signed and pays (``family_id``), start, end and the end of settling in. One query."""
    return _reservations.agreements(ctx, start=start, end=end, child_ids=child_ids,
                                    location_id=location_id)


# --- closing days ----------------------------------------------------------------------------

def closing_days(ctx, location_id: int, start: date, end: date) -> dict[date, str]:
    """Closing days of a location in [start, end] (public holidays, organisation and location
    closures) with their reason."""
    return _closing.closing_days(ctx, location_id, start, end)


def yearly_closing_calendar(ctx, year: int, location_id: int | None = None) -> list[ClosingDay]:
    return _closing.yearly_calendar(ctx, year, location_id)


def add_closing_period(ctx, *, start_date: date, end_date: date | None = None, reason: str,
                       location_id: int | None = None, kind: str = "closure") -> int:
    """A collective closure or bridge day ("closure"/"bridge"), organisation-wide when
    ``location_id`` is None."""
    return _closing.add_closing_period(ctx, start_date=start_date, end_date=end_date, reason=reason,
                                       location_id=location_id, kind=kind)


def remove_closing_period(ctx, period_id: int) -> None:
    _closing.remove_closing_period(ctx, period_id)


# --- respijtdagen ----------------------------------------------------------------------------

def respite_entitlement(ctx, child_id: int, year: int) -> Decimal:
    """Respijtdagen a child is entitled to in ``year`` (sum over its agreements, each pro rata and
    rounded by the organisation's setting). At least 18 a year for full time under the
    income-related tariff; free-price organisations may set another number or switch respite off
    (then 0)."""
    return _respite.entitlement(ctx, child_id, year)


def respite_entitlements(ctx, child_id: int, year: int) -> dict[int, Decimal]:
    """The same per agreement: {care_plan_id: respijtdagen in ``year``} (co-parenting: one entry
    per household's agreement; billing can show each household its own number)."""
    return _respite.entitlements(ctx, child_id, year)


def respite_used(ctx, child_id: int, year: int) -> Decimal:
    return _respite.used(ctx, child_id, year)


def respite_balance(ctx, child_id: int, year: int) -> Decimal:
    """Entitlement minus days used in ``year``."""
    return _respite.balance(ctx, child_id, year)


def use_respite_day(ctx, child_id: int, day: date, amount: Decimal = Decimal(1)) -> bool:
    """Book a respijtdag (``amount`` 1 or 0.5). False, writing nothing, when the balance is exhausted
    or respite is off; True (idempotent) when the day was already booked."""
    return _respite.use_day(ctx, child_id, day, amount)


def respite_per_agreement(ctx, child_id: int, year: int) -> list[AgreementRespite]:
    """Per agreement (care plan) of the child running in ``year``: respijtdagen entitled, used and
    the balance (domain-rules §2.4). Co-parenting: one entry per household's agreement, each with
    its own balance; this is the balance staff see and the invoice shows."""
    return _respite.agreement_balances(ctx, child_id, year)


def respite_per_agreement_bulk(ctx, child_ids, year: int) -> dict[int, list[AgreementRespite]]:
    """:func:`respite_per_agreement` for many children in a fixed number of queries (billing):
    {child_id: [AgreementRespite, ...]}."""
    return _respite.agreement_balances_bulk(ctx, child_ids, year)


def book_respite_day(ctx, child_id: int, day: date, *, amount: Decimal = Decimal(1),
                     location_id: int | None = None) -> RespiteOutcome:
    """Use a respijtdag on ``day`` (``amount`` 1 or 0.5), from the balance of the agreement that
    reserves that day (at ``location_id`` when given). Nothing is used, and the outcome says why,
    on a closing day (``closing_day``), a day no agreement reserves (``not_reserved``), when
    respite is off (``off``) or the agreement's balance of that calendar year is too small
    (``exhausted``). Idempotent (``already_booked``)."""
    return _respite.book(ctx, child_id, day, amount, location_id, ctx.locale)


def release_respite_day(ctx, child_id: int, day: date) -> None:
    """Undo a booked respijtdag (e.g. the child came after all). No-op when none was booked."""
    _respite.release_day(ctx, child_id, day)


# --- occupancy and vacancies -----------------------------------------------------------------

def occupancy(ctx, *, start: Period, months: int = 12, location_ids=None) -> list[OccupancyCell]:
    """Per location and month: reserved day parts / available day parts (licensed places × 2 ×
    open days, closing days excluded). Bulk queries: the count does not grow with children."""
    return _occupancy.occupancy(ctx, start=start, months=months, location_ids=location_ids)


def pattern_label(key: str) -> str:
    """A free place's day-part pattern key (``Vacancy.day_parts``, "ma-vr volle dag") in the
    reader's words; the key itself stays what slots and the loket match on."""
    return _labels.pattern_label(key)


def age_band_label(key: str) -> str:
    """An age band key (``Vacancy.age_bands``: "0-12m", "schoolkinderen") in the reader's words."""
    return _labels.age_band_label(key)


def age_bands_label(keys) -> str:
    return _labels.age_bands_label(keys)


def weekday_short(weekday: int) -> str:
    """Monday (0) to Sunday (6) abbreviated in the reader's language (Babel's locale data)."""
    return _labels.weekday_short(weekday)


def free_places(ctx, *, start: date | Period, months: int = 12, location_ids=None) -> list[Vacancy]:
    """Free places per location and day-part pattern (only positive numbers), each row for the
    consecutive months (``period`` .. ``until``) and the age bands (``age_bands``) that have the
    same number, plus last-minute rows (next weeks, setting ``planning.last_minute_weeks``) with
    ``last_minute=True``. ``per_month(rows)`` gives them per month and age band."""
    return _occupancy.free_places(ctx, start=start, months=months, location_ids=location_ids)


def occupancy_of_partners(contexts: Sequence, *, start: Period, months: int = 12,
                          location_ids=None) -> dict[int, list[OccupancyCell]]:
    """``occupancy`` for several partners of a koepel at once ({organisation id: cells}, the same
    cells as one call per partner): their rows are read together, a fixed number of statements
    whatever the number of partners. One TenantContext per partner, all on one session."""
    return _occupancy.occupancy_of_partners(contexts, start=start, months=months, location_ids=location_ids)


def free_places_of_partners(contexts: Sequence, *, start: date | Period, months: int = 12,
                            location_ids=None) -> dict[int, list[Vacancy]]:
    """``free_places`` for several partners at once ({organisation id: rows}), read together; each
    partner keeps its own today and settings."""
    return _occupancy.free_places_of_partners(contexts, start=start, months=months, location_ids=location_ids)


def agreement_deposit(ctx, care_plan_id: int) -> DepositRule | None:
    """For billing: the deposit the care plan's latest written agreement fixes (amount, the legal
    cap it was checked against, low income), or None without an agreement (domain-rules §2.6)."""
    from .services.agreements import deposit_for

    return deposit_for(ctx, care_plan_id)



def agreement_deposits(ctx, care_plan_ids) -> dict[int, DepositRule]:
    """:func:`agreement_deposit` for many care plans in one query: {care_plan_id: DepositRule}
    (plans without agreement are absent)."""
    from .services.agreements import deposits_for

    return deposits_for(ctx, care_plan_ids)
