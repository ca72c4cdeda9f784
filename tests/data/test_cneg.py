"""DATA-CNEG-01 (conformance/data/cneg.py): fields that differ between JSON and XML; no field
map, a skip."""

from __future__ import annotations

from dataclasses import replace

from checks_support import Faulted, run

from conformance.core.model import Outcome
from conformance.inputs.target import Target

from .requirement_sets import FAST


def test_field_differences_name_pointer_and_xpath(faulted: Faulted) -> None:
    result = faulted("DATA-CNEG-01", FAST)["DATA-CNEG-01"]
    notes = [e.detail for e in result.evidence if e.kind == "field"]
    assert {n["pointer"] for n in notes} == {"/enterprise_name"}
    assert all(n["xml"] == n["json"] + "（分公司）" for n in notes)
    assert "/lic:license/lic:enterprise_name" in result.message


def test_no_declared_field_map_is_a_skip(clean: Target) -> None:
    resources = {
        name: {k: v for k, v in spec.items() if k != "field_map"}
        for name, spec in clean.inputs["resources"].items()
    }
    results = run(replace(clean, inputs={**clean.inputs, "resources": resources}), FAST)
    assert results["DATA-CNEG-01"].outcome is Outcome.SKIP
    assert "field_map" in results["DATA-CNEG-01"].message
