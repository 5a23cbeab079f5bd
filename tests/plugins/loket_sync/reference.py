"""The reference loket (``loket/``) served on loopback by a threaded WSGI server, with its own
SQLite database in the test's folder, and a partner whose key the koepel side uses."""
from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from werkzeug.serving import make_server


@dataclass
class ReferenceLoket:
    app: object
    url: str
    partner: str
    key_id: str
    secret: str
    server: object = None
    thread: threading.Thread | None = None
    process: subprocess.Popen | None = None

    def unit(self):
        return _Unit(self.app)

    def received(self) -> dict[str, int]:  # noqa: D102
        """event id -> times received (each id is stored once)."""
        from sqlalchemy import select

        from loket.models import ReceivedEvent

        with self.unit() as sess:
            return dict(sess.execute(select(ReceivedEvent.event_id, ReceivedEvent.times_received).where(
                ReceivedEvent.partner_id == self.partner)).all())

    def vacancies(self) -> dict[str, int]:
        """aggregate id -> free places of what the loket holds as not withdrawn."""
        from loket.events import partner_vacancies
        from loket.models import Partner

        with self.unit() as sess:
            return {v["aggregate_id"]: v["free_places"]
                    for v in partner_vacancies(sess, sess.get(Partner, self.partner))}

    def state(self) -> dict:
        """What ``GET /state`` answers (counts and checksums)."""
        from loket.events import partner_state
        from loket.models import Partner

        with self.unit() as sess:
            return partner_state(sess, sess.get(Partner, self.partner))

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
        else:
            self.server.shutdown()
            self.thread.join(10)
        self.app.extensions["loket_db"].engine.dispose()


class _Unit:
    def __init__(self, app) -> None:
        self.app = app

    def __enter__(self):
        self.ctx = self.app.app_context()
        self.ctx.push()
        self.cm = self.app.extensions["loket_db"].unit_of_work()
        return self.cm.__enter__()

    def __exit__(self, *exc):
        try:
            return self.cm.__exit__(*exc)
        finally:
            self.ctx.pop()


def _prepare(tmp_path, partner, faults, locations):
    from loket import create_app
    from loket.partners import add_partner

    folder = tmp_path / "loket"
    folder.mkdir(exist_ok=True)
    app = create_app({"DATABASE_URL": f"sqlite:///{folder / 'loket.db'}", "LOKET_DATA_DIR": str(folder),
                      "SECRET_KEY": "loket-test", "LOKET_FAULTS": faults or "", "LOKET_STRICT_RESPONSES": True,
                      "LOKET_PASSWORD_HASH_FAST": True, "TESTING": False})
    with _Unit(app) as sess:
        key_id, secret = add_partner(sess, partner, f"Partner {partner}", locations=locations)
    return app, folder, key_id, secret


def start_process(tmp_path, partner: str, *, faults: dict | None = None, locations=()) -> ReferenceLoket:
    """``koepel loket serve`` in its own process (its own interpreter: the loket's work does not
    slow the test's); the returned app reads the same database for the checks."""
    app, folder, key_id, secret = _prepare(tmp_path, partner, None, locations)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = dict(os.environ, KOEPEL_DATA_DIR=str(folder), LOKET_SECRET_KEY="loket-test")
    command = [str(Path(sys.executable).with_name("koepel")), "loket", "serve", "--port", str(port),
               "--database", f"sqlite:///{folder / 'loket.db'}"] + (["--faults", json.dumps(faults)] if faults else [])
    log = open(folder / "serve.log", "ab")  # noqa: SIM115
    process = subprocess.Popen(command, env=env, stdout=log, stderr=log)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            urllib.request.urlopen(f"{url}/api/v1/health", timeout=1).read()  # noqa: S310 (loopback)
            break
        except OSError:
            if time.monotonic() > deadline or process.poll() is not None:
                process.kill()
                raise RuntimeError((folder / "serve.log").read_text()[-2000:]) from None
            time.sleep(0.1)
    return ReferenceLoket(app, url, partner, key_id, secret, process=process)


def start(tmp_path, partner: str, *, faults: dict | None = None, locations=()) -> ReferenceLoket:
    """The loket in a thread of this process."""
    app, folder, key_id, secret = _prepare(tmp_path, partner, faults, locations)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    return ReferenceLoket(app, f"http://127.0.0.1:{server.server_port}", partner, key_id, secret, server=server,
                          thread=thread)
