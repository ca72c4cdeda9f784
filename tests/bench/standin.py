"""A stand-in agency on loopback: it publishes files as they are and answers what a test says.

Unlike tests/checks_support.py's `loopback_http` (GET only), it answers every method and logs
every request (method, path, query, whether credentials were sent), so a test can assert that
the suite sent no write when writes were not allowed. A `StandIn` on another loopback address
(127.0.0.2, a host that is not the target's) is a sentinel: any request it logs went off the
target, whoever sent it (also libraries that do not use Python's sockets).
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from .support import WRITE_METHODS

Answer = tuple[int, dict[str, str], bytes]  # status, headers, body
Responder = Callable[["Logged"], Answer | None]  # a request → its answer, or None: not mine


@dataclass(frozen=True)
class Logged:
    """One request the stand-in received."""

    method: str
    path: str
    query: str
    authorization: bool


def json_answer(
    status: int, data: Any, media_type: str = "application/json", **headers: str
) -> Answer:
    """An answer with a JSON body."""
    return status, {"Content-Type": media_type, **headers}, json.dumps(data).encode()


def problem(status: int, title: str, **headers: str) -> Answer:
    """An RFC 9457 problem details answer."""
    body = {"type": "about:blank", "title": title, "status": status}
    return json_answer(status, body, "application/problem+json", **headers)


@dataclass
class StandIn:
    """Routes by path (exact, query ignored) and responders tried in order; anything else gets
    `fallback` (by default a 404 problem details answer)."""

    routes: dict[str, Answer] = field(default_factory=dict)
    responders: list[Responder] = field(default_factory=list)
    headers: dict[str, str] = field(default_factory=dict)  # added to every answer
    log: list[Logged] = field(default_factory=list)
    base_url: str = ""

    def fallback(self, method: str, path: str) -> Answer:
        """What any other request gets."""
        return problem(404, "Not Found")

    def publish(self, path: str, file: Path, media_type: str) -> str:
        """Serve `file`'s bytes unchanged at `path`; its URL."""
        self.routes[path] = (200, {"Content-Type": media_type}, file.read_bytes())
        return self.base_url + path

    def answer(self, request: Logged) -> Answer:
        """The answer to one request."""
        route = self.routes.get(request.path)
        if route is not None and request.method in ("GET", "HEAD"):
            return route
        for responder in self.responders:
            found = responder(request)
            if found is not None:
                return found
        return self.fallback(request.method, request.path)

    def writes(self) -> list[Logged]:
        """The requests with a write method."""
        return [entry for entry in self.log if entry.method in WRITE_METHODS]


@contextmanager
def serving(standin: StandIn, host: str = "127.0.0.1") -> Iterator[StandIn]:
    """Run `standin` on `host` (a free port) until the block ends; its base_url is set."""

    class Handler(BaseHTTPRequestHandler):
        def _any(self) -> None:
            parts = urlsplit(self.path)
            method = self.command
            request = Logged(method, parts.path, parts.query, "Authorization" in self.headers)
            standin.log.append(request)
            length = int(self.headers.get("Content-Length") or 0)
            if length:
                self.rfile.read(length)
            status, headers, body = standin.answer(request)
            self.send_response(status)
            for name, value in {**standin.headers, **headers}.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if method != "HEAD":
                self.wfile.write(body)

        do_GET = do_HEAD = do_POST = do_PUT = do_PATCH = do_DELETE = do_OPTIONS = _any
        do_TRACE = _any

        def log_message(self, *args: Any) -> None:
            return

    server = ThreadingHTTPServer((host, 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    standin.base_url = f"http://{host}:{server.server_address[1]}"
    try:
        yield standin
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
