"""Departmental checks DEP-OAS-01 and DEP-ERR-01: both ways on the reference agency, and on a
small loopback server that publishes hostile or unusual documents."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import requests
from checks_support import assert_only, loopback_http, run, site_target

from conformance.client.http import Exchange, HttpClient
from conformance.core.errors import Inconclusive
from conformance.core.model import Outcome
from conformance.departmental.oas_validation import bounded, load_document, validate_openapi
from conformance.departmental.problem_details import problem_defects
from conformance.inputs.target import Target
from conformance.reference import running_reference

MIXED_LEVEL_CHECKS = ("DEP-OAS-01", "DEP-ERR-01", "NET-TLS-01", "NET-HSTS-01", "NET-AUTH-01")
DEPARTMENTAL = ("DEP-OAS-01", "DEP-ERR-01")
Response = tuple[int, str, bytes]


# -- both ways on the reference agency --------------------------------------------------------
def test_departmental_checks_pass_on_the_conformant_agency(clean):
    results = run(clean, DEPARTMENTAL)
    assert {r: x.outcome for r, x in results.items()} == dict.fromkeys(DEPARTMENTAL, Outcome.PASS)
    assert "OpenAPI 3.1.0" in results["DEP-OAS-01"].message
    assert "unknown path → 404" in results["DEP-ERR-01"].message


def test_invalid_openapi_fault_fails_with_the_validator_message_and_path():
    with running_reference(("DEP-OAS-01",)) as target:
        results = run(target, MIXED_LEVEL_CHECKS)
    assert_only("DEP-OAS-01", results)
    result = results["DEP-OAS-01"]
    assert "$.paths['/health'].get.responses" in result.message
    assert "'description' is a required property" in result.message.replace('"', "'")
    [note] = [e for e in result.evidence if e.kind == "validation"]
    assert note.detail["problems"][0]["json_path"].startswith("$.paths['/health']")


def test_error_format_fault_fails_naming_the_media_type():
    with running_reference(("DEP-ERR-01",)) as target:
        results = run(target, MIXED_LEVEL_CHECKS)
    assert_only("DEP-ERR-01", results)
    assert (
        "'application/json', expected 'application/problem+json'" in results["DEP-ERR-01"].message
    )


# -- a small loopback server publishing what a test gives it -------------------------------------
class Site:
    """Routes of a plain-HTTP loopback server: path → (status, content type, body)."""

    def __init__(self) -> None:
        self.routes: dict[str, Response] = {}
        self.fallback: Response = (404, "text/plain", b"not found")
        self.base_url = ""

    def publish(self, openapi: bytes, media_type: str = "application/json") -> None:
        """A catalogue linking one service-desc, and that document."""
        catalog = {
            "linkset": [
                {
                    "anchor": f"{self.base_url}/api",
                    "service-desc": [{"href": f"{self.base_url}/openapi"}],
                    "service-doc": [{"href": f"{self.base_url}/docs"}],
                    "status": [{"href": f"{self.base_url}/health"}],
                }
            ]
        }
        body = json.dumps(catalog).encode()
        self.routes["/.well-known/api-catalog"] = (200, "application/linkset+json", body)
        self.routes["/openapi"] = (200, media_type, openapi)


@pytest.fixture
def site() -> Iterator[Site]:
    """A running Site on 127.0.0.1."""
    routes = Site()

    def answer(path: str) -> tuple[int, dict[str, str], bytes]:
        status, media_type, body = routes.routes.get(path, routes.fallback)
        return status, {"Content-Type": media_type}, body

    with loopback_http(answer) as base_url:
        routes.base_url = base_url
        yield routes


def minimal(version: str = "3.1.0", **extra: Any) -> dict[str, Any]:
    doc: dict[str, Any] = {"openapi": version, "info": {"title": "t", "version": "1"}}
    doc["paths"] = {}
    return doc | extra


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


def alias_bomb() -> bytes:
    lines = ['a0: &a0 ["x", "x", "x", "x", "x", "x", "x", "x", "x", "x"]']
    for level in range(1, 9):
        refs = ", ".join([f"*a{level - 1}"] * 10)
        lines.append(f"a{level}: &a{level} [{refs}]")
    return ("\n".join(lines) + "\nopenapi: 3.1.0\n").encode()


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


# -- RFC 9457 ----------------------------------------------------------------------------------
def answer_of(status: int, media_type: str, body: bytes) -> Exchange:
    headers: requests.structures.CaseInsensitiveDict[str] = requests.structures.CaseInsensitiveDict(
        {"Content-Type": media_type}
    )
    return Exchange("GET", "https://127.0.0.1:9/x", {}, None, status, headers, body, 0.01)


@pytest.mark.parametrize(
    ("body", "defect"),
    [
        ({"type": "https://e.example/p/nf", "title": "Not Found", "status": 404}, None),
        ({"title": "Not Found", "status": 404}, None),  # absent type means about:blank (§3.1.1)
        ({"type": 7, "title": "Not Found", "status": 404}, "type is 7"),
        ({"type": "about:blank", "status": 404}, "title is None"),
        ({"type": "about:blank", "title": "Not Found", "status": 400}, "status is 400, but"),
        ({"type": "about:blank", "title": "Not Found", "status": "404"}, "status is '404'"),
        (["not", "an", "object"], "expected an object"),
    ],
)
def test_problem_details_members(body, defect):
    found = problem_defects(answer_of(404, "application/problem+json", json.dumps(body).encode()))
    if defect is None:
        assert found == []
    else:
        assert any(defect in d for d in found), found


def test_problem_details_need_their_media_type():
    [defect] = problem_defects(answer_of(404, "application/json", b'{"title":"x","status":404}'))
    assert "expected 'application/problem+json'" in defect


def problem_site(site: Site, body: dict[str, Any]) -> Target:
    site.publish(json.dumps(minimal(servers=[{"url": f"{site.base_url}/api"}])).encode())
    site.fallback = (404, "application/problem+json", json.dumps(body).encode())
    return site_target(site)


def test_error_check_accepts_problems_without_type(site):
    target = problem_site(site, {"title": "Not Found", "status": 404})
    result = run(target, ("DEP-ERR-01",))["DEP-ERR-01"]
    assert result.outcome is Outcome.PASS, result.message


def test_error_check_fails_when_status_member_differs(site):
    target = problem_site(site, {"type": "about:blank", "title": "Not Found", "status": 500})
    result = run(target, ("DEP-ERR-01",))["DEP-ERR-01"]
    assert result.outcome is Outcome.FAIL
    assert "status is 500, but the HTTP status is 404" in result.message
