"""Two things every module's views did by hand: load one row of the request's organisation or
answer 404, and render a form page with status 422 when the form has errors.

``get_or_404`` is the one tenant-scoped lookup: the organisation comes from the request's
:class:`~core.context.TenantContext` (set by the tenant blueprints), never from the URL or the
form, so an id of another organisation's row is a 404 exactly like an id that does not exist.
"""
from __future__ import annotations

from typing import Any, TypeVar

from flask import abort, render_template
from sqlalchemy import select

T = TypeVar("T")


def get_or_404(model: type[T], row_id: Any, *criteria: Any, options: tuple = ()) -> T:
    """The ``model`` row with primary key ``row_id`` that belongs to the request's organisation
    (``model.organisation_id``), further narrowed by ``criteria`` (e.g. a caregiver's location
    scope); otherwise ``abort(404)``. One SELECT; the filter is in SQL, not a check afterwards."""
    from core.context import current_context

    if not hasattr(model, "organisation_id"):
        raise TypeError(f"{model.__name__} has no organisation_id: not a tenant table")
    ctx = current_context()
    stmt = select(model).where(model.id == row_id, model.organisation_id == ctx.org.id, *criteria)
    if options:
        stmt = stmt.options(*options)
    row = ctx.session.scalar(stmt)
    if row is None:
        abort(404)
    return row


def render_form(template: str, form: Any = None, *, errors: Any = None, **context: Any) -> tuple[str, int]:
    """A form page: status 422 when the form (or the separate ``errors``) holds errors, else 200.
    Bad input is re-rendered with its messages and nothing is written (the request's unit of
    work rolls back on any status >= 400)."""
    failed = bool(errors) or bool(form is not None and form.errors)
    if form is not None:
        context["form"] = form
    if errors is not None:
        context["errors"] = errors
    return render_template(template, **context), 422 if failed else 200
