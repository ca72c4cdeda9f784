"""Departmental checks beyond DEP-CAT-01/OAS-01/ERR-01: both ways on the reference agency, an
agency with no api-catalog, and hostile catalogues and JSON-LD on a small loopback server."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from functools import partial
from typing import Any

import checks_support
import pytest
from checks_support import loopback_http, site_target

from conformance.core.catalogue import load_catalogue
from conformance.core.model import Outcome
from conformance.departmental.deprecation import parse_deprecation, parse_sunset
from conformance.departmental.oas_rules import version_findings
from conformance.documents.openapi import OpenApiDocument
from conformance.documents.service_levels import p95, parse_agreements, parse_service_level
from conformance.engine import Engine
from conformance.inputs.profile import load_profile
from conformance.reference import running_reference

DECLARATION_CHECKS = (
    "DEP-OAS-02",
    "DEP-OAS-03",
    "DEP-SVC-01",
    "DEP-SLA-01",
    "DEP-SLA-02",
    "DEP-AGR-01",
    "DEP-VER-01",
    "DEP-VER-02",
    "DEP-DEP-01",
    "DEP-HLT-01",
    "DEP-DOC-01",
)


# run(target, only=()): the checks under the departmental profile (all of them when `only` is empty)
run = partial(checks_support.run, profile="departmental")


# -- both ways on the reference agency --------------------------------------------------------
def test_every_departmental_requirement_passes_on_the_conformant_agency():
    with running_reference() as target:
        results = run(target)
    assert set(DECLARATION_CHECKS) <= set(results)
    assert {r: x.outcome for r, x in results.items() if x.outcome is not Outcome.PASS} == {}
    assert "≤ 800 ms declared" in results["DEP-SLA-02"].message


# -- a loopback server publishing what a test gives it ------------------------------------------
class Site:
    """Routes of a plain-HTTP loopback server: path → (status, content type, body); hits."""

    def __init__(self) -> None:
        self.routes: dict[str, tuple[int, str, bytes]] = {}
        self.hits: list[str] = []
        self.base_url = ""

    def catalog(self, **extra: Any) -> None:
        """Publish a linkset whose one API links /openapi, /docs, /health and /services."""
        entry = {
            "anchor": f"{self.base_url}/api",
            "service-desc": [{"href": f"{self.base_url}/openapi"}],
            "service-doc": [{"href": f"{self.base_url}/docs"}],
            "status": [{"href": f"{self.base_url}/health"}],
            "service-meta": [{"href": f"{self.base_url}/services", "type": "application/ld+json"}],
            **extra,
        }
        self.json("/.well-known/api-catalog", {"linkset": [entry]}, "application/linkset+json")

    def json(self, path: str, body: Any, media_type: str = "application/json") -> None:
        """Serve `body` as JSON at `path`."""
        self.routes[path] = (200, media_type, json.dumps(body).encode())


@pytest.fixture
def site() -> Iterator[Site]:
    """A running Site on 127.0.0.1 (404 text/plain for anything not published)."""
    yield from _serve(Site())


def _serve(routes: Site) -> Iterator[Site]:
    def answer(path: str) -> tuple[int, dict[str, str], bytes]:
        routes.hits.append(path)
        status, media_type, body = routes.routes.get(path, (404, "text/plain", b"not found"))
        return status, {"Content-Type": media_type}, body

    with loopback_http(answer) as base_url:
        routes.base_url = base_url
        yield routes


def depends_on_catalogue(rid: str) -> bool:
    """Whether `rid` depends on DEP-CAT-01, directly or through others."""
    deps = load_catalogue()[rid].depends_on
    return "DEP-CAT-01" in deps or any(depends_on_catalogue(d) for d in deps)


def test_an_agency_without_api_catalog_fails_cat_and_skips_its_dependents(site):
    results = run(site_target(site))
    assert results["DEP-CAT-01"].outcome is Outcome.FAIL
    assert "answered 404, expected 200" in results["DEP-CAT-01"].message
    dependents = [rid for rid in results if rid != "DEP-CAT-01" and depends_on_catalogue(rid)]
    assert set(DECLARATION_CHECKS) <= set(dependents)
    for rid in dependents:
        assert results[rid].outcome is Outcome.SKIP, (rid, results[rid].message)
        assert results[rid].message.startswith("depends on DEP-")
    assert not [r for r in results.values() if r.outcome is Outcome.PASS]


@pytest.mark.parametrize(
    ("body", "media_type", "outcome", "words"),
    [
        (b'{"linkset": [{"anchor": "/api", ', "application/linkset+json", Outcome.FAIL, "not JSON"),
        (
            b"<html>catalogue</html>",
            "text/html",
            Outcome.FAIL,
            "expected 'application/linkset+json'",
        ),
        (
            b'{"linkset": [' + b'{"a": 1},' * 20_000 + b"{}]}",
            "application/linkset+json",
            Outcome.ERROR,
            "larger than the 50000-byte limit",
        ),
    ],
    ids=["truncated", "not-json", "huge"],
)
def test_a_hostile_catalogue_is_a_clear_verdict_and_dependents_skip(
    site, body, media_type, outcome, words
):
    site.routes["/.well-known/api-catalog"] = (200, media_type, body)
    results = run(site_target(site, max_response_bytes=50_000))
    assert results["DEP-CAT-01"].outcome is outcome
    assert words in results["DEP-CAT-01"].message
    for rid in DECLARATION_CHECKS:
        assert results[rid].outcome is Outcome.SKIP, (rid, results[rid].message)


def test_an_unusable_openapi_document_skips_the_requirements_that_read_it(site):
    site.catalog()
    site.routes["/openapi"] = (200, "application/json", b'{"openapi": "3.1.0", "info": ')
    results = run(site_target(site))
    assert results["DEP-OAS-01"].outcome is Outcome.FAIL
    for rid in ("DEP-OAS-02", "DEP-OAS-03", "DEP-VER-01", "DEP-VER-02", "DEP-DEP-01"):
        assert results[rid].outcome is Outcome.SKIP
        assert "depends on DEP-OAS-01" in results[rid].message


# -- public-service descriptions (JSON-LD) --------------------------------------------------------
def service(base: str, **drop: bool) -> dict[str, Any]:
    """A CPSV-AP public service that conforms to the shipped shapes (minus `drop`ped members)."""
    node: dict[str, Any] = {
        "@id": f"{base}/services/one",
        "@type": "cpsv:PublicService",
        "dct:identifier": "one",
        "dct:title": {"@value": "Service", "@language": "en"},
        "dct:description": "What it does",
        "cv:hasCompetentAuthority": {
            "@id": f"{base}/org",
            "@type": "cv:PublicOrganisation",
            "skos:prefLabel": "Agency",
            "dct:spatial": {"@id": "http://publications.europa.eu/resource/authority/country/CHN"},
        },
        "cv:hasLegalResource": {"@id": f"{base}/law", "@type": "eli:LegalResource"},
        "cv:processingTime": {"@value": "P3D", "@type": "xsd:duration"},
        "cpsv:hasInput": {"@id": f"{base}/ev", "@type": "cv:Evidence", "dct:title": "ID card"},
    }
    for key in drop:
        node.pop(key.replace("_", ":", 1))
    context = {
        "cpsv": "http://purl.org/vocab/cpsv#",
        "cv": "http://data.europa.eu/m8g/",
        "dct": "http://purl.org/dc/terms/",
        "skos": "http://www.w3.org/2004/02/skos/core#",
        "eli": "http://data.europa.eu/eli/ontology#",
        "xsd": "http://www.w3.org/2001/XMLSchema#",
    }
    return {"@context": context, "@graph": [node]}


@pytest.fixture
def elsewhere() -> Iterator[Site]:
    """A second loopback server, standing for a host that is not the target's."""
    yield from _serve(Site())


