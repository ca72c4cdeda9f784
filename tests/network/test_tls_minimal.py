"""The minimal TLS probe (conformance/network/tls_handshakes.py) decides as the full sslyze scan:
the six TLS and certificate requirements give the same outcome and message under every TLS/CRT
fault of the reference agency and on independent loopback servers (Python's ssl); and the clean
agency's endpoint costs at most 40 connections, counted through the pacing hook."""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import socket
import ssl
import tempfile
import threading
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from checks_support import run
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from reference_agency.faults import FAULTS

from conformance.client.http import HttpClient
from conformance.inputs.target import SafetyPolicy, Target
from conformance.network import tls_probe
from conformance.reference import running_reference

SIX = ("NET-TLS-01", "NET-TLS-02", "NET-TLS-03", "NET-CRT-01", "NET-CRT-02", "NET-CRT-03")
TLS_FAULTS = sorted(f for f in FAULTS if f.startswith(("NET-TLS-", "NET-CRT-")))
CONNECTIONS_AT_MOST = 40


def _in_mode(target: Target, mode: str) -> Target:
    return dataclasses.replace(target, safety=dataclasses.replace(target.safety, tls_scan=mode))


def _verdicts(target: Target) -> dict[str, dict[str, tuple[str, str]]]:
    """Outcome and message of the six requirements, per mode (none an error: both decided)."""
    found = {}
    for mode in ("minimal", "full"):
        results = run(_in_mode(target, mode), SIX, profile="network")
        found[mode] = {rid: (r.outcome.value, r.message) for rid, r in results.items()}
        assert "error" not in {o for o, _ in found[mode].values()}, found[mode]
    return found


@pytest.mark.slow
@pytest.mark.parametrize("fault", ["(none)", *TLS_FAULTS])
def test_minimal_probe_decides_as_the_full_scan_on_the_reference_agency(fault):
    with running_reference([] if fault == "(none)" else [fault]) as target:
        found = _verdicts(target)
    assert found["minimal"] == found["full"]
    broken = set() if fault == "(none)" else {fault.split("/")[0]}
    assert {r for r, (o, _) in found["minimal"].items() if o != "pass"} == broken


def test_minimal_probe_of_the_clean_agency_stays_within_40_connections(clean):
    client = HttpClient(_in_mode(clean, "minimal"))
    counted = [0]
    pace = client.pace

    def counting() -> None:
        counted[0] += 1
        pace()

    client.pace = counting  # type: ignore[method-assign]  # the pacing hook sees every socket
    try:
        # what the six checks ask of the run's client: NET-TLS-01/02/03 every protocol of the
        # base URL, NET-CRT-01/02/03 the chain of each https endpoint (base, mtls_url, token)
        scan = tls_probe.scan(client)
        tls_probe.scan(client, certificate=True)
        for url in (clean.mtls_url, clean.oauth2.token_url if clean.oauth2 else None):
            if url:
                tls_probe.scan(client, url, protocols=(), certificate=True)
    finally:
        client.close()
    assert scan.mode == "minimal"
    assert 0 < counted[0] <= CONNECTIONS_AT_MOST, counted[0]


# -- independent servers: Python's ssl on loopback ---------------------------------------------
@dataclasses.dataclass
class _Pki:
    folder: Path
    ca_key: Any
    ca: x509.Certificate

    @classmethod
    def make(cls, folder: Path) -> _Pki:
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "equivalence test CA")])
        now = dt.datetime.now(dt.UTC)
        ca = (
            x509.CertificateBuilder()
            .subject_name(name)
            .issuer_name(name)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(days=30))
            .not_valid_after(now + dt.timedelta(days=3650))
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .add_extension(
                x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False
            )
            .add_extension(
                x509.KeyUsage(False, False, False, False, False, True, True, False, False),
                critical=True,
            )
            .sign(key, hashes.SHA256())
        )
        (folder / "ca.pem").write_bytes(ca.public_bytes(serialization.Encoding.PEM))
        return cls(folder, key, ca)

    def leaf(
        self,
        *,
        names: tuple[str, ...] = ("127.0.0.1",),
        key: Any = None,
        sha1: bool = False,
        days: tuple[int, int] = (-1, 90),
        issuer: _Pki | None = None,
    ) -> tuple[Path, Path]:
        import ipaddress

        signer = issuer or self
        key = key or ec.generate_private_key(ec.SECP256R1())
        now = dt.datetime.now(dt.UTC)
        alt = [
            x509.IPAddress(ipaddress.ip_address(n)) if n[0].isdigit() else x509.DNSName(n)
            for n in names
        ]
        cert = (
            x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, names[0])]))
            .issuer_name(signer.ca.subject)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now + dt.timedelta(days=days[0]))
            .not_valid_after(now + dt.timedelta(days=days[1]))
            .add_extension(x509.SubjectAlternativeName(alt), critical=False)
            .add_extension(
                x509.AuthorityKeyIdentifier.from_issuer_public_key(signer.ca.public_key()),
                critical=False,
            )
            .add_extension(
                x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False
            )
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
            .add_extension(
                x509.KeyUsage(True, False, True, False, False, False, False, False, False),
                critical=True,
            )
            .sign(signer.ca_key, hashes.SHA256())
        )
        if sha1:
            # cryptography no longer signs with SHA-1; OpenSSL, through pyOpenSSL, still does
            from OpenSSL import crypto

            legacy = crypto.X509.from_cryptography(cert)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", DeprecationWarning)
                legacy.sign(crypto.PKey.from_cryptography_key(signer.ca_key), "sha1")
            cert = legacy.to_cryptography()
        cert_file = self.folder / f"leaf-{cert.serial_number:x}.pem"
        key_file = cert_file.with_suffix(".key")
        cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
        key_file.write_bytes(
            key.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
        )
        return cert_file, key_file


