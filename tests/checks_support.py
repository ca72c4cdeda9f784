"""What the check tests of every level share: running checks, the reference agencies they run on
(the `clean` and `faulted` fixtures), and a plain-HTTP loopback server.

The check tests sit in one package per level (tests/departmental, tests/network, tests/data,
tests/business), a module per module of the level they test. Imported as
`from checks_support import ...`: pytest's default ("prepend") import mode puts tests/, the
directory above those packages, on sys.path. A level's conftest.py imports the fixtures it needs
from here, which registers them for its package.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from conformance.core.catalogue import load_catalogue
from conformance.core.model import Outcome, Result
from conformance.engine import Engine
from conformance.inputs.profile import load_profile
from conformance.inputs.target import Target
from conformance.reference import running_reference

# Checks of two levels whose faults must not reach each other: a faulted agency runs them all.
ACROSS_LEVELS = ("DEP-OAS-01", "DEP-ERR-01", "NET-TLS-01", "NET-HSTS-01", "NET-AUTH-01")

# What the `faulted` fixture gives: (fault, checks to run) → their results.
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


# -- the reference agencies (fixtures: a level's conftest.py imports those it uses) -------------
@pytest.fixture(scope="module")
def clean() -> Iterator[Target]:
    """One conformant reference agency shared by the tests of the module that asks for it."""
    with running_reference() as target:
        yield target


@pytest.fixture(scope="module")
def faulted() -> Faulted:
    """`faulted(fault, only)`: the results of the `only` checks on the agency with one fault;
    each (fault, only) agency started once per module."""
    cache: dict[tuple[str, tuple[str, ...]], dict[str, Result]] = {}

    def results(fault: str, only: tuple[str, ...]) -> dict[str, Result]:
        if (fault, only) not in cache:
            with running_reference([fault]) as target:
                cache[(fault, only)] = run(target, only)
        return cache[(fault, only)]

    return results


# -- a plain-HTTP loopback server ----------------------------------------------------------------
Answer = tuple[int, dict[str, str], bytes]  # status, headers, body


@contextmanager
def loopback_server(
    answer: Callable[[str, dict[str, str]], Answer], host: str = "127.0.0.1"
) -> Iterator[str]:
    """Serve GET on 127.0.0.1, each request answered by `answer(path, headers)`; yield the base
    URL, written with `host` (e.g. "localhost": the same server under another host name)."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            status, headers, body = answer(self.path, dict(self.headers.items()))
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
        yield f"http://{host}:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@contextmanager
def loopback_http(answer: Callable[[str], Answer]) -> Iterator[str]:
    """Serve GET on 127.0.0.1, each request path answered by `answer`; yield the base URL."""
    with loopback_server(lambda path, _headers: answer(path)) as base_url:
        yield base_url
