"""Business-level checks along a case, proven both ways on the reference agency."""

from __future__ import annotations

import base64
import json

import pytest
from checks_support import run_one

from conformance.business.signatures import SignatureProblem, keys_by_id, public_key, verify_jws
from conformance.core.errors import PreconditionMissing
from conformance.core.model import Outcome, Result


def kinds(result: Result, kind: str) -> list[dict]:
    return [e.detail for e in result.evidence if e.kind == kind]


def note_text(result: Result) -> str:
    return "\n".join(e.detail.get("note", "") for e in result.evidence if e.kind == "http")


# -- BUS-WF-02 ------------------------------------------------------------------------------
def test_exploration_follows_links_on_the_conformant_agency():
    result = run_one("BUS-WF-02")
    assert result.outcome is Outcome.PASS, result.message
    (links,) = kinds(result, "links")
    assert "POST /applications → GET /applications/{id}" in links["links"]


def test_a_link_to_a_wrong_field_is_a_created_resource_not_retrievable():
    result = run_one("BUS-WF-02", ("BUS-WF-02",))
    assert result.outcome is Outcome.FAIL, result.message
    assert "GetApplication" in result.message
    assert "which answered 404: a resource just created is not retrievable" in result.message
    statuses = [e.detail["response"]["status"] for e in result.evidence if e.kind == "http"]
    assert statuses == [201, 404]


# -- BUS-STATE-01 ---------------------------------------------------------------------------
def test_states_follow_the_declared_machine_and_an_illegal_transition_gets_409():
    result = run_one("BUS-STATE-01")
    assert result.outcome is Outcome.PASS, result.message
    (states,) = kinds(result, "states")
    assert states["states"] == ["submitted", "verifying", "approved", "licensed"]
    assert "POST withdrawApplication in licensed → 409" in result.message


def test_a_skipped_state_fails_with_the_observed_sequence():
    result = run_one("BUS-STATE-01", ("BUS-STATE-01",))
    assert result.outcome is Outcome.FAIL
    assert "went submitted → verifying → licensed" in result.message
    assert "verifying → licensed is not a declared transition" in result.message
    assert "from verifying: approved, rejected, withdrawn" in result.message


# -- BUS-CORR-01 / BUS-XAG-01 ----------------------------------------------------------------
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


# -- BUS-SIG-01 -----------------------------------------------------------------------------
def test_licence_responses_verify_against_the_published_keys():
    result = run_one("BUS-SIG-01")
    assert result.outcome is Outcome.PASS, result.message
    bases = [d["signature_base"] for d in kinds(result, "signature") if "signature_base" in d]
    rfc9421 = [b for b in bases if b.startswith('"@status"')]
    jws_headers = [json.loads(b) for b in bases if b not in rfc9421]
    assert len(rfc9421) == 3
    assert rfc9421[0].startswith('"@status": 200\n"content-type": application/json\n')
    assert [h["alg"] for h in jws_headers] == ["ES256", "ES256"]  # the licence, JSON and XML
    assert "5 response(s) carry RFC 9421 and JWS signatures" in result.message
    assert "1 XML document(s) carry an XML Signature that verifies" in result.message


@pytest.mark.parametrize(
    ("fault", "problem"),
    [
        ("BUS-SIG-01/jws", "the JWS (kid 'market-regulation-"),
        ("BUS-SIG-01/xml", "the XML Signature does not verify with any published key"),
    ],
)
def test_a_tampered_jws_or_xml_signature_fails(fault, problem):
    result = run_one("BUS-SIG-01", (fault,))
    assert result.outcome is Outcome.FAIL
    assert problem in result.message


def test_a_tampered_signature_fails_with_its_signature_base():
    result = run_one("BUS-SIG-01", ("BUS-SIG-01",))
    assert result.outcome is Outcome.FAIL
    assert "signature sig1 (keyid 'market-regulation-" in result.message
    assert "does not verify" in result.message
    (base,) = kinds(result, "signature")
    assert (
        '"@signature-params": ("@status" "content-type" "content-digest")'
        in (base["signature_base"])
    )


def test_a_key_set_without_keys_is_refused():
    with pytest.raises(SignatureProblem, match="no keys array"):
        keys_by_id({"keys": "none"})
    with pytest.raises(SignatureProblem, match="unsupported curve"):
        public_key({"kty": "EC", "crv": "P-192", "kid": "k", "x": "AA", "y": "AA"})


# -- BUS-AUTHZ-01 ---------------------------------------------------------------------------
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


# -- BUS-CONS-01 ----------------------------------------------------------------------------
def test_the_licence_shows_in_the_registry_within_the_delay():
    result = run_one("BUS-CONS-01")
    assert result.outcome is Outcome.PASS, result.message
    assert "in /v1/licenses after" in result.message


