"""The OpenAPI validation of DEP-OAS-01 (conformance/departmental/oas_validation.py): capped,
located messages, no fetch off the target, bounded YAML."""

from __future__ import annotations

import pytest

from conformance.client.http import HttpClient
from conformance.core.errors import Inconclusive
from conformance.departmental.oas_validation import bounded, load_document, validate_openapi
from conformance.inputs.target import Target

from .samples import alias_bomb, answer_of, minimal


def test_validator_messages_are_capped_and_located():
    client = HttpClient(Target(name="t", base_url="https://127.0.0.1:9"))
    responses = {str(code): {"content": {}} for code in range(200, 215)}
    doc = minimal(paths={"/x": {"get": {"responses": responses}}})
    result = validate_openapi(doc, "https://127.0.0.1:9/openapi.json", client, max_problems=4)
    assert len(result.problems) == 4
    assert result.more
    assert all(p.json_path.startswith("$.paths['/x'].get.responses") for p in result.problems)


def test_external_refs_on_other_hosts_are_never_fetched():
    client = HttpClient(Target(name="t", base_url="https://127.0.0.1:9"))
    doc = minimal(components={"schemas": {"A": {"$ref": "https://192.0.2.7/evil.json"}}})
    with pytest.raises(Inconclusive, match=r"192\.0\.2\.7"):
        validate_openapi(doc, "https://127.0.0.1:9/openapi.json", client, max_problems=10)


def test_yaml_bombs_are_bounded():
    with pytest.raises(ValueError, match="expands to more than 1000 nodes"):
        bounded(load_document(answer_of(200, "application/yaml", alias_bomb())), limit=1000)
