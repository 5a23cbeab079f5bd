"""Search and pagination in SQL: a page never loads more rows than it shows."""
from __future__ import annotations

from dataclasses import dataclass
from math import ceil

from flask import current_app, request
from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session

LIKE_ESCAPE = "\\"


def escape_like(text: str) -> str:
    """A user's ``%`` and ``_`` match themselves, not "anything" (and the escape character too)."""
    return text.replace(LIKE_ESCAPE, LIKE_ESCAPE * 2).replace("%", LIKE_ESCAPE + "%").replace("_", LIKE_ESCAPE + "_")


@dataclass
class Page:
    items: list
    total: int
    page: int
    per_page: int
    q: str

    @property
    def pages(self) -> int:
        return max(1, ceil(self.total / self.per_page))

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages


def paginate(session: Session, stmt: Select, search_columns=(), scalars: bool = True) -> Page:
    q = request.args.get("q", "").strip()[:100]
    try:
        page = max(1, int(request.args.get("page", 1)))
    except ValueError:
        page = 1
    per_page = current_app.config["KOEPEL_PAGE_SIZE"]
    if q and search_columns:
        pattern = f"%{escape_like(q.lower())}%"
        stmt = stmt.where(or_(*[func.lower(col).like(pattern, escape=LIKE_ESCAPE) for col in search_columns]))
    total = session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery()))
    page = min(page, max(1, ceil((total or 0) / per_page)))  # past the end: the last page
    result = session.execute(stmt.limit(per_page).offset((page - 1) * per_page))
    items = list(result.scalars() if scalars else result)
    return Page(items, total or 0, page, per_page, q)


def page_of(items: list, per_page: int | None = None, arg: str = "page") -> Page:
    """One page of rows computed in Python (free places, a day planning per location), for when
    the rows are not a query ``paginate`` can limit: only the page is rendered. ``per_page``:
    default the app's page size; ``?<arg>=`` past the end gives the last page, anything else the
    first."""
    per_page = per_page or current_app.config["KOEPEL_PAGE_SIZE"]
    try:
        number = max(1, int(request.args.get(arg, 1)))
    except ValueError:
        number = 1
    number = min(number, max(1, ceil(len(items) / per_page)))
    return Page(items[(number - 1) * per_page:number * per_page], len(items), number, per_page, "")
