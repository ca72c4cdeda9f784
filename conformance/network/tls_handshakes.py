"""TLS probing by verdict: the accepted cipher suites of an endpoint in a few dozen handshakes.

sslyze's cipher-suite plugins try every suite of every protocol in its own handshake (some 540
connections per endpoint). The TLS verdicts need far fewer, and so does the evidence: per
protocol, offer every suite sslyze knows for it, note the one the server chose, remove it and
offer the rest again, until the server refuses (testssl.sh's way). A refused protocol costs one
handshake, an accepted one a handshake per accepted suite plus one. The list found is the one
sslyze's plugins would find, suite by suite, so NET-TLS-01/02/03 decide the same; the
certificate chain for NET-CRT-01/02/03 is taken from the first handshake of the highest protocol.

The handshakes are sslyze's own: `SslConnection` with its nassl clients (the legacy OpenSSL for
SSL 2.0 to TLS 1.1 and the TLS 1.2 suites it knows, the modern one for TLS 1.3 and the rest of
TLS 1.2), the suite lists of its `CipherSuitesRepository`, its error classes. Each socket goes
through sslyze's socket opener, which `tls_probe` paces with the run's rate cap.
"""

from __future__ import annotations

import functools
import time
from dataclasses import dataclass, field
from typing import Any

from conformance.client.progress import progress
from conformance.core.errors import Inconclusive

#: sslyze's TlsVersionEnum member per protocol, highest first (the probing order).
VERSIONS: dict[str, str] = {
    "TLS 1.3": "TLS_1_3",
    "TLS 1.2": "TLS_1_2",
    "TLS 1.1": "TLS_1_1",
    "TLS 1.0": "TLS_1_0",
    "SSL 3.0": "SSL_3_0",
    "SSL 2.0": "SSL_2_0",
}


@dataclass(frozen=True)
class CertificateDeployment:
    """The chain one handshake received (sslyze's CertificateDeploymentAnalysisResult's field)."""

    received_certificate_chain: list[Any]


@dataclass(frozen=True)
class CertificateFacts:
    """The certificate deployments of an endpoint (the field of sslyze's certificate result the
    certificate checks read)."""

    certificate_deployments: list[CertificateDeployment]


@dataclass
class ProbeResult:
    """What the handshakes found: accepted suites (or an error) per protocol, and the chain."""

    accepted: dict[str, tuple[str, ...]] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    certificate: CertificateFacts | None = None
    highest_version: str = ""
    connections: int = 0


#: OpenSSL's SSL_OP_TLSEXT_PADDING (the same bit in nassl's legacy 1.0.2 and modern 1.1.1): the
#: RFC 7685 padding extension grows a ClientHello of 256 to 511 bytes to 512. Some load balancers
#: never answer a hello in that range (the F5 bug, RFC 7685 §1), and a hello that gets no answer
#: reads as a refusal; offering a protocol's whole list (TLS 1.0: some 275 bytes) lands in it,
#: sslyze's one-suite hellos do not. Browsers and OpenSSL's own clients pad for the same reason.
TLSEXT_PADDING = 0x10


class _Accepted:
    def __init__(self, suite: str) -> None:
        self.suite = suite


class _Refused:
    def __init__(self, reason: str) -> None:
        self.reason = reason


@functools.cache
def suites_by_client(protocol: str) -> tuple[tuple[bool, tuple[str, ...]], ...]:
    """(uses the legacy OpenSSL, OpenSSL names of sslyze's suites) per client for `protocol`."""
    from sslyze.plugins.openssl_cipher_suites._tls12_workaround import (
        WorkaroundForTls12ForCipherSuites,
    )
    from sslyze.plugins.openssl_cipher_suites.cipher_suites import CipherSuitesRepository
    from sslyze.server_connectivity import TlsVersionEnum

    names = sorted(
        s.openssl_name
        for s in CipherSuitesRepository.get_all_cipher_suites(TlsVersionEnum[VERSIONS[protocol]])
    )
    if protocol == "TLS 1.3":
        return ((False, tuple(names)),)
    if protocol != "TLS 1.2":
        return ((True, tuple(names)),)
    legacy = [n for n in names if WorkaroundForTls12ForCipherSuites.requires_legacy_openssl(n)]
    modern = [n for n in names if n not in legacy]
    return ((False, tuple(modern)), (True, tuple(legacy)))


