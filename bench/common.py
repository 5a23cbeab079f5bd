"""What several benchmarks share: a scratch database made anew for each run."""
from __future__ import annotations

from pathlib import Path


def recreate_database(url: str) -> None:
    """Drop and create the benchmark's database (a SQLite file is removed)."""
    from sqlalchemy import text
    from sqlalchemy.engine import make_url

    from core.db import make_engine

    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database:
            Path(parsed.database).unlink(missing_ok=True)
        return
    admin = make_engine(parsed.set(database="postgres").render_as_string(hide_password=False),
                        isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{parsed.database}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{parsed.database}"'))
    admin.dispose()
