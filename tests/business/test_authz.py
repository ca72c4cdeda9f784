"""BUS-AUTHZ-01 (conformance/business/authz.py): another identity cannot read the case."""

from __future__ import annotations

from checks_support import run_one

from conformance.core.model import Outcome


def test_another_identity_cannot_read_the_case():
    result = run_one("BUS-AUTHZ-01")
    assert result.outcome is Outcome.PASS, result.message
    statuses = [e.detail["response"]["status"] for e in result.evidence if e.kind == "http"]
    assert statuses[-2:] == [404, 403]


def test_a_case_readable_by_anyone_fails():
    result = run_one("BUS-AUTHZ-01", ("BUS-AUTHZ-01",))
    assert result.outcome is Outcome.FAIL
    assert "the second identity second-client read another client's case" in result.message
    assert ": 200, expected 403 or 404" in result.message
