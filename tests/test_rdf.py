"""SHACL validation is total, and a remote JSON-LD context is the suite's limit, not a fault.

* The official DCAT-AP 3.0.1 shapes (corpus ../shared/corpora/dcat-ap, see its SOURCE.txt) list
  two property shapes of `dcat:DataServiceShape` that `dcat-ap-SHACL.ttl` never defines (they
  are defined only in `ranges.ttl`), and pyshacl raises on them as soon as the data holds a
  `dcat:DataService`. The suite sets such a reference aside, says so, and gives a verdict on the
  rest; any other exception of pyshacl on given shapes is `Inconclusive` naming the defect.
* JSON-LD naming its `@context` by URL cannot be read without fetching it, which the suite does
  not do: DATA-RDF-01 and DEP-SVC-01 both answer `error` with the one reason of
  `conformance.documents.rdf.RemoteContext`, never a fail of the agency.

The corpus tests skip, with the reason, where the corpus folder is absent.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from checks_support import Answer, loopback_http

from conformance.core.errors import Inconclusive
from conformance.core.model import Outcome, Result
from conformance.documents import rdf
from conformance.engine import Engine
from conformance.inputs.profile import load_profile
from conformance.inputs.target import Target

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT.parent / "shared" / "corpora" / "dcat-ap"
DCAT_AP = CORPUS / "releases" / "3.0.1" / "shacl" / "dcat-ap-SHACL.ttl"
RELEASE = "https://semiceu.github.io/DCAT-AP/releases/3.0.1#"
SERVICE_SHAPE = RELEASE + "dcat:DataServiceShape"
# The two property shapes DataServiceShape lists in dcat-ap-SHACL.ttl, defined only in ranges.ttl
# (the sh:class rdfs:Resource ranges of dcat:endpointDescription and dcat:endpointURL).
UNDEFINED = (
    SERVICE_SHAPE + "/dc08f4dca4377fade57f89454e3fa06a8389d314",
    SERVICE_SHAPE + "/eb3ac4e4fdde2e2588a9502c5956060a18c5c99f",
)
DCAT = "http://www.w3.org/ns/dcat#"
DCT = "http://purl.org/dc/terms/"
SH = "http://www.w3.org/ns/shacl#"
BASE = "https://agency.example"
NEVER_DEFINED = "which they never define; that constraint was not applied"


def needs_corpus() -> None:
    """Skip, with the reason, where the DCAT-AP corpus is not checked out beside the project."""
    if not DCAT_AP.is_file():
        pytest.skip(f"the DCAT-AP 3.0.1 shapes are absent (expected {DCAT_AP}; see {CORPUS})")


@cache
def dcat_ap() -> Any:
    return rdf.parse_graph(DCAT_AP.read_bytes(), "text/turtle", DCAT_AP.as_uri())


def catalogue(base: str, *, drop: str = "") -> dict[str, Any]:
    """A DCAT-AP 3.0.1 catalogue offering one dcat:DataService (minus the `drop`ped member)."""
    service = {
        "@id": f"{base}/api",
        "@type": "dcat:DataService",
        "dct:title": {"@value": "Licence API", "@language": "en"},
        "dcat:endpointURL": {"@id": f"{base}/v1"},
    }
    service.pop(drop, None)
    return {
        "@context": {"dcat": DCAT, "dct": DCT, "foaf": "http://xmlns.com/foaf/0.1/"},
        "@id": f"{base}/catalogue",
        "@type": "dcat:Catalog",
        "dct:title": {"@value": "Catalogue", "@language": "en"},
        "dct:description": {"@value": "What the agency publishes", "@language": "en"},
        "dct:publisher": {
            "@id": "https://market-regulation.example/",
            "@type": "foaf:Agent",
            "foaf:name": {"@value": "Market Regulation", "@language": "en"},
        },
        "dcat:service": service,
    }


def graph_of(document: dict[str, Any], base: str = BASE) -> Any:
    return rdf.parse_graph(json.dumps(document).encode(), rdf.JSON_LD, f"{base}/catalogue")


def turtle(text: str) -> Any:
    prefixes = f"@prefix sh: <{SH}> . @prefix ex: <http://example.org/> .\n"
    return rdf.parse_graph((prefixes + text).encode(), "text/turtle", "urn:shapes")


DATA = turtle("ex:a a ex:Thing ; ex:name 'a' .")


# -- a plain-HTTP loopback site (like tests/checks' helper, copied: that folder is moving) ------
class Site:
    """Routes of a loopback server: path -> (status, content type, body); the paths asked."""

    def __init__(self) -> None:
        self.routes: dict[str, tuple[int, str, bytes]] = {}
        self.hits: list[str] = []
        self.base_url = ""

    def json(self, path: str, body: Any, media_type: str = "application/ld+json") -> None:
        """Serve `body` as JSON at `path`."""
        self.routes[path] = (200, media_type, json.dumps(body).encode())

    def catalog(self) -> None:
        """An api-catalog whose one API links its public-service descriptions at /services."""
        entry = {
            "anchor": f"{self.base_url}/api",
            "service-meta": [{"href": f"{self.base_url}/services", "type": rdf.JSON_LD}],
        }
        self.json("/.well-known/api-catalog", {"linkset": [entry]}, "application/linkset+json")

    def answer(self, path: str) -> tuple[int, str, bytes]:
        self.hits.append(path)
        return self.routes.get(path, (404, "text/plain", b"not found"))


@contextmanager
def serving(site: Site) -> Iterator[Site]:
    """Serve `site` on 127.0.0.1 until the block ends."""

    def answer(path: str) -> Answer:
        status, media_type, body = site.answer(path)
        return status, {"Content-Type": media_type}, body

    with loopback_http(answer) as base_url:
        site.base_url = base_url
        yield site


@pytest.fixture
def site() -> Iterator[Site]:
    with serving(Site()) as running:
        yield running


@pytest.fixture
def elsewhere() -> Iterator[Site]:
    """A second loopback server, standing for a host that is not the target's (localhost)."""
    with serving(Site()) as running:
        yield running


