"""Objects beyond the tenancy route objects that make state-dependent forms appear on the walked
pages: an open offer on the walked request (answer on behalf of the parent), an offline
registration the server refused (the director decides), a child in two households (a kindcode
per household)."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta


def add_states(factory, org, session, values) -> None:
    from core.clock import clock
    from core.models import Child, ChildFamily
    from plugins.aanwezigheden.models import RejectedItem
    from plugins.wachtlijst.models import CareRequest, Offer, OfferStatus, Status

    req = session.get(CareRequest, values["request_id"])
    session.add(Offer(organisation_id=org.id, request_id=req.id, location_id=req.preferences[0].location_id,
                      start_date=clock.today(), deadline=clock.today() + timedelta(days=10),
                      status=OfferStatus.OPEN))
    req.status = Status.OFFER_MADE
    child = session.get(Child, values["child_id"])
    session.add(RejectedItem(organisation_id=org.id, client_id="walk-1", location_id=child.location_id,
                             item_type="absence", payload={"child_id": child.id, "day": "2026-11-16"},
                             message="geen opvang gepland", received_at=datetime(2026, 11, 16, 9, tzinfo=UTC)))
    second = factory.family(org, name="Tweede Gezin")
    session.add(ChildFamily(organisation_id=org.id, child_id=child.id, family_id=second.id))
    session.commit()
