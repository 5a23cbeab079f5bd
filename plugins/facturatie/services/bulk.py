"""Lookups by and inserts of thousands of rows (a CODA file of 10,000 movements, a year's
certificates): a constant number of statements whatever the number of rows."""
from __future__ import annotations

import enum
import json

from sqlalchemy import JSON, Enum, any_, bindparam, insert, text
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
    keys = list(rows[0])
    # only the enum and JSON columns need converting: found once from the table, not per value
    convert = [(i, json.dumps if isinstance(table.c[key].type, JSON) else _enum_value)
               for i, key in enumerate(keys) if isinstance(table.c[key].type, (JSON, Enum))]
    columns = (["id"] if ids else []) + keys
    driver = session.connection().connection.driver_connection
    with driver.cursor() as cursor, cursor.copy(
            f'COPY {table.name} ({", ".join(columns)}) FROM STDIN') as copy:
        for n, row in enumerate(rows):
            values_ = [row[key] for key in keys]
            for i, to_db in convert:
                if values_[i] is not None:
                    values_[i] = to_db(values_[i])
            copy.write_row([new_ids[n], *values_] if ids else values_)
    return new_ids


def _enum_value(value):
    return value.value if isinstance(value, enum.Enum) else value
