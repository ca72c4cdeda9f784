"""Fixtures shared by the check tests (plain helpers are in checks_support.py beside this file)."""

from __future__ import annotations

import contextlib
import socket
import threading
from collections.abc import Callable, Iterator

import pytest
from checks_support import Faulted, run

from conformance.core.model import Result
from conformance.inputs.target import Target
from conformance.reference import running_reference


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


@pytest.fixture
def tcp_server() -> Iterator[Callable[[Callable[[socket.socket], None]], int]]:
    """Start a loopback TCP server that treats each connection with `behaviour`; yield starter."""
    sockets: list[socket.socket] = []

    def start(behaviour: Callable[[socket.socket], None]) -> int:
        listener = socket.create_server(("127.0.0.1", 0))
        sockets.append(listener)

        def serve() -> None:
            while True:
                try:
                    conn, _ = listener.accept()
                except OSError:
                    return
                sockets.append(conn)
                threading.Thread(target=_quietly, args=(behaviour, conn), daemon=True).start()

        threading.Thread(target=serve, daemon=True).start()
        return int(listener.getsockname()[1])

    yield start
    for sock in sockets:
        sock.close()


def _quietly(behaviour: Callable[[socket.socket], None], conn: socket.socket) -> None:
    with contextlib.suppress(OSError):
        behaviour(conn)
