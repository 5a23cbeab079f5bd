"""Optional push (the ``loketRequest`` webhook of docs/loket-api.yaml): each partner with an
inbound URL gets every changed LoketRequest POSTed there, signed with its newest key, in feed
order. ``pushed_seq`` only moves past an entry the partner answered 2xx, so a partner that is down
gets the rest on a later round; pulling by cursor stays the source of truth. Sent with core's one
HTTP client (https, or plain http only to this machine)."""
from __future__ import annotations

import logging
import threading
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from core import http
from loket import registrations
from loket.models import FeedEntry, Partner, Preference, Registration
from loket.partners import current_secret

log = logging.getLogger(__name__)
TIMEOUT = 10.0
ROUND_LIMIT = 200  # requests per partner per round


@dataclass
class PushReport:
    sent: int = 0
    failed: int = 0


def push_pending(app, *, timeout: float = TIMEOUT) -> PushReport:
    """One round for every partner with an inbound URL. Each delivery is committed on its own."""
    report = PushReport()
    db = app.extensions["loket_db"]
    with app.app_context():
        with db.unit_of_work() as sess:
            partner_ids = sess.scalars(select(Partner.id).where(Partner.inbound_url != "", Partner.active.is_(True))
                                       .order_by(Partner.id)).all()
        for partner_id in partner_ids:
            _push_partner(db, partner_id, timeout, report)
    return report


def _push_partner(db, partner_id: str, timeout: float, report: PushReport) -> None:
    with db.unit_of_work() as sess:
        partner = sess.get(Partner, partner_id)
        key = current_secret(sess, partner)
        url, after = partner.inbound_url, partner.pushed_seq
        rows = sess.execute(select(FeedEntry.seq, Registration)
                            .join(Registration, Registration.id == FeedEntry.registration_id)
                            .where(FeedEntry.partner_id == partner_id, FeedEntry.seq > after)
                            .order_by(FeedEntry.seq).limit(ROUND_LIMIT)
                            .options(selectinload(Registration.preferences).selectinload(Preference.location))).all()
        payloads = [(seq, registrations.as_api(reg, partner_id)) for seq, reg in rows]
    if key is None:
        return
    signing = http.Signing(key[0], key[1])
    for seq, payload in payloads:
        error = ""
        try:
            answer = http.post(url, json=payload, signing=signing, timeout=timeout,
                               idempotency_key=f"{payload['loket_request_id']}-v{payload['version']}")
            if not 200 <= answer.status < 300:
                error = f"{answer.status}: {answer.text[:200]}"
        except (http.TemporaryFailure, http.AddressRefused) as exc:
            error = str(exc)[:300]
        with db.unit_of_work() as sess:
            partner = sess.get(Partner, partner_id)
            partner.push_error = error
            if not error:
                partner.pushed_seq = max(partner.pushed_seq, seq)
        if error:
            log.warning("loket push to %s stopped at seq %s: %s", partner_id, seq, error)
            report.failed += 1
            return
        report.sent += 1


def start_push_thread(app, every: float) -> threading.Thread:
    """``koepel loket serve --push-every N``: a daemon thread that pushes every N seconds."""
    stop = threading.Event()

    def loop():
        while not stop.wait(every):
            try:
                push_pending(app)
            except Exception:  # noqa: BLE001 - the next round tries again
                log.exception("loket push round failed")

    thread = threading.Thread(target=loop, name="loket-push", daemon=True)
    thread.stop = stop  # type: ignore[attr-defined]
    thread.start()
    return thread