def run_check(
    requirement: str, profile: str, target: Target, params: dict[str, Any] | None = None
) -> Result:
    engine = Engine(load_profile(profile), [target], only=(requirement,), seed=1)
    engine.profile.parameters.setdefault(requirement, {}).update(params or {})
    return {r.requirement: r for r in engine.run().results}[requirement]


def rdf_check(site: Site, shapes: Path | str, path: str = "/catalogue") -> Result:
    """DATA-RDF-01 on `site`, reading the document at `path` against `shapes` (a file, or the
    name of shipped shapes)."""
    name = shapes if isinstance(shapes, str) else shapes.as_uri()
    inputs = {"rdf": [{"url": path, "shapes": name}]}
    return run_check("DATA-RDF-01", "full", Target("site", site.base_url, inputs=inputs))


def service_check(site: Site, shapes: Path | None = None) -> Result:
    """DEP-SVC-01 on `site` (its public-service descriptions at /services)."""
    params = {"shapes": str(shapes)} if shapes else {}
    return run_check("DEP-SVC-01", "departmental", Target("site", site.base_url), params)


def assert_decided_without_crash(result: Result, outcome: Outcome) -> None:
    assert result.outcome is outcome, result.message
    assert "internal error" not in result.message


# == 1. SHACL validation is total ===============================================================
def test_the_dcat_ap_3_0_1_shapes_name_two_property_shapes_they_never_define() -> None:
    needs_corpus()
    found = rdf.undefined_shapes(dcat_ap())
    assert {(u.referrer, u.parameter, u.shape) for u in found} == {
        (SERVICE_SHAPE, "property", iri) for iri in UNDEFINED
    }


def test_pyshacl_itself_raises_on_them() -> None:
    # What the suite guards against (pyshacl 0.40): a ReportableRuntimeError, not a report.
    import pyshacl
    from pyshacl.errors import ReportableRuntimeError

    needs_corpus()
    with pytest.raises(ReportableRuntimeError, match="not a well-formed SHACL PropertyShape"):
        pyshacl.validate(graph_of(catalogue(BASE)), shacl_graph=dcat_ap(), inference="none")


