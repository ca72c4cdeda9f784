"""DEP-OAS-01 (conformance/departmental/oas.py): both ways on the reference agency, and on a
loopback site publishing hostile or unusual OpenAPI documents."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest
from checks_support import ACROSS_LEVELS, assert_only, run

from conformance.core.model import Outcome
from conformance.reference import running_reference

from .departmental_profile import run_departmental
from .samples import alias_bomb, minimal
from .sites import Site, site_target


def test_invalid_openapi_fault_fails_with_the_validator_message_and_path():
    with running_reference(("DEP-OAS-01",)) as target:
        results = run(target, ACROSS_LEVELS)
    assert_only("DEP-OAS-01", results)
    result = results["DEP-OAS-01"]
    assert "$.paths['/health'].get.responses" in result.message
    assert "'description' is a required property" in result.message.replace('"', "'")
    [note] = [e for e in result.evidence if e.kind == "validation"]
    assert note.detail["problems"][0]["json_path"].startswith("$.paths['/health']")


# -- documents on a loopback site ------------------------------------------------------------


OAS_CASES: list[tuple[str, Callable[[Site], None], Outcome, str]] = [
    (
        "yaml-3.0",
        lambda s: s.publish(
            b"openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths: {}\n", "application/yaml"
        ),
        Outcome.PASS,
        "OpenAPI 3.0.3",
    ),
    (
        "swagger-2.0",
        lambda s: s.publish(json.dumps({"swagger": "2.0", "info": {}, "paths": {}}).encode()),
        Outcome.FAIL,
        "declares swagger: '2.0'; expected OpenAPI 3.0.x or 3.1.x",
    ),
    (
        "unknown-version",
        lambda s: s.publish(json.dumps(minimal("4.0.0")).encode()),
        Outcome.FAIL,
        "declares openapi: '4.0.0'",
    ),
    (
        "html",
        lambda s: s.publish(b"<html><body>API docs: see elsewhere</body></html>", "text/html"),
        Outcome.FAIL,
        "is not a JSON or YAML document",
    ),
    (
        "broken-json",
        lambda s: s.publish(b'{"openapi": "3.1.0", ', "application/json"),
        Outcome.FAIL,
        "is not a JSON or YAML document: not JSON",
    ),
    (
        "missing",
        lambda s: (s.publish(b"{}"), s.routes.pop("/openapi")),
        Outcome.FAIL,
        "answered 404, expected 200",
    ),
    (
        "alias-bomb",
        lambda s: s.publish(alias_bomb(), "application/yaml"),
        Outcome.FAIL,
        "expands to more than",
    ),
    (
        "off-target-ref",
        lambda s: s.publish(
            json.dumps(
                minimal(components={"schemas": {"Secret": {"$ref": "file:///etc/passwd"}}})
            ).encode()
        ),
        Outcome.ERROR,
        "refers to file:///etc/passwd, which is not on the target's hosts",
    ),
]


@pytest.mark.parametrize(
    ("publish", "outcome", "expected"),
    [case[1:] for case in OAS_CASES],
    ids=[case[0] for case in OAS_CASES],
)
def test_openapi_documents_that_are_not_valid_3x(site, publish, outcome, expected):
    publish(site)
    result = run(site_target(site), ("DEP-OAS-01",))["DEP-OAS-01"]
    assert result.outcome is outcome, result.message
    assert expected in result.message


def test_an_oversized_openapi_document_is_cut_off_by_the_client_limit(site):
    site.publish(json.dumps(minimal(description="x" * 200_000)).encode())
    result = run(site_target(site, max_response_bytes=50_000), ("DEP-OAS-01",))["DEP-OAS-01"]
    assert result.outcome is Outcome.ERROR
    assert "larger than the 50000-byte limit" in result.message


def test_an_unusable_openapi_document_skips_the_requirements_that_read_it(site):
    site.catalog()
    site.routes["/openapi"] = (200, "application/json", b'{"openapi": "3.1.0", "info": ')
    results = run_departmental(site_target(site))
    assert results["DEP-OAS-01"].outcome is Outcome.FAIL
    for rid in ("DEP-OAS-02", "DEP-OAS-03", "DEP-VER-01", "DEP-VER-02", "DEP-DEP-01"):
        assert results[rid].outcome is Outcome.SKIP
        assert "depends on DEP-OAS-01" in results[rid].message
