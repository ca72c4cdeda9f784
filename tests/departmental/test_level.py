"""The departmental requirements together, on the conformant reference agency."""

from __future__ import annotations

from checks_support import run

from conformance.core.model import Outcome
from conformance.reference import running_reference

from .departmental_profile import DECLARATION_CHECKS, run_departmental

DEPARTMENTAL = ("DEP-OAS-01", "DEP-ERR-01")


def test_departmental_checks_pass_on_the_conformant_agency(clean):
    results = run(clean, DEPARTMENTAL)
    assert {r: x.outcome for r, x in results.items()} == dict.fromkeys(DEPARTMENTAL, Outcome.PASS)
    assert "OpenAPI 3.1.0" in results["DEP-OAS-01"].message
    assert "unknown path → 404" in results["DEP-ERR-01"].message


def test_every_departmental_requirement_passes_on_the_conformant_agency():
    with running_reference() as target:
        results = run_departmental(target)
    assert set(DECLARATION_CHECKS) <= set(results)
    assert {r: x.outcome for r, x in results.items() if x.outcome is not Outcome.PASS} == {}
    assert "≤ 800 ms declared" in results["DEP-SLA-02"].message
