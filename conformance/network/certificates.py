"""Facts about X.509 certificates a server presents: names, validity, key size, signature hash."""

from __future__ import annotations

import contextlib
import datetime as dt
import re
import warnings
from collections.abc import Iterator
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import dsa, ec, ed448, ed25519, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID

#: Signature hashes too weak for certificates (NIST SP 800-52r2 §3.2; SP 800-131A).
WEAK_HASHES = frozenset({"md2", "md5", "sha1"})


def name_of(cert: x509.Certificate) -> str:
    """The subject as an RFC 4514 string (e.g. 'CN=market-regulation.example,O=...')."""
    return cert.subject.rfc4514_string() or "(empty subject)"


def is_self_signed(cert: x509.Certificate) -> bool:
    """Whether the certificate names itself as issuer (a trust anchor's self-signature)."""
    return cert.issuer == cert.subject


def key_description(cert: x509.Certificate) -> tuple[str, int]:
    """The public key's algorithm and size in bits, e.g. ('RSA', 2048) or ('EC secp256r1', 256)."""
    key = cert.public_key()
    if isinstance(key, rsa.RSAPublicKey):
        return "RSA", key.key_size
    if isinstance(key, ec.EllipticCurvePublicKey):
        return f"EC {key.curve.name}", key.curve.key_size
    if isinstance(key, dsa.DSAPublicKey):
        return "DSA", key.key_size
    if isinstance(key, ed25519.Ed25519PublicKey):
        return "Ed25519", 256
    if isinstance(key, ed448.Ed448PublicKey):
        return "Ed448", 456
    return type(key).__name__, 0


def key_problem(cert: x509.Certificate, min_rsa_bits: int, min_ec_bits: int) -> str | None:
    """Why the certificate's key is too weak, or None."""
    algorithm, bits = key_description(cert)
    if algorithm == "RSA" and bits < min_rsa_bits:
        return f"an RSA key of {bits} bits (at least {min_rsa_bits} expected)"
    if algorithm.startswith("EC ") and bits < min_ec_bits:
        return f"an {algorithm} key of {bits} bits (at least {min_ec_bits} expected)"
    if algorithm == "DSA":
        return f"a DSA key of {bits} bits (DSA is not approved for TLS certificates)"
    return None


def signature_hash(cert: x509.Certificate) -> str:
    """The hash of the issuer's signature ('sha256', 'sha1', ... or the algorithm's name)."""
    try:
        algorithm = cert.signature_hash_algorithm
    except Exception:  # an algorithm cryptography cannot name: show its OID
        return cert.signature_algorithm_oid.dotted_string
    if algorithm is None:  # Ed25519/Ed448 sign without a separate hash
        return cert.signature_algorithm_oid._name
    return algorithm.name


def signature_problem(cert: x509.Certificate) -> str | None:
    """Why the certificate's signature is too weak, or None (self-signatures do not count)."""
    if is_self_signed(cert):
        return None  # a trust anchor is trusted for itself, not for its signature
    digest = signature_hash(cert)
    if digest.lower() in WEAK_HASHES:
        return f"signed with {digest.upper()} ({cert.signature_algorithm_oid._name})"
    return None


def not_before(cert: x509.Certificate) -> dt.datetime:
    """Start of the validity period (UTC)."""
    return cert.not_valid_before_utc


def not_after(cert: x509.Certificate) -> dt.datetime:
    """End of the validity period (UTC)."""
    return cert.not_valid_after_utc


def facts(cert: x509.Certificate) -> dict[str, Any]:
    """A certificate's facts for evidence (no key material)."""
    algorithm, bits = key_description(cert)
    return {
        "subject": name_of(cert),
        "issuer": cert.issuer.rfc4514_string(),
        "serial": format(cert.serial_number, "x"),
        "not_before": not_before(cert).isoformat(),
        "not_after": not_after(cert).isoformat(),
        "key": f"{algorithm} {bits}",
        "signature": cert.signature_algorithm_oid._name,
        "names": subject_alt_names(cert),
    }


def subject_alt_names(cert: x509.Certificate) -> list[str]:
    """DNS names and IP addresses of the subjectAltName extension."""
    try:
        ext = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    except x509.ExtensionNotFound:
        return []
    names: list[str] = [str(n) for n in ext.get_values_for_type(x509.DNSName)]
    names += [str(n) for n in ext.get_values_for_type(x509.IPAddress)]
    return names


