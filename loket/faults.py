"""Fault injection for reliability tests (LOKET_FAULTS / ``--faults``): a WSGI wrapper around the
API (``/api/v1/`` except health) that, drawn per request from a seeded generator,

* answers 503 **before** the request is handled (``error_rate``),
* handles the request and then sleeps ``timeout_seconds`` before answering (``timeout_rate``:
  the client times out although the loket applied the batch),
* handles the request and then drops the connection without an answer (``drop_rate``).

The two last are the hard cases for exactly-once delivery: the sender cannot know the batch was
applied and must send it again."""
from __future__ import annotations

import json
import logging
import random
import socket
import threading
import time
from dataclasses import dataclass

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Faults:
    error_rate: float = 0.0
    timeout_rate: float = 0.0
    drop_rate: float = 0.0
    seed: int | None = None
    timeout_seconds: float = 35.0

    @classmethod
    def parse(cls, value) -> Faults | None:
        if not value:
            return None
        if isinstance(value, str):
            value = json.loads(value)
        if isinstance(value, Faults):
            return value
        faults = cls(**value)
        for rate in (faults.error_rate, faults.timeout_rate, faults.drop_rate):
            if not 0 <= rate <= 1:
                raise ValueError("fault rates lie between 0 and 1")
        if faults.error_rate + faults.timeout_rate + faults.drop_rate > 1:
            raise ValueError("the fault rates add up to more than 1")
        return faults


class DroppedConnection(ConnectionError):
    """In-process (no socket): what a dropped connection looks like to a test client."""


class FaultInjector:
    def __init__(self, app, faults: Faults) -> None:
        self.app = app
        self.faults = faults
        self.random = random.Random(faults.seed)
        self.lock = threading.Lock()
        self.counts = {"error": 0, "timeout": 0, "drop": 0, "ok": 0}

    def draw(self) -> str:
        with self.lock:
            roll = self.random.random()
        f = self.faults
        if roll < f.error_rate:
            return "error"
        if roll < f.error_rate + f.timeout_rate:
            return "timeout"
        if roll < f.error_rate + f.timeout_rate + f.drop_rate:
            return "drop"
        return "ok"

    def __call__(self, environ, start_response):
        path = environ.get("PATH_INFO", "")
        if not path.startswith("/api/v1/") or path == "/api/v1/health":
            return self.app(environ, start_response)
        fault = self.draw()
        with self.lock:
            self.counts[fault] += 1
        if fault == "error":
            body = json.dumps({"error": {"code": "unavailable", "message": "injected fault"}}).encode()
            start_response("503 Service Unavailable", [("Content-Type", "application/json"),
                                                       ("Content-Length", str(len(body)))])
            return [body]
        if fault == "ok":
            return self.app(environ, start_response)
        captured = {}

        def keep(status, headers, exc_info=None):
            captured["status"], captured["headers"] = status, headers
            return lambda data: None

        chunks = b"".join(self.app(environ, keep))  # handled (and committed) in full
        if fault == "timeout":
            time.sleep(self.faults.timeout_seconds)
            start_response(captured["status"], captured["headers"])
            return [chunks]
        log.info("loket faults: dropping the connection after handling %s", path)
        sock = environ.get("werkzeug.socket")
        if sock is None:
            raise DroppedConnection("injected: connection dropped")
        try:
            sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        sock.close()
        raise DroppedConnection("injected: connection dropped")  # werkzeug: a quiet "connection dropped"
