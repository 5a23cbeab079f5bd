"""Finalising under real parallel requests (docs/concurrency.md): 20 finance requests finalising
20 different months of one organisation at the same moment share one number series, which must
come out gapless and without duplicates (the counter row is locked in each finalising
transaction); 20 requests finalising the same month make its invoices once, the others a clear 409."""
from __future__ import annotations

from collections import Counter
from datetime import datetime

import pytest
from sqlalchemy import select

from core.clock import BRUSSELS
from core.models import Role
from plugins.facturatie.models import Invoice, InvoiceKind, NumberCounter
from plugins.facturatie.services import finalise as fin
from tests.concurrency.conftest import fire
from tests.factories import Factory
from tests.plugins.facturatie.draft_builders import draft_invoice, proposal

RACERS = 20
MONTHS = [(2025 + (m - 1) // 12, (m - 1) % 12 + 1) for m in range(3, 3 + RACERS)]  # 2025-03 .. 2026-10


@pytest.fixture
def billing(live, monkeypatch):
    live.freeze(datetime(2026, 11, 18, 10, 0, tzinfo=BRUSSELS))
    with live.unit() as s:
        factory = Factory(s)
        org = factory.org(modules={"planning", "aanwezigheden", "facturatie"})
        location = factory.location(org)
        families = []
        for _ in range(2):
            family = factory.family(org)
            families.append((family, factory.child(org, family, location)))
        users = [factory.user(org, Role.FINANCE) for _ in range(2)]
        drafts = {(y, m): [draft_invoice(f, [c.id], year=y, month=m) for f, c in families] for y, m in MONTHS}
        ids = {"org": org.slug, "org_id": org.id, "emails": [u.email for u in users]}

    def compute(ctx, year, month):
        return proposal(year, month, drafts[(year, month)])

    monkeypatch.setattr(fin, "default_provider", lambda: compute)
    clients = []
    for email in ids["emails"]:
        client = live.client()
        client.login(email)
        clients.append(client)
    return ids, clients


def _numbers(live, org_id):
    with live.unit() as s:
        numbers = list(s.scalars(select(Invoice.number).where(
            Invoice.organisation_id == org_id, Invoice.kind == InvoiceKind.INVOICE, Invoice.year == 2026)))
        counter = s.scalar(select(NumberCounter.last_number).where(NumberCounter.organisation_id == org_id))
    return numbers, counter


def test_twenty_months_finalised_at_once_leave_no_gap_and_no_duplicate(live, billing):
    ids, clients = billing

    def finalise(i):
        year, month = MONTHS[i]
        url = f"/o/{ids['org']}/facturatie/{year}/{month}/finalise"
        return lambda: clients[i % 2].copy().post(url, {})

    answers = fire([finalise(i) for i in range(RACERS)])
    assert Counter(a.status for a in answers) == {303: RACERS}, [a.body[:200] for a in answers if a.status != 303]
    numbers, counter = _numbers(live, ids["org_id"])
    assert sorted(numbers) == list(range(1, 2 * RACERS + 1))  # gapless, no duplicate
    assert counter == 2 * RACERS


def test_twenty_finalisations_of_one_month_make_its_invoices_once(live, billing):
    ids, clients = billing
    url = f"/o/{ids['org']}/facturatie/2026/10/finalise"

    def finalise(i):
        client = clients[i % 2].copy()
        return lambda: _json_post(client, url)

    answers = fire([finalise(i) for i in range(RACERS)])
    statuses = Counter(a.status for a in answers)
    assert statuses == {200: 1, 409: RACERS - 1}, statuses
    refused = next(a for a in answers if a.status == 409)
    assert refused.json["error"]["code"] == "facturatie.already_finalised"
    numbers, counter = _numbers(live, ids["org_id"])
    assert sorted(numbers) == [1, 2] and counter == 2


def _json_post(client, url):
    """A POST asking for JSON (the finalise route answers 200 or 409 with the error)."""
    import http.client

    from tests.concurrency.conftest import Answer

    conn = http.client.HTTPConnection("127.0.0.1", client.port, timeout=120)
    try:
        conn.request("POST", url, body="", headers={
            "Accept": "application/json", "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": "; ".join(f"{k}={v}" for k, v in client.cookies.items())})
        response = conn.getresponse()
        return Answer(response.status, response.read().decode("utf-8", "replace"), {})
    finally:
        conn.close()
