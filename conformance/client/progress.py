"""Progress of a long check, said while it runs (requests sent of the budget, handshakes done).

A check (or the library code it runs) calls :func:`progress` as it goes; whoever runs the check
installs a sink with :func:`reporting`, which passes on at most one message every few seconds so a
fast check says nothing and a slow one is never silent for long: a check that has said nothing
for that long (a TLS scan, a wait on the rate cap) is said to be still running, with its time.
"""

from __future__ import annotations

import contextvars
import textwrap
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

Sink = Callable[[str], None]


class _Throttle:
    def __init__(self, sink: Sink, every_s: float) -> None:
        self.sink, self.every_s = sink, every_s
        #: when the check began, when a message was last said, and last offered (said or not)
        self.started = self.last = self.offered = time.monotonic()
        self.lock = threading.Lock()
        self.done = threading.Event()

    def offer(self, message: str) -> None:
        with self.lock:
            now = self.offered = time.monotonic()
            if self.done.is_set() or now - self.last < self.every_s:
                return
            self.last = now
        self.sink(message)

    def keep_alive(self) -> None:
        """Until the check ends: after `every_s` in which it offered nothing (a check that
        talks says it better itself), say it is still running."""
        while not self.done.wait(self.every_s):
            with self.lock:
                now = time.monotonic()
                if now - self.offered < self.every_s or now - self.last < self.every_s:
                    continue
                self.last = now
            self.sink(f"still running, {now - self.started:.0f} s so far")


_current: contextvars.ContextVar[_Throttle | None] = contextvars.ContextVar(
    "conformance_progress", default=None
)


def terminal_lines(line: str, width: int, indent: int | None = None) -> list[str]:
    """`line` (a progress message, a status line) as terminal lines of at most `width` columns
    (20 at least): the lines it wraps onto indented by `indent` spaces (by default, 4 more than
    it); long words (URLs, paths) are broken rather than overflow."""
    if indent is None:
        indent = len(line) - len(line.lstrip()) + 4
    wrapped = textwrap.wrap(
        line, max(width, 20), subsequent_indent=" " * indent, break_on_hyphens=False
    )
    return wrapped or [line]


def progress(message: str) -> None:
    """Say what the running check is doing (dropped when nobody listens, or too soon)."""
    throttle = _current.get()
    if throttle is not None:
        throttle.offer(message)


@contextmanager
def reporting(sink: Sink, every_s: float = 5.0) -> Iterator[None]:
    """Within the block, pass progress messages to `sink`, at most one every `every_s` s, and
    say the block is still running when it has said nothing for `every_s` s. Nothing reaches
    `sink` once the block has ended."""
    throttle = _Throttle(sink, every_s)
    token = _current.set(throttle)
    beat = threading.Thread(target=throttle.keep_alive, name="conformance-progress", daemon=True)
    beat.start()
    try:
        yield
    finally:
        throttle.done.set()
        beat.join()
        _current.reset(token)
