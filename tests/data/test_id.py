"""DATA-ID-01 (conformance/data/id.py): each bad identifier listed; no declarations, a skip."""

from __future__ import annotations

from dataclasses import replace

from checks_support import Faulted, run

from conformance.core.model import Outcome
from conformance.inputs.target import Target

from .requirement_sets import PAYLOAD_CHECKS


def test_identifier_failure_lists_each_bad_value(faulted: Faulted) -> None:
    result = faulted("DATA-ID-01", PAYLOAD_CHECKS)["DATA-ID-01"]
    bad = [e.detail for e in result.evidence if e.kind == "identifier"]
    assert len(bad) == 3
    assert {b["pointer"] for b in bad} == {"/code"}
    assert all(b["reason"].startswith("check character is") and b["value"] for b in bad)
    assert bad[0]["url"] in result.message
    assert repr(bad[0]["value"]) in result.message
    assert "3 invalid identifier(s)" in result.message
    assert "expected" in result.message


def test_missing_identifier_declarations_are_a_skip(clean: Target) -> None:
    inputs = {
        "resources": {
            "license": {
                k: v for k, v in clean.inputs["resources"]["license"].items() if k != "identifiers"
            }
        }
    }
    result = run(replace(clean, inputs=inputs), ("DATA-ID-01",))["DATA-ID-01"]
    assert result.outcome is Outcome.SKIP
    assert "declares identifiers" in result.message
