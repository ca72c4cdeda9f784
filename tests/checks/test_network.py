"""Network checks: the HSTS and challenge parsers, the TLS probe, and each check both ways."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from typing import Any

import pytest
from checks_support import (
    _close_at_once,
    _never_answer,
    _plain_text,
    assert_only,
    loopback_http,
    run,
)

from conformance.client.http import HttpClient
from conformance.core.model import Outcome
from conformance.inputs.target import SafetyPolicy, Target
from conformance.network import tls_probe
from conformance.network.challenges import challenge_schemes
from conformance.network.hsts_policy import parse_hsts, several_fields

ACROSS_LEVELS = ("DEP-OAS-01", "DEP-ERR-01", "NET-TLS-01", "NET-HSTS-01", "NET-AUTH-01")
NETWORK = ("NET-TLS-01", "NET-HSTS-01", "NET-AUTH-01")


# -- RFC 6797 §6.1 ---------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("value", "max_age", "subdomains"),
    [
        ("max-age=31536000; includeSubDomains", 31536000, True),
        ('MAX-AGE="31536000"', 31536000, False),
        ("  ; max-age = 600 ;; INCLUDESUBDOMAINS ;", 600, True),
        ('foo="a;b"; max-age=3; preload', 3, False),
        ("max-age=10, max-age=20", 10, False),
    ],
)
def test_hsts_valid_values(value, max_age, subdomains):
    policy = parse_hsts(value)
    assert (policy.max_age, policy.include_subdomains) == (max_age, subdomains)


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("max-age=1; Max-Age=2", "more than once"),
        ("includeSubDomains", "missing"),
        ("max-age=abc", "delta-seconds"),
        ("max-age=-1", "delta-seconds"),
        ('max-age="12', "no valid value"),
        ("max-age=5 x", "expected ';'"),
        ("max-age=5; includeSubDomains=yes", "takes no value"),
        ("", "missing"),
    ],
)
def test_hsts_invalid_values_name_the_reason(value, reason):
    with pytest.raises(ValueError, match=reason):
        parse_hsts(value)


def test_hsts_folded_fields_are_detected():
    assert several_fields("max-age=1, max-age=2")
    assert not several_fields('max-age=1; x="a,b"')


# -- RFC 9110 §11.6.1 -------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("value", "schemes"),
    [
        ('Bearer realm="market-regulation"', ["Bearer"]),
        ("Bearer", ["Bearer"]),
        ('Basic realm="a", Bearer realm="b", error="invalid_token"', ["Basic", "Bearer"]),
        ("Newauth abc==, Bearer", ["Newauth", "Bearer"]),
    ],
)
def test_challenges_are_parsed(value, schemes):
    assert challenge_schemes(value) == schemes


@pytest.mark.parametrize("value", ["", "  ", '"realm"', 'Bearer realm="x" "y"'])
def test_invalid_challenges_are_refused(value):
    with pytest.raises(ValueError, match="challenge"):
        challenge_schemes(value)


# -- both ways on the reference agency --------------------------------------------------------
def test_network_checks_pass_on_the_conformant_agency(clean):
    results = run(clean, NETWORK)
    assert {rid: r.outcome for rid, r in results.items()} == dict.fromkeys(NETWORK, Outcome.PASS)
    tls = results["NET-TLS-01"].evidence[0].detail
    assert tls["accepted_cipher_suites"]["TLS 1.0"] == []
    assert tls["accepted_cipher_suites"]["TLS 1.2"]


def test_tls_fault_accepting_tls_1_0_fails_with_the_suites(faulted):
    results = faulted("NET-TLS-01", ACROSS_LEVELS)
    assert_only("NET-TLS-01", results, with_evidence=True)
    message = results["NET-TLS-01"].message
    assert "TLS 1.0 accepted with ECDHE-RSA-AES" in message
    assert "TLS 1.1 accepted with" in message
    suites = results["NET-TLS-01"].evidence[0].detail["accepted_cipher_suites"]
    assert "ECDHE-RSA-AES128-SHA" in suites["TLS 1.0"]


def test_hsts_fault_fails_showing_the_header(faulted):
    results = faulted("NET-HSTS-01", ACROSS_LEVELS)
    assert_only("NET-HSTS-01", results, with_evidence=True)
    assert "'max-age=86400'" in results["NET-HSTS-01"].message


def test_auth_fault_without_challenge_fails(faulted):
    results = faulted("NET-AUTH-01", ACROSS_LEVELS)
    assert_only("NET-AUTH-01", results, with_evidence=True)
    assert "without WWW-Authenticate" in results["NET-AUTH-01"].message


# -- the TLS probe ------------------------------------------------------------------------------
def test_tls_scan_is_cached_per_run_and_extended_on_demand(clean):
    client = HttpClient(clean)
    try:
        first = tls_probe.scan(client, protocols=("TLS 1.2",))
        assert tls_probe.scan(client, protocols=("TLS 1.2",)) is first
        assert first.scans == 1
        assert tls_probe.scan(client, protocols=("TLS 1.2", "TLS 1.3")) is first
        assert (first.scans, sorted(first.accepted)) == (2, ["TLS 1.2", "TLS 1.3"])
        assert tls_probe.scan(client, protocols=(), certificate=True) is first
        assert (first.scans, first.certificate is not None) == (3, True)
        other_run = HttpClient(clean)
        assert tls_probe.scan(other_run, protocols=("TLS 1.3",)) is not first
        other_run.close()
    finally:
        client.close()


def test_tls_probe_refuses_hosts_off_the_target(clean):
    client = HttpClient(clean)
    with pytest.raises(tls_probe.Inconclusive, match="not one of the target's hosts"):
        tls_probe.scan(client, "https://192.0.2.1:443")
    with pytest.raises(tls_probe.Inconclusive, match="not an https URL"):
        tls_probe.scan(client, clean.http_url)


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


# -- NET-AUTH-01 decisions, on a small plain-HTTP loopback server -----------------------------
class Site:
    """A catalogue, an OpenAPI document, and one answer to every other path."""

    def __init__(self) -> None:
        self.base_url = ""
        self.openapi: dict[str, Any] = {}
        self.fallback: tuple[int, dict[str, str]] = (404, {})

    def answer(self, path: str) -> tuple[int, dict[str, str], bytes]:
        if path == "/.well-known/api-catalog":
            links = {"service-desc": [{"href": f"{self.base_url}/openapi"}]}
            body = {"linkset": [{"anchor": f"{self.base_url}/api", **links}]}
            return 200, {"Content-Type": "application/linkset+json"}, json.dumps(body).encode()
        if path == "/openapi":
            return 200, {"Content-Type": "application/json"}, json.dumps(self.openapi).encode()
        status, headers = self.fallback
        problem = {"title": "error", "status": status}
        return (
            status,
            {"Content-Type": "application/problem+json", **headers},
            json.dumps(problem).encode(),
        )


@pytest.fixture
def site() -> Iterator[Site]:
    """A running Site on 127.0.0.1."""
    state = Site()
    with loopback_http(state.answer) as base_url:
        state.base_url = base_url
        yield state


def api(site: Site, parameter: dict[str, Any], security: bool = True) -> dict[str, Any]:
    operation: dict[str, Any] = {
        "operationId": "getItem",
        "parameters": [{"name": "id", "in": "path", "required": True, **parameter}],
        "responses": {"200": {"description": "the item"}},
    }
    if security:
        operation["security"] = [{"oauth2": ["items:read"]}]
    return {
        "openapi": "3.1.0",
        "info": {"title": "t", "version": "1"},
        "servers": [{"url": f"{site.base_url}/api"}],
        "paths": {"/items/{id}": {"get": operation}},
    }


AUTH_CASES = [
    (
        "challenge",
        {"example": "42"},
        True,
        (401, {"WWW-Authenticate": 'Bearer realm="x"'}),
        Outcome.PASS,
        "getItem → 401 Bearer",
    ),
    (
        "bad-challenge",
        {"example": "42"},
        True,
        (401, {"WWW-Authenticate": '"x"'}),
        Outcome.FAIL,
        "holds no valid challenge",
    ),
    (
        "lookup-before-auth",
        {"example": "42"},
        True,
        (404, {}),
        Outcome.FAIL,
        "answered 404, expected 401",
    ),
    (
        "anonymous-read",
        {"schema": {"type": "string", "format": "uuid"}},
        True,
        (200, {}),
        Outcome.FAIL,
        "answered 200, expected 401",
    ),
    (
        "guessed-value",
        {"schema": {"type": "string", "pattern": "^[A-Z]{3}$"}},
        True,
        (404, {}),
        Outcome.ERROR,
        "no protected operation could be reached",
    ),
    (
        "nothing-protected",
        {"example": "42"},
        False,
        (404, {}),
        Outcome.SKIP,
        "declares no protected GET operation",
    ),
]


@pytest.mark.parametrize(
    ("parameter", "security", "fallback", "outcome", "expected"),
    [case[1:] for case in AUTH_CASES],
    ids=[case[0] for case in AUTH_CASES],
)
def test_auth_check_decisions(site, parameter, security, fallback, outcome, expected):
    site.openapi = api(site, parameter, security)
    site.fallback = fallback
    result = run(Target(name="site", base_url=site.base_url), ("NET-AUTH-01",))["NET-AUTH-01"]
    assert result.outcome is outcome, result.message
    assert expected in result.message


def test_hsts_check_fails_a_target_without_https(site):
    result = run(Target(name="site", base_url=site.base_url), ("NET-HSTS-01",))["NET-HSTS-01"]
    assert result.outcome is Outcome.FAIL
    assert "not served over https" in result.message


def test_an_endpoint_without_tls_is_not_scanned_twice_in_a_run(tcp_server):
    port = tcp_server(_close_at_once)
    client = HttpClient(Target(name="not-tls", base_url=f"https://127.0.0.1:{port}"))
    with pytest.raises(tls_probe.Inconclusive) as first:
        tls_probe.scan(client)
    with pytest.raises(tls_probe.Inconclusive) as second:
        tls_probe.scan(client, protocols=("TLS 1.3",))
    assert second.value is first.value
