"""What `conformance init` reads in an OpenAPI document (documents/openapi_facts.py), on the
published government documents of the bench (tests/bench/openapi/, sources in SOURCE.txt); each
expected value was read by hand in the file, at the line named."""

from __future__ import annotations

import json
from pathlib import Path

import yaml

from conformance.documents.openapi import OpenApiDocument
from conformance.documents.openapi_facts import (
    media_types,
    resource_candidates,
    security_facts,
    singular,
    write_operations,
)

OPENAPI = Path(__file__).parent / "bench" / "openapi"
AT = "https://agency.example/spec"


def _document(path: str) -> OpenApiDocument:
    file = OPENAPI / path
    text = file.read_text("utf-8")
    data = json.loads(text) if file.suffix == ".json" else yaml.safe_load(text)
    return OpenApiDocument(f"{AT}/{file.name}", data)


def test_api_register_offers_client_credentials_first_and_an_api_key() -> None:
    facts = security_facts(_document("don-api-register/api/openapi.json"))
    # the global `security` names clientCredentials (line 23); its flow at lines 1673-1686
    assert facts.oauth2 is not None
    assert facts.oauth2.token_url == (
        "https://auth.developer.overheid.nl/realms/don/protocol/openid-connect/token"
    )
    assert facts.oauth2.scopes == (
        "apis:read",
        "apis:write",
        "organisations:read",
        "organisations:write",
        "tools",
    )
    assert facts.oauth2.source == (
        f"{AT}/openapi.json components.securitySchemes.clientCredentials.flows.clientCredentials"
    )
    # apiKey X-Api-Key in the header (lines 1667-1672)
    assert facts.api_key is not None
    assert (facts.api_key.location, facts.api_key.name) == ("header", "X-Api-Key")
    assert facts.bearer is None
    assert facts.mutual_tls is None
    assert facts.notes == []


def test_govuk_pay_is_bearer_and_lists_payments_and_agreements_in_results() -> None:
    document = _document("pay-publicapi/openapi/publicapi_spec.json")
    facts = security_facts(document)
    # BearerAuth: type http, scheme bearer (components.securitySchemes)
    assert facts.bearer == f"{AT}/publicapi_spec.json components.securitySchemes.BearerAuth"
    assert facts.oauth2 is None
    assert facts.api_key is None
    assert media_types(document) == (["application/json"], ["application/json"])
    # /v1/agreements and /v1/payments, each with a GET of one item; their 200 answers are
    # search results with the items in `results` (PaymentSearchResults, AgreementSearchResults)
    found = {c.name: c for c in resource_candidates(document)}
    assert set(found) == {"agreement", "payment"}
    payment = found["payment"]
    assert payment.collection == "https://publicapi.payments.service.gov.uk/v1/payments"
    assert payment.item == "https://publicapi.payments.service.gov.uk/v1/payments/{paymentId}"
    assert (payment.variable, payment.items, payment.xml) == ("paymentId", "/results", False)
    assert "payment_id" in payment.item_properties


def test_x_road_puts_its_api_key_in_authorization_and_has_relative_servers() -> None:
    document = _document(
        "x-road/src/central-server/openapi-model/src/main/resources/openapi-definition.yaml"
    )
    facts = security_facts(document)
    # ApiKeyAuth (line 5116): in header, name Authorization ("X-Road-ApiKey token=<api key>")
    assert facts.api_key is not None
    assert (facts.api_key.location, facts.api_key.name) == ("header", "Authorization")
    # the server URL /api/v1 is relative to where the document was read
    candidates = resource_candidates(document)
    assert candidates[0].collection == "https://agency.example/api/v1/certification-services"
    assert "application/xml" in media_types(document)[0]
    assert "deleteCertificationService" in write_operations(document)


def test_an_xml_item_finds_the_xsd_and_schematron_published_under_its_name() -> None:
    ok = {"description": "ok", "content": {"application/json": {"schema": {"type": "array"}}}}
    both = {
        "description": "ok",
        "content": {"application/json": {"schema": {}}, "application/xml": {"schema": {}}},
    }
    paths = {
        "/policies": {"get": {"responses": {"200": ok}}},
        "/policies/{number}": {"get": {"responses": {"200": both}}},
        "/schemas/policy.xsd": {"get": {"responses": {"200": ok}}},
        "/schemas/policy.sch": {"get": {"responses": {"200": ok}}},
        "/schemas/other.xsd": {"get": {"responses": {"200": ok}}},
    }
    data = {"openapi": "3.1.0", "servers": [{"url": "https://agency.example/v2"}], "paths": paths}
    (candidate,) = resource_candidates(OpenApiDocument(f"{AT}/openapi.json", data))
    assert (candidate.name, candidate.items, candidate.xml) == ("policy", "", True)
    assert candidate.xsd == "https://agency.example/v2/schemas/policy.xsd"
    assert candidate.schematron == "https://agency.example/v2/schemas/policy.sch"
    assert [singular(w) for w in ("licenses", "policies", "address", "data")] == [
        "license",
        "policy",
        "address",
        "data",
    ]
