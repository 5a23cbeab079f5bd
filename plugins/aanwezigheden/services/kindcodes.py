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
    """The child's own kindcode (from the attest inkomenstarief), if known."""
    return ctx.session.scalar(select(ChildCode.kindcode).where(ChildCode.organisation_id == ctx.org.id,
                                                               ChildCode.child_id == child_id))


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
