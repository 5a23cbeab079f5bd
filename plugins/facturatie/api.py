"""The public contract of the facturatie module.

Like every ``api.py``: the only module other plugins may import; functions take the
TenantContext first (``ctx.session``, ``ctx.org``, ``ctx.today()``), return plain frozen
dataclasses and are thin over ``services/``.

* :func:`compute_proposal`: a month's proposal (one :class:`DraftInvoice` per debtor, warnings),
  the value finalising (``services/finalise.py``) turns into invoices;
* :func:`record_proposal`: the same, and its totals stored for the diff after a change;
* :func:`book_respite_days`: at finalisation, the respijtdagen the proposal counted for
  unrecorded absences are booked through planning;
* :func:`attest_on` / :func:`kindcodes`: the attest inkomenstarief (the kindcode's one home)."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

from .services import proposal as _proposal
from .services import tariffs as _tariffs
from .services.drafts import DraftDay, DraftInvoice, DraftLine, Proposal, ProposalWarning
from .services.errors import BillingError

__all__ = ["BillingError", "DraftDay", "DraftInvoice", "DraftLine", "Proposal", "ProposalWarning",
           "attest_price", "book_respite_days", "compute_proposal", "kindcodes", "record_proposal"]


def compute_proposal(ctx, year: int, month: int) -> Proposal:
    """The month's proposal, computed now (no writes). A month that has not begun, or does not
    exist, raises BillingError."""
    return _proposal.compute(ctx, year, month).proposal


def record_proposal(ctx, year: int, month: int) -> Proposal:
    """Compute and store the totals per debtor in the month's run (``snapshot``; the previous
    one kept for the diff). Idempotent: an unchanged computation changes nothing."""
    result = _proposal.compute(ctx, year, month)
    _proposal.record(ctx, result.proposal, result.debtors)
    return result.proposal


def book_respite_days(ctx, proposal: Proposal) -> int:
    """Book, through planning, the respijtdagen the proposal counted for reserved days nobody
    came and nobody reported (``detail["book_respite"]``); finalising does this in its own
    transaction. Returns how many were booked."""
    return _proposal.book_respite_days(ctx, proposal)


def attest_price(ctx, child_id: int, day: date, family_id: int | None = None) -> Decimal | None:
    """The IKT day price in force on ``day`` for the child (and household), or None."""
    rows = _tariffs.attests_in(ctx, [child_id], day, day).get(child_id, [])
    attest = _tariffs.attest_on(rows, day, family_id)
    return attest.day_price if attest else None


def kindcodes(ctx, child_ids, start: date, end: date) -> dict[tuple[int, int | None], str]:
    """{(child_id, family_id or None): kindcode} from the attests overlapping ``start..end``."""
    return _tariffs.kindcodes(ctx, child_ids, start, end)
