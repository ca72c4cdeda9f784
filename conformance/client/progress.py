"""Progress of a long check, said while it runs (requests sent of the budget, handshakes done).

A check (or the library code it runs) calls :func:`progress` as it goes; whoever runs the check
installs a sink with :func:`reporting`, which passes on at most one message every few seconds so a
fast check says nothing and a slow one is never silent for long.
"""

from __future__ import annotations

import contextvars
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

Sink = Callable[[str], None]


class _Throttle:
    def __init__(self, sink: Sink, every_s: float) -> None:
        self.sink, self.every_s = sink, every_s
        self.last = time.monotonic()
        self.lock = threading.Lock()

    def offer(self, message: str) -> None:
        with self.lock:
            now = time.monotonic()
            if now - self.last < self.every_s:
                return
            self.last = now
        self.sink(message)


_current: contextvars.ContextVar[_Throttle | None] = contextvars.ContextVar(
    "conformance_progress", default=None
)


def progress(message: str) -> None:
    """Say what the running check is doing (dropped when nobody listens, or too soon)."""
    throttle = _current.get()
    if throttle is not None:
        throttle.offer(message)


@contextmanager
def reporting(sink: Sink, every_s: float = 5.0) -> Iterator[None]:
    """Within the block, pass progress messages to `sink`, at most one every `every_s` s."""
    token = _current.set(_Throttle(sink, every_s))
    try:
        yield
    finally:
        _current.reset(token)
