"""Every connection the reference agency and the suite's peer endpoint accept sends at once.

Without TCP_NODELAY, Nagle's algorithm holds the second write of each answer until the client
ACKs the first, and clients delay that ACK: about 40 ms per request over TLS.
"""

from __future__ import annotations

import socket
import ssl
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import trustme
from reference_agency import ReferenceAgency
from reference_agency.server import TlsAwareH11Protocol

from conformance.business import peer
from conformance.business.peer import SuitePeer


@contextmanager
def accepted_nodelay(monkeypatch: pytest.MonkeyPatch, protocol: type) -> Iterator[list[int]]:
    """The TCP_NODELAY value of each connection `protocol` accepts while the block runs."""
    seen: list[int] = []
    original = protocol.connection_made

    def connection_made(self, transport):  # type: ignore[no-untyped-def]
        original(self, transport)
        sock = transport.get_extra_info("socket")
        seen.append(sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))

    monkeypatch.setattr(protocol, "connection_made", connection_made)
    yield seen


def _tls_request(port: int, ca: Path | None) -> None:
    context = ssl.create_default_context(cafile=str(ca) if ca else None)
    if ca is None:
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    with (
        socket.create_connection(("127.0.0.1", port), timeout=10) as raw,
        context.wrap_socket(raw, server_hostname="127.0.0.1") as tls,
    ):
        tls.sendall(b"GET /v1/health HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
        assert tls.recv(1024).startswith(b"HTTP/1.1 ")


def test_the_reference_agency_disables_nagle_on_every_accepted_connection(monkeypatch):
    with (
        accepted_nodelay(monkeypatch, TlsAwareH11Protocol) as seen,
        ReferenceAgency() as agency,
    ):
        _tls_request(int(agency.base_url.rsplit(":", 1)[1]), agency.ca_bundle)
        with socket.create_connection(("127.0.0.1", int(agency.http_url.rsplit(":", 1)[1]))) as s:
            s.sendall(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
            assert s.recv(1024).startswith(b"HTTP/1.1 ")
    assert len(seen) == 2
    assert all(seen), seen


def test_the_suite_peer_disables_nagle_on_every_accepted_connection(monkeypatch, tmp_path):
    ca = trustme.CA()
    client_ca = tmp_path / "client-ca.pem"
    ca.cert_pem.write_to_path(str(client_ca))
    with accepted_nodelay(monkeypatch, peer._CertAwareH11) as seen, SuitePeer(client_ca) as suite:
        _tls_request(suite.port, None)
    assert seen == [1]
