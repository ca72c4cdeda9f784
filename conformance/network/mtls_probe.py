"""Mutual-TLS probes: does an endpoint accept a handshake with no, an untrusted, or our client
certificate? Each probe is one connection (paced by the run's rate cap) and one HEAD request."""

from __future__ import annotations

import atexit
import shutil
import socket
import ssl
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from conformance.client.http import USER_AGENT, HttpClient
from conformance.core.errors import Inconclusive

_THROWAWAY: list[tuple[Path, Path]] = []
_THROWAWAY_LOCK = threading.Lock()


@dataclass(frozen=True, slots=True)
class Attempt:
    """What one handshake-and-request attempt gave: an HTTP status, or the refusal."""

    presented: str
    accepted: bool
    detail: str
    #: the handshake broke without a TLS alert (reset, EOF, not TLS): no verdict on the cert
    broken: bool = False

    def summary(self) -> str:
        """One line for messages and evidence."""
        verdict = "accepted" if self.accepted else "refused"
        return f"{self.presented}: {verdict} ({self.detail})"


def untrusted_client_certificate() -> tuple[Path, Path]:
    """A client certificate and key from a CA made at run time (no target trusts it)."""
    import trustme

    with _THROWAWAY_LOCK:
        if not _THROWAWAY:
            directory = Path(tempfile.mkdtemp(prefix="conformance-untrusted-"))
            atexit.register(shutil.rmtree, directory, True)
            ca = trustme.CA(organization_name="interop-conformance throwaway CA")
            leaf = ca.issue_cert("untrusted-client.invalid", common_name="untrusted-client")
            cert, key = directory / "client.pem", directory / "client.key"
            cert.write_bytes(b"".join(b.bytes() for b in leaf.cert_chain_pems))
            key.write_bytes(leaf.private_key_pem.bytes())
            key.chmod(0o600)
            _THROWAWAY.append((cert, key))
        return _THROWAWAY[0]


def attempt(
    client: HttpClient, url: str, presented: str, cert: tuple[Path, Path] | None
) -> Attempt:
    """Handshake with `url`'s endpoint presenting `cert` (or none) and send HEAD for its path.

    The server is authenticated with the target's CA bundle. A refusal is a TLS alert, a reset
    or a close before any HTTP answer; acceptance is an HTTP status line. Raises Inconclusive when
    the server itself cannot be reached or authenticated.
    """
    parts = urlsplit(url)
    if parts.scheme != "https" or not parts.hostname:
        raise Inconclusive(f"{url} is not an https URL")
    if not client.on_target(url):
        raise Inconclusive(f"refused to contact {url}: not one of the target's hosts")
    host, port = parts.hostname, parts.port or 443
    context = ssl.create_default_context(
        cafile=str(client.target.ca_bundle) if client.target.ca_bundle else None
    )
    if cert is not None:
        context.load_cert_chain(str(cert[0]), str(cert[1]))
    timeout = client.target.safety.timeout_s
    client.pace()
    try:
        raw = socket.create_connection((host, port), timeout=timeout)
    except OSError as exc:
        raise Inconclusive(f"cannot reach {host}:{port}: {exc}") from None
    with raw:
        try:
            tls = context.wrap_socket(raw, server_hostname=host)
        except ssl.SSLCertVerificationError as exc:
            raise Inconclusive(
                f"cannot authenticate {host}:{port} with the target's trust anchors: "
                f"{exc.verify_message}"
            ) from None
        except TimeoutError:
            raise Inconclusive(
                f"no TLS handshake with {host}:{port} within {timeout:g} s"
            ) from None
        except (ssl.SSLError, OSError) as exc:
            alert = isinstance(exc, ssl.SSLError) and "ALERT" in (exc.reason or "").upper()
            return Attempt(presented, False, f"handshake failed: {_reason(exc)}", broken=not alert)
        with tls:
            version = tls.version() or "TLS"
            path = parts.path or "/"
            request = (
                f"HEAD {path} HTTP/1.1\r\nHost: {parts.netloc}\r\nUser-Agent: {USER_AGENT}\r\n"
                "Connection: close\r\n\r\n"
            )
            try:
                tls.sendall(request.encode("ascii"))
                answer = tls.recv(1024)
            except TimeoutError:
                raise Inconclusive(f"no answer from {host}:{port} within {timeout:g} s") from None
            except (ssl.SSLError, OSError) as exc:
                return Attempt(presented, False, f"{version}, then {_reason(exc)}")
    line = answer.split(b"\r\n", 1)[0].decode("latin-1")
    if line.startswith("HTTP/"):
        return Attempt(presented, True, f"{version}, HEAD {path} → {line}")
    if not answer:
        return Attempt(presented, False, f"{version}, then the connection was closed unanswered")
    return Attempt(presented, False, f"{version}, then {line[:80]!r} instead of HTTP")


def _reason(exc: BaseException) -> str:
    if isinstance(exc, ssl.SSLError):
        return exc.reason or str(exc)
    return type(exc).__name__ + (f": {exc}" if str(exc) else "")
