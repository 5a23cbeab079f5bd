"""Demo: two partners of the demo koepel connected to the reference loket's demo partners
(``koepel loket demo``: demo-a and demo-b, their published demo keys), their first locations
under the loket's location codes, so that the requests filed there reach their waiting lists."""
from __future__ import annotations

import os

from sqlalchemy import select

from core.models import Location

from . import connection
from .outbox import set_location_ref

# organisation slug -> (partner id at the loket, key id, secret, loket codes of its first locations)
DEMO = {
    "vzw-auricula": ("demo-a", "demo-a-1", "demo-a-secret-0123456789abcdef0123456789", ("KOT-100001", "KOT-100002")),
    "vzw-de-speelberg": ("demo-b", "demo-b-1", "demo-b-secret-0123456789abcdef0123456789", ("KOT-200001",)),
}
DEFAULT_URL = "http://127.0.0.1:5050"


def populate(ctx, seed: int) -> None:
    found = DEMO.get(ctx.org.slug)
    if found is None:
        return
    partner_id, key_id, secret, refs = found
    locations = ctx.session.scalars(select(Location).where(Location.organisation_id == ctx.org.id)
                                    .order_by(Location.id).limit(len(refs))).all()
    for location, ref in zip(locations, refs, strict=False):
        set_location_ref(ctx, location, ref)
    connection.configure(ctx, base_url=os.environ.get("KOEPEL_LOKET_URL") or DEFAULT_URL, key_id=key_id,
                         secret=secret, partner_id=partner_id)
