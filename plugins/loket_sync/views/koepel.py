"""The koepel coordinator's overview: per partner with the module on, the state of the exchange
and the counts (sent, waiting and since when, failed, rejected, unmapped), never what was sent."""
from __future__ import annotations

from flask import render_template
from flask_login import current_user

from core.db import session
from core.security import requires

from ..services import status
from .blueprint import SYNC_KOEPEL, koepel_bp
from .pages import STATES


@koepel_bp.route("/")
@requires(SYNC_KOEPEL)
def koepel_index():
    rows = status.koepel_overview(session(), current_user.koepel_id)
    return render_template("loket_sync/koepel_index.html", rows=rows, states=STATES)