def test_a_conforming_description_passes(site):
    site.catalog()
    site.json("/services", service(site.base_url), "application/ld+json")
    result = run(site_target(site), ("DEP-SVC-01",))["DEP-SVC-01"]
    assert result.outcome is Outcome.PASS, result.message


def test_a_missing_processing_time_names_the_shacl_path(site):
    site.catalog()
    site.json("/services", service(site.base_url, cv_processingTime=True), "application/ld+json")
    result = run(site_target(site), ("DEP-SVC-01",))["DEP-SVC-01"]
    assert result.outcome is Outcome.FAIL
    assert "sh:resultPath http://data.europa.eu/m8g/processingTime" in result.message
    assert "one processing time" in result.message


def test_a_remote_context_is_an_error_and_never_fetched(site, elsewhere):
    site.catalog()
    remote = f"http://localhost:{elsewhere.base_url.rsplit(':', 1)[1]}/context.jsonld"
    body = {"@context": remote, "@id": "x", "@type": "PublicService"}
    site.json("/services", body, "application/ld+json")
    result = run(site_target(site), ("DEP-SVC-01",))["DEP-SVC-01"]
    assert result.outcome is Outcome.ERROR
    assert f"names a remote context {remote!r}" in result.message
    assert elsewhere.hits == []


@pytest.mark.parametrize(
    ("body", "outcome", "words"),
    [
        (
            b'{"@context": {"dct": "http://purl.org/dc/terms/"}, "@graph": [',
            Outcome.FAIL,
            "not JSON",
        ),
        (b"<html>services</html>", Outcome.FAIL, "not JSON"),
        (b"[" * 100_000 + b"]" * 100_000, Outcome.FAIL, "nested too deeply"),
        (
            json.dumps([{"@id": f"x{i}"} for i in range(15_000)]).encode(),
            Outcome.FAIL,
            "more than 20000 nodes",
        ),
        (
            b'{"@graph": [' + b'{"@id": "x"},' * 40_000 + b"{}]}",
            Outcome.ERROR,
            "larger than the 300000-byte limit",
        ),
        (
            json.dumps({"@id": "x", "@type": "http://example.org/Thing"}).encode(),
            Outcome.FAIL,
            "describes no cpsv:PublicService",
        ),
    ],
    ids=["truncated", "not-json", "deep", "many-nodes", "huge", "no-service"],
)
def test_hostile_descriptions_are_clear_verdicts(site, body, outcome, words):
    site.catalog()
    site.routes["/services"] = (200, "application/ld+json", body)
    target = site_target(site, max_response_bytes=300_000)
    engine = Engine(load_profile("departmental"), [target], only=("DEP-SVC-01",), seed=1)
    engine.profile.parameters["DEP-SVC-01"]["max_nodes"] = 20_000
    result = {r.requirement: r for r in engine.run().results}["DEP-SVC-01"]
    assert result.outcome is outcome, result.message
    assert words in result.message


