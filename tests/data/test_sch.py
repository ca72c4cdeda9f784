"""DATA-SCH-01 and DATA-SCH-02 (conformance/data/sch.py): the failures on the faulted agency, and
the generated requests (conformance/client/generated.py): minimised, deterministic, bounded,
credentials."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from checks_support import Faulted

from conformance.client.generated import Plan, PositiveRunner
from conformance.client.http import Exchange, HttpClient, recording
from conformance.documents.openapi import OpenApiDocument
from conformance.inputs.secrets import SecretRef

from .requirement_sets import GENERATED, PAYLOAD_CHECKS
from .sites import Routes, loopback_target, serving


def test_schema_failure_names_the_operation_the_pointer_and_a_replay(faulted: Faulted) -> None:
    result = faulted("DATA-SCH-01", PAYLOAD_CHECKS)["DATA-SCH-01"]
    assert "GET /licenses" in result.message
    assert "/issued_at" in result.message
    assert "not of type" in result.message
    assert "seed 1" in result.message
    note = next(e for e in result.evidence if e.kind == "validation")
    assert note.detail["check"] == "response_schema_conformance"
    assert note.detail["instance_path"] == "/items/0/issued_at"
    assert note.detail["schema_path"].startswith("/components/schemas/License/")
    assert note.detail["request"]["method"] == "GET"
    assert note.detail["seed"] == 1
    assert note.detail["curl"].startswith("curl ")
    assert result.reproduce.startswith("curl ")


@pytest.mark.slow
def test_a_server_error_names_the_request_its_replay_and_the_seed(faulted: Faulted) -> None:
    result = faulted("DATA-SCH-02", GENERATED)["DATA-SCH-02"]
    assert "GET /licenses/{code}" in result.message
    assert "answered 500" in result.message
    assert "seed 1" in result.message
    note = next(e for e in result.evidence if e.kind == "validation")
    assert note.detail["check"] == "not_a_server_error"
    assert note.detail["request"]["url"].split("/v1/licenses/")[1]  # the generated code
    assert result.reproduce.startswith("curl ")
    assert "/v1/licenses/" in result.reproduce


# -- generation, minimisation, determinism, budget, credentials --------------------------------


NUMBERS_OPENAPI: dict[str, Any] = {
    "openapi": "3.1.0",
    "info": {"title": "numbers", "version": "1"},
    "paths": {
        "/numbers/{n}": {
            "get": {
                "operationId": "getNumber",
                "security": [{"bearer": []}],
                "parameters": [
                    {
                        "name": "n",
                        "in": "path",
                        "required": True,
                        "schema": {"type": "integer", "minimum": 0, "maximum": 1000},
                    }
                ],
                "responses": {
                    "200": {
                        "description": "the number",
                        "content": {
                            "application/json": {
                                "schema": {
                                    "type": "object",
                                    "required": ["n"],
                                    "properties": {"n": {"type": "integer"}},
                                }
                            }
                        },
                    }
                },
            }
        }
    },
    "components": {"securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}}},
}


def numbers_routes() -> Routes:
    """n < 50 answers a valid body; from 50 on, n comes back as a string (a schema violation)."""
    routes: Routes = {}
    for n in range(1001):
        body = {"n": n if n < 50 else str(n)}
        routes[f"/api/numbers/{n}"] = (200, "application/json", json.dumps(body).encode())
    return routes


@contextmanager
def numbers_runner(
    monkeypatch: pytest.MonkeyPatch, seed: int = 7, max_requests: int = 100, token: bool = True
) -> Iterator[tuple[PositiveRunner, list[Exchange]]]:
    monkeypatch.setenv("NUMBERS_TOKEN", "tok-secret-123456")
    with serving(numbers_routes()) as (base, _):
        creds = {"bearer_token": SecretRef(env="NUMBERS_TOKEN")} if token else {}
        client = HttpClient(loopback_target(base, **creds))
        document = OpenApiDocument(
            f"{base}/api/openapi.json", {**NUMBERS_OPENAPI, "servers": [{"url": f"{base}/api"}]}
        )
        plan = Plan(
            frozenset({"GET", "HEAD"}), max_examples=30, max_requests=max_requests, seed=seed
        )
        sent: list[Exchange] = []
        with recording(sent.append):
            yield PositiveRunner(client, document, plan), sent


def test_a_failing_request_is_minimised_and_redacted(monkeypatch: pytest.MonkeyPatch) -> None:
    with numbers_runner(monkeypatch) as (runner, sent):
        outcome = runner.execute()
        evidence = runner.client.evidence(outcome.violations[0].exchange)
    assert outcome.violations, "n >= 50 answers a string where the schema says integer"
    violation = outcome.violations[0]
    assert violation.exchange.url.endswith("/api/numbers/50")  # shrunk to the smallest failure
    assert violation.check == "response_schema_conformance"
    assert violation.instance_path == "/n"
    assert sent[0].request_headers["Authorization"] == "Bearer tok-secret-123456"
    assert "tok-secret-123456" not in json.dumps(evidence.to_dict())
    assert "$CONFORMANCE_TOKEN" in evidence.detail["curl"]


def test_generation_is_deterministic_for_a_seed(monkeypatch: pytest.MonkeyPatch) -> None:
    urls = []
    for _ in range(2):
        with numbers_runner(monkeypatch, seed=11) as (runner, sent):
            runner.execute()
            urls.append([x.url.split("/api/")[1] for x in sent])
    assert urls[0] == urls[1]
    assert len(urls[0]) > 3


def test_the_request_budget_bounds_generation(monkeypatch: pytest.MonkeyPatch) -> None:
    with numbers_runner(monkeypatch, max_requests=3) as (runner, sent):
        outcome = runner.execute()
    assert len(sent) == outcome.sent == 3
    assert outcome.budget_exhausted


def test_protected_operations_are_skipped_without_credentials(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with numbers_runner(monkeypatch, token=False) as (runner, sent):
        outcome = runner.execute()
    assert not sent
    assert "GET /numbers/{n}" in outcome.skipped
    assert "no credentials" in outcome.skipped["GET /numbers/{n}"]
