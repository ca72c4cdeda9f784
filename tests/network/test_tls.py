"""NET-TLS-01 .. NET-TLS-03 (conformance/network/tls.py): the TLS 1.0 fault, an endpoint that
does not speak TLS, and the weak cipher suites."""

from __future__ import annotations

import time

import pytest
from checks_support import ACROSS_LEVELS, assert_only, loopback_http, run

from conformance.core.model import Outcome
from conformance.inputs.target import SafetyPolicy, Target
from conformance.network.tls import weak_suite_reason

from .tcp_endpoints import _close_at_once, _never_answer, _plain_text


def test_tls_fault_accepting_tls_1_0_fails_with_the_suites(faulted):
    results = faulted("NET-TLS-01", ACROSS_LEVELS)
    assert_only("NET-TLS-01", results, with_evidence=True)
    message = results["NET-TLS-01"].message
    assert "TLS 1.0 accepted with ECDHE-RSA-AES" in message
    assert "TLS 1.1 accepted with" in message
    suites = results["NET-TLS-01"].evidence[0].detail["accepted_cipher_suites"]
    assert "ECDHE-RSA-AES128-SHA" in suites["TLS 1.0"]


@pytest.mark.parametrize(
    ("behaviour", "reason"),
    [
        (_plain_text, "does not complete a TLS handshake"),
        (_close_at_once, "does not complete a TLS handshake"),
        (_never_answer, "no TLS handshake with"),
    ],
)
def test_tls_check_is_an_error_when_the_endpoint_does_not_speak_tls(tcp_server, behaviour, reason):
    port = tcp_server(behaviour)
    timeout_s = 2.0
    target = Target(
        name="not-tls",
        base_url=f"https://127.0.0.1:{port}",
        safety=SafetyPolicy(timeout_s=timeout_s),
    )
    started = time.monotonic()
    result = run(target, ("NET-TLS-01",))["NET-TLS-01"]
    elapsed = time.monotonic() - started
    assert result.outcome is Outcome.ERROR, result.message
    assert reason in result.message
    # the deadline is part of the contract (not a speed measurement): generous slack
    assert elapsed < timeout_s + 6, elapsed


@pytest.mark.parametrize(
    ("suite", "reason"),
    [
        ("NULL-SHA256", "NULL"),
        ("EXP-RC4-MD5", "export"),
        ("ADH-AES128-SHA", "anonymous"),
        ("AECDH-AES128-SHA", "anonymous"),
        ("RC4-SHA", "RC4"),
        ("DES-CBC3-SHA", "DES"),
        ("ECDHE-RSA-DES-CBC3-SHA", "DES"),
        ("ECDHE-RSA-AES128-GCM-SHA256", None),
        ("TLS_AES_128_GCM_SHA256", None),
    ],
)
def test_weak_suites_are_recognised(suite, reason):
    found = weak_suite_reason(suite)
    assert (found is None) if reason is None else (reason in (found or ""))


def test_an_agency_served_over_plain_http_fails_the_tls_requirements():
    # No TLS at all is the agency's choice, and the finding: not a gap in what the suite tested.
    answer = (200, {"Content-Type": "application/json"}, b"{}")
    with loopback_http(lambda path: answer) as base_url:
        target = Target(name="plain", base_url=base_url, safety=SafetyPolicy(max_rps=500))
        results = run(target, ["NET-TLS-01", "NET-TLS-02", "NET-TLS-03"], profile="network")
    for rid, result in results.items():
        assert result.outcome is Outcome.FAIL, (rid, result.message)
        assert "served over plain http" in result.message
