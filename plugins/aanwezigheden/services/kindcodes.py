"""Kindcodes per household: under co-parenting each household may hold its own attest
inkomenstarief for the same child, and FO-SU-05 reports the child once per kindcode (domain
rules §3.3, "Matching": a child with several attests can have several codes)."""
from __future__ import annotations

import re

from flask_babel import gettext as _
from sqlalchemy import delete, select

from core.context import TenantContext
from core.models import ChildFamily

from ..models import ChildCode, HouseholdKindcode
from . import AttendanceError

KINDCODE = re.compile(r"[0-9]{6}([ -])?[0-9]{3}([ -])?([0-9]*)?")


def valid_kindcode(code: str) -> bool:
    """Birth date YYMMDD, 3-digit sequence and the attest's 2-digit sequence (separators allowed)."""
    return bool(KINDCODE.fullmatch(code)) and len(code) <= 13


def child_kindcode(ctx: TenantContext, child_id: int) -> str | None:
    """The child's own kindcode (from the attest inkomenstarief), if known: from facturatie's
    attests when it is on (``resolve_kindcodes``), else from this module's table."""
    today = ctx.today()
    own, _household = kindcodes_for(ctx, [child_id], today, today)
    return own.get(child_id)


def household_kindcodes(ctx: TenantContext, child_id: int) -> dict[int, str]:
    """family id -> kindcode of that household's attest, for one child."""
    rows = ctx.session.scalars(select(HouseholdKindcode).where(
        HouseholdKindcode.organisation_id == ctx.org.id, HouseholdKindcode.child_id == child_id))
    return {row.family_id: row.kindcode for row in rows}


def set_household_kindcode(ctx: TenantContext, child_id: int, family_id: int, kindcode: str | None) -> None:
    """Record (or with an empty code, remove) the kindcode of one household's attest. The
    household must be one of the child's; a bad code raises AttendanceError and writes nothing."""
    code = (kindcode or "").strip()
    linked = ctx.session.scalar(select(ChildFamily.id).where(
        ChildFamily.organisation_id == ctx.org.id, ChildFamily.child_id == child_id,
        ChildFamily.family_id == family_id))
    if linked is None:
        raise AttendanceError(_("Dit gezin hoort niet bij dit kind."), field="family_id", status=404)
    if code and not valid_kindcode(code):
        raise AttendanceError(_("Een kindcode is 11 cijfers, bv. 130101-010-02."), field=f"household_{family_id}")
    row = ctx.session.scalar(select(HouseholdKindcode).where(
        HouseholdKindcode.organisation_id == ctx.org.id, HouseholdKindcode.child_id == child_id,
        HouseholdKindcode.family_id == family_id))
    if not code:
        if row is not None:
            ctx.session.execute(delete(HouseholdKindcode).where(HouseholdKindcode.id == row.id))
        return
    if row is None:
        row = HouseholdKindcode(organisation_id=ctx.org.id, child_id=child_id, family_id=family_id, kindcode=code)
        ctx.session.add(row)
    else:
        row.kindcode = code
    ctx.session.flush()


def kindcodes_for(ctx: TenantContext, child_ids, start, end) -> tuple[dict[int, str], dict[tuple[int, int], str]]:
    """(child id -> own kindcode, (child id, family id) -> household kindcode) for ``start..end``.
    The attests inkomenstarief are the kindcode's one home: the ``resolve_kindcodes`` hook
    (facturatie, when enabled) answers first; a child it does not know keeps this module's codes."""
    child_ids = sorted(set(child_ids))
    own: dict[int, str] = {}
    household: dict[tuple[int, int], str] = {}
    if not child_ids:
        return own, household
    answer = ctx.hook.resolve_kindcodes(org=ctx.org, child_ids=child_ids, start=start, end=end)
    for (child_id, family_id), code in (answer or {}).items():
        if family_id is None:
            own[child_id] = code
        else:
            household[(child_id, family_id)] = code
    known = {c for c, _ in household} | set(own)
    rest = [c for c in child_ids if c not in known]
    if rest:
        for row in ctx.session.scalars(select(ChildCode).where(ChildCode.organisation_id == ctx.org.id,
                                                               ChildCode.child_id.in_(rest))):
            if row.kindcode:
                own[row.child_id] = row.kindcode
        for row in ctx.session.scalars(select(HouseholdKindcode).where(
                HouseholdKindcode.organisation_id == ctx.org.id, HouseholdKindcode.child_id.in_(rest))):
            household[(row.child_id, row.family_id)] = row.kindcode
    return own, household
