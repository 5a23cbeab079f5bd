"""A small stand-in loket on loopback for the transport tests: verifies the signature (core.http),
applies events once per id and by sequence per aggregate, answers as docs/loket-api.yaml says,
and can be told to misbehave for the next requests (status, garbage, slowness)."""
from __future__ import annotations

import json
import threading
import time
from collections import Counter

from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

from core.http import SignatureRefused, verify_request


class FakeLoket:
    def __init__(self, key_id: str, secret: str, partner: str, other_refs=(), clock=None) -> None:
        self.clock = clock  # the app's Clock (tests freeze it); None: real time
        self.key_id, self.secret, self.partner = key_id, secret.encode(), partner
        self.other_refs = set(other_refs)  # locations of another partner
        self.received: Counter[str] = Counter()   # event id -> times applied (must stay 1)
        self.latest: dict[tuple, int] = {}        # (type, id) -> highest sequence
        self.vacancies: dict[str, int] = {}       # aggregate id -> free places (not withdrawn)
        self.faults: list = []                    # next answers: int status, "garbage", ("sleep", s)
        self.requests: list[dict] = []            # what GET /requests serves
        self.calls: list[tuple[str, str]] = []
        self.lock = threading.Lock()
        self.server = make_server("127.0.0.1", 0, self.wsgi, threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()

    def _json(self, status, body):
        return Response(json.dumps(body), status=status, mimetype="application/json")

    def wsgi(self, environ, start_response):
        req = Request(environ)
        return self.handle(req)(environ, start_response)

    def handle(self, req: Request) -> Response:
        self.calls.append((req.method, req.path))
        with self.lock:
            fault = self.faults.pop(0) if self.faults else None
        if isinstance(fault, tuple) and fault[0] == "sleep":
            time.sleep(fault[1])
        elif fault == "garbage":
            return Response("<html>oops", status=200, mimetype="text/html")
        elif isinstance(fault, int):
            return self._json(fault, {"error": "injected"})
        body = req.get_data()
        try:
            verify_request(req.method, req.url, dict(req.headers), body or None,
                           secret_for=lambda k: self.secret if k == self.key_id else None,
                           now=self.clock.now() if self.clock is not None else None)
        except SignatureRefused as exc:
            return self._json(401, {"error": exc.code})
        if req.path == "/api/v1/requests":
            return self._json(200, {"requests": self.requests, "next_cursor": "c1", "has_more": False})
        if req.path != "/api/v1/events":
            return self._json(404, {"error": "not_found"})
        if not req.headers.get("Idempotency-Key"):
            return self._json(400, {"error": "idempotency_key_missing"})
        events = json.loads(body)["events"]
        out = {"accepted": [], "duplicates": [], "stale": [], "rejected": []}
        with self.lock:
            for e in events:
                ref = (e["data"].get("location") or {}).get("ref")
                if ref in self.other_refs:
                    out["rejected"].append({"id": e["id"], "code": "location_of_other_partner", "message": ref})
                    continue
                if e["partner"] != self.partner:
                    out["rejected"].append({"id": e["id"], "code": "partner_mismatch", "message": e["partner"]})
                    continue
                if self.received[e["id"]]:
                    out["duplicates"].append(e["id"])
                    continue
                self.received[e["id"]] += 1
                agg = (e["aggregate"]["type"], e["aggregate"]["id"])
                if e["sequence"] <= self.latest.get(agg, 0):
                    out["stale"].append(e["id"])
                    continue
                self.latest[agg] = e["sequence"]
                if agg[0] == "vacancy":
                    if e["type"] == "vacancy.withdrawn":
                        self.vacancies.pop(agg[1], None)
                    else:
                        self.vacancies[agg[1]] = e["data"]["free_places"]
                out["accepted"].append(e["id"])
        return self._json(200, out)
