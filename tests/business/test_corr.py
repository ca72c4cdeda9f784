"""BUS-CORR-01 (conformance/business/corr.py): the trace id reaches the peer."""

from __future__ import annotations

from checks_support import run_one

from conformance.core.model import Outcome

from .evidence import kinds, note_text


def test_the_trace_id_reaches_the_suite_peer():
    result = run_one("BUS-CORR-01")
    assert result.outcome is Outcome.PASS, result.message
    (call,) = kinds(result, "peer-call")
    assert call["path"] == "/v1/identity-verifications"
    trace_id = result.message.split("trace-id ")[1].split()[0]
    assert trace_id in call["headers"]["traceparent"]
    assert "restore the target's own peer" in note_text(result)


def test_a_dropped_trace_id_fails():
    result = run_one("BUS-CORR-01", ("BUS-CORR-01",))
    assert result.outcome is Outcome.FAIL
    assert "the call to the peer POST /v1/identity-verifications carried traceparent" in (
        result.message
    )
    (call,) = kinds(result, "peer-call")
    assert call["headers"]["traceparent"] in result.message
