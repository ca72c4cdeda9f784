"""TLS facts of a target's https endpoint, found once per host:port per run.

Two ways, by the target's `safety.tls_scan` (`conformance run --tls-scan`): `minimal` (the
default, `tls_handshakes`: per protocol, offer every suite, remove the one the server chose,
repeat; some 15 handshakes on a well-kept endpoint, the chain taken from the first) or `full`
(sslyze's cipher-suite and certificate_info plugins: every suite of every protocol in its own
handshake, some 540). Both find the same accepted suites, so the checks decide the same
(tests/network/test_tls_minimal.py).

sslyze's connections are used either way (its bundled OpenSSL still speaks SSL 2.0 to TLS 1.1,
which the system's does not), so the limits of the target are applied here: only the target's
hosts, the target's CA bundle as trust store, small network timeouts, and a deadline on the
first handshake so that an endpoint which does not speak TLS, drops the connection or never
answers gives an `Inconclusive` within the target's `safety.timeout_s`.

Every connection sslyze opens waits for the run's request-rate cap (the client's limiter, shared
with the HTTP traffic): a full scan is some 500 handshakes, which must not reach a production
endpoint as a burst.

Scans are cached per run (per `HttpClient`) and keyed by (host, port): NET-TLS-01 scans the
protocols once, and NET-TLS-02/03 and the certificate checks reuse the result; a command not yet
scanned is scanned on demand and merged in.
"""

from __future__ import annotations

import threading
import time
import warnings
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from conformance.client.http import HttpClient
from conformance.core.errors import Inconclusive, NonConformance

#: sslyze scan commands, by the protocol whose accepted cipher suites they list.
PROTOCOL_COMMANDS: dict[str, str] = {
    "SSL 2.0": "ssl_2_0_cipher_suites",
    "SSL 3.0": "ssl_3_0_cipher_suites",
    "TLS 1.0": "tls_1_0_cipher_suites",
    "TLS 1.1": "tls_1_1_cipher_suites",
    "TLS 1.2": "tls_1_2_cipher_suites",
    "TLS 1.3": "tls_1_3_cipher_suites",
}
CERTIFICATE_COMMAND = "certificate_info"
#: The longest a whole scan may take once the first handshake has succeeded.
SCAN_BUDGET_S = 120.0
#: Parallel connections sslyze opens to one endpoint (a production endpoint is not a lab).
CONCURRENT_CONNECTIONS = 3


@dataclass(frozen=True, slots=True)
class Endpoint:
    """A TLS endpoint: host and port (the cache key)."""

    host: str
    port: int

    def __str__(self) -> str:
        return f"{self.host}:{self.port}"


@dataclass
class TlsScan:
    """What sslyze found on one endpoint, command by command (accumulated over the run)."""

    endpoint: Endpoint
    accepted: dict[str, tuple[str, ...]] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    certificate: Any = None
    highest_version: str = ""
    duration_s: float = 0.0
    scans: int = 0
    #: "minimal" (tls_handshakes: a handshake per accepted suite) or "full" (sslyze's plugins)
    mode: str = "full"
    #: handshakes the minimal probe made (the full scan's are not counted here)
    connections: int = 0

    def accepted_suites(self, protocol: str) -> tuple[str, ...]:
        """OpenSSL names of the suites accepted with `protocol` (e.g. 'TLS 1.0').

        Raises Inconclusive when sslyze could not test that protocol.
        """
        if protocol in self.errors:
            raise Inconclusive(
                f"sslyze could not test {protocol} on {self.endpoint}: {self.errors[protocol]}"
            )
        return self.accepted[protocol]

    def evidence(self) -> dict[str, Any]:
        """Per protocol the accepted suites (for a check's evidence)."""
        return {
            "endpoint": str(self.endpoint),
            "accepted_cipher_suites": {p: list(s) for p, s in self.accepted.items()},
            "errors": dict(self.errors),
            "highest_version": self.highest_version,
            "scanner": f"sslyze {_sslyze_version()}"
            + (" (handshakes by verdict)" if self.mode == "minimal" else " (cipher-suite plugins)"),
            "scan_seconds": round(self.duration_s, 3),
            **({"handshakes": self.connections} if self.mode == "minimal" else {}),
        }