def test_a_conforming_data_service_catalogue_gets_a_verdict() -> None:
    needs_corpus()
    outcome = rdf.validation(graph_of(catalogue(BASE)), dcat_ap())
    assert [v for v in outcome.violations if v.severity == "Violation"] == []
    assert sorted(u.shape for u in outcome.set_aside) == sorted(UNDEFINED)
    assert all(NEVER_DEFINED in u.describe() for u in outcome.set_aside)
    assert f"the shapes refer to <{UNDEFINED[0]}>" in outcome.set_aside[0].describe()


@pytest.mark.parametrize("member", ["dcat:endpointURL", "dct:title"])
def test_a_data_service_missing_a_mandatory_property_fails_naming_node_and_path(
    member: str,
) -> None:
    needs_corpus()
    outcome = rdf.validation(graph_of(catalogue(BASE, drop=member)), dcat_ap())
    path = member.replace("dcat:", DCAT).replace("dct:", DCT)
    assert {(v.focus, v.path, v.component) for v in outcome.violations} == {
        (f"{BASE}/api", path, "MinCountConstraintComponent")
    }


def test_validate_itself_gives_the_verdict_with_the_defect_set_aside() -> None:
    needs_corpus()
    assert rdf.validate(graph_of(catalogue(BASE)), dcat_ap()) == []
    found = rdf.validate(graph_of(catalogue(BASE, drop="dcat:endpointURL")), dcat_ap())
    assert [(v.focus, v.path, v.severity) for v in found] == [
        (f"{BASE}/api", f"{DCAT}endpointURL", "Violation")
    ]


def test_data_rdf_01_passes_a_conforming_data_service_and_says_what_it_set_aside(
    site: Site,
) -> None:
    needs_corpus()
    site.json("/catalogue", catalogue(site.base_url))
    result = rdf_check(site, DCAT_AP)
    assert_decided_without_crash(result, Outcome.PASS)
    assert "2 constraint(s) of the shapes set aside" in result.message
    notes = [e for e in result.evidence if e.kind == "shapes"]
    assert sorted(e.detail["undefined"] for e in notes) == sorted(UNDEFINED)
    assert all(NEVER_DEFINED in e.summary for e in notes)


def test_data_rdf_01_fails_a_data_service_without_endpoint_naming_node_and_path(
    site: Site,
) -> None:
    needs_corpus()
    site.json("/catalogue", catalogue(site.base_url, drop="dcat:endpointURL"))
    result = rdf_check(site, DCAT_AP)
    assert_decided_without_crash(result, Outcome.FAIL)
    assert f"{site.base_url}/api {DCAT}endpointURL" in result.message
    assert "MinCountConstraintComponent" in result.message
    assert [e.detail["undefined"] for e in result.evidence if e.kind == "shapes"]


# -- shapes that make pyshacl raise ------------------------------------------------------------
ILL_FORMED = {
    "min-count-not-an-integer": (
        "ex:S a sh:NodeShape ; sh:targetClass ex:Thing ;"
        " sh:property [ sh:path ex:name ; sh:minCount 'one' ] .",
        "sh:minCount must be a literal with datatype xsd:integer",
    ),
    "two-paths": (
        "ex:S a sh:NodeShape ; sh:targetClass ex:Thing ;"
        " sh:property [ sh:path ex:name, ex:label ; sh:minCount 1 ] .",
        "more than one 'sh:path'",
    ),
    "property-shape-without-path": (
        "ex:S a sh:NodeShape ; sh:targetClass ex:Thing ; sh:property ex:P ."
        " ex:P a sh:PropertyShape ; sh:minCount 1 .",
        "must include one `sh:path`",
    ),
    "pattern-not-a-regex": (
        "ex:S a sh:NodeShape ; sh:targetClass ex:Thing ;"
        " sh:property [ sh:path ex:name ; sh:pattern '(' ] .",
        "unterminated subpattern",
    ),
}


@pytest.mark.parametrize("name", sorted(ILL_FORMED))
def test_shapes_that_make_pyshacl_raise_are_inconclusive(name: str) -> None:
    text, words = ILL_FORMED[name]
    for validate in (rdf.validate, rdf.validation):
        with pytest.raises(Inconclusive) as caught:
            validate(DATA, turtle(text))
        assert "the SHACL shapes are unusable" in caught.value.message
        assert words in caught.value.message
        assert "not a fault of the data" in caught.value.message


