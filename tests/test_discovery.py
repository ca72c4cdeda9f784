"""Discovery: what a target publishes, read once per run, and what the run takes from it."""

from __future__ import annotations

import pytest
from agencies import Answer, agency, document, ok_json, operation, run_check, target

from conformance.client.discovery import Discovery, load_yaml
from conformance.client.http import HttpClient
from conformance.core.errors import PreconditionMissing
from conformance.core.model import Outcome
from conformance.documents.service_levels import DeclaredRate, declared_rate


def test_the_suite_keeps_its_pace_under_the_rate_the_catalogue_declares(reference_target):
    client = HttpClient(reference_target)
    assert client.declared_rps is None
    Discovery(client).apis()
    # the reference agency declares 100 authenticated requests per second and client
    assert client.declared_rps == 100.0
    assert client.declared_per_client


def test_declared_rates_are_read_leniently_and_never_guessed():
    assert declared_rate({"rate_limit": {"requests": 60, "window_s": 60}}) == DeclaredRate(
        1.0, per_client=False
    )
    assert declared_rate({"rate_limit": {"requests": 5, "per": "client"}}) == DeclaredRate(
        5.0, per_client=True
    )
    for unreadable in (
        None,
        {},
        {"rate_limit": "fast"},
        {"rate_limit": {"requests": 0}},
        {"rate_limit": {"requests": True}},
        {"rate_limit": {"window_s": 1}},
    ):
        assert declared_rate(unreadable) is None


YAML_DOCUMENT = b"""openapi: 3.1.0
info: {title: t, version: 1.0.0}
servers:
  - url: "{scheme}://127.0.0.1:{port}/{version}"
    variables:
      scheme: {default: http, enum: [http]}
      port: {default: "PORT"}
      version: {default: v1}
paths:
  /things:
    get:
      operationId: things
      summary: the things
      responses: {"200": {description: ok}, "4XX": {description: refused}}
"""


def test_a_yaml_document_served_as_the_registered_openapi_type_is_read():
    # application/vnd.oai.openapi is OpenAPI's registered YAML media type; the server URL's
    # variables take their defaults, so requests never go to a literal "{version}" path.
    def answer(path: str, _: dict[str, str]) -> Answer:
        if path == "/openapi":
            body = YAML_DOCUMENT.replace(b"PORT", str(port).encode())
            return 200, {"Content-Type": "application/vnd.oai.openapi"}, body
        return 404, {}, b""

    with agency(answer) as (base, _):
        port = int(base.rsplit(":", 1)[1])
        client = HttpClient(target(base, openapi=(f"{base}/openapi",)))
        (document,) = Discovery(client).openapi_documents()
    assert document.server_url() == f"{base}/v1"
    assert document.url_for(next(document.operations()), {}) == f"{base}/v1/things"


def test_a_local_openapi_file_is_read_and_its_relative_servers_are_on_the_target(tmp_path):
    (tmp_path / "api.yaml").write_bytes(
        YAML_DOCUMENT.replace(b'"{scheme}://127.0.0.1:{port}', b'"')
    )
    with agency(lambda path, _: ok_json({})) as (base, seen):
        client = HttpClient(target(base, openapi=(str(tmp_path / "api.yaml"),)))
        (document,) = Discovery(client).openapi_documents()
        result = run_check(
            "DEP-OAS-01", target(base, openapi=(str(tmp_path / "api.yaml"),)), "departmental"
        )
    assert document.server_url() == f"{base}/v1"
    assert seen == []  # nothing fetched: the document is the user's file
    assert result.outcome is Outcome.PASS, result.message
    assert "a local file" in result.message


def test_server_variables_give_no_false_version_finding():
    # DEP-VER-02 reads the path with the server's variables at their defaults: /v1/things.
    with agency(lambda path, _: ok_json({})) as (base, _):
        doc = document(base, {"/things": {"get": operation({"type": "object"})}})
        doc.data["servers"] = [
            {"url": base + "/{version}", "variables": {"version": {"default": "v1"}}}
        ]
        doc.data["info"]["version"] = "1.2.0"
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(
                "conformance.client.discovery.Discovery.openapi_documents", lambda self: [doc]
            )
            result = run_check("DEP-VER-02", target(base), "departmental")
    assert result.outcome is Outcome.PASS, result.message


def test_yaml_is_read_as_yaml_1_2_as_openapi_3_1_says():
    # YAML 1.1 (PyYAML's default) would read NO (Norway) as false and a date as a date object
    data = load_yaml(b"enum: [NO, SE, yes, on, true, False]\nexample: 2024-01-01\n", "it")
    assert data == {"enum": ["NO", "SE", "yes", "on", True, False], "example": "2024-01-01"}


def _deep_catalogue(path: str, _headers: dict[str, str]) -> Answer:
    if path == "/.well-known/api-catalog":
        return 200, {"Content-Type": "application/linkset+json"}, b"[" * 5000 + b"]" * 5000
    return 404, {"Content-Type": "text/plain"}, b""


def test_a_catalogue_nested_past_the_depth_limit_is_unusable_not_a_crash():
    with agency(_deep_catalogue) as (base, _):
        discovery = Discovery(HttpClient(target(base)))
        with pytest.raises(PreconditionMissing, match="nests deeper than 100 levels"):
            discovery.apis()
