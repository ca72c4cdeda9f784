"""The suite playing a peer agency: a mutual-TLS endpoint on loopback that records every call.

The target is told where the peer is (see `conformance.business.xag`), then drives a case
that makes it call out; the peer answers with the profile's canned answer and keeps, for each
call, the client certificate subject (or that none was presented), the headers and the body.
Its server certificate comes from a CA made at start (trustme); client certificates are verified
against `client_ca` (the target's trust bundle unless the profile names another), and are
optional at the handshake so that a call without one is recorded as evidence, not lost.
"""

from __future__ import annotations

import asyncio
import socket
import ssl
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Any

import trustme
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from uvicorn.protocols.http.h11_impl import H11Protocol

from conformance.documents import nesting

LOOPBACK = "127.0.0.1"
MAX_BODY = 1 << 20


@dataclass(frozen=True, slots=True)
class PeerCall:
    """One request the target sent to the suite's peer."""

    method: str
    path: str
    headers: dict[str, str]
    client_subject: str | None
    body: bytes

    def json(self) -> Any:
        """The body as JSON (ValueError when it is not)."""
        return nesting.loads(self.body.decode("utf-8"), "the call's body")

    def evidence(self) -> dict[str, Any]:
        """What the evidence shows of this call."""
        return {
            "method": self.method,
            "path": self.path,
            "client_certificate": self.client_subject or "(none presented)",
            "headers": {k: v for k, v in self.headers.items() if k != "authorization"},
            "body": self.body.decode("utf-8", "replace")[:2000],
        }


class _CertAwareH11(H11Protocol):
    """uvicorn's h11 protocol that records the TLS client certificate subject per connection."""

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        """Put the client certificate's subject (or None) in the request state."""
        super().connection_made(transport)
        # Nagle's algorithm would hold each small answer until the caller's delayed ACK (~40 ms).
        sock = transport.get_extra_info("socket")
        if sock is not None:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        subject = None
        ssl_object = transport.get_extra_info("ssl_object")
        if ssl_object is not None:
            cert = ssl_object.getpeercert()
            if cert:
                rdns = reversed(cert.get("subject", ()))
                subject = ",".join(f"{key}={value}" for rdn in rdns for key, value in rdn)
        self.app_state = {**self.app_state, "client_subject": subject}


@dataclass
class SuitePeer:
    """A peer agency on 127.0.0.1 over TLS; use as a context manager."""

    client_ca: Path
    answer_status: int = 200
    answer_body: Any = field(default_factory=dict)
    calls: list[PeerCall] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def __enter__(self) -> SuitePeer:
        self._dir = tempfile.TemporaryDirectory(prefix="conformance-peer-")
        ca = trustme.CA(organization_name="interop-conformance suite peer CA")
        leaf = ca.issue_cert(LOOPBACK, "localhost", common_name="suite-peer.invalid")
        self.ca_pem = ca.cert_pem.bytes().decode("ascii")
        cert_file, key_file = Path(self._dir.name) / "peer.pem", Path(self._dir.name) / "peer.key"
        cert_file.write_bytes(b"".join(blob.bytes() for blob in leaf.cert_chain_pems))
        key_file.write_bytes(leaf.private_key_pem.bytes())
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.minimum_version = ssl.TLSVersion.TLSv1_2
        context.load_cert_chain(cert_file, key_file)
        context.load_verify_locations(cafile=str(self.client_ca))
        context.verify_mode = ssl.CERT_OPTIONAL  # a call without a certificate is evidence
        self._sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
        self._sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._sock.bind((LOOPBACK, 0))
        self._sock.listen(16)
        self.port: int = self._sock.getsockname()[1]

        def factory(_c: uvicorn.Config, _d: Callable[[], ssl.SSLContext]) -> ssl.SSLContext:
            return context

        app = Starlette(routes=[Route("/{path:path}", self._record, methods=_METHODS)])
        config = uvicorn.Config(
            app,
            log_level="warning",
            access_log=False,
            lifespan="off",
            http=_CertAwareH11,
            loop="asyncio",
            ws="none",
            server_header=False,
            ssl_context_factory=factory,
            timeout_keep_alive=2,
        )
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(
            target=self._server.run, kwargs={"sockets": [self._sock]}, daemon=True
        )
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                self._close()
                raise RuntimeError("the suite's peer endpoint did not start")
            time.sleep(0.01)
        return self

    @property
    def url(self) -> str:
        """The peer's base URL."""
        return f"https://{LOOPBACK}:{self.port}"

    async def _record(self, request: Request) -> Response:
        body = b""
        async for chunk in request.stream():
            body += chunk
            if len(body) > MAX_BODY:
                return Response(status_code=413)
        call = PeerCall(
            request.method,
            request.url.path,
            dict(request.headers),
            getattr(request.state, "client_subject", None),
            body,
        )
        with self._lock:
            self.calls.append(call)
        return JSONResponse(self.answer_body, self.answer_status)

    def received(self) -> list[PeerCall]:
        """The calls received so far."""
        with self._lock:
            return list(self.calls)

    def _close(self) -> None:
        self._server.should_exit = True
        self._server.force_exit = True
        if self._thread.is_alive():
            self._thread.join(2)
        self._sock.close()
        self._dir.cleanup()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._close()


_METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"]
