"""The KOT client through the jobs outbox, against a local stand-in of Opgroeien's API: sent by
the worker with the bearer token, retried with backoff while the API is down or answers 5xx, a
4xx refusal recorded once, never twice queued; the token encrypted at rest and never shown."""
from __future__ import annotations

import json
import socket
import threading
from datetime import datetime, timedelta
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from sqlalchemy import select, text

from core.clock import BRUSSELS, app_clock
from core.crypto import decrypt
from core.jobs import JITTER, Job, JobStatus, run_pending
from core.models import AuditEntry, OrganisationSetting, PriceRegime
from core.settings import set_setting
from plugins.aanwezigheden.models import KotCredential, ReportSubmission
from plugins.aanwezigheden.services import AttendanceError, kot
from tests.conftest import login
from tests.plugins.aanwezigheden.test_reports import NOV, loc, month_of_care, swagger_validator

TOKEN = "geheim-token-0123456789"
SENT_AT = datetime(2026, 12, 2, 9, 0, tzinfo=BRUSSELS)


class StandIn(BaseHTTPRequestHandler):
    received: list = []
    statuses: list = []  # answers to give, in order; 200 once they are used up

    def do_POST(self):  # noqa: N802
        length = int(self.headers["Content-Length"])
        StandIn.received.append((self.path, dict(self.headers), json.loads(self.rfile.read(length))))
        status = StandIn.statuses.pop(0) if StandIn.statuses else 200
        answer = json.dumps({"success": status == 200, "result": "SUCCESS" if status == 200 else "ERROR",
                             "crlId": "GP_REST_1"}).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)

    def log_message(self, *args):
        pass


@pytest.fixture
def stand_in():
    server = HTTPServer(("127.0.0.1", 0), StandIn)
    StandIn.received = []
    StandIn.statuses = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()


def closed_port_url() -> str:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}"  # nothing listens there any more: connection refused


def configured(session, factory, org, location, planning, url):
    o, _, _ = month_of_care(session, factory, org, location, planning)
    o.price_regime = PriceRegime.VRIJE_PRIJS
    set_setting(session, o, "aanwezigheden.kot_api_url", url)
    kot.set_token(session, o, TOKEN, actor_id=None)
    app_clock().freeze(SENT_AT)
    return o


def run(app):
    return run_pending(app.extensions["koepel_db"], kinds=[kot.JOB_KIND])


def submissions(session, location):
    session.expire_all()
    return list(session.scalars(select(ReportSubmission).where(ReportSubmission.location_id == location.id,
                                                               ReportSubmission.kind == "kot")))


def test_sent_by_the_worker_with_the_token(app, session, factory, org, location, planning, stand_in):
    o = configured(session, factory, org, location, planning, stand_in + "/")
    job, new = kot.queue_send(session, o, loc(session, location), NOV, actor_id=None)
    assert new and job.status == JobStatus.PENDING and StandIn.received == []  # nothing leaves in the request
    again, new_again = kot.queue_send(session, o, loc(session, location), NOV, actor_id=None)
    assert again.id == job.id and not new_again  # pressing twice queues once
    assert run(app).done == 1
    [(path, headers, body)] = StandIn.received
    assert path == "/opvangprestaties" and headers["Authorization"] == f"Bearer {TOKEN}"
    assert headers["X-Correlation-Id"] == f"koepel-kot-{job.id}"
    assert headers["Idempotency-Key"] == f"koepel-kot-{job.id}"  # core.http: the same on every retry
    swagger_validator().validate(body)
    [sub] = submissions(session, location)
    assert sub.ok and sub.http_status == 200 and "GP_REST_1" in sub.response
    # sent: a new press queues a new job (corrected data may be sent again)
    _third, new_third = kot.queue_send(session, o, loc(session, location), NOV, actor_id=None)
    assert new_third


def test_never_lost_while_the_api_is_down(app, session, factory, org, location, planning, stand_in):
    o = configured(session, factory, org, location, planning, closed_port_url())
    job, _ = kot.queue_send(session, o, loc(session, location), NOV, actor_id=None)
    session.commit()
    report = run(app)
    assert report.retried == 1 and report.done == 0
    session.expire_all()
    job = session.get(Job, job.id)
    assert job.status == JobStatus.PENDING and job.attempts == 1 and "onbereikbaar" in job.last_error
    assert SENT_AT + timedelta(seconds=30) <= job.run_at <= SENT_AT + timedelta(seconds=30 * (1 + JITTER))
    assert run(app).retried == 0  # not due yet: backoff
    # the server answers 503, then comes back
    set_setting(session, session.merge(o), "aanwezigheden.kot_api_url", stand_in)
    session.commit()
    StandIn.statuses = [503]
    app_clock().freeze(SENT_AT + timedelta(seconds=37))  # past 30 s plus the largest jitter
    assert run(app).retried == 1
    session.expire_all()
    job = session.get(Job, job.id)
    assert job.attempts == 2
    assert SENT_AT + timedelta(seconds=37 + 60) <= job.run_at <= SENT_AT + timedelta(seconds=37 + 60 * (1 + JITTER))
    assert submissions(session, location) == []  # failed attempts leave no "sent" record
    app_clock().freeze(SENT_AT + timedelta(minutes=5))
    assert run(app).done == 1
    assert len(StandIn.received) == 2  # the 503 and the accepted one
    [sub] = submissions(session, location)
    assert sub.ok
    session.expire_all()
    assert session.get(Job, job.id).status == JobStatus.DONE


