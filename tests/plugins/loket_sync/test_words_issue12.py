"""Issue 12 §4 on the sync page: event types and outcomes in words, an unmapped request's reason
stored as a code with its parameters and shown in the reader's language (a row stored as Dutch
text before still reads)."""
from __future__ import annotations

import json

from flask_babel import force_locale

from plugins.loket_sync.models import EventStatus, InboundRequest
from plugins.loket_sync.services import inbound, outbox
from tests.conftest import login


def test_reason_is_a_code_shown_in_the_readers_language(app):
    stored = inbound.Unmappable("loket_sync.no_location", refs="ELDERS-1").stored()
    assert json.loads(stored) == {"code": "loket_sync.no_location", "params": {"refs": "ELDERS-1"}}
    with app.test_request_context():
        assert inbound.reason_text(stored) == "geen gekende locatie van deze partner (ELDERS-1)"
        with force_locale("fr"):
            assert inbound.reason_text(stored) == "aucun site connu de ce partenaire (ELDERS-1)"
        with force_locale("en"):
            missing = inbound.Unmappable("loket_sync.date_missing", what="desired_start").stored()
            assert inbound.reason_text(missing) == "desired start date is missing"
            assert inbound.reason_text("geweigerd door de wachtlijst: x") == "geweigerd door de wachtlijst: x"  # old row
            assert inbound.reason_text(None) == ""


def test_a_long_reason_still_fits_the_column():
    stored = inbound.Unmappable("loket_sync.no_location", refs="R" * 500).stored()
    assert len(stored) <= 300 and json.loads(stored)["code"] == "loket_sync.no_location"


def test_page_shows_types_outcomes_and_reasons_in_words(client, director, org, session, ctx):
    login(client, director)
    event = outbox.emit(ctx, "placement.started", "placement", "7", {})
    event.status, event.outcome = EventStatus.SENT, "duplicate"
    session.add(InboundRequest(organisation_id=org.id, loket_request_id="LK-1", version=1, status="active",
                               unmapped_reason=inbound.Unmappable("loket_sync.no_child").stored(), payload={}))
    session.add(InboundRequest(organisation_id=org.id, loket_request_id="LK-2", version=1, status="active",
                               unmapped_reason="geen gegevens over de aanvrager", payload={}))
    session.commit()
    client.set_cookie("lang", "fr")
    page = client.get(f"/o/{org.slug}/loket_sync/").text
    assert "placement commencé" in page and "déjà reçu" in page and "aucune donnée sur l&#39;enfant" in page
    assert "placement.started" not in page and "(duplicate)" not in page and "loket_sync.no_child" not in page
    assert "geen gegevens over de aanvrager" in page  # stored as text before: shown as it was
