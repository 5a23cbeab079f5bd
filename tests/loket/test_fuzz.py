"""schemathesis against the reference loket (in-process WSGI): generated requests of every
operation, valid and invalid, signed by a WSGI wrapper (as a partner would) so that the fuzz gets
past the signature to the handlers. No answer may be a server error, and every answer must match
docs/loket-api.yaml (status, content type, schema)."""
from __future__ import annotations

import io
import json
import os

import pytest
import schemathesis
import yaml
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from core import http
from loket.api import target_uri
from tests.loket.conftest import assign, file_request

SPEC = "docs/loket-api.yaml"
EXAMPLES = int(os.environ.get("LOKET_FUZZ_EXAMPLES", "60"))  # more for a longer hunt


class SigningMiddleware:
    """Signs every request like core.http.request does; half of the generated events are sent in
    the partner's own name (the others are rejected as partner_mismatch: still handled)."""

    def __init__(self, app, partner):
        self.app = app
        self.partner = partner
        self.batches = 0

    def __call__(self, environ, start_response):
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length) if length else None
        body = self._own_partner(body)
        headers = {}
        for name in ("CONTENT_TYPE",):
            if environ.get(name):
                headers["Content-Type"] = environ[name]
        if environ.get("HTTP_IDEMPOTENCY_KEY"):  # one key per generated batch, as a sender does
            self.batches += 1
            environ["HTTP_IDEMPOTENCY_KEY"] = headers["Idempotency-Key"] = (
                f"{environ['HTTP_IDEMPOTENCY_KEY'][:150]}-{self.batches}")
        signed = http.sign(environ["REQUEST_METHOD"], target_uri(environ), headers, body, self.partner.signing)
        for name in ("Signature", "Signature-Input", "Content-Digest"):
            if name in signed:
                environ["HTTP_" + name.upper().replace("-", "_")] = signed[name]
        environ["wsgi.input"] = io.BytesIO(body or b"")
        environ["CONTENT_LENGTH"] = str(len(body or b""))
        return self.app(environ, start_response)

    def _own_partner(self, body):
        try:
            data = json.loads(body) if body else None
        except ValueError:
            return body
        if isinstance(data, dict) and isinstance(data.get("events"), list):
            for index, event in enumerate(data["events"]):
                if isinstance(event, dict) and index % 2 == 0:
                    event["partner"] = self.partner.id
            return json.dumps(data).encode()
        return body


def _schema():
    with open(SPEC, encoding="utf-8") as handle:
        spec = yaml.safe_load(handle)
    spec["servers"] = [{"url": "/api/v1"}]
    return schemathesis.openapi.from_dict(spec)


SCHEMA = _schema()
OPERATIONS = {op.ok().label: op.ok() for op in SCHEMA.get_all_operations()}


@pytest.mark.parametrize("label", sorted(OPERATIONS))
def test_fuzz_the_loket_api(label, loket_app, partner):
    """Each operation: valid and invalid generated requests, 0 server errors, answers as specified."""
    assign(loket_app, partner.id, "KOT-A")
    for i in range(3):
        file_request(loket_app, ["KOT-A"], child=f"Kind{i}", born=f"2026-0{i + 1}-01")
    signed_app = SigningMiddleware(loket_app, partner)
    SCHEMA.app = signed_app
    operation = OPERATIONS[label]
    seen = []

    @given(case=operation.as_strategy(generation_mode=GenerationMode.POSITIVE)
           | operation.as_strategy(generation_mode=GenerationMode.NEGATIVE))
    @settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True,
              database=None)
    def run(case):
        response = case.call_and_validate(app=signed_app, checks=[
            not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance])
        seen.append(response.status_code)

    run()
    assert seen and max(seen) < 500
    if label != "GET /health":
        assert 200 in seen, f"the fuzz never got past the signature and the schema: {sorted(set(seen))}"
