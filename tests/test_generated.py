"""Generated requests (conformance/client/generated.py) on small agencies written for each case:
the request budget shared by operation, a failure that stops only its own operation, remote
`$ref`s fetched only through the suite's client, coverage-honest verdicts, and negative cases
whose Authorization header is the violation."""

from __future__ import annotations

import dataclasses
import json
from typing import Any

import pytest
from agencies import Answer, agency, document, ok_json, operation, run_check, target

from conformance.client.generated import GeneratedRunner, Plan, negative_run
from conformance.client.http import HttpClient
from conformance.core.model import Outcome
from conformance.inputs.secrets import SecretRef
from conformance.inputs.target import ApiKey

OBJECT = {"type": "object", "properties": {"n": {"type": "integer"}}, "required": ["n"]}


def test_every_operation_gets_its_share_of_the_budget() -> None:
    with agency(lambda path, _: ok_json({"n": 1})) as (base, seen):
        query = [{"name": "q", "in": "query", "required": True, "schema": {"type": "integer"}}]
        paths = {
            f"/op{i}": {"get": operation(OBJECT, operationId=f"op{i}", parameters=query)}
            for i in range(4)
        }
        plan = Plan(frozenset({"GET"}), max_examples=50, max_requests=8, seed=1)
        run = GeneratedRunner(HttpClient(target(base)), document(base, paths), plan).execute()
    assert sorted(run.exercised) == [f"GET /op{i}" for i in range(4)]
    assert not run.skipped
    assert run.sent == len(seen) == 8
    by_path = [path.split("?")[0] for path in seen]
    assert {path: by_path.count(path) for path in set(by_path)} == {f"/op{i}": 2 for i in range(4)}


def test_an_operation_that_gets_no_answer_stops_only_itself() -> None:
    def answer(path: str, _: dict[str, str]) -> Answer:
        if path == "/big":
            return ok_json({"n": 1, "pad": "x" * 5000})  # past the size limit below
        return ok_json({"n": 1})

    with agency(answer) as (base, _):
        paths = {
            "/big": {"get": operation(OBJECT, operationId="big")},
            "/fine": {"get": operation(OBJECT, operationId="fine")},
        }
        client = HttpClient(target(base).with_safety(max_response_bytes=1000))
        plan = Plan(frozenset({"GET"}), max_examples=5, max_requests=20, seed=1)
        run = GeneratedRunner(client, document(base, paths), plan).execute()
    assert "larger than the 1000-byte limit" in run.transport_errors["GET /big"]
    assert run.judged() == ["GET /fine"]


def test_a_ref_to_another_host_is_never_fetched_and_leaves_its_operation_unjudged() -> None:
    schema = {"type": "object"}
    with (
        agency(lambda path, _: ok_json(schema), host="localhost") as (elsewhere, asked_elsewhere),
        agency(lambda path, _: ok_json({"n": 1})) as (base, _),
    ):
        paths = {
            "/local": {"get": operation(OBJECT, operationId="local")},
            "/remote": {"get": operation({"$ref": f"{elsewhere}/schemas.json"}, operationId="r")},
        }
        plan = Plan(frozenset({"GET"}), max_examples=5, max_requests=20, seed=1)
        run = GeneratedRunner(HttpClient(target(base)), document(base, paths), plan).execute()
    assert asked_elsewhere == []  # neither the suite nor schemathesis went there
    assert "schemas.json" in next(iter(run.unavailable_refs))
    assert run.judged() == ["GET /local"]
    assert "not on the target's hosts" in run.generation_errors["GET /remote"]


