"""The agency's DCAT-AP catalogue and the shipped shapes subset, against DCAT-AP 3.0.1 itself.

Corpus: ../shared/corpora/dcat-ap (see its SOURCE.txt): the DCAT-AP 3.0.1 SHACL shapes. The
shipped `dcat-ap-3.0.1-subset` must agree with the full shapes wherever it has a verdict: the
conformant catalogue conforms to both, and each broken variant breaks the same property on the
same node under both. Skipped, with the reason, where the corpus is absent.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from conformance.documents import rdf

SHAPES = (
    Path(__file__).resolve().parents[2]
    / "shared"
    / "corpora"
    / "dcat-ap"
    / "releases"
    / "3.0.1"
    / "shacl"
    / "dcat-ap-SHACL.ttl"
)
DCT = "http://purl.org/dc/terms/"
DCAT = "http://www.w3.org/ns/dcat#"
BASE = "https://agency.example"

pytestmark = pytest.mark.skipif(
    not SHAPES.is_file(), reason=f"DCAT-AP 3.0.1 shapes absent (expected {SHAPES})"
)


@cache
def full_shapes() -> Any:
    return rdf.parse_graph(SHAPES.read_bytes(), "text/turtle", SHAPES.as_uri())


def catalogue(faults: frozenset[str] = frozenset()) -> dict[str, Any]:
    from reference_agency import catalog

    return catalog.build_datasets(BASE, faults)


def violations(document: dict[str, Any], shapes: Any) -> set[tuple[str, str]]:
    graph = rdf.parse_graph(json.dumps(document).encode(), rdf.JSON_LD, f"{BASE}/v1/datasets")
    return {(v.focus, v.path) for v in rdf.validate(graph, shapes) if v.severity == "Violation"}


def _catalog(doc: dict[str, Any]) -> dict[str, Any]:
    node: dict[str, Any] = doc["@graph"][0]
    return node


def _drop(*keys: str) -> Callable[[dict[str, Any]], None]:
    def edit(doc: dict[str, Any]) -> None:
        node = _catalog(doc)
        for key in keys[:-1]:
            node = node[key]
        del node[keys[-1]]

    return edit


DATASET = f"{BASE}/v1/datasets/business-licences"
VARIANTS: dict[str, tuple[Callable[[dict[str, Any]], None], tuple[str, str]]] = {
    "catalogue-without-title": (_drop("dct:title"), (f"{BASE}/v1/datasets", f"{DCT}title")),
    "catalogue-without-description": (
        _drop("dct:description"),
        (f"{BASE}/v1/datasets", f"{DCT}description"),
    ),
    "catalogue-without-publisher": (
        _drop("dct:publisher"),
        (f"{BASE}/v1/datasets", f"{DCT}publisher"),
    ),
    "dataset-without-title": (_drop("dcat:dataset", "dct:title"), (DATASET, f"{DCT}title")),
    "dataset-without-description": (
        _drop("dcat:dataset", "dct:description"),
        (DATASET, f"{DCT}description"),
    ),
    "distribution-without-access-url": (
        _drop("dcat:dataset", "dcat:distribution", "dcat:accessURL"),
        (f"{DATASET}/json", f"{DCAT}accessURL"),
    ),
    "agent-without-name": (
        _drop("dct:publisher", "foaf:name"),
        ("https://market-regulation.example/", "http://xmlns.com/foaf/0.1/name"),
    ),
}


def test_the_agency_catalogue_conforms_to_dcat_ap_3_0_1() -> None:
    assert violations(catalogue(), full_shapes()) == set()
    assert violations(catalogue(), rdf.builtin_shapes("dcat-ap-3.0.1-subset")) == set()


def test_the_agency_fault_breaks_dcat_ap_3_0_1_itself() -> None:
    expected = {(DATASET, f"{DCT}description")}
    faulty = catalogue(frozenset({"DATA-RDF-01"}))
    assert violations(faulty, full_shapes()) == expected
    assert violations(faulty, rdf.builtin_shapes("dcat-ap-3.0.1-subset")) == expected


@pytest.mark.parametrize("name", sorted(VARIANTS))
def test_the_subset_agrees_with_the_full_shapes(name: str) -> None:
    edit, broken = VARIANTS[name]
    document = copy.deepcopy(catalogue())
    edit(document)
    subset = violations(document, rdf.builtin_shapes("dcat-ap-3.0.1-subset"))
    full = violations(document, full_shapes())
    assert broken in full, full
    assert subset == {broken}
