"""What one run computes once per target and every check of that run may read.

A run's caches live in the run, never in a module: each target's client (one per target and run)
holds a :class:`RunCache`, so two runs in one process, or two targets at once, share nothing.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

T = TypeVar("T")


class _Once:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.done = False
        self.value: Any = None


class RunCache:
    """Slots by (kind, key): shared objects made once, and values computed once."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._slots: dict[tuple[str, Hashable], Any] = {}

    def slot(self, kind: str, key: Hashable, make: Callable[[], T]) -> T:
        """The object kept under (kind, key), made by `make` the first time it is asked for."""
        with self._lock:
            if (kind, key) not in self._slots:
                self._slots[(kind, key)] = make()
            found: T = self._slots[(kind, key)]
            return found

    def once(self, kind: str, key: Hashable, compute: Callable[[], T]) -> T:
        """`compute()` at most once per (kind, key) in the run: later callers, and callers
        waiting meanwhile on other threads, get the same value. An exception is not kept."""
        entry = self.slot(kind, key, _Once)
        with entry.lock:
            if not entry.done:
                entry.value, entry.done = compute(), True
            value: T = entry.value
            return value

    def drop(self, kind: str) -> None:
        """Forget every slot of one kind (tests, long-lived processes)."""
        with self._lock:
            for slot in [s for s in self._slots if s[0] == kind]:
                del self._slots[slot]
