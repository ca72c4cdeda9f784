"""DATA-RDF-01 (conformance/data/rdf.py): the SHACL failure on the faulted agency, and the RDF
parsing and validation it uses (conformance/documents/rdf.py)."""

from __future__ import annotations

import pytest
from checks_support import Faulted

from conformance.documents import rdf

from .requirement_sets import DOCUMENT_CHECKS


def test_shacl_failure_names_focus_and_path(faulted: Faulted) -> None:
    result = faulted("DATA-RDF-01", DOCUMENT_CHECKS)["DATA-RDF-01"]
    assert "business-licences" in result.message
    assert "dc/terms/description" in result.message


def test_remote_json_ld_contexts_are_refused_not_fetched() -> None:
    data = b'{"@context": "https://127.0.0.1:9/context.jsonld", "@id": "urn:x"}'
    with pytest.raises(rdf.RdfError, match="remote context"):
        rdf.parse_graph(data, "application/ld+json", "urn:base")


def test_shipped_dcat_ap_subset_finds_a_missing_title() -> None:
    data = b"""@prefix dcat: <http://www.w3.org/ns/dcat#> .
    @prefix dct: <http://purl.org/dc/terms/> .
    <urn:ds> a dcat:Dataset ; dct:description "d" ."""
    found = rdf.validate(
        rdf.parse_graph(data, "text/turtle", "urn:b"), rdf.builtin_shapes("dcat-ap-3.0.1-subset")
    )
    assert [(v.focus, v.path, v.severity) for v in found] == [
        ("urn:ds", "http://purl.org/dc/terms/title", "Violation")
    ]


def test_shapes_whose_sparql_reaches_out_are_refused() -> None:
    shapes = b"""@prefix sh: <http://www.w3.org/ns/shacl#> .
    <urn:s> a sh:NodeShape ; sh:targetNode <urn:x> ;
      sh:sparql [ sh:select "SELECT $this WHERE { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }" ]
    ."""
    graph = rdf.parse_graph(shapes, "text/turtle", "urn:b")
    with pytest.raises(rdf.RdfError, match="SERVICE"):
        rdf.validate(graph, graph)
