"""Lookups by thousands of keys (a CODA file of 10,000 movements)."""
from __future__ import annotations

from sqlalchemy import any_, bindparam
from sqlalchemy.dialects.postgresql import ARRAY


def in_values(session, column, values):
    """``column IN values``. PostgreSQL: ``column = ANY(:array)``, one bound array instead of
    thousands of placeholders (building, splitting and parsing a statement with 5,000
    placeholders cost more than the lookup itself). Elsewhere: an ordinary IN-list."""
    values = list(values)
    if session.get_bind().dialect.name == "postgresql":
        return column == any_(bindparam(None, values, type_=ARRAY(column.type)))
    return column.in_(values)
