"""docs/loket-api.yaml is a valid OpenAPI 3.1 document, its examples match their schemas, and the
loket package ships the same file."""
from __future__ import annotations

from pathlib import Path

import jsonschema
import yaml
from openapi_spec_validator import validate
from openapi_spec_validator.readers import read_from_filename

ROOT = Path(__file__).resolve().parents[2]
SPEC = ROOT / "docs" / "loket-api.yaml"


def test_spec_is_valid_openapi_3_1():
    spec, _ = read_from_filename(str(SPEC))
    assert spec["openapi"].startswith("3.1")
    validate(spec)


def test_package_ships_the_same_spec():
    from importlib import resources

    assert resources.files("loket").joinpath("loket-api.yaml").read_bytes() == SPEC.read_bytes()


def _validator(spec, ref):
    schema = {"$ref": ref, "components": spec["components"]}
    return jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker())


def test_examples_match_their_schemas():
    spec = yaml.safe_load(SPEC.read_text())
    examples = spec["components"]["examples"]
    batch = _validator(spec, "#/components/schemas/EventBatch")
    batch.validate(examples["VacancyBatch"]["value"])
    batch.validate(examples["PlacementBatch"]["value"])
    _validator(spec, "#/components/schemas/RequestPage").validate(examples["RequestPage"]["value"])


def test_schema_refuses_what_the_contract_forbids():
    spec = yaml.safe_load(SPEC.read_text())
    batch = _validator(spec, "#/components/schemas/EventBatch")
    good = spec["components"]["examples"]["VacancyBatch"]["value"]
    event = good["events"][0]
    bad_cases = [
        {"events": []},
        {"events": [dict(event, type="vacancy.exploded")]},
        {"events": [dict(event, data=dict(event["data"], national_number="85010112345"))]},
        {"events": [dict(event, data=dict(event["data"], month="2027-13"))]},
        {"events": [dict(event, aggregate={"type": "placement", "id": "x"})]},
        {"events": [event] * 501},
    ]
    for case in bad_cases:
        assert not batch.is_valid(case), case
    request = spec["components"]["examples"]["RequestPage"]["value"]["requests"][0]
    page = _validator(spec, "#/components/schemas/LoketRequest")
    assert not page.is_valid(dict(request, child=dict(request["child"], national_number="85010112345")))
