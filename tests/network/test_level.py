"""The network requirements together: every one on the conformant reference agency (no secret
in the evidence), the load opt-in and bounds, and the TLS-reading checks on endpoints that do not
speak TLS (an error within the time limit, never a hang)."""

from __future__ import annotations

import json
import time

import pytest
import trustme
from checks_support import run

from conformance.core.model import Outcome, Result, SafetyClass
from conformance.inputs.profile import load_profile
from conformance.inputs.target import ClientCertificate, SafetyPolicy, Target

from .agencies import agency_target
from .network_profile import run_network
from .tcp_endpoints import _close_at_once, _never_answer, _plain_text

NETWORK = ("NET-TLS-01", "NET-HSTS-01", "NET-AUTH-01")

NETWORK_CHECKS = (
    "NET-TLS-02",
    "NET-TLS-03",
    "NET-CRT-01",
    "NET-CRT-02",
    "NET-CRT-03",
    "NET-HTTP-01",
    "NET-MTLS-01",
    "NET-AUTH-02",
    "NET-AUTH-03",
    "NET-HDR-01",
    "NET-METH-01",
    "NET-CORS-01",
    "NET-RATE-01",
    "NET-LOAD-01",
)


def test_network_checks_pass_on_the_conformant_agency(clean):
    results = run(clean, NETWORK)
    assert {rid: r.outcome for rid, r in results.items()} == dict.fromkeys(NETWORK, Outcome.PASS)
    tls = results["NET-TLS-01"].evidence[0].detail
    assert tls["accepted_cipher_suites"]["TLS 1.0"] == []
    assert tls["accepted_cipher_suites"]["TLS 1.2"]


@pytest.fixture(scope="module")
def clean_run() -> tuple[dict[str, Result], list[str]]:
    """Every network requirement on the conformant agency, load opted in; and the secrets."""
    with agency_target() as (agency, target):
        results = run_network(target, tuple(load_profile("network").requirements))
        issued = list(agency._store_.tokens)
        return results, [agency.client_secret, *issued]


def test_every_network_requirement_passes_on_the_conformant_agency(clean_run):
    results, _ = clean_run
    failing = {
        r: (x.outcome.value, x.message) for r, x in results.items() if x.outcome.value != "pass"
    }
    assert not failing
    assert set(NETWORK_CHECKS) <= set(results)


def test_no_token_or_secret_reaches_the_evidence(clean_run):
    results, secrets = clean_run
    text = json.dumps([r.to_dict() for r in results.values()], ensure_ascii=False)
    assert len(secrets) > 2  # the checks did obtain tokens
    for secret in secrets:
        assert secret not in text


def test_without_load_opt_in_no_load_check_sends_anything():
    with agency_target() as (agency, reference):
        # the reference target itself opts in to load (it is a test system): take that back
        target = reference.with_safety(allow=frozenset({SafetyClass.READ, SafetyClass.WRITE}))
        before = agency.request_count()
        results = run_network(target, ("NET-RATE-01", "NET-LOAD-01"), allow=[])
        assert agency.request_count() == before
    assert {r.outcome for r in results.values()} == {Outcome.SKIP}


def test_load_checks_never_exceed_their_bound_counted_by_the_server(tmp_path):
    profile = tmp_path / "bounded.yaml"
    profile.write_text(
        "name: bounded\nextends: network\nparameters:\n"
        "  NET-LOAD-01: {requests: 37, concurrency: 5}\n"
        "  NET-RATE-01: {max_requests: 250, concurrency: 6}\n",
        "utf-8",
    )
    with agency_target() as (agency, target):
        discovery_free = run_network(target, ("NET-LOAD-01",), profile=str(profile))
        health = agency.request_count("/v1/health")
        before = agency.request_count("/v1/applications")
        rate = run_network(target, ("NET-RATE-01",), profile=str(profile))
        applications = agency.request_count("/v1/applications") - before
    assert discovery_free["NET-LOAD-01"].outcome is Outcome.PASS
    assert health == 37  # exactly the bound: each request is one server-side arrival
    assert rate["NET-RATE-01"].outcome is Outcome.PASS, rate["NET-RATE-01"].message
    assert 100 < applications <= 250


@pytest.mark.parametrize("behaviour", [_plain_text, _close_at_once, _never_answer])
def test_tls_checks_are_errors_on_endpoints_that_do_not_speak_tls(tcp_server, behaviour, tmp_path):
    port = tcp_server(behaviour)
    url = f"https://127.0.0.1:{port}"
    # tmp_path outlives the test: sslyze's abandoned scan threads may still read the files
    cert, key = tmp_path / "c.pem", tmp_path / "k.pem"
    leaf = trustme.CA().issue_cert("client.example")
    leaf.cert_chain_pems[0].write_to_path(str(cert))
    leaf.private_key_pem.write_to_path(str(key))
    target = Target(
        name="not-tls",
        base_url=url,
        mtls_url=url,
        client_certificate=ClientCertificate(cert, key),
        safety=SafetyPolicy(timeout_s=2),
    )
    only = ("NET-TLS-02", "NET-TLS-03", "NET-CRT-01", "NET-CRT-02", "NET-CRT-03")
    started = time.monotonic()
    results = run_network(target, only)
    mtls = run_network(target, ("NET-MTLS-01",))["NET-MTLS-01"]
    elapsed = time.monotonic() - started
    for rid, result in {**results, "NET-MTLS-01": mtls}.items():
        assert result.outcome is Outcome.ERROR, (rid, result.message)
    assert "handshake" in mtls.message or "no answer" in mtls.message
    # the deadline is part of the contract (not a speed measurement): generous slack
    assert elapsed < 30, elapsed
