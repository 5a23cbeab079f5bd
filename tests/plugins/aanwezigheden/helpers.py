"""Objects of another organisation for the tenancy contract test (tests/contracts/route_objects.py)."""
from __future__ import annotations

from datetime import timedelta

from core.clock import clock


def victim_device(factory, org, session) -> int:
    from plugins.aanwezigheden.models import Device

    location = factory.location(org)
    device = Device(organisation_id=org.id, location_id=location.id, name="Tablet slachtoffer",
                    token_hash=f"{org.id:064d}", expires_at=clock.now() + timedelta(days=30), failed_pins=0)
    session.add(device)
    session.commit()
    return device.id