def test_a_refusal_is_final_and_shown(app, client, session, factory, org, location, director, planning, stand_in):
    o = configured(session, factory, org, location, planning, stand_in)
    StandIn.statuses = [401]
    kot.queue_send(session, o, loc(session, location), NOV, actor_id=None)
    session.commit()
    assert run(app).done == 1  # a 4xx is an answer, not an outage: no retry
    [sub] = submissions(session, location)
    assert not sub.ok and sub.http_status == 401
    login(client, director)
    page = client.get(f"/o/{org.slug}/aanwezigheden/?month=2026-11").get_data(as_text=True)
    assert "geweigerd (401)" in page


def test_checked_before_queuing(session, factory, org, location, planning, stand_in):
    o = configured(session, factory, org, location, planning, "http://opgroeien.example")
    with pytest.raises(AttendanceError, match="https"):
        kot.queue_send(session, o, loc(session, location), NOV, actor_id=None)
    set_setting(session, o, "aanwezigheden.kot_api_url", "")
    with pytest.raises(AttendanceError, match="geen adres"):
        kot.queue_send(session, o, loc(session, location), NOV, actor_id=None)
    set_setting(session, o, "aanwezigheden.kot_api_url", stand_in)
    kot.set_token(session, o, "", actor_id=None)
    with pytest.raises(AttendanceError, match="toegangssleutel"):
        kot.queue_send(session, o, loc(session, location), NOV, actor_id=None)
    assert session.scalar(select(Job).where(Job.kind == kot.JOB_KIND)) is None


def test_send_button_queues_a_job(app, client, session, factory, org, location, director, planning, stand_in):
    configured(session, factory, org, location, planning, stand_in)
    session.commit()
    login(client, director)
    r = client.post(f"/o/{org.slug}/aanwezigheden/reports/{location.id}/kot/send?month=2026-11")
    assert r.status_code == 302 and StandIn.received == []
    page = client.get(f"/o/{org.slug}/aanwezigheden/?month=2026-11").get_data(as_text=True)
    assert "worden verstuurd" in page and "wacht op verzending" in page
    job = session.scalar(select(Job).where(Job.kind == kot.JOB_KIND))
    assert f'data-job-progress="/o/{org.slug}/jobs/{job.id}"' in page  # the progress component
    assert run(app).done == 1 and len(StandIn.received) == 1
    page = client.get(f"/o/{org.slug}/aanwezigheden/?month=2026-11").get_data(as_text=True)
    assert "verstuurd op" in page
    progress = client.get(f"/o/{org.slug}/jobs/{job.id}").get_json()
    assert progress["status"] == "done" and progress["done"] == 1 and progress["total"] == 2


def test_token_is_encrypted_at_rest_and_never_shown(client, session, factory, org, director):
    from core.models import Organisation

    o = session.get(Organisation, org.id)
    o.price_regime = PriceRegime.VRIJE_PRIJS
    session.commit()
    login(client, director)
    page = client.get(f"/o/{org.slug}/aanwezigheden/kot-api")
    assert page.status_code == 200 and "nog geen toegangssleutel" in page.get_data(as_text=True)
    r = client.post(f"/o/{org.slug}/aanwezigheden/kot-api", data={"token": TOKEN})
    assert r.status_code == 302
    raw = session.execute(text("SELECT token_encrypted FROM aanwezigheden_kot_credential")).scalar()
    assert TOKEN not in raw and decrypt(raw) == TOKEN
    assert kot.get_token(session, o) == TOKEN
    for url in (f"/o/{org.slug}/aanwezigheden/kot-api", f"/o/{org.slug}/settings/"):
        body = client.get(url).get_data(as_text=True)
        assert TOKEN not in body and raw not in body
    assert "sinds" in client.get(f"/o/{org.slug}/aanwezigheden/kot-api").get_data(as_text=True)
    # an empty field keeps the token, "remove" removes it; changes are audited without the value
    assert client.post(f"/o/{org.slug}/aanwezigheden/kot-api", data={"token": ""}).status_code == 422
    assert kot.get_token(session, o) == TOKEN
    assert client.post(f"/o/{org.slug}/aanwezigheden/kot-api", data={"remove": "on"}).status_code == 302
    assert kot.get_token(session, o) is None
    audit = session.scalars(select(AuditEntry).where(AuditEntry.entity == KotCredential.__tablename__)).all()
    assert len(audit) == 2 and all(TOKEN not in json.dumps(a.changes) for a in audit)


def test_a_plain_token_from_an_earlier_version_is_encrypted_and_removed(session, factory, org):
    from core.models import Organisation

    o = session.get(Organisation, org.id)
    session.add(OrganisationSetting(organisation_id=o.id, key=kot.LEGACY_TOKEN_KEY, value=TOKEN))
    session.flush()
    assert kot.get_token(session, o) == TOKEN
    assert session.scalar(select(OrganisationSetting).where(OrganisationSetting.key == kot.LEGACY_TOKEN_KEY)) is None
    raw = session.execute(text("SELECT token_encrypted FROM aanwezigheden_kot_credential")).scalar()
    assert TOKEN not in raw and decrypt(raw) == TOKEN


def test_caregiver_cannot_see_the_token_page(client, session, factory, org, location, caregiver):
    login(client, caregiver)
    assert client.get(f"/o/{org.slug}/aanwezigheden/kot-api").status_code == 403


def test_the_token_is_rotated_with_the_other_encrypted_columns(session, factory, org):
    from core.crypto import encrypted_columns
    from core.db import Base
    from core.models import Organisation

    assert KotCredential.__table__.c.token_encrypted in encrypted_columns(Base.metadata)
    long_token = "eyJ" + "a" * 1500  # a JWT can be long: not limited to 255 characters
    kot.set_token(session, session.get(Organisation, org.id), long_token, actor_id=None)
    session.expire_all()
    assert kot.get_token(session, session.get(Organisation, org.id)) == long_token
