"""The data requirements together on the reference agency: each set passes on the conformant
agency, and the document checks skip without their declarations."""

from __future__ import annotations

from dataclasses import replace

import pytest
from checks_support import run

from conformance.core.model import Outcome
from conformance.inputs.target import Target

from .requirement_sets import DOCUMENT_CHECKS, FAST, GENERATED, PAYLOAD_CHECKS


def test_clean_agency_passes(clean: Target) -> None:
    results = run(clean, PAYLOAD_CHECKS)
    for rid in PAYLOAD_CHECKS:
        assert results[rid].outcome is Outcome.PASS, (rid, results[rid].message)
    generation = results["DATA-SCH-01"].evidence[0]
    assert generation.detail["seed"] == 1
    assert generation.detail["requests"] > 0
    assert "GET /licenses" in generation.detail["exercised"]
    # The reference target allows write, yet DATA-SCH-01 stays read-only unless include_writes.
    assert generation.detail["methods"] == "GET, HEAD"
    assert not [o for o in generation.detail["exercised"] if not o.startswith(("GET", "HEAD"))]


def test_conformant_agency_passes(clean: Target) -> None:
    results = run(clean, DOCUMENT_CHECKS)
    assert {rid: r.outcome for rid, r in results.items()} == dict.fromkeys(
        DOCUMENT_CHECKS, Outcome.PASS
    )


def test_clean_agency_passes_the_fast_checks(clean: Target) -> None:
    results = run(clean, FAST)
    for rid in FAST:
        assert results[rid].outcome is Outcome.PASS, (rid, results[rid].message)


@pytest.mark.slow
def test_clean_agency_passes_the_generated_checks(clean: Target) -> None:
    results = run(clean, GENERATED)
    for rid in GENERATED:
        assert results[rid].outcome is Outcome.PASS, (rid, results[rid].message)
    generation = results["DATA-NEG-01"].evidence[0].detail
    assert generation["seed"] == 1
    assert "POST /applications" in generation["exercised"]
    assert (
        generation["not_applicable"]["GET /health"]
        == "nothing in its request can violate the schema"
    )


def test_skips_without_declarations(clean: Target) -> None:
    declared = clean.inputs["resources"]["license"]
    kept = {k: v for k, v in declared.items() if k not in {"schematron", "codelists"}}
    inputs = {"resources": {"license": kept}}
    results = run(replace(clean, inputs=inputs), DOCUMENT_CHECKS)
    assert results["DATA-XML-02"].outcome is Outcome.SKIP
    assert results["DATA-RDF-01"].outcome is Outcome.SKIP
