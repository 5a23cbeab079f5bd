"""Two finance users adding an attest inkomenstarief for the same child at the same moment
(docs/concurrency.md): the overlap check runs after the child's row is locked, so PARALLEL real
parallel requests for the same period leave exactly one attest and clear 422s, never two
overlapping attests (which would make the day price of a day ambiguous)."""
from __future__ import annotations

from collections import Counter
from datetime import datetime

from sqlalchemy import func, select

from core.clock import BRUSSELS
from core.models import Role
from plugins.facturatie.models import IncomeTariffAttest
from tests.concurrency.conftest import PARALLEL, fire
from tests.factories import Factory


def test_parallel_attests_for_one_child_leave_one(live):
    live.freeze(datetime(2026, 12, 2, 10, 0, tzinfo=BRUSSELS))
    with live.unit() as s:
        factory = Factory(s)
        org = factory.org(modules={"planning", "aanwezigheden", "facturatie"})
        location = factory.location(org)
        child = factory.child(org, location=location)
        finance = factory.user(org, Role.FINANCE)
        ids = {"org": org.slug, "child": child.id, "email": finance.email}
    client = live.client()
    client.login(ids["email"])
    url = f"/o/{ids['org']}/facturatie/children/{ids['child']}/tariff"

    def add(i):
        return lambda: client.copy().request("POST", url, form={
            "action": "attest", "kindcode": "250301-012-01", "day_price": f"{20 + i % 5}",
            "valid_from": "2026-01-01", "valid_to": "2026-12-31"})

    answers = fire([add(i) for i in range(PARALLEL)])
    statuses = Counter(a.status for a in answers)
    assert statuses == {302: 1, 422: PARALLEL - 1}, statuses
    assert "Er is al een attest" in next(a for a in answers if a.status == 422).body
    with live.unit() as s:
        assert s.scalar(select(func.count()).select_from(IncomeTariffAttest).where(
            IncomeTariffAttest.child_id == ids["child"])) == 1
