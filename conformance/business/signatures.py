"""Verify signed responses against keys of a JWK Set (RFC 7517): RFC 9421 HTTP Message
Signatures, JWS (RFC 7515, through joserfc: a compact JWS as the body, or detached in a header
field), and enveloped XML Signatures (W3C XMLDSig) with the certificate of a key's `x5c`.

Supported: components `@status` and header fields (no `;req`, `;sf`, `;key` or `;bs`
parameters), algorithms ecdsa-p256-sha256, ecdsa-p384-sha384, ed25519, rsa-pss-sha512 and
rsa-v1_5-sha256 (HMAC needs a shared secret, which a published key set cannot hold), and the
RFC 9530 Content-Digest (sha-256, sha-512) when it is covered.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import re
import warnings
from dataclasses import dataclass
from typing import Any

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from http_sfv.dictionary import Dictionary as SfDictionary
from http_sfv.item import InnerList as SfInnerList
from http_sfv.item import Item as SfItem
from joserfc import jwk as jose_jwk
from joserfc import jws
from joserfc.errors import BadSignatureError, JoseError, SecurityWarning
from signxml.exceptions import InvalidInput
from signxml.exceptions import InvalidSignature as InvalidXmlSignature
from signxml.verifier import XMLVerifier

from conformance.client.http import Exchange
from conformance.documents import nesting, xmlsafe

PublicKey = ec.EllipticCurvePublicKey | ed25519.Ed25519PublicKey | rsa.RSAPublicKey
_SPKI = (Encoding.DER, PublicFormat.SubjectPublicKeyInfo)
_DIGESTS = {"sha-256": hashlib.sha256, "sha-512": hashlib.sha512}
#: JWS algorithms a published (public) key can verify: no "none", no HMAC (RFC 7518 §3.1;
#: EdDSA, RFC 8037; Ed25519, RFC 9864)
JWS_ALGORITHMS = (
    "ES256",
    "ES384",
    "ES512",
    "PS256",
    "PS384",
    "PS512",
    "RS256",
    "RS384",
    "RS512",
    "EdDSA",
    "Ed25519",
)


class SignatureProblem(Exception):
    """Why a response's signature does not verify (the message names the value and the rule)."""

    def __init__(self, message: str, base: str = "") -> None:
        super().__init__(message)
        self.base = base  # the signature base the verifier rebuilt, when it got that far


@dataclass(frozen=True, slots=True)
class Verified:
    """A signature that verified: its label, key id, algorithm and signature base."""

    label: str
    keyid: str
    alg: str
    base: str


def _b64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def public_key(jwk: dict[str, Any]) -> PublicKey:
    """A public key from a JWK (EC P-256/P-384, OKP Ed25519, RSA)."""
    kty = jwk.get("kty")
    if kty == "EC":
        curve = {"P-256": ec.SECP256R1(), "P-384": ec.SECP384R1()}.get(str(jwk.get("crv")))
        if curve is None:
            raise SignatureProblem(f"JWK {jwk.get('kid')!r}: unsupported curve {jwk.get('crv')!r}")
        x, y = (int.from_bytes(_b64url(str(jwk[k])), "big") for k in ("x", "y"))
        return ec.EllipticCurvePublicNumbers(x, y, curve).public_key()
    if kty == "OKP" and jwk.get("crv") == "Ed25519":
        return ed25519.Ed25519PublicKey.from_public_bytes(_b64url(str(jwk["x"])))
    if kty == "RSA":
        n, e = (int.from_bytes(_b64url(str(jwk[k])), "big") for k in ("n", "e"))
        return rsa.RSAPublicNumbers(e, n).public_key()
    raise SignatureProblem(f"JWK {jwk.get('kid')!r}: unsupported key type {kty!r}")


def keys_by_id(jwks: Any) -> dict[str, dict[str, Any]]:
    """The JWK Set's keys by `kid` (RFC 7517 §5)."""
    if not isinstance(jwks, dict) or not isinstance(jwks.get("keys"), list):
        raise SignatureProblem("the key set has no keys array (RFC 7517 §5)")
    return {str(k["kid"]): k for k in jwks["keys"] if isinstance(k, dict) and "kid" in k}


def _dictionary(value: str, field: str) -> SfDictionary:
    """The field as an RFC 8941 dictionary (RFC 9421 §4: Signature-Input and Signature)."""
    parsed = SfDictionary()
    try:
        parsed.parse(value.encode("ascii"))
    except (ValueError, UnicodeEncodeError) as exc:
        raise SignatureProblem(
            f"{field} {value!r} is not an RFC 8941 dictionary ({exc}) (RFC 9421 §4)"
        ) from None
    return parsed