# -- declarations on a loopback site -----------------------------------------------------------
def test_a_malformed_service_level_fails_naming_the_member(site):
    site.catalog(**{"service-level": {"availability": "high", "p95_latency_ms": 5, "support": {}}})
    result = run(site_target(site), ("DEP-SLA-01",))["DEP-SLA-01"]
    assert result.outcome is Outcome.FAIL
    assert "availability is 'high', expected a number" in result.message


def test_a_consumed_peer_without_agreement_fails(site):
    today = dt.date.today()
    agreement = {
        "id": "DSA-1",
        "parties": [{"name": "Us", "role": "consumer"}, {"name": "Peer A", "role": "provider"}],
        "legal_basis": "Act 1",
        "valid_from": str(today - dt.timedelta(days=10)),
        "valid_until": str(today + dt.timedelta(days=10)),
    }
    site.catalog(**{"data-sharing-agreements": [agreement]})
    target = site_target(site)
    assert run(target, ("DEP-AGR-01",))["DEP-AGR-01"].outcome is Outcome.PASS
    target.inputs["consumes"] = ["Peer A", "https://peer-b.example"]
    result = run(target, ("DEP-AGR-01",))["DEP-AGR-01"]
    assert result.outcome is Outcome.FAIL
    assert "names the consumed peer https://peer-b.example" in result.message


def test_no_declared_agreement_and_no_consumed_peer_is_a_skip(site):
    site.catalog()
    result = run(site_target(site), ("DEP-AGR-01",))["DEP-AGR-01"]
    assert result.outcome is Outcome.SKIP
    assert "inputs.consumes names no peer" in result.message


# -- helpers -----------------------------------------------------------------------------------
def test_service_level_defaults_the_error_budget_from_availability():
    level = parse_service_level(
        {"availability": 0.99, "p95_latency_ms": 300, "support": {"url": "u"}}
    )
    assert level.error_budget == pytest.approx(0.01)
    with pytest.raises(ValueError, match="has no p95_latency_ms"):
        parse_service_level({"availability": 0.99, "support": {"url": "u"}})
    with pytest.raises(ValueError, match="expected an object with an email or a url"):
        parse_service_level({"availability": 0.99, "p95_latency_ms": 3, "support": {"tel": "1"}})


def test_agreement_validity_is_inclusive_and_checked():
    [agreement] = parse_agreements(
        [
            {
                "id": "a",
                "parties": [{"name": "x"}, {"name": "y"}],
                "legal_basis": "l",
                "valid_from": "2025-01-01",
                "valid_until": "2025-12-31",
            }
        ]
    )
    assert agreement.in_force(dt.date(2025, 12, 31))
    assert not agreement.in_force(dt.date(2026, 1, 1))
    with pytest.raises(ValueError, match=r"ends .* before it starts"):
        parse_agreements(
            [
                {
                    "id": "a",
                    "parties": [{"name": "x"}, {"name": "y"}],
                    "legal_basis": "l",
                    "valid_from": "2025-02-01",
                    "valid_until": "2025-01-31",
                }
            ]
        )


def test_p95_is_nearest_rank():
    assert p95([0.01] * 19 + [1.0]) == 0.01
    assert p95([0.01] * 18 + [1.0, 1.0]) == 1.0


def test_deprecation_and_sunset_syntax():
    assert parse_deprecation("@1735689600") == dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
    assert parse_sunset("Sun, 31 Dec 2034 23:59:59 GMT").year == 2034
    with pytest.raises(ValueError, match="RFC 9745"):
        parse_deprecation("true")
    with pytest.raises(ValueError, match="RFC 8594"):
        parse_sunset("2034-12-31")


@pytest.mark.parametrize(
    ("server", "path", "finding"),
    [
        ("https://a.example/v1", "/x", None),
        ("https://a.example/v1.4", "/x", "carries the full version 'v1.4'"),
        ("https://a.example/api", "/1.4/x", "carries the full version '1.4'"),
        ("https://a.example/api", "/x", "carries no version segment"),
        ("https://a.example/v2", "/x", "carries 'v2' but info.version is '1.4.0'"),
    ],
)
def test_version_in_path(server, path, finding):
    doc = OpenApiDocument(
        "https://a.example/openapi.json",
        {
            "openapi": "3.1.0",
            "info": {"title": "t", "version": "1.4.0"},
            "servers": [{"url": server}],
            "paths": {path: {"get": {"responses": {}}}},
        },
    )
    found = [defect for _, defect in version_findings(doc)]
    assert found == [] if finding is None else finding in found[0]
