"""The reference loket (``loket/``) served on loopback by a threaded WSGI server, with its own
SQLite database in the test's folder, and a partner whose key the koepel side uses."""
from __future__ import annotations

import threading
from dataclasses import dataclass

from werkzeug.serving import make_server


@dataclass
class ReferenceLoket:
    app: object
    url: str
    partner: str
    key_id: str
    secret: str
    server: object
    thread: threading.Thread

    def unit(self):
        return _Unit(self.app)

    def received(self) -> dict[str, int]:
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

    def stop(self) -> None:
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


def start(tmp_path, partner: str, *, faults: dict | None = None, locations=()) -> ReferenceLoket:
    from loket import create_app
    from loket.partners import add_partner

    folder = tmp_path / "loket"
    folder.mkdir(exist_ok=True)
    app = create_app({"DATABASE_URL": f"sqlite:///{folder / 'loket.db'}", "LOKET_DATA_DIR": str(folder),
                      "SECRET_KEY": "loket-test", "LOKET_FAULTS": faults or "", "LOKET_STRICT_RESPONSES": True,
                      "LOKET_PASSWORD_HASH_FAST": True, "TESTING": False})
    with _Unit(app) as sess:
        key_id, secret = add_partner(sess, partner, f"Partner {partner}", locations=locations)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    return ReferenceLoket(app, f"http://127.0.0.1:{server.server_port}", partner, key_id, secret, server, thread)