def verify_response(exchange: Exchange, keys: dict[str, dict[str, Any]]) -> list[Verified]:
    """Verify every signature on a response; raise SignatureProblem for the first bad one."""
    inputs_header, signature_header = (
        exchange.header("Signature-Input"),
        exchange.header("Signature"),
    )
    if not inputs_header or not signature_header:
        raise SignatureProblem(
            "the response carries no Signature-Input and Signature fields (RFC 9421 §4)"
        )
    inputs = _dictionary(inputs_header, "Signature-Input")
    signatures = _dictionary(signature_header, "Signature")
    verified = []
    for label in inputs:
        if label not in signatures:
            raise SignatureProblem(f"Signature-Input names {label!r}, Signature has no such member")
        verified.append(_verify_one(exchange, label, inputs[label], signatures[label], keys))
    return verified


def _verify_one(
    exchange: Exchange,
    label: str,
    member: Any,
    signature: Any,
    keys: dict[str, dict[str, Any]],
) -> Verified:
    if not isinstance(member, SfInnerList):
        raise SignatureProblem(f"Signature-Input {label} is not an inner list (RFC 9421 §4.1)")
    if not isinstance(signature, SfItem) or not isinstance(signature.value, bytes):
        raise SignatureProblem(f"signature {label} is not a byte sequence (RFC 9421 §4.2)")
    keyid, alg = str(member.params.get("keyid", "")), str(member.params.get("alg", ""))
    if keyid not in keys:
        raise SignatureProblem(
            f"signature {label}: keyid {keyid!r} is not in the published key set "
            f"({', '.join(sorted(keys)) or 'none'})"
        )
    components = []
    for item in member:
        if item.params:  # ;req ;sf ;key ;bs change what the component is
            raise SignatureProblem(
                f"signature {label} covers {item}, a component with parameters this verifier "
                "cannot rebuild"
            )
        components.append(str(item.value))
    lines = [f'"{name}": {_component(exchange, name, label)}' for name in components]
    lines.append(f'"@signature-params": {member}')
    base = "\n".join(lines)
    if "content-digest" in components:
        _check_digest(exchange, label)
    jwk = keys[keyid]
    try:
        _verify_bytes(public_key(jwk), alg or _alg_of(jwk), signature.value, base.encode("utf-8"))
    except InvalidSignature:
        raise SignatureProblem(
            f"signature {label} (keyid {keyid!r}, {alg or _alg_of(jwk)}) does not verify over "
            f"the signature base of {len(components)} components (RFC 9421 §3.2)",
            base,
        ) from None
    return Verified(label, keyid, alg or _alg_of(jwk), base)


def _component(exchange: Exchange, name: str, label: str) -> str:
    if name == "@status":
        return str(exchange.status)
    if name.startswith("@"):
        raise SignatureProblem(
            f"signature {label} covers {name}, which this verifier cannot rebuild from a response"
        )
    value = exchange.header(name)
    if value is None:
        raise SignatureProblem(f"signature {label} covers {name!r}, absent from the response")
    return value.strip()


def _check_digest(exchange: Exchange, label: str) -> None:
    header = exchange.header("Content-Digest") or ""
    for algorithm, encoded in re.findall(r"([a-z0-9-]+)=:([A-Za-z0-9+/=]*):", header):
        function = _DIGESTS.get(algorithm)
        if function is None:
            continue
        actual = base64.b64encode(function(exchange.body).digest()).decode()
        if actual != encoded:
            raise SignatureProblem(
                f"signature {label}: Content-Digest {algorithm}=:{encoded}: does not match the "
                f"body ({algorithm}=:{actual}:) (RFC 9530 §2)"
            )
        return
    raise SignatureProblem(f"signature {label}: Content-Digest {header!r} has no sha-256/sha-512")


def _alg_of(jwk: dict[str, Any]) -> str:
    return {"ES256": "ecdsa-p256-sha256", "ES384": "ecdsa-p384-sha384", "EdDSA": "ed25519"}.get(
        str(jwk.get("alg")), ""
    )


def _verify_bytes(key: PublicKey, alg: str, raw: bytes, data: bytes) -> None:
    if alg in ("ecdsa-p256-sha256", "ecdsa-p384-sha384") and isinstance(
        key, ec.EllipticCurvePublicKey
    ):
        half = len(raw) // 2
        der = encode_dss_signature(
            int.from_bytes(raw[:half], "big"), int.from_bytes(raw[half:], "big")
        )
        digest = hashes.SHA256() if alg.endswith("256") else hashes.SHA384()
        key.verify(der, data, ec.ECDSA(digest))
    elif alg == "ed25519" and isinstance(key, ed25519.Ed25519PublicKey):
        key.verify(raw, data)
    elif alg == "rsa-pss-sha512" and isinstance(key, rsa.RSAPublicKey):
        pss = padding.PSS(mgf=padding.MGF1(hashes.SHA512()), salt_length=64)
        key.verify(raw, data, pss, hashes.SHA512())
    elif alg == "rsa-v1_5-sha256" and isinstance(key, rsa.RSAPublicKey):
        key.verify(raw, data, padding.PKCS1v15(), hashes.SHA256())
    else:
        raise SignatureProblem(
            f"algorithm {alg!r} does not fit the published key ({type(key).__name__}) or is not "
            "supported (RFC 9421 §3.3)"
        )


