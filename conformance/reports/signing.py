"""Signed reports: Ed25519 over the RFC 8785 canonical JSON of run.json.

A vendor that self-certifies signs its run.json (``conformance run --sign-key KEY``); an operator
checks it with ``conformance verify RUN.json --public-key VENDOR.pub``. The signature is the
report's ``signature`` member and covers every other member of the report, canonicalised by the
JSON Canonicalization Scheme (RFC 8785), so any change to a result, a verdict or the evidence
breaks it. The member names the public key it was made with; only a key the operator pins with
``--public-key`` says *who* signed.
"""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import rfc8785
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from conformance.core.errors import UsageError

SIGNATURE_KEY = "signature"
ALGORITHM = "Ed25519"
CANONICALIZATION = "RFC 8785"


@dataclass(frozen=True, slots=True)
class Verification:
    """The outcome of checking a report's signature."""

    valid: bool
    key_id: str
    reason: str


def key_id(public_key: Ed25519PublicKey) -> str:
    """``sha256:`` and the hex SHA-256 of the raw 32-byte public key."""
    raw = public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return "sha256:" + hashlib.sha256(raw).hexdigest()


def load_private_key(path: Path) -> Ed25519PrivateKey:
    """The Ed25519 private key in the PEM file ``path``; UsageError naming the file otherwise."""
    data = _read(path, "signing key")
    try:
        key = serialization.load_pem_private_key(data, password=None)
    except (ValueError, TypeError) as exc:
        raise UsageError(
            f"{path}: not an unencrypted PEM private key ({exc}); make one with "
            "`conformance keygen`"
        ) from None
    if not isinstance(key, Ed25519PrivateKey):
        raise UsageError(f"{path}: a {type(key).__name__}, expected an Ed25519 private key")
    return key


def load_public_key(path: Path) -> Ed25519PublicKey:
    """The Ed25519 public key in the PEM file ``path``; UsageError naming the file otherwise."""
    data = _read(path, "public key")
    try:
        key = serialization.load_pem_public_key(data)
    except (ValueError, TypeError) as exc:
        raise UsageError(f"{path}: not a PEM public key ({exc})") from None
    if not isinstance(key, Ed25519PublicKey):
        raise UsageError(f"{path}: a {type(key).__name__}, expected an Ed25519 public key")
    return key


def generate_key_pair(private_path: Path, public_path: Path) -> str:
    """Write a new Ed25519 key pair as PEM (the private file readable by its owner only, never
    overwritten); return the key ID."""
    private_path, public_path = Path(private_path), Path(public_path)
    for path in (private_path, public_path):
        if path.exists():
            raise UsageError(f"{path} exists: not overwriting a key")
    key = Ed25519PrivateKey.generate()
    private_pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    private_path.touch(mode=0o600)
    private_path.write_bytes(private_pem)
    public_path.write_bytes(_public_pem(key.public_key()))
    return key_id(key.public_key())


def sign_report(data: dict[str, Any], key: Ed25519PrivateKey) -> dict[str, Any]:
    """``data`` (a run.json object) with a ``signature`` member over all its other members."""
    unsigned = {k: v for k, v in data.items() if k != SIGNATURE_KEY}
    public = key.public_key()
    signature = {
        "algorithm": ALGORITHM,
        "canonicalization": CANONICALIZATION,
        "key_id": key_id(public),
        "public_key": _public_pem(public).decode("ascii"),
        "value": base64.b64encode(key.sign(_canonical(unsigned))).decode("ascii"),
    }
    return {**unsigned, SIGNATURE_KEY: signature}


def verify_report(data: dict[str, Any], pinned: Ed25519PublicKey | None = None) -> Verification:
    """Check the ``signature`` member of a run.json object.

    Valid when the signature verifies over the canonical JSON of the other members with the key
    it names, and, when ``pinned`` is given, that key is the pinned one. Raises UsageError when
    the report carries no signature at all.
    """
    member = data.get(SIGNATURE_KEY)
    if not isinstance(member, dict):
        raise UsageError("the report is not signed (no signature member)")
    if member.get("algorithm") != ALGORITHM or member.get("canonicalization") != CANONICALIZATION:
        return Verification(
            False,
            str(member.get("key_id", "")),
            f"unsupported signature: {member.get('algorithm')} over "
            f"{member.get('canonicalization')} (expected {ALGORITHM} over {CANONICALIZATION})",
        )
    try:
        public = serialization.load_pem_public_key(str(member.get("public_key", "")).encode())
        value = base64.b64decode(str(member.get("value", "")), validate=True)
    except ValueError as exc:
        return Verification(False, str(member.get("key_id", "")), f"malformed signature: {exc}")
    if not isinstance(public, Ed25519PublicKey):
        return Verification(False, "", "the signature's public key is not an Ed25519 key")
    signer = key_id(public)
    if member.get("key_id") != signer:
        return Verification(False, signer, f"key_id {member.get('key_id')} is not the key's ID")
    if pinned is not None and key_id(pinned) != signer:
        return Verification(
            False, signer, f"signed with {signer}, not with the pinned key {key_id(pinned)}"
        )
    unsigned = {k: v for k, v in data.items() if k != SIGNATURE_KEY}
    try:
        public.verify(value, _canonical(unsigned))
    except InvalidSignature:
        return Verification(
            False, signer, "the signature does not match the content: the report was changed"
        )
    who = "the pinned key" if pinned is not None else "a key the report names (not pinned)"
    return Verification(True, signer, f"signed by {who} {signer}")


def _canonical(data: dict[str, Any]) -> bytes:
    try:
        return rfc8785.dumps(data)
    except rfc8785.CanonicalizationError as exc:
        raise UsageError(f"the report cannot be canonicalised (RFC 8785): {exc}") from None


def _public_pem(key: Ed25519PublicKey) -> bytes:
    return key.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )


def _read(path: Path, what: str) -> bytes:
    try:
        return Path(path).read_bytes()
    except OSError as exc:
        raise UsageError(f"{path}: cannot read the {what}: {exc.strerror or exc}") from None