def validate_chain(
    chain: list[x509.Certificate],
    anchors: list[x509.Certificate],
    host: str,
    *,
    web_pki: bool = False,
) -> list[x509.Certificate] | str:
    """The verified path from the leaf of `chain` to one of `anchors` for `host`, or the error.

    RFC 5280 §6 path validation with the RFC 6125 name check (an IP address host matches an IP
    subjectAltName), by cryptography's verifier: signatures, issuer names, CA basicConstraints,
    an extendedKeyUsage that allows serverAuth. With `web_pki`, also the CA/Browser Forum
    profile's extension rules (authorityKeyIdentifier present, keyUsage...), which common clients
    do not all enforce: a profile lint, kept apart from trust. Two deliberate departures either
    way: the subjectAltName may be critical (RFC 5280 §4.2.1.6 only says SHOULD NOT when the
    subject is not empty), and the time of validation is clamped into the leaf's validity period
    so that expiry is judged by NET-CRT-02, not here. Errors name extensions in words.
    """
    import ipaddress

    from cryptography.x509 import verification as v

    if not anchors:
        return "no trust anchor to validate against"
    leaf = chain[0]
    moment = min(max(dt.datetime.now(dt.UTC), not_before(leaf)), not_after(leaf))
    builder = v.PolicyBuilder().store(v.Store(anchors)).time(moment)
    if hasattr(v, "ExtensionPolicy"):  # cryptography >= 45
        ee_base = (
            v.ExtensionPolicy.webpki_defaults_ee() if web_pki else v.ExtensionPolicy.permit_all()
        )
        ee = ee_base.require_present(
            x509.SubjectAlternativeName, v.Criticality.AGNOSTIC, None
        ).may_be_present(x509.ExtendedKeyUsage, v.Criticality.AGNOSTIC, _server_auth)
        ca = (
            v.ExtensionPolicy.webpki_defaults_ca()
            if web_pki
            else v.ExtensionPolicy.permit_all().require_present(
                x509.BasicConstraints, v.Criticality.AGNOSTIC, _is_ca
            )
        )
        builder = builder.extension_policies(ca_policy=ca, ee_policy=ee)
    subject: x509.verification.Subject
    try:
        subject = x509.IPAddress(ipaddress.ip_address(host))
    except ValueError:
        subject = x509.DNSName(host)
    try:
        return builder.build_server_verifier(subject).verify(leaf, chain[1:])
    except v.VerificationError as exc:
        return in_words(str(exc))


_OID = re.compile(r"\b(\d+(?:\.\d+){3,})\b")


def in_words(message: str) -> str:
    """A verifier message with each dotted extension OID also named (2.5.29.35 →
    authorityKeyIdentifier (2.5.29.35))."""

    def named(match: re.Match[str]) -> str:
        try:
            name = x509.ObjectIdentifier(match.group(1))._name
        except ValueError:  # not an OID: an IPv4 address (127.0.0.1) or a version number
            return match.group(1)
        return match.group(1) if name == "Unknown OID" else f"{name} ({match.group(1)})"

    return _OID.sub(named, message)


def _is_ca(policy: Any, cert: x509.Certificate, constraints: x509.BasicConstraints | None) -> None:
    """A certificate that issues others must be a CA (RFC 5280 §6.1.4 (k))."""
    if constraints is None or not constraints.ca:
        raise ValueError("basicConstraints does not make it a CA")


def _server_auth(policy: Any, cert: x509.Certificate, eku: x509.ExtendedKeyUsage | None) -> None:
    """An extendedKeyUsage, critical or not, must allow serverAuth (RFC 5280 §4.2.1.12)."""
    allowed = {ExtendedKeyUsageOID.SERVER_AUTH, ExtendedKeyUsageOID.ANY_EXTENDED_KEY_USAGE}
    if eku is not None and not allowed & set(eku):
        raise ValueError("extendedKeyUsage does not allow serverAuth")


def load_anchors(pem: bytes) -> list[x509.Certificate]:
    """Every certificate of a PEM bundle (the trust anchors).

    A public store holds old roots that cryptography warns about (a serial number that is not
    positive); they are the store's, not the agency's, and a warning turned into an error (as
    `-W error` does) must not end the check."""
    with public_store_warnings_quiet():
        return x509.load_pem_x509_certificates(pem)


@contextlib.contextmanager
def public_store_warnings_quiet() -> Iterator[None]:
    """Silence cryptography's deprecation warnings about certificates of a public trust store."""
    from cryptography.utils import CryptographyDeprecationWarning

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CryptographyDeprecationWarning)
        yield