def test_data_rdf_01_is_an_error_not_a_crash_on_such_shapes(site: Site, tmp_path: Path) -> None:
    shapes = tmp_path / "ill-formed.ttl"
    shapes.write_text(
        f"@prefix sh: <{SH}> . @prefix ex: <http://example.org/> .\n"
        + ILL_FORMED["min-count-not-an-integer"][0],
        "utf-8",
    )
    site.routes["/thing.ttl"] = (
        200,
        "text/turtle",
        b"<http://example.org/a> a <http://example.org/Thing> .",
    )
    result = rdf_check(site, shapes, "/thing.ttl")
    assert_decided_without_crash(result, Outcome.ERROR)
    assert "are unusable" in result.message
    assert "sh:minCount must be a literal" in result.message


def test_dep_svc_01_is_an_error_not_a_crash_on_such_shapes(site: Site, tmp_path: Path) -> None:
    shapes = tmp_path / "ill-formed.ttl"
    shapes.write_text(
        f"@prefix sh: <{SH}> . @prefix cpsv: <http://purl.org/vocab/cpsv#> .\n"
        "<urn:S> a sh:NodeShape ; sh:targetClass cpsv:PublicService ;"
        " sh:property [ sh:path cpsv:hasInput ; sh:minCount 'one' ] .",
        "utf-8",
    )
    site.catalog()
    site.json(
        "/services",
        {"@id": f"{site.base_url}/s", "@type": "http://purl.org/vocab/cpsv#PublicService"},
    )
    result = service_check(site, shapes)
    assert_decided_without_crash(result, Outcome.ERROR)
    assert "sh:minCount must be a literal" in result.message


def test_dep_svc_01_decides_despite_an_undefined_property_shape(site: Site, tmp_path: Path) -> None:
    shapes = tmp_path / "undefined.ttl"
    shapes.write_text(
        f"@prefix sh: <{SH}> . @prefix cpsv: <http://purl.org/vocab/cpsv#> .\n"
        "<urn:S> a sh:NodeShape ; sh:targetClass cpsv:PublicService ;"
        " sh:property <urn:Undefined> ;"
        " sh:property [ sh:path cpsv:hasInput ; sh:minCount 1 ] .",
        "utf-8",
    )
    site.catalog()
    service = {"@id": f"{site.base_url}/s", "@type": "http://purl.org/vocab/cpsv#PublicService"}
    site.json("/services", service)
    result = service_check(site, shapes)
    assert_decided_without_crash(result, Outcome.FAIL)
    assert "sh:resultPath http://purl.org/vocab/cpsv#hasInput" in result.message
    assert "set aside" in result.message
    assert "urn:Undefined" in result.message
    assert [e for e in result.evidence if e.kind == "shapes"]


# -- undefined shapes in given shapes: set aside, said, the rest decides ------------------------
REFERS_TO_UNDEFINED = {
    "property": "sh:property ex:Undefined",
    "node": "sh:node ex:Undefined",
    # an undefined (empty) shape conforms everywhere, so sh:not of it would fail every node
    "not": "sh:not ex:Undefined",
    "or": "sh:or ( ex:Undefined [ sh:class ex:Thing ] )",
}


@pytest.mark.parametrize("parameter", sorted(REFERS_TO_UNDEFINED))
def test_an_undefined_shape_is_set_aside_and_the_rest_still_decides(parameter: str) -> None:
    shapes = turtle(
        "ex:S a sh:NodeShape ; sh:targetClass ex:Thing ;"
        f" {REFERS_TO_UNDEFINED[parameter]} ;"
        " sh:property [ sh:path ex:label ; sh:minCount 1 ] ."
    )
    outcome = rdf.validation(DATA, shapes)
    assert [(v.focus, v.path) for v in outcome.violations] == [
        ("http://example.org/a", "http://example.org/label")
    ]
    [aside] = outcome.set_aside
    assert (aside.referrer, aside.parameter, aside.shape) == (
        "http://example.org/S",
        parameter,
        "http://example.org/Undefined",
    )
    assert aside.describe().startswith("the shapes refer to <http://example.org/Undefined>")
    assert NEVER_DEFINED in aside.describe()


