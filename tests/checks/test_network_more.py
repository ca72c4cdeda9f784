"""Network checks NET-TLS-02 .. NET-LOAD-01: both ways on the reference agency, bounded load,
errors (not hangs) on endpoints that do not speak TLS, and the certificate helpers."""

from __future__ import annotations

import contextlib
import json
import tempfile
import time
from collections.abc import Iterator
from functools import partial
from pathlib import Path

import checks_support
import pytest
import trustme
from checks_support import _close_at_once, _never_answer, _plain_text
from cryptography import x509
from reference_agency import ReferenceAgency

from conformance.core.model import Outcome, Result, SafetyClass
from conformance.engine import Engine
from conformance.inputs.profile import load_profile
from conformance.inputs.target import ClientCertificate, SafetyPolicy, Target
from conformance.network import certificates
from conformance.network.tls import weak_suite_reason
from conformance.reference import reference_target

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
LOAD = [SafetyClass.LOAD]


@contextlib.contextmanager
def agency_target(faults: tuple[str, ...] = ()) -> Iterator[tuple[ReferenceAgency, Target]]:
    """A running reference agency and its Target (the agency is kept for server-side counts)."""
    with (
        tempfile.TemporaryDirectory(prefix="net-more-") as tmp,
        ReferenceAgency(faults=faults, workdir=Path(tmp) / "agency") as agency,
    ):
        yield agency, reference_target(agency, Path(tmp) / "secret")


# run(target, only, allow=LOAD, profile="network"): the checks under the network profile, load
# opted in unless the call says otherwise
run = partial(checks_support.run, profile="network", allow=LOAD)


@pytest.fixture(scope="module")
def clean_run() -> tuple[dict[str, Result], list[str]]:
    """Every network requirement on the conformant agency, load opted in; and the secrets."""
    with agency_target() as (agency, target):
        results = run(target, tuple(load_profile("network").requirements))
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


def test_a_certificate_close_to_expiry_is_a_warning_on_a_must():
    with agency_target(("NET-CRT-02",)) as (_, target):
        report = Engine(load_profile("network"), [target], only=["NET-CRT-02"], seed=1)
        report.profile.parameters["NET-CRT-02"].update(min_days_left=3, warn_days_left=30)
        result = report.run().results[0]
    assert result.outcome is Outcome.WARN, result.message
    assert "fewer than 30 days left" in result.message


def test_without_load_opt_in_no_load_check_sends_anything():
    with agency_target() as (agency, reference):
        # the reference target itself opts in to load (it is a test system): take that back
        target = reference.with_safety(allow=frozenset({SafetyClass.READ, SafetyClass.WRITE}))
        before = agency.request_count()
        results = run(target, ("NET-RATE-01", "NET-LOAD-01"), allow=[])
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
        discovery_free = run(target, ("NET-LOAD-01",), profile=str(profile))
        health = agency.request_count("/v1/health")
        before = agency.request_count("/v1/applications")
        rate = run(target, ("NET-RATE-01",), profile=str(profile))
        applications = agency.request_count("/v1/applications") - before
    assert discovery_free["NET-LOAD-01"].outcome is Outcome.PASS
    assert health == 37  # exactly the bound: each request is one server-side arrival
    assert rate["NET-RATE-01"].outcome is Outcome.PASS, rate["NET-RATE-01"].message
    assert 100 < applications <= 250


# -- endpoints that do not speak TLS: an error within the time limit, never a hang ------------
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
    results = run(target, only)
    mtls = run(target, ("NET-MTLS-01",))["NET-MTLS-01"]
    elapsed = time.monotonic() - started
    for rid, result in {**results, "NET-MTLS-01": mtls}.items():
        assert result.outcome is Outcome.ERROR, (rid, result.message)
    assert "handshake" in mtls.message or "no answer" in mtls.message
    # the deadline is part of the contract (not a speed measurement): generous slack
    assert elapsed < 30, elapsed


# -- helpers -------------------------------------------------------------------------------------
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


def test_certificate_helpers_judge_keys_names_and_chains():
    ca = trustme.CA()
    leaf = ca.issue_cert("127.0.0.1", "svc.example")
    cert = x509.load_pem_x509_certificate(leaf.cert_chain_pems[0].bytes())
    anchors = certificates.load_anchors(ca.cert_pem.bytes())
    assert certificates.key_description(cert)[0].startswith("EC")
    assert certificates.key_problem(cert, 2048, 256) is None
    assert "at least 384" in (certificates.key_problem(cert, 2048, 384) or "")
    assert certificates.signature_problem(cert) is None
    assert not isinstance(certificates.validate_chain([cert], anchors, "127.0.0.1"), str)
    assert not isinstance(certificates.validate_chain([cert], anchors, "svc.example"), str)
    wrong_name = certificates.validate_chain([cert], anchors, "other.example")
    assert isinstance(wrong_name, str)
    stranger = certificates.load_anchors(trustme.CA().cert_pem.bytes())
    assert isinstance(certificates.validate_chain([cert], stranger, "127.0.0.1"), str)


def test_a_rate_burst_too_small_to_pass_the_limit_in_one_window_is_a_skip(tmp_path):
    profile = tmp_path / "small-burst.yaml"
    profile.write_text(
        "name: small-burst\nextends: network\nparameters:\n  NET-RATE-01: {max_requests: 150}\n",
        "utf-8",
    )
    with agency_target() as (_, target):
        result = run(target, ("NET-RATE-01",), profile=str(profile))["NET-RATE-01"]
    assert result.outcome is Outcome.SKIP, result.message
    assert "more than twice the declared 100 per 1 s" in result.message


def test_an_agency_served_over_plain_http_fails_net_http_01_on_its_own_origin():
    catalogue = json.dumps({"linkset": [{"anchor": "http://x.invalid/api"}]}).encode()

    def answer(path: str) -> tuple[int, dict[str, str], bytes]:
        return 200, {"Content-Type": "application/linkset+json"}, catalogue

    with checks_support.loopback_http(answer) as base_url:
        target = Target(name="plain", base_url=base_url, safety=SafetyPolicy(max_rps=100.0))
        result = run(target, ("NET-HTTP-01",))["NET-HTTP-01"]
    assert result.outcome is Outcome.FAIL, result.message
    assert f"GET {base_url}/.well-known/api-catalog → 200" in result.message
    assert "over plain HTTP" in result.message