def test_a_ref_on_the_target_is_fetched_through_the_client_and_inlined() -> None:
    shared = {"Thing": OBJECT}

    def answer(path: str, _: dict[str, str]) -> Answer:
        return ok_json({"components": {"schemas": shared}} if path == "/common.json" else {"n": 1})

    with agency(answer) as (base, seen):
        ref = {"$ref": "common.json#/components/schemas/Thing"}
        paths = {"/thing": {"get": operation(ref, operationId="thing")}}
        plan = Plan(frozenset({"GET"}), max_examples=3, max_requests=10, seed=1)
        run = GeneratedRunner(HttpClient(target(base)), document(base, paths), plan).execute()
    assert seen.count("/common.json") == 1
    assert run.judged() == ["GET /thing"]
    assert not run.unavailable_refs


@pytest.mark.parametrize(("min_coverage", "outcome"), [(1.0, Outcome.ERROR), (0.5, Outcome.PASS)])
def test_a_pass_needs_the_coverage_asked_for(min_coverage: float, outcome: Outcome) -> None:
    # One of two operations cannot be generated (its schema is on another host): judging the
    # other alone is not "every operation conforms" unless the profile says half will do.
    with agency(lambda path, _: ok_json({"n": 1})) as (base, _):
        doc = document(
            base,
            {
                "/local": {"get": operation(OBJECT, operationId="local")},
                "/remote": {"get": operation({"$ref": "http://localhost:1/x.json"})},
            },
        )
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(
                "conformance.client.discovery.Discovery.openapi_documents", lambda self: [doc]
            )
            result = run_check("DATA-SCH-01", target(base), min_coverage=min_coverage)
    assert result.outcome is outcome, result.message
    if outcome is Outcome.ERROR:
        assert "1 of 2 operation(s) judged" in result.message
        assert "localhost:1/x.json" in result.message


@pytest.mark.parametrize("requirement", ["DATA-SCH-01", "DATA-SCH-02", "DATA-NEG-01"])
def test_the_request_budget_is_shared_by_every_operation_of_every_document(requirement):
    # Two documents of three operations each, and a budget of six requests per mode: every
    # operation of both gets one (the first document used to take it all, or each its own six).
    query = [{"name": "q", "in": "query", "required": True, "schema": {"type": "integer"}}]

    def paths(prefix: str) -> dict[str, Any]:
        return {
            f"/{prefix}{i}": {
                "get": operation(OBJECT, operationId=f"{prefix}{i}", parameters=query)
            }
            for i in range(3)
        }

    with agency(lambda path, _: ok_json({"n": 1})) as (base, seen):
        second = dataclasses.replace(document(base, paths("b")), url=f"{base}/b/openapi.json")
        docs = [document(base, paths("a")), second]
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(
                "conformance.client.discovery.Discovery.openapi_documents", lambda self: docs
            )
            result = run_check(requirement, target(base), max_requests=6, max_examples=5)
    note = next(e for e in result.evidence if e.kind == "generation")
    assert sorted(note.detail["exercised"]) == [f"GET /{p}{i}" for p in "ab" for i in range(3)]
    modes = 2 if requirement == "DATA-SCH-02" else 1  # its valid and schema-violating requests
    assert len(seen) <= 6 * modes, seen
    assert {path.split("?")[0] for path in seen} == {f"/{p}{i}" for p in "ab" for i in range(3)}


