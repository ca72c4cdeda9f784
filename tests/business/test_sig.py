"""BUS-SIG-01 (conformance/business/sig.py): signed responses verify; tampered ones fail."""

from __future__ import annotations

import json

import pytest
from checks_support import run_one

from conformance.core.model import Outcome

from .evidence import kinds


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