def _context(
    files: tuple[Path, Path],
    *,
    ciphers: str = "ECDHE+AESGCM:ECDHE+CHACHA20",
    versions: tuple[ssl.TLSVersion, ssl.TLSVersion] = (
        ssl.TLSVersion.TLSv1_2,
        ssl.TLSVersion.TLSv1_3,
    ),
) -> ssl.SSLContext:
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.set_ciphers(ciphers + ":@SECLEVEL=0")  # weak keys and SHA-1 load only at level 0
    offered = {c["name"] for c in ctx.get_ciphers()}
    named = {c for c in ciphers.split(":") if "+" not in c}
    if named - offered:  # OpenSSL drops the suites it was built without
        raise ssl.SSLError(f"{', '.join(sorted(named - offered))} not available")
    ctx.load_cert_chain(*files)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        ctx.minimum_version, ctx.maximum_version = versions
    ctx.options |= ssl.OP_CIPHER_SERVER_PREFERENCE
    return ctx


@contextlib.contextmanager
def _serving(ctx: ssl.SSLContext, hang: tuple[int, int] | None = None) -> Iterator[int]:
    """Serve TLS on loopback; with `hang`, never answer a ClientHello whose record is that many
    bytes long (the F5 load balancers' bug that RFC 7685's padding works around: 256 to 511)."""
    listener = socket.create_server(("127.0.0.1", 0))

    def handle(conn: socket.socket) -> None:
        with contextlib.suppress(OSError), conn:
            conn.settimeout(5)
            header = conn.recv(5, socket.MSG_PEEK)
            if hang and len(header) == 5 and hang[0] <= int.from_bytes(header[3:5]) <= hang[1]:
                conn.recv(1 << 16)  # until the client gives up and closes, or 5 s
                return
            with ctx.wrap_socket(conn, server_side=True) as tls:
                tls.recv(1024)

    def serve() -> None:
        while True:
            try:
                conn, _ = listener.accept()
            except OSError:
                return
            threading.Thread(target=handle, args=(conn,), daemon=True).start()

    threading.Thread(target=serve, daemon=True).start()
    try:
        yield int(listener.getsockname()[1])
    finally:
        listener.close()


