"""The signature verification of BUS-SIG-01 (conformance/business/signatures.py): key sets,
JWS and XML Signature."""

from __future__ import annotations

import base64
import json

import pytest

from conformance.business.signatures import SignatureProblem, keys_by_id, public_key, verify_jws


def test_a_key_set_without_keys_is_refused():
    with pytest.raises(SignatureProblem, match="no keys array"):
        keys_by_id({"keys": "none"})
    with pytest.raises(SignatureProblem, match="unsupported curve"):
        public_key({"kty": "EC", "crv": "P-192", "kid": "k", "x": "AA", "y": "AA"})


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