def test_shapes_without_undefined_references_set_nothing_aside() -> None:
    shapes = turtle(
        "ex:S a sh:NodeShape ; sh:targetClass ex:Thing ; sh:node ex:T ."
        " ex:T sh:property [ sh:path ex:name ; sh:minCount 1 ] ."
    )
    assert rdf.undefined_shapes(shapes) == ()
    assert rdf.validation(DATA, shapes).violations == ()


# == 2. a remote @context is the suite's limit: error, never a fail ============================
def publish(site: Site, requirement: str, context: str) -> None:
    """A document naming `context` where `requirement` reads it."""
    if requirement == "DEP-SVC-01":
        site.catalog()
        site.json("/services", {"@context": context, "@id": "x", "@type": "PublicService"})
    else:
        site.json("/catalogue", {"@context": context, "@id": "x", "@type": "Catalog"})


def check(site: Site, requirement: str) -> Result:
    return (
        service_check(site)
        if requirement == "DEP-SVC-01"
        else rdf_check(site, "dcat-ap-3.0.1-subset")
    )


def reason(result: Result) -> str:
    """The shared reason, after the check's 'cannot read <url> without fetching: '."""
    return result.message.split(" without fetching: ", 1)[1]


@pytest.mark.parametrize("requirement", ["DATA-RDF-01", "DEP-SVC-01"])
def test_a_remote_context_elsewhere_is_an_error_naming_it_and_never_fetched(
    site: Site, elsewhere: Site, requirement: str
) -> None:
    remote = f"http://localhost:{elsewhere.base_url.rsplit(':', 1)[1]}/context.jsonld"
    publish(site, requirement, remote)
    result = check(site, requirement)
    assert_decided_without_crash(result, Outcome.ERROR)
    assert f"names a remote context {remote!r}" in result.message
    assert "the suite does not fetch remote contexts" in result.message
    assert "localhost is not the target's host" in result.message
    assert "embed the context in the document" in result.message
    assert elsewhere.hits == []


@pytest.mark.parametrize("requirement", ["DATA-RDF-01", "DEP-SVC-01"])
def test_a_context_on_the_target_host_is_an_error_saying_it_was_not_used(
    site: Site, requirement: str
) -> None:
    site.json("/context.jsonld", {"@context": {"dct": DCT}})
    publish(site, requirement, f"{site.base_url}/context.jsonld")
    result = check(site, requirement)
    assert_decided_without_crash(result, Outcome.ERROR)
    assert "on the target's own host" in result.message
    assert "even from the target" in result.message
    assert "so it was not used" in result.message
    assert "/context.jsonld" not in site.hits


def test_both_checks_give_the_one_reason(site: Site, elsewhere: Site) -> None:
    remote = f"http://localhost:{elsewhere.base_url.rsplit(':', 1)[1]}/context.jsonld"
    reasons = set()
    for requirement in ("DATA-RDF-01", "DEP-SVC-01"):
        publish(site, requirement, remote)
        reasons.add(reason(check(site, requirement)))
    assert reasons == {str(rdf.RemoteContext(remote, on_target=False))}


def test_the_documents_module_says_which_context_and_where() -> None:
    data = b'{"@context": ["https://other.example/ctx.jsonld", {"x": "urn:x"}], "@id": "urn:a"}'
    with pytest.raises(rdf.RemoteContext) as caught:
        rdf.parse_graph(data, rdf.JSON_LD, f"{BASE}/doc")
    assert (caught.value.url, caught.value.on_target) == ("https://other.example/ctx.jsonld", False)
    relative = b'{"@context": "ctx.jsonld", "@id": "urn:a"}'
    with pytest.raises(rdf.RemoteContext) as caught:
        rdf.parse_graph(relative, rdf.JSON_LD, f"{BASE}/v1/doc")
    assert (caught.value.url, caught.value.on_target) == (f"{BASE}/v1/ctx.jsonld", True)


def test_the_departmental_helper_raises_the_same_class() -> None:
    from conformance.departmental import cpsv

    assert cpsv.RemoteContext is rdf.RemoteContext
    with pytest.raises(rdf.RemoteContext):
        cpsv.read_description(b'{"@context": "https://other.example/c"}', f"{BASE}/s", 1000)


def test_an_embedded_context_still_reads() -> None:
    graph = graph_of(catalogue(BASE))
    assert len(graph) > 0
