"""Plain helpers shared by the check tests (their fixtures are in conftest.py beside this file).

Imported as `from checks_support import ...`: pytest's default ("prepend") import mode puts this
directory, which has no __init__.py, on sys.path before it imports the test modules here.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Protocol

from conformance.core.catalogue import load_catalogue
from conformance.core.model import Outcome, Result
from conformance.engine import Engine
from conformance.inputs.profile import load_profile
from conformance.inputs.target import SafetyPolicy, Target
from conformance.reference import running_reference

# What the `faulted` fixture (conftest.py) gives: (fault, checks to run) → their results.
Faulted = Callable[[str, tuple[str, ...]], dict[str, Result]]


# -- running checks ------------------------------------------------------------------------------
def run(
    target: Target,
    only: Iterable[str] = (),
    *,
    profile: str = "full",
    seed: int = 1,
    **engine: Any,
) -> dict[str, Result]:
    """Run the `only` checks (all of `profile`'s when empty) on `target`; results by requirement."""
    report = Engine(load_profile(profile), [target], only=only, seed=seed, **engine).run()
    return {r.requirement: r for r in report.results}


def run_one(requirement_id: str, faults: tuple[str, ...] = ()) -> Result:
    """One requirement's result on a reference agency started (with `faults`) just for it."""
    with running_reference(faults) as target:
        return run(target, [requirement_id])[requirement_id]


def assert_only(fault: str, results: dict[str, Result], *, with_evidence: bool = False) -> None:
    """The fault's check fails (with evidence, if asked); the others pass, or skip when they
    depend on it."""
    assert results[fault].outcome is Outcome.FAIL, results[fault].message
    if with_evidence:
        assert results[fault].evidence
    for rid, result in results.items():
        if rid != fault:
            dependent = fault in load_catalogue()[rid].depends_on
            allowed = {Outcome.PASS, Outcome.SKIP} if dependent else {Outcome.PASS}
            assert result.outcome in allowed, (rid, result.message)


def agency_schema_file(name: str) -> bytes:
    """A schema file the reference agency ships (license.xsd, license.sch, ...)."""
    import reference_agency

    return (Path(reference_agency.__file__).parent / "schemas" / name).read_bytes()


# -- a plain-HTTP loopback server ----------------------------------------------------------------
Answer = tuple[int, dict[str, str], bytes]  # status, headers, body


@contextmanager
def loopback_http(answer: Callable[[str], Answer]) -> Iterator[str]:
    """Serve GET on 127.0.0.1, each request path answered by `answer`; yield the base URL."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            status, headers, body = answer(self.path)
            self.send_response(status)
            for name, value in {**headers, "Content-Length": str(len(body))}.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


class HasBaseUrl(Protocol):
    base_url: str


def site_target(site: HasBaseUrl, **safety: Any) -> Target:
    """A Target named "site" on a loopback server, with `safety` limits."""
    return Target(name="site", base_url=site.base_url, safety=SafetyPolicy(**safety))


# -- TCP endpoints that do not speak TLS (behaviours for the `tcp_server` fixture) ---------------
# (Their names are the ids of the tests parametrized with them: keep them as they are.)
def _plain_text(conn: socket.socket) -> None:
    conn.recv(1024)
    conn.sendall(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n")
    conn.close()


def _close_at_once(conn: socket.socket) -> None:
    conn.close()


def _never_answer(conn: socket.socket) -> None:
    conn.recv(1024)  # keep the connection open and silent until the server stops
