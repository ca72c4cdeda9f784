"""DEP-SVC-01 (conformance/departmental/svc.py): public-service descriptions (JSON-LD, CPSV-AP)
on a loopback site, conforming, incomplete and hostile."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from conformance.core.model import Outcome
from conformance.engine import Engine
from conformance.inputs.profile import load_profile

from .departmental_profile import run_departmental
from .sites import Site, serve, site_target


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
    yield from serve(Site())


def test_a_conforming_description_passes(site):
    site.catalog()
    site.json("/services", service(site.base_url), "application/ld+json")
    result = run_departmental(site_target(site), ("DEP-SVC-01",))["DEP-SVC-01"]
    assert result.outcome is Outcome.PASS, result.message


def test_a_missing_processing_time_names_the_shacl_path(site):
    site.catalog()
    site.json("/services", service(site.base_url, cv_processingTime=True), "application/ld+json")
    result = run_departmental(site_target(site), ("DEP-SVC-01",))["DEP-SVC-01"]
    assert result.outcome is Outcome.FAIL
    assert "sh:resultPath http://data.europa.eu/m8g/processingTime" in result.message
    assert "one processing time" in result.message


def test_a_remote_context_is_an_error_and_never_fetched(site, elsewhere):
    site.catalog()
    remote = f"http://localhost:{elsewhere.base_url.rsplit(':', 1)[1]}/context.jsonld"
    body = {"@context": remote, "@id": "x", "@type": "PublicService"}
    site.json("/services", body, "application/ld+json")
    result = run_departmental(site_target(site), ("DEP-SVC-01",))["DEP-SVC-01"]
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