class HandshakeProbe:
    """Handshakes with one endpoint, within the first-handshake deadline and the scan budget."""

    def __init__(
        self, location: Any, network: Any, *, first_deadline_s: float, budget_s: float
    ) -> None:
        self.location = location
        self.network = network
        self.endpoint = f"{location.hostname}:{location.port}"
        self.first_deadline_s = first_deadline_s
        self.budget_s = budget_s
        self.started = time.monotonic()
        self.settled = False
        self.last_refusal = ""
        self.chain: list[Any] | None = None
        self.connections = 0

    def _check_time(self) -> None:
        elapsed = time.monotonic() - self.started
        if not self.settled and elapsed >= self.first_deadline_s:
            raise Inconclusive(
                f"no TLS handshake with {self.endpoint} completed within "
                f"{self.first_deadline_s:g} s"
            )
        if elapsed >= self.budget_s:
            raise Inconclusive(
                f"the TLS scan of {self.endpoint} took longer than {self.budget_s:g} s"
            )

    def handshake(self, protocol: str, suites: tuple[str, ...], legacy: bool) -> Any:
        """One handshake offering `suites` with `protocol`: _Accepted, _Refused, or None when
        this nassl client cannot offer any of them."""
        from nassl import _nassl
        from nassl.ssl_client import ClientCertificateRequested, SslClient
        from sslyze.connection_helpers.tls_connection import (
            NoCiphersAvailableBugInSSlyze,
            SslConnection,
        )
        from sslyze.errors import (
            ConnectionToServerFailed,
            ServerRejectedTlsHandshake,
            ServerTlsConfigurationNotSupported,
            TlsHandshakeTimedOut,
        )
        from sslyze.server_connectivity import TlsVersionEnum

        self._check_time()
        connection = SslConnection(
            server_location=self.location,
            network_configuration=self.network,
            tls_version=TlsVersionEnum[VERSIONS[protocol]],
            should_ignore_client_auth=False,
            should_use_legacy_openssl=legacy,
        )
        client = connection.ssl_client
        client._ssl.set_options(TLSEXT_PADDING)  # nassl has no public call for SSL options
        if protocol == "TLS 1.3" and isinstance(client, SslClient):
            client.set_ciphersuites(":".join(suites))
        else:
            client.set_cipher_list(":".join(suites))
        self.connections += 1
        progress(f"{self.connections} TLS handshake(s) with {self.endpoint}, now {protocol}")
        try:
            connection.connect(should_retry_connection=False)
            accepted = _Accepted(client.get_current_cipher_name())
        except (ClientCertificateRequested, ServerTlsConfigurationNotSupported):
            # the server chose a suite, then asked for a client certificate or sent DH
            # parameters nassl refuses: accepted, as sslyze's plugin counts it
            accepted = _Accepted(client.get_current_cipher_name() or "")
            if self.chain is None:
                self.chain = list(client.get_received_chain()) or None
        except (ServerRejectedTlsHandshake, TlsHandshakeTimedOut) as exc:
            self.last_refusal = str(getattr(exc, "error_message", "") or exc)
            return _Refused(self.last_refusal)
        except NoCiphersAvailableBugInSSlyze:
            return None  # this client's OpenSSL cannot offer any of them with this protocol
        except (ConnectionToServerFailed, OSError, _nassl.OpenSSLError) as exc:
            # a connection that cannot be made, or an error sslyze does not read as a refusal:
            # no verdict on the protocol (sslyze's plugin reports the same as an error)
            reason = str(getattr(exc, "error_message", "") or exc)
            if not self.settled:
                raise Inconclusive(
                    f"{self.endpoint} does not complete a TLS handshake: {reason}"
                ) from None
            raise
        else:
            if self.chain is None:
                self.chain = list(client.get_received_chain())
        finally:
            connection.close()
        self.settled = True
        return accepted

    def accepted_suites(self, protocol: str) -> tuple[str, ...]:
        """Every suite of sslyze's list for `protocol` that the endpoint accepts."""
        found: list[str] = []
        for legacy, offered in suites_by_client(protocol):
            remaining = list(offered)
            while remaining:
                outcome = self.handshake(protocol, tuple(remaining), legacy)
                if not isinstance(outcome, _Accepted):
                    break
                if outcome.suite not in remaining:
                    # the chosen suite is unknown (no name after a client-certificate request):
                    # the rest one by one, as sslyze's plugin does
                    found += self._one_by_one(protocol, remaining, legacy)
                    break
                found.append(outcome.suite)
                remaining.remove(outcome.suite)
        return tuple(sorted(set(found), reverse=True))

    def _one_by_one(self, protocol: str, suites: list[str], legacy: bool) -> list[str]:
        return [s for s in suites if isinstance(self.handshake(protocol, (s,), legacy), _Accepted)]

    def any_accepted(self, protocol: str) -> bool:
        """Whether the endpoint completes one handshake with `protocol` (any suite)."""
        return any(
            isinstance(self.handshake(protocol, offered, legacy), _Accepted)
            for legacy, offered in suites_by_client(protocol)
        )


