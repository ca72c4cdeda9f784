"""BUS-XAG-01 (conformance/business/xag.py): the peer call carries the client certificate."""

from __future__ import annotations

from checks_support import run_one

from conformance.core.model import Outcome

from .evidence import kinds


def test_the_target_calls_the_suite_peer_with_its_client_certificate():
    result = run_one("BUS-XAG-01")
    assert result.outcome is Outcome.PASS, result.message
    (call,) = kinds(result, "peer-call")
    assert "commonName=market-regulation-client" in call["client_certificate"]
    assert '"id_number"' in call["body"]


def test_a_peer_call_without_a_client_certificate_fails():
    result = run_one("BUS-XAG-01", ("BUS-XAG-01",))
    assert result.outcome is Outcome.FAIL
    assert "presented no client certificate" in result.message
    (call,) = kinds(result, "peer-call")
    assert call["client_certificate"] == "(none presented)"
