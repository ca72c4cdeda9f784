"""DATA-NEG-01 and DATA-NEG-02 (conformance/data/neg.py): accepted violations, broken requests,
and negative generation without write."""

from __future__ import annotations

from dataclasses import replace

import pytest
from checks_support import Faulted, run

from conformance.core.model import Outcome, SafetyClass
from conformance.inputs.target import Target

from .requirement_sets import FAST, GENERATED


@pytest.mark.slow
def test_an_accepted_violation_names_what_was_violated(faulted: Faulted) -> None:
    result = faulted("DATA-NEG-01", GENERATED)["DATA-NEG-01"]
    assert "POST /applications" in result.message
    assert "unexpected properties" in result.message
    assert "expected 4xx" in result.message
    note = next(e for e in result.evidence if e.kind == "validation")
    assert note.detail["check"] == "negative_data_rejection"
    assert "x-schemathesis-unknown-property" in (note.detail["request"]["body"] or "")
    assert "$CONFORMANCE_TOKEN" in result.reproduce  # the bearer token never appears


def test_negative_generation_stays_read_only_without_write(clean: Target) -> None:
    read_only = replace(clean, safety=replace(clean.safety, allow=frozenset({SafetyClass.READ})))
    results = run(read_only, ("DATA-NEG-01",))
    generation = results["DATA-NEG-01"].evidence[0].detail
    assert results["DATA-NEG-01"].outcome is Outcome.PASS, results["DATA-NEG-01"].message
    assert set(generation["methods"]) <= {"GET", "HEAD"}


def test_broken_requests_name_status_and_rule(faulted: Faulted) -> None:
    result = faulted("DATA-NEG-02", FAST)["DATA-NEG-02"]
    assert "malformed JSON body" in result.message
    assert "malformed XML body" in result.message
    assert "answered 422, expected 400 (RFC 9110 §15.5.1)" in result.message
    assert result.reproduce.startswith("curl ")