def verify_xml_signature(body: bytes, keys: dict[str, dict[str, Any]]) -> str:
    """Verify the document's enveloped XML Signature with a published key's certificate (`x5c`);
    return the key id. The signature must cover the whole document (its root element)."""
    try:
        root = xmlsafe.parse(body).getroot()
    except (xmlsafe.UnsafeXml, xmlsafe.MalformedXml) as exc:
        raise SignatureProblem(f"the XML does not parse safely: {exc}") from None
    certified = {kid: k for kid, k in keys.items() if isinstance(k.get("x5c"), list) and k["x5c"]}
    if not certified:
        raise SignatureProblem(
            "no published key carries a certificate (x5c, RFC 7517 §4.7) to check an XML Signature"
        )
    reasons = []
    for kid, jwk in certified.items():
        cert = x509.load_der_x509_certificate(base64.b64decode(str(jwk["x5c"][0])))
        if cert.public_key().public_bytes(*_SPKI) != public_key(jwk).public_bytes(*_SPKI):
            reasons.append(f"{kid}: its x5c certificate holds another key than the JWK")
            continue
        try:
            result = XMLVerifier().verify(root, x509_cert=cert)
        except InvalidInput as exc:
            raise SignatureProblem(f"the XML Signature is unusable: {exc}") from None
        except InvalidXmlSignature as exc:
            reasons.append(f"{kid}: {exc}")
            continue
        signed = result.signed_xml if not isinstance(result, list) else result[0].signed_xml
        if signed is None or signed.tag != root.tag:
            raise SignatureProblem(
                f"the XML Signature covers {getattr(signed, 'tag', 'nothing')}, not the document "
                f"root {root.tag} (XMLDSig §4.4.3: an enveloped signature over the whole document)"
            )
        return kid
    raise SignatureProblem(
        "the XML Signature does not verify with any published key (W3C XMLDSig §3.2): "
        + "; ".join(reasons)
    )


def verify_jws(token: str, keys: dict[str, dict[str, Any]], detached: bytes | None) -> Verified:
    """Verify a compact JWS (RFC 7515 §7.1) with the published key its ``kid`` names.

    With ``detached`` (the response body), the JWS must have detached content (``header..sig``,
    RFC 7515 Appendix F; an unencoded payload, RFC 7797, too) and is verified over those bytes;
    otherwise the payload is the JWS's own. ``Verified.base`` is the protected header.
    """
    parts = token.strip().split(".")
    if len(parts) != 3:
        raise SignatureProblem(
            f"not a compact JWS: {len(parts)} dot-separated parts, expected 3 (RFC 7515 §7.1)"
        )
    if detached is not None and parts[1]:
        raise SignatureProblem(
            "the JWS carries its own payload: a signature of the body must have detached content "
            "(header..signature, RFC 7515 Appendix F)"
        )
    try:
        header = nesting.loads(_b64url(parts[0]), "the JWS protected header")
    except (ValueError, binascii.Error):
        raise SignatureProblem("the JWS protected header is not base64url JSON") from None
    if not isinstance(header, dict):
        raise SignatureProblem("the JWS protected header is not a JSON object (RFC 7515 §4)")
    alg, kid = str(header.get("alg")), str(header.get("kid"))
    if alg not in JWS_ALGORITHMS:
        raise SignatureProblem(
            f"JWS alg {alg!r} cannot be verified with a published key: expected one of "
            f"{', '.join(JWS_ALGORITHMS)} (no none, no HMAC)"
        )
    if kid not in keys:
        raise SignatureProblem(
            f"JWS kid {kid!r} is not in the published key set ({', '.join(sorted(keys)) or 'none'})"
        )
    protected = json.dumps(header, ensure_ascii=False)
    try:
        key = jose_jwk.import_key(dict(keys[kid]))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", SecurityWarning)  # EdDSA (RFC 9864) still verifies
            jws.deserialize_compact(token.strip(), key, algorithms=[alg], payload=detached)
    except BadSignatureError:
        over = f"the {len(detached)}-byte body" if detached is not None else "its payload"
        raise SignatureProblem(
            f"the JWS (kid {kid!r}, {alg}) does not verify over {over} (RFC 7515 §5.2)", protected
        ) from None
    except JoseError as exc:
        raise SignatureProblem(f"the JWS is unusable: {exc}", protected) from None
    return Verified("JWS", kid, alg, protected)
