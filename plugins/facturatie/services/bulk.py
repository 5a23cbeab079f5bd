"""Lookups by and inserts of thousands of rows (a CODA file of 10,000 movements, a year's
certificates): a constant number of statements whatever the number of rows."""
from __future__ import annotations

import enum
import json

from sqlalchemy import JSON, any_, bindparam, insert, text
from sqlalchemy.dialects.postgresql import ARRAY


def in_values(session, column, values):
    """``column IN values``. PostgreSQL: ``column = ANY(:array)``, one bound array instead of
    thousands of placeholders (building, splitting and parsing a statement with 5,000
    placeholders cost more than the lookup itself). Elsewhere: an ordinary IN-list."""
    values = list(values)
    if session.get_bind().dialect.name == "postgresql":
        return column == any_(bindparam(None, values, type_=ARRAY(column.type)))
    return column.in_(values)


def insert_rows(session, table, rows: list[dict], *, ids: bool = False) -> list[int]:
    """Insert ``rows`` (dicts with the same keys) into ``table``; with ``ids``, return the new ids
    in the rows' order. PostgreSQL: ids drawn from the table's sequence in one statement and the
    rows sent with ``COPY`` (a multi-row INSERT of thousands of rows costs more in building and
    parsing the SQL text than in the database). Elsewhere: a multi-row INSERT ... RETURNING."""
    if not rows:
        return []
    if session.get_bind().dialect.name != "postgresql":
        if not ids:
            session.execute(insert(table), rows)
            return []
        # one INSERT ... VALUES (...), (...) RETURNING per SQLITE_LIMIT_VARIABLE_NUMBER parameters
        # (``sort_by_parameter_order`` would make SQLAlchemy send the rows one at a time); SQLite
        # numbers the rows of one statement in their order, so the ids sorted are the rows' ids
        per = max(1, 32766 // max(1, len(rows[0])))
        return [i for n in range(0, len(rows), per)
                for i in sorted(session.scalars(insert(table).values(rows[n:n + per]).returning(table.c.id)))]
    new_ids: list[int] = []
    if ids:
        new_ids = list(session.scalars(text(
            "SELECT nextval(pg_get_serial_sequence(:t, 'id')) FROM generate_series(1, :n)"),
            {"t": table.name, "n": len(rows)}))
    columns = (["id"] if ids else []) + list(rows[0])
    json_columns = {c.name for c in table.c if isinstance(c.type, JSON)}
    driver = session.connection().connection.driver_connection
    with driver.cursor() as cursor, cursor.copy(
            f'COPY {table.name} ({", ".join(columns)}) FROM STDIN') as copy:
        for n, row in enumerate(rows):
            values_ = [new_ids[n]] if ids else []
            for key, value in row.items():
                if isinstance(value, enum.Enum):
                    value = value.value
                elif key in json_columns and value is not None:
                    value = json.dumps(value)
                values_.append(value)
            copy.write_row(values_)
    return new_ids
