"""Parallel failed logins for a new address: each counts, none is answered with a 500."""
from __future__ import annotations

from collections import Counter

from sqlalchemy import select

from core.clock import clock
from core.models import LoginThrottle
from tests.concurrency.conftest import PARALLEL, fire


def test_parallel_failed_logins_for_a_new_address_are_counted(live):
    email = "nieuw-adres-race@example.be"
    client = live.client()
    answers = fire([lambda: client.copy().request("POST", "/login", form={"email": email, "password": "fout"})
                    for _ in range(PARALLEL)])
    statuses = Counter(a.status for a in answers)
    # KOEPEL_LOGIN_MAX_FAILURES is 5: five failures are answered as wrong, then the address is locked.
    assert statuses == {401: 5, 429: PARALLEL - 5}, statuses
    with live.unit() as s:
        rows = s.scalars(select(LoginThrottle).where(LoginThrottle.key == email)).all()
        assert len(rows) == 1 and rows[0].locked_until > clock.now()
