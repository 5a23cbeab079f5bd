"""Domain events passed to the ``on_*`` hooks: frozen, plain data (ids, dates, strings), so a
listener never touches another module's ORM objects. Fired inside the transaction."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class CarePlanChanged:
    """A care plan (opvangplan) was created, got a new version, ended or was removed."""

    organisation_id: int
    child_id: int
    care_plan_id: int
    location_id: int
    change: str  # "created" | "versioned" | "ended" | "deleted"
    effective_date: date
    actor_id: int | None = None


@dataclass(frozen=True)
class VacanciesChanged:
    """Free places of a location may have changed from ``from_date`` on."""

    organisation_id: int
    location_id: int
    from_date: date


@dataclass(frozen=True)
class PlacementConfirmed:
    """A parent accepted an offer: family, child and care plan now exist."""

    organisation_id: int
    care_request_id: int
    child_id: int
    care_plan_id: int
    location_id: int
    start_date: date


@dataclass(frozen=True)
class OfferDeclined:
    organisation_id: int
    care_request_id: int
    offer_id: int
    reason: str = ""


@dataclass(frozen=True)
class OfferExpired:
    organisation_id: int
    care_request_id: int
    offer_id: int


@dataclass(frozen=True)
class CareRequestStatusChanged:
    organisation_id: int
    care_request_id: int
    old_status: str | None
    new_status: str


@dataclass(frozen=True)
class AttendanceRecorded:
    """An arrival, departure, absence or correction was stored for a child on a care day."""

    organisation_id: int
    location_id: int
    child_id: int
    day: date
    kind: str  # "arrival" | "departure" | "absence" | "correction"