@dataclass
class _Entry:
    lock: threading.Lock = field(default_factory=threading.Lock)
    scan: TlsScan | None = None
    failure: Inconclusive | None = None


_PACERS: dict[tuple[str, int], Callable[[], None]] = {}
_PACING_LOCK = threading.Lock()
_PACING: list[bool] = []


def endpoint_of(client: HttpClient, url: str | None = None) -> Endpoint:
    """The https endpoint of `url` (default: the target's base URL), which must be on target."""
    url = url or client.target.base_url
    parts = urlsplit(url)
    if parts.scheme == "http" and parts.hostname:
        # the agency itself chose plain http: that is the finding, not a gap in the suite
        raise NonConformance(
            f"{url} is served over plain http: no TLS at all (RFC 9325 §3: TLS 1.2 or 1.3 on "
            "every endpoint)"
        )
    if parts.scheme != "https" or not parts.hostname:
        raise Inconclusive(f"{url} is not an https URL: there is no TLS endpoint to scan")
    if not client.on_target(url):
        raise Inconclusive(f"refused to scan {url}: not one of the target's hosts")
    return Endpoint(parts.hostname, parts.port or 443)


def scan(
    client: HttpClient,
    url: str | None = None,
    protocols: Iterable[str] = PROTOCOL_COMMANDS,
    *,
    certificate: bool = False,
) -> TlsScan:
    """The scan of `url`'s endpoint covering `protocols` (and the certificate), cached per run."""
    endpoint = endpoint_of(client, url)
    wanted = {PROTOCOL_COMMANDS[p] for p in protocols}
    if certificate:
        wanted.add(CERTIFICATE_COMMAND)
    entry = client.run_cache.slot("tls-scans", endpoint, _Entry)
    with entry.lock:
        missing = wanted - _done_commands(entry.scan)
        if missing:
            if entry.failure is not None:
                raise entry.failure  # the endpoint did not speak TLS earlier in this run
            try:
                entry.scan = _run(client, endpoint, missing, entry.scan)
            except Inconclusive as exc:
                if entry.scan is None:  # never scanned: do not try (and wait) again this run
                    entry.failure = exc
                raise
        assert entry.scan is not None
        return entry.scan


def _done_commands(found: TlsScan | None) -> set[str]:
    if found is None:
        return set()
    done = {PROTOCOL_COMMANDS[p] for p in (*found.accepted, *found.errors)}
    if found.certificate is not None:
        done.add(CERTIFICATE_COMMAND)
    return done


class _ConnectivityWatch:
    """A sslyze ScannerObserver that records the outcome of the first handshakes."""

    def __init__(self) -> None:
        self.settled = threading.Event()
        self.error = ""

    def server_connectivity_test_error(self, request: Any, error: Any) -> None:
        """sslyze could not complete any handshake."""
        self.error = str(getattr(error, "error_message", "") or error)
        self.settled.set()

    def server_connectivity_test_completed(self, request: Any, result: Any) -> None:
        """sslyze completed a handshake; the scan commands follow."""
        self.settled.set()

    def server_scan_completed(self, result: Any) -> None:
        """Unused."""

    def all_server_scans_completed(self) -> None:
        """Unused."""