def test_a_licence_never_listed_fails_within_the_declared_delay():
    result = run_one("BUS-CONS-01", ("BUS-CONS-01",))
    assert result.outcome is Outcome.FAIL
    assert "did not show it within the declared delay of 2 s" in result.message
    assert "still absent after" in note_text(result)


# -- BUS-ASYNC-01 ---------------------------------------------------------------------------
def test_respond_async_answers_202_with_location_and_retry_after():
    result = run_one("BUS-ASYNC-01")
    assert result.outcome is Outcome.PASS, result.message
    statuses = [e.detail["response"]["status"] for e in result.evidence if e.kind == "http"]
    assert statuses == [202, 200]


def test_a_202_without_location_warns():
    result = run_one("BUS-ASYNC-01", ("BUS-ASYNC-01",))
    assert result.outcome is Outcome.WARN
    assert "answered 202 without Location" in result.message


def test_the_state_machine_input_refuses_undeclared_states():
    from conformance.business.state import StateMachine

    with pytest.raises(PreconditionMissing, match="undeclared states archived"):
        StateMachine.from_inputs({"states": ["a"], "transitions": [["a", "archived"]]})
    machine = StateMachine.from_inputs(
        {"states": ["a", "b", "c"], "transitions": [["a", "b"], ["b", "c"]]}
    )
    assert machine.violation(["a", "c"]) == ""  # reachable, and the machine is not strict
    assert "c → a is not a declared transition" in machine.violation(["a", "c", "a"])
    assert "state 'x' is not declared" in machine.violation(["a", "x"])


def test_a_jws_verifies_only_untampered_with_a_published_asymmetric_key():
    from joserfc import jws
    from joserfc.jwk import OctKey, OKPKey
    from reference_agency.signing import ResponseSigner

    signer, other = ResponseSigner(frozenset()), ResponseSigner(frozenset())
    keys = keys_by_id(signer.jwks())
    body = b'{"code": "91110108"}'
    detached = signer.detached_jws(body)
    verified = verify_jws(detached, keys, detached=body)
    assert (verified.keyid, verified.alg) == (signer.kid, "ES256")
    with pytest.raises(SignatureProblem, match="does not verify over the 20-byte body"):
        verify_jws(detached, keys, detached=body.replace(b"8", b"9"))
    with pytest.raises(SignatureProblem, match="is not in the published key set"):
        verify_jws(detached, keys_by_id(other.jwks()), detached=body)
    header, _, signature = detached.partition("..")
    attached = f"{header}.{jws_b64(body)}.{signature}"
    assert verify_jws(attached, keys, detached=None).keyid == signer.kid  # a JWS body
    with pytest.raises(SignatureProblem, match="must have detached content"):
        verify_jws(attached, keys, detached=body)
    with pytest.raises(SignatureProblem, match="not a compact JWS: 2"):
        verify_jws("abc.def", keys, detached=body)

    ed = OKPKey.generate_key("Ed25519", parameters={"kid": "ed"})
    unencoded = jws.detach_content(  # RFC 7797: the payload is signed as it is
        jws.serialize_compact(
            {"alg": "Ed25519", "kid": "ed", "b64": False, "crit": ["b64"]},
            body,
            ed,
            algorithms=["Ed25519"],
        )
    )
    published = keys_by_id({"keys": [ed.as_dict(private=False)]})
    assert verify_jws(unencoded, published, detached=body).alg == "Ed25519"

    secret = OctKey.generate_key(256, parameters={"kid": "hmac"})
    hmac = jws.serialize_compact({"alg": "HS256", "kid": "hmac"}, body, secret)
    with pytest.raises(SignatureProblem, match="JWS alg 'HS256' cannot be verified"):
        verify_jws(hmac, {"hmac": secret.as_dict(private=False)}, detached=None)
    none_header = jws_b64(json.dumps({"alg": "none"}).encode())
    unsigned = f"{none_header}.{jws_b64(body)}."
    with pytest.raises(SignatureProblem, match="JWS alg 'none' cannot be verified"):
        verify_jws(unsigned, keys, detached=None)


def jws_b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def test_an_xml_signature_verifies_only_untampered_and_with_the_published_key():
    from reference_agency.signing import ResponseSigner

    from conformance.business.signatures import verify_xml_signature

    signer, other = ResponseSigner(frozenset()), ResponseSigner(frozenset())
    document = b'<?xml version="1.0"?><license xmlns="urn:x"><code>91110108</code></license>'
    signed = signer.sign_xml(document)
    assert verify_xml_signature(signed, keys_by_id(signer.jwks())) == signer.kid
    tampered = signed.replace(b"<code>91110108</code>", b"<code>91110109</code>")
    with pytest.raises(SignatureProblem, match="does not verify with any published key"):
        verify_xml_signature(tampered, keys_by_id(signer.jwks()))
    with pytest.raises(SignatureProblem, match="does not verify with any published key"):
        verify_xml_signature(signed, keys_by_id(other.jwks()))
