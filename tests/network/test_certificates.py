"""The certificate helpers of the certificate checks (conformance/network/certificates.py)."""

from __future__ import annotations

import trustme
from cryptography import x509

from conformance.network import certificates


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
