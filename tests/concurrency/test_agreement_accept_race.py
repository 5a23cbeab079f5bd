"""The parent's acceptance link clicked 50 times at once (docs/concurrency.md): one acceptance is
recorded, with the time and address of the first click; every click gets a page, none a 5xx."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import select

from core.clock import BRUSSELS
from core.context import build_context
from plugins.planning import api
from plugins.planning.models import CareAgreement, HouseRules
from plugins.planning.services import agreements
from tests.concurrency.conftest import PARALLEL, fire
from tests.factories import Factory
from tests.plugins.planning.conftest import full_week


def test_fifty_clicks_on_the_acceptance_link_record_one_acceptance(live):
    """Domain-rules §2.5 (keep which version was signed): the conditional UPDATE lets exactly one
    of the parallel POSTs record the acceptance; the others see it already accepted."""
    live.freeze(datetime(2026, 11, 18, 10, 0, tzinfo=BRUSSELS))
    with live.unit() as s:
        factory = Factory(s)
        org = factory.org(modules={"planning"})
        location = factory.location(org)
        family = factory.family(org)
        child = factory.child(org, family=family, location=location)
        s.add(HouseRules(organisation_id=org.id, effective_date=date(2026, 9, 1), title="HR", text="Tekst"))
        ctx = build_context(s, org)
        api.create_care_plan(ctx, child_id=child.id, location_id=location.id, start_date=date(2026, 12, 1),
                             days=full_week(), family_id=family.id)
        agreement = agreements.generate_agreements(ctx, child.id)[0]
        s.commit()
        with live.app.test_request_context():
            token = agreements.acceptance_token(ctx, agreement)
        slug, agreement_id = org.slug, agreement.id
    url = f"/o/{slug}/planning/accept/{token}"
    answers = fire([lambda: live.client().post(url, {}) for _ in range(PARALLEL)])
    assert sorted({a.status for a in answers}) == [200], [a.body[:200] for a in answers if a.status != 200][:3]
    assert sum('data-recorded="now"' in a.body for a in answers) == 1
    with live.unit() as s:
        row = s.scalar(select(CareAgreement).where(CareAgreement.id == agreement_id))
        assert row.accepted_via == "link" and row.accepted_at is not None and row.accepted_ip == "127.0.0.1"
