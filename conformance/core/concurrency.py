"""Sequences of work side by side: each sequence in its own order, several at a time.

A fleet run is mostly waiting on the network (rate caps, answers), so agencies tested side by
side cost little more than the slowest of them. Ctrl-C or SIGTERM in the caller stops every
sequence after its current step.
"""

from __future__ import annotations

import contextvars
import queue
import threading
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

T = TypeVar("T")
R = TypeVar("R")


def side_by_side(
    sequences: Sequence[Sequence[T]], step: Callable[[T], R], at_once: int
) -> Iterator[R]:
    """`step` of every item, each sequence in order, up to `at_once` sequences at the same time;
    the results as they come. An exception in a step reaches the caller."""
    if at_once <= 1 or len(sequences) <= 1:
        for sequence in sequences:
            for item in sequence:
                yield step(item)
        return
    done: queue.Queue[tuple[str, object]] = queue.Queue()
    stop = threading.Event()

    def run(sequence: Sequence[T]) -> None:
        try:
            for item in sequence:
                if stop.is_set():
                    break
                done.put(("result", step(item)))
        except BaseException as exc:  # reported to the caller, never lost in a thread
            done.put(("error", exc))
        finally:
            done.put(("end", None))

    pool = ThreadPoolExecutor(max_workers=at_once, thread_name_prefix="side-by-side")
    try:
        for sequence in sequences:
            pool.submit(contextvars.copy_context().run, run, sequence)
        ended = 0
        while ended < len(sequences):
            kind, value = done.get()
            if kind == "end":
                ended += 1
            elif kind == "error":
                assert isinstance(value, BaseException)
                raise value
            else:
                yield value  # type: ignore[misc]
    finally:
        stop.set()
        pool.shutdown(wait=False, cancel_futures=True)