def _request(client: HttpClient, endpoint: Endpoint, commands: set[str]) -> Any:
    import ipaddress

    from sslyze.plugins.certificate_info.implementation import CertificateInfoExtraArgument
    from sslyze.plugins.scan_commands import ScanCommand
    from sslyze.scanner.models import ScanCommandsExtraArguments, ServerScanRequest
    from sslyze.server_setting import (
        ClientAuthenticationCredentials,
        ServerNetworkConfiguration,
        ServerNetworkLocation,
    )

    target = client.target
    try:
        ipaddress.ip_address(endpoint.host)
        location = ServerNetworkLocation(endpoint.host, endpoint.port, ip_address=endpoint.host)
    except ValueError:
        location = ServerNetworkLocation(endpoint.host, endpoint.port)
    credentials = None
    if target.client_certificate is not None:
        credentials = ClientAuthenticationCredentials(
            target.client_certificate.cert, target.client_certificate.key
        )
    network = ServerNetworkConfiguration(
        tls_server_name_indication=endpoint.host,
        tls_client_auth_credentials=credentials,
        network_timeout=max(1, int(min(target.safety.timeout_s, 5.0))),
        network_max_retries=1,
    )
    extra = ScanCommandsExtraArguments()
    if CERTIFICATE_COMMAND in commands and target.ca_bundle is not None:
        extra = ScanCommandsExtraArguments(
            certificate_info=CertificateInfoExtraArgument(custom_ca_file=target.ca_bundle)
        )
    return ServerScanRequest(
        server_location=location,
        network_configuration=network,
        scan_commands={ScanCommand(c) for c in commands},
        scan_commands_extra_arguments=extra,
    )


def _run(
    client: HttpClient, endpoint: Endpoint, commands: set[str], previous: TlsScan | None
) -> TlsScan:
    from sslyze.errors import ServerHostnameCouldNotBeResolved

    started = time.monotonic()
    # One certificate of sslyze's bundled trust stores has a non-positive serial number: the
    # deprecation warning is about sslyze's data, not the target, and must not break the scan
    # where warnings are errors (pytest -W error), so it is ignored for sslyze's modules only.
    warnings.filterwarnings("ignore", message="Parsed a serial number", module=r"sslyze\.")
    try:
        request = _request(client, endpoint, commands)
    except ServerHostnameCouldNotBeResolved:
        raise Inconclusive(f"cannot resolve {endpoint.host}") from None
    except (ValueError, OSError) as exc:
        raise Inconclusive(f"cannot prepare a TLS scan of {endpoint}: {exc}") from None
    address = (request.server_location.ip_address or endpoint.host, endpoint.port)
    _install_pacing()
    _PACERS[address] = client.pace
    try:
        if client.target.safety.tls_scan == "full":
            return _scan_within_deadlines(client, endpoint, request, commands, previous, started)
        return _probe_by_verdict(client, endpoint, request, commands, previous, started)
    finally:
        if _PACERS.get(address) == client.pace:
            del _PACERS[address]


def _install_pacing() -> None:
    """Make each socket sslyze opens wait for the limiter registered for its endpoint."""
    with _PACING_LOCK:
        if _PACING:
            return
        from sslyze.connection_helpers import tls_connection

        original = tls_connection._open_socket

        def paced(location: Any, network_timeout: int) -> Any:
            pace = _PACERS.get((location.ip_address or location.hostname, location.port))
            if pace is not None:
                pace()
            return original(location, network_timeout)

        # sslyze has no hook for this: its module-level socket opener is wrapped, once
        setattr(tls_connection, "_open_socket", paced)  # noqa: B010
        _PACING.append(True)