def test_a_missing_authorization_header_goes_out_without_the_suites_token(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The operation declares Authorization as a required header parameter (as many government
    # APIs do) besides its security scheme: schemathesis' "missing Authorization" case must
    # reach the agency without it, and a 401 is the right refusal.
    monkeypatch.setenv("AGENCY_TOKEN", "tok-123456789")

    def answer(path: str, headers: dict[str, str]) -> Answer:
        if headers.get("Authorization") != "Bearer tok-123456789":
            return 401, {"Content-Type": "application/problem+json"}, b'{"status": 401}'
        return ok_json({"n": 1})

    with agency(answer) as (base, _):
        header = {"name": "Authorization", "in": "header", "required": True}
        header["schema"] = {"type": "string", "pattern": "^Bearer .+$"}
        op = operation(OBJECT, operationId="me", parameters=[header], security=[{"bearer": []}])
        schemes = {"securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}}}
        doc = document(base, {"/me": {"get": op}}, components=schemes)
        client = HttpClient(target(base, bearer_token=SecretRef(env="AGENCY_TOKEN")))
        plan = Plan(
            frozenset({"GET"}),
            max_examples=5,
            max_requests=30,
            seed=1,
            mode="negative",
            coverage=True,
        )
        run = negative_run(client, doc, plan)
    assert run.sent
    assert [v.summary for v in run.violations if v.check == "negative_data_rejection"] == []


XXE = b'<?xml version="1.0"?><!DOCTYPE l [<!ENTITY x SYSTEM "file:///etc/passwd">]><l>&x;</l>'
LAUGHS = (
    b'<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "ha"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">'
    b'<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;">]><l>&c;</l>'
)


@pytest.mark.parametrize(
    ("body", "outcome", "words"),
    [
        (XXE, Outcome.FAIL, "declares a DOCTYPE"),
        (LAUGHS, Outcome.FAIL, "declares a DOCTYPE"),
        (b"<l><n>1</n>", Outcome.FAIL, "not well-formed XML"),
        (b'<?xml version="1.0"?><l><n>1</n></l>', Outcome.PASS, "schema-valid bodies"),
    ],
    ids=["external-entity", "billion-laughs", "broken", "plain"],
)
def test_an_xml_answer_declared_as_a_string_is_still_parsed_hardened(
    body: bytes, outcome: Outcome, words: str
) -> None:
    # No XSD anywhere: the OpenAPI says only "application/xml, a string". A DOCTYPE is a finding.
    def answer(path: str, _: dict[str, str]) -> Answer:
        return 200, {"Content-Type": "application/xml"}, body

    with agency(answer) as (base, _):
        op = operation({"type": "string"}, operationId="licence")
        op["responses"]["200"]["content"] = {"application/xml": {"schema": {"type": "string"}}}
        doc = document(base, {"/licence": {"get": op}})
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(
                "conformance.client.discovery.Discovery.openapi_documents", lambda self: [doc]
            )
            result = run_check("DATA-SCH-01", target(base))
    assert result.outcome is outcome, result.message
    assert words in result.message


@pytest.mark.parametrize(
    ("location", "name"), [("header", "X-Api-Key"), ("query", "apikey"), ("cookie", "session")]
)
def test_an_api_key_goes_where_the_openapi_security_scheme_says(
    monkeypatch: pytest.MonkeyPatch, location: str, name: str
) -> None:
    monkeypatch.setenv("AGENCY_KEY", "key-0123456789")
    presented: list[bool] = []

    published: dict[str, Any] = {}

    def answer(path: str, headers: dict[str, str]) -> Answer:
        if path == "/openapi.json":
            return ok_json(published)
        where = {
            "header": headers.get(name, ""),
            "query": path,
            "cookie": headers.get("Cookie", ""),
        }[location]
        presented.append("key-0123456789" in where)
        if not presented[-1]:
            return 401, {"Content-Type": "application/problem+json"}, b'{"status": 401}'
        return ok_json({"n": 1})

    with agency(answer) as (base, _):
        # the target file says only `api_key: {env: AGENCY_KEY}`; the document says where it goes
        scheme = {"type": "apiKey", "in": location, "name": name}
        op = operation(OBJECT, operationId="me", security=[{"key": []}])
        doc = document(base, {"/me": {"get": op}}, components={"securitySchemes": {"key": scheme}})
        published.update(doc.data)
        tgt = target(
            base,
            api_key=ApiKey(SecretRef(env="AGENCY_KEY")),
            openapi=(f"{base}/openapi.json",),
        )
        result = run_check("DATA-SCH-01", tgt)
    assert result.outcome is Outcome.PASS, result.message
    assert presented
    assert all(presented)
    assert "key-0123456789" not in json.dumps(result.to_dict())
