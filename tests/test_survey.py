"""What `conformance init` reads of an agency (client/survey.py): where it finds the OpenAPI
document without a catalogue, and how it samples collections, against small loopback agencies."""

from __future__ import annotations

import json
from typing import Any

from checks_support import Answer, loopback_http

from conformance.client.survey import Survey, survey
from conformance.inputs.target import SafetyPolicy, Target

PROBLEM = {"Content-Type": "application/problem+json"}


def _json(body: Any, media_type: str = "application/json", **headers: str) -> Answer:
    return 200, {"Content-Type": media_type, **headers}, json.dumps(body).encode()


def _document(paths: dict[str, Any]) -> dict[str, Any]:
    ok = {"200": {"description": "ok", "content": {"application/json": {"schema": {}}}}}
    return {
        "openapi": "3.1.0",
        "info": {"title": "Records Office", "version": "1"},
        "servers": [{"url": "/api"}],  # relative: the document's own origin
        "paths": {
            path: {"get": {"operationId": op, "responses": ok}} for path, op in paths.items()
        },
    }


def _survey(answer: Any) -> tuple[Survey, list[str]]:
    asked: list[str] = []

    def logged(path: str) -> Answer:
        asked.append(path)
        found: Answer = answer(path)
        return found

    with loopback_http(logged) as base:
        target = Target(name="records", base_url=base, safety=SafetyPolicy(max_rps=1000.0))
        return survey(target), asked


def test_a_service_desc_link_header_names_the_document_and_the_items_are_found_by_name() -> None:
    document = _document(
        {"/records": "listRecords", "/records/{recordId}": "getRecord", "/secret": "secret"}
    )
    document["paths"]["/secret/{id}"] = document["paths"]["/secret"]

    def answer(path: str) -> Answer:
        if path == "/":  # RFC 8631: the API's description, linked from its base URL
            return _json({"hello": "records"}, Link='</spec/records.json>; rel="service-desc"')
        if path == "/spec/records.json":
            return _json(document)
        if path == "/api/records":  # links first: they are not the items
            return _json({"links": [{"href": "/api/records"}], "records": [{"id": "r-1"}]})
        if path == "/api/records/r-1":  # the key is `id`, though the variable is recordId
            return _json({"id": "r-1"})
        if path == "/api/secret":
            return 401, PROBLEM, b'{"title": "Unauthorized", "status": 401}'
        return 404, PROBLEM, b'{"title": "Not Found", "status": 404}'

    found, asked = _survey(answer)
    assert found.catalog_problem == "the api-catalog answered 404"
    assert (
        found.openapi_origin
        == "from the base URL's Link header: GET /spec/records.json answered one"
    )
    assert [r.spec for r in found.resources] == [
        {
            "collection": "/api/records",
            "items": "/records",
            "item": "/api/records/{recordId}",
            "key": "/id",
        }
    ]
    assert [(c.name, why) for c, why in found.unsampled] == [
        ("secret", "GET /api/secret answered 401 (without credentials)")
    ]
    assert "/openapi.json" not in asked  # found before the usual places


def test_without_any_document_the_usual_places_tried_are_named() -> None:
    found, asked = _survey(lambda path: (404, PROBLEM, b"{}"))
    assert found.documents == []
    assert found.openapi_problem is not None
    assert found.openapi_problem.endswith(
        "none at /openapi.json, /openapi.yaml, /openapi, /v3/api-docs, /swagger.json"
    )
    assert len(asked) == 7  # the base URL, the catalogue and the five places, nothing more
