"""A wall-clock deadline per request that a slow (dripping) answer cannot stretch.

requests' timeouts bound each socket operation, not the exchange: an answer sent one byte a second
keeps every read within its timeout for as long as it likes. A :class:`Deadline` shuts the socket
of the connection its request went out on when it passes, which ends any read in progress.
Sessions get this through :func:`mount`; the connection classes register themselves with the
deadline in force (a context variable) each time they send a request.
"""

from __future__ import annotations

import contextlib
import contextvars
import socket
import threading
from types import TracebackType
from typing import Any

import requests
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

_current: contextvars.ContextVar[Deadline | None] = contextvars.ContextVar(
    "conformance_deadline", default=None
)


class Deadline:
    """At most `seconds` of wall-clock time for the requests sent inside the `with` block."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.expired = False
        self._sockets: list[socket.socket] = []
        self._lock = threading.Lock()
        self._timer = threading.Timer(seconds, self._expire)
        self._timer.daemon = True
        self._token: contextvars.Token[Deadline | None] | None = None

    def __enter__(self) -> Deadline:
        self._token = _current.set(self)
        self._timer.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self._timer.cancel()
        if self._token is not None:
            _current.reset(self._token)

    def attach(self, sock: socket.socket | None) -> None:
        """Watch `sock`: it is shut when the deadline passes (at once if it has passed)."""
        if sock is None:
            return
        with self._lock:
            if not self.expired:
                self._sockets.append(sock)
                return
        _shut(sock)

    def _expire(self) -> None:
        with self._lock:
            self.expired = True
            sockets, self._sockets = self._sockets, []
        for sock in sockets:
            _shut(sock)


def _shut(sock: socket.socket) -> None:
    with contextlib.suppress(OSError):
        sock.shutdown(socket.SHUT_RDWR)


def _watch(sock: socket.socket | None) -> None:
    deadline = _current.get()
    if deadline is not None:
        deadline.attach(sock)


class _Watched:
    """Mixed into urllib3's connections: the socket a request goes out on joins the deadline.

    A reused connection has its socket when the request starts; a new one gets it in `connect`,
    which urllib3 may call lazily from inside `request`. The socket is held here because
    http.client drops the connection's reference to it once an answer says it will close.
    """

    sock: socket.socket | None

    def connect(self) -> None:
        super().connect()  # type: ignore[misc]
        _watch(self.sock)

    def request(self, *args: Any, **kwargs: Any) -> None:
        _watch(self.sock)
        super().request(*args, **kwargs)  # type: ignore[misc]


class _WatchedHTTPConnection(_Watched, HTTPConnection):
    pass


class _WatchedHTTPSConnection(_Watched, HTTPSConnection):
    pass


class _WatchedHTTPPool(HTTPConnectionPool):
    ConnectionCls = _WatchedHTTPConnection


class _WatchedHTTPSPool(HTTPSConnectionPool):
    ConnectionCls = _WatchedHTTPSConnection


class _DeadlineAdapter(HTTPAdapter):
    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = {
            "http": _WatchedHTTPPool,
            "https": _WatchedHTTPSPool,
        }


def mount(session: requests.Session) -> None:
    """Make every request of `session` honour the :class:`Deadline` in force when it is sent."""
    session.mount("http://", _DeadlineAdapter())
    session.mount("https://", _DeadlineAdapter())
