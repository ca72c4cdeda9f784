"""BUS-ASYNC-01 (conformance/business/asynchronous.py): respond-async answers 202."""

from __future__ import annotations

from checks_support import run_one

from conformance.core.model import Outcome


def test_respond_async_answers_202_with_location_and_retry_after():
    result = run_one("BUS-ASYNC-01")
    assert result.outcome is Outcome.PASS, result.message
    statuses = [e.detail["response"]["status"] for e in result.evidence if e.kind == "http"]
    assert statuses == [202, 200]


def test_a_202_without_location_warns():
    result = run_one("BUS-ASYNC-01", ("BUS-ASYNC-01",))
    assert result.outcome is Outcome.WARN
    assert "answered 202 without Location" in result.message