TLS10 = ssl.TLSVersion.TLSv1
TLS12 = ssl.TLSVersion.TLSv1_2
TLS13 = ssl.TLSVersion.TLSv1_3
SERVERS: dict[str, dict[str, Any]] = {
    "modern": {
        "fails": (),
    },
    "no TLS 1.3": {"fails": ("NET-TLS-02",), "versions": (TLS12, TLS12)},
    "TLS 1.3 only": {"fails": ("NET-TLS-01",), "versions": (TLS13, TLS13)},
    "static RSA also": {
        "fails": ("NET-TLS-03",),
        "ciphers": "ECDHE+AESGCM:AES128-GCM-SHA256:AES256-SHA",
        "rsa": True,
    },
    "static RSA only": {
        "fails": ("NET-TLS-03",),
        "ciphers": "AES128-GCM-SHA256:AES256-SHA256",
        "rsa": True,
    },
    "3DES": {"fails": ("NET-TLS-03",), "ciphers": "ECDHE+AESGCM:DES-CBC3-SHA", "rsa": True},
    "NULL encryption also": {
        "fails": ("NET-TLS-03",),
        "ciphers": "ECDHE+AESGCM:ECDHE-RSA-NULL-SHA:NULL-SHA256",
        "rsa": True,
    },
    "anonymous ECDH also": {
        "fails": ("NET-TLS-03",),
        "ciphers": "ECDHE+AESGCM:AECDH-AES128-SHA",
        "rsa": True,
    },
    "TLS 1.0 only": {
        "fails": ("NET-TLS-01", "NET-TLS-02"),
        "versions": (TLS10, TLS10),
        "ciphers": "ECDHE-RSA-AES128-SHA",
        "rsa": True,
    },
    "TLS 1.0 to 1.3": {
        "fails": ("NET-TLS-01",),
        "versions": (TLS10, TLS13),
        "ciphers": "ECDHE+AES",
        "rsa": True,
    },
    # a hello that hangs reads as a refusal: unpadded, the offers of TLS 1.0 and 1.1 (some 275
    # bytes) would pass NET-TLS-01 on this server, which sslyze's one-suite hellos show accepts them
    "TLS 1.0 to 1.3 behind the F5 bug": {
        "fails": ("NET-TLS-01",),
        "versions": (TLS10, TLS13),
        "ciphers": "ECDHE+AES",
        "rsa": True,
        "hang": (256, 511),
    },
    "expired": {"fails": ("NET-CRT-02",), "leaf": {"days": (-90, -2)}},
    "not yet valid": {"fails": ("NET-CRT-02",), "leaf": {"days": (2, 90)}},
    "expires in 5 days": {"fails": ("NET-CRT-02",), "leaf": {"days": (-30, 5)}},
    "wrong name": {"fails": ("NET-CRT-01",), "leaf": {"names": ("other.example",)}},
    "untrusted CA": {"fails": ("NET-CRT-01",), "untrusted": True},
    "SHA-1 signature": {"fails": ("NET-CRT-01", "NET-CRT-03"), "leaf": {"sha1": True}},
    "RSA-1024 key": {"fails": ("NET-CRT-03",), "rsa_bits": 1024},
}


@pytest.mark.slow
@pytest.mark.parametrize("case", list(SERVERS))
def test_minimal_probe_decides_as_the_full_scan_on_independent_servers(case):
    spec = SERVERS[case]
    with tempfile.TemporaryDirectory(prefix="tls-equivalence-") as tmp:
        pki = _Pki.make(Path(tmp))
        leaf_args = dict(spec.get("leaf", {}))
        if spec.get("rsa") or spec.get("rsa_bits"):
            bits = spec.get("rsa_bits", 2048)
            leaf_args["key"] = rsa.generate_private_key(public_exponent=65537, key_size=bits)
        if spec.get("untrusted"):
            leaf_args["issuer"] = _Pki.make(Path(tempfile.mkdtemp(dir=tmp)))
        files = pki.leaf(**leaf_args)
        try:
            ctx = _context(files, **{k: v for k, v in spec.items() if k in ("ciphers", "versions")})
        except ssl.SSLError as exc:
            pytest.skip(f"the system's OpenSSL cannot serve {case}: {exc}")
        with _serving(ctx, spec.get("hang")) as port:
            target = Target(
                name=case.replace(" ", "-"),
                base_url=f"https://127.0.0.1:{port}",
                ca_bundle=Path(tmp) / "ca.pem",
                safety=SafetyPolicy(max_rps=2000, timeout_s=5),
            )
            found = _verdicts(target)
    assert found["minimal"] == found["full"]
    # and the case tests what it is named for: exactly these requirements do not pass
    assert {r for r, (o, _) in found["minimal"].items() if o != "pass"} == set(spec["fails"])


@pytest.mark.parametrize(
    ("option", "scanner"),
    [((), "handshakes by verdict"), (("--tls-scan", "full"), "cipher-suite plugins")],
)
def test_the_run_option_chooses_the_tls_probe(tmp_path, option, scanner):
    from click.testing import CliRunner

    from conformance.cli import main

    args = ["run", "--profile", "network", "--requirement", "NET-TLS-02", "-q"]
    done = CliRunner().invoke(main, [*args, *option, "--out", str(tmp_path), "--format", "json"])
    assert (tmp_path / "run.json").exists(), done.output  # exit 2: one requirement, incomplete
    assert scanner in (tmp_path / "run.json").read_text("utf-8")


def test_minimal_probe_decides_where_a_client_certificate_is_required_and_none_given(clean):
    # sslyze's full scan cannot connect at all here (its connectivity test reads after the
    # handshake and the server closes: every requirement an error); the minimal probe counts a
    # request for a client certificate as the suite accepted, as sslyze's cipher-suite plugin
    # does, and reads the chain sent before it
    assert clean.mtls_url
    bare = dataclasses.replace(
        clean, base_url=clean.mtls_url, mtls_url=None, oauth2=None, client_certificate=None
    )
    results = run(_in_mode(bare, "minimal"), SIX, profile="network")
    assert {rid: r.outcome.value for rid, r in results.items()} == dict.fromkeys(SIX, "pass")
