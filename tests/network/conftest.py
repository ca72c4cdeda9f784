"""Fixtures of the network check tests: the conformant and faulted agencies, a loopback site,
and loopback TCP servers that do not speak TLS."""

from __future__ import annotations

import contextlib
import socket
import threading
from collections.abc import Callable, Iterator

import pytest
from checks_support import (  # noqa: F401 (imported, the fixtures are registered here)
    clean,
    faulted,
    loopback_http,
)

from .sites import Site


@pytest.fixture
def site() -> Iterator[Site]:
    """A running Site on 127.0.0.1."""
    state = Site()
    with loopback_http(state.answer) as base_url:
        state.base_url = base_url
        yield state


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
