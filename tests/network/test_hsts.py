"""NET-HSTS-01 (conformance/network/hsts.py): the fault, and a target without https."""

from __future__ import annotations

from checks_support import ACROSS_LEVELS, assert_only, run

from conformance.core.model import Outcome
from conformance.inputs.target import Target


def test_hsts_fault_fails_showing_the_header(faulted):
    results = faulted("NET-HSTS-01", ACROSS_LEVELS)
    assert_only("NET-HSTS-01", results, with_evidence=True)
    assert "'max-age=86400'" in results["NET-HSTS-01"].message


def test_hsts_check_fails_a_target_without_https(site):
    result = run(Target(name="site", base_url=site.base_url), ("NET-HSTS-01",))["NET-HSTS-01"]
    assert result.outcome is Outcome.FAIL
    assert "not served over https" in result.message