def probe(
    location: Any,
    network: Any,
    protocols: set[str],
    *,
    certificate: bool,
    connected_before: bool,
    first_deadline_s: float,
    budget_s: float,
) -> ProbeResult:
    """The accepted suites of `protocols` (and the certificate chain) at one endpoint.

    Raises Inconclusive when no handshake completes (and none did before in this run): first
    deadline, refusals of every protocol, or a connection that cannot be made.
    """
    from cryptography import x509
    from nassl import _nassl
    from sslyze.errors import ConnectionToServerFailed

    failures = (ConnectionToServerFailed, OSError, _nassl.OpenSSLError)
    handshakes = HandshakeProbe(
        location, network, first_deadline_s=first_deadline_s, budget_s=budget_s
    )
    handshakes.settled = connected_before
    result = ProbeResult()
    for protocol in VERSIONS:  # highest first: the chain comes from the best handshake
        if protocol not in protocols:
            continue
        try:
            result.accepted[protocol] = handshakes.accepted_suites(protocol)
        except failures as exc:
            result.errors[protocol] = str(getattr(exc, "error_message", "") or exc)
    if certificate or not handshakes.settled:
        # as sslyze's connectivity test: the highest protocol the endpoint speaks, for the chain
        # (or to tell an endpoint that speaks no TLS from one refusing the protocols asked)
        for protocol in VERSIONS:
            if handshakes.chain is not None:
                break
            if protocol not in protocols:
                try:
                    handshakes.any_accepted(protocol)
                except failures as exc:
                    reason = str(getattr(exc, "error_message", "") or exc)
                    raise Inconclusive(
                        f"cannot read the certificate of {handshakes.endpoint}: {reason}"
                    ) from None
    if not handshakes.settled:
        reason = handshakes.last_refusal or "no protocol accepted"
        raise Inconclusive(f"{handshakes.endpoint} does not complete a TLS handshake: {reason}")
    for protocol in VERSIONS:
        if result.accepted.get(protocol):
            result.highest_version = VERSIONS[protocol]
            break
    if certificate and not handshakes.chain:
        raise Inconclusive(f"{handshakes.endpoint} sent no certificate")
    if handshakes.chain:  # kept even when not asked: the certificate checks need no handshake
        chain = [x509.load_pem_x509_certificate(pem.encode("ascii")) for pem in handshakes.chain]
        result.certificate = CertificateFacts([CertificateDeployment(chain)])
    result.connections = handshakes.connections
    return result
