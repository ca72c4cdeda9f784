"""The certificate helpers of the certificate checks (conformance/network/certificates.py)."""

from __future__ import annotations

import datetime as dt
import ipaddress

import trustme
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

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


def _issued(*, aki: bool, ca_is_ca: bool = True) -> tuple[x509.Certificate, x509.Certificate]:
    """A CA and a leaf for 127.0.0.1 signed by it, the leaf with or without an
    authorityKeyIdentifier."""
    now = dt.datetime.now(dt.UTC)
    ca_key, leaf_key = (
        ec.generate_private_key(ec.SECP256R1()),
        ec.generate_private_key(ec.SECP256R1()),
    )
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Test CA")])
    ca = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=90))
        .add_extension(x509.BasicConstraints(ca=ca_is_ca, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(False, False, False, False, False, True, True, False, False), True
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), False)
        .sign(ca_key, hashes.SHA256())
    )
    builder = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "agency")]))
        .issuer_name(ca_name)
        .public_key(leaf_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=30))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
    )
    if aki:
        builder = builder.add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), False
        )
    return ca, builder.sign(ca_key, hashes.SHA256())


def test_a_leaf_without_authority_key_identifier_is_trusted_and_linted_in_words():
    # Path validation (RFC 5280 §6) does not need the AKI; the Web PKI profile (CA/B Forum
    # BR §7.1.2.7) does. Trust decides NET-CRT-01; the lint, named in words, only warns.
    ca, leaf = _issued(aki=False)
    assert not isinstance(certificates.validate_chain([leaf], [ca], "127.0.0.1"), str)
    lint = certificates.validate_chain([leaf], [ca], "127.0.0.1", web_pki=True)
    assert isinstance(lint, str)
    assert "authorityKeyIdentifier (2.5.29.35)" in lint
    ca, leaf = _issued(aki=True)
    assert not isinstance(certificates.validate_chain([leaf], [ca], "127.0.0.1", web_pki=True), str)


def test_an_issuer_that_is_not_a_ca_breaks_the_path():
    ca, leaf = _issued(aki=True, ca_is_ca=False)
    assert isinstance(certificates.validate_chain([leaf], [ca], "127.0.0.1"), str)


def test_verifier_messages_name_oids_and_leave_ip_addresses_alone():
    said = certificates.in_words("for 127.0.0.1: missing 2.5.29.35 (version 1.2.3.4.5)")
    assert said == ("for 127.0.0.1: missing authorityKeyIdentifier (2.5.29.35) (version 1.2.3.4.5)")
