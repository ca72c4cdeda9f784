"""BUS-IDEM-01 (conformance/business/idem.py): the Idempotency-Key."""

from __future__ import annotations

from checks_support import run_one

from conformance.core.model import Outcome


def test_idempotency_key_passes_on_the_conformant_agency():
    result = run_one("BUS-IDEM-01")
    assert result.outcome is Outcome.PASS, result.message
    assert [e.detail["response"]["status"] for e in result.evidence] == [201, 201, 422]
    keys = {e.detail["request"]["headers"]["Idempotency-Key"] for e in result.evidence}
    assert len(keys) == 1


def test_an_ignored_idempotency_key_fails():
    result = run_one("BUS-IDEM-01", ("BUS-IDEM-01",))
    assert result.outcome is Outcome.FAIL
    assert "the second POST created a new resource: id " in result.message
    first, second = (e.detail["response"]["body"] for e in result.evidence[:2])
    assert first != second