def _scan_within_deadlines(
    client: HttpClient,
    endpoint: Endpoint,
    request: Any,
    commands: set[str],
    previous: TlsScan | None,
    started: float,
) -> TlsScan:
    from sslyze.scanner.scanner import Scanner

    watch = _ConnectivityWatch()
    outcome: list[Any] = []
    finished = threading.Event()

    def work() -> None:
        try:
            scanner = Scanner(
                per_server_concurrent_connections_limit=CONCURRENT_CONNECTIONS,
                concurrent_server_scans_limit=1,
                # duck-typed ScannerObserver: subclassing it would import sslyze (0.7 s) with
                # every check module
                observers=[watch],  # type: ignore[list-item]
            )
            scanner.queue_scans([request])
            outcome.extend(scanner.get_results())
        except Exception as exc:  # reported to the waiting check as Inconclusive
            outcome.append(exc)
        finally:
            finished.set()

    # sslyze's own threads are daemons; this one is too, so a hung endpoint never holds the run
    threading.Thread(target=work, name=f"tls-scan-{endpoint}", daemon=True).start()
    limit = client.target.safety.timeout_s
    if not watch.settled.wait(limit):
        raise Inconclusive(f"no TLS handshake with {endpoint} completed within {limit:g} s")
    if watch.error:
        raise Inconclusive(f"{endpoint} does not complete a TLS handshake: {watch.error}")
    if not finished.wait(SCAN_BUDGET_S):
        raise Inconclusive(f"the TLS scan of {endpoint} took longer than {SCAN_BUDGET_S:g} s")
    if not outcome or isinstance(outcome[0], Exception):
        reason = outcome[0] if outcome else "no result"
        raise Inconclusive(f"the TLS scan of {endpoint} failed: {reason}")
    return _merge(
        previous or TlsScan(endpoint, mode="full"), outcome[0], commands, time.monotonic() - started
    )


def _probe_by_verdict(
    client: HttpClient,
    endpoint: Endpoint,
    request: Any,
    commands: set[str],
    previous: TlsScan | None,
    started: float,
) -> TlsScan:
    """The minimal probe (tls_handshakes): the same facts in a few dozen handshakes."""
    from conformance.network import tls_handshakes

    found = tls_handshakes.probe(
        request.server_location,
        request.network_configuration,
        {p for p, c in PROTOCOL_COMMANDS.items() if c in commands},
        certificate=CERTIFICATE_COMMAND in commands,
        connected_before=previous is not None,
        first_deadline_s=client.target.safety.timeout_s,
        budget_s=SCAN_BUDGET_S,
    )
    scan = previous or TlsScan(endpoint, mode="minimal")
    scan.accepted.update(found.accepted)
    scan.errors.update(found.errors)
    if found.certificate is not None:
        scan.certificate = found.certificate
    if found.highest_version and not scan.highest_version:
        scan.highest_version = found.highest_version
    scan.connections += found.connections
    scan.duration_s += time.monotonic() - started
    scan.scans += 1
    return scan


def _merge(found: TlsScan, result: Any, commands: set[str], elapsed: float) -> TlsScan:
    if result.scan_result is None:
        raise Inconclusive(f"sslyze could not scan {found.endpoint}: {result.scan_status.value}")
    if result.connectivity_result is not None:
        found.highest_version = result.connectivity_result.highest_tls_version_supported.name
    for protocol, command in PROTOCOL_COMMANDS.items():
        if command not in commands:
            continue
        attempt = getattr(result.scan_result, command)
        if attempt.result is None:
            found.errors[protocol] = _attempt_error(attempt)
        else:
            found.accepted[protocol] = tuple(
                s.cipher_suite.openssl_name for s in attempt.result.accepted_cipher_suites
            )
    if CERTIFICATE_COMMAND in commands:
        attempt = result.scan_result.certificate_info
        if attempt.result is None:
            raise Inconclusive(
                f"sslyze could not read the certificate of {found.endpoint}: "
                f"{_attempt_error(attempt)}"
            )
        found.certificate = attempt.result
    found.duration_s += elapsed
    found.scans += 1
    return found


def _attempt_error(attempt: Any) -> str:
    reason = attempt.error_reason.value if attempt.error_reason else "error"
    trace = attempt.error_trace
    last = "".join(trace.format_exception_only()).strip() if trace is not None else ""
    return f"{reason}: {last}" if last else reason


def _sslyze_version() -> str:
    from sslyze.__version__ import __version__

    return str(__version__)


def forget(client: HttpClient) -> None:
    """Drop the scans cached for `client`'s run (tests and long-lived processes)."""
    client.run_cache.drop("tls-scans")
