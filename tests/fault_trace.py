"""Which fault switch of the reference agency can reach which check: a traced run of the engine.

The fault matrix (test_fault_matrix.py) proves every fault once: its requirement fails under its
own ID, the requirements that depend on it behave as the catalogue declares, and nothing
unrelated changes. Running every check under every fault costs faults x checks; this module
lets the matrix run the costly checks only where a fault can reach them, and prove the rest.

The argument, for a fault F and a check H that is not run under F:

1. The agency is deterministic given its faults and the requests it gets, and the checks are
   deterministic given the answers they get (Hypothesis is seeded by the run's seed).
2. In the clean run the agency never read F's switch while H ran, nor while any run-wide cache
   that H read was filled (`Trace.reaches`: the api-catalog and OpenAPI documents, the OAuth2
   token, the TLS scans, the shared negative requests, the answers to GETs: `RUN_CACHES`). So
   with F set the agency answers H as before, and H reads the same caches, provided H starts
   from the same state.
3. The agency's state at H's start is the clean one unless, earlier in the faulted run, a check
   that reached F changed the state (`ReferenceAgency.state_digest`), F was read at start-up or
   between checks, or a check skipped before H had changed the state in the clean run. Any of
   these sets `diverged`, and from then on every check runs.

Cheap checks run under every fault anyway: they are a standing test of the argument itself,
since a cheap check that changes outcome although the trace says F cannot reach it would show a
channel the argument missed (the matrix then says so).
"""

from __future__ import annotations

import contextlib
import functools
import tempfile
import threading
from collections.abc import Callable, Container, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from reference_agency import ReferenceAgency
from reference_agency.faults import EVERY_FAULT, observing_lookups

import conformance.client.generated
import conformance.network.tls_probe
from conformance.client.discovery import Discovery
from conformance.client.http import HttpClient
from conformance.client.safe_reads import SafeReads
from conformance.core.model import Outcome, Result, SafetyClass
from conformance.engine import Engine
from conformance.inputs.profile import load_profile
from conformance.reference import reference_target

SEED = 20261129
#: a check whose clean run takes at least this long is run under a fault only where needed
HEAVY_S = 0.2
STARTUP, BETWEEN = "(start-up)", "(between checks)"

#: the suite's run-wide caches, each by the calls that read (and on a miss fill) it:
#: cache name → (owner, attribute name) of each such call; a cache of many entries, each
#: filled on its own, is named per entry (KEYED_CACHES: the call's arguments → the entry)
RUN_CACHES: dict[str, tuple[tuple[Any, str], ...]] = {
    "cache:discovery": ((Discovery, "apis"), (Discovery, "openapi_documents")),
    "cache:token": ((HttpClient, "bearer_token"),),
    "cache:tls-scans": ((conformance.network.tls_probe, "scan"),),
    "cache:negative-requests": ((conformance.client.generated, "negative_run"),),
    "cache:generated-reads": ((conformance.client.generated, "read_once"),),
    # every GET and HEAD passes here; a check reusing an answer reads the entry of that request
    "cache:safe-reads": ((SafeReads, "answer"),),
}
KEYED_CACHES: dict[str, Callable[..., str]] = {
    "cache:safe-reads": lambda _reads, key, *_, **__: repr(key),
}


@dataclass
class Trace:
    """What a run read of the agency's fault switches, and where."""

    #: check ID, cache name, STARTUP or BETWEEN → the fault names read meanwhile (lookups made
    #: while a run-wide cache was being filled belong to the cache, not to the check)
    lookups: dict[str, set[str]] = field(default_factory=dict)
    #: check ID or cache name → the run-wide caches it read (a cache reads those its fill read)
    reads: dict[str, set[str]] = field(default_factory=dict)
    #: checks during which the agency's state digest changed
    changed_state: set[str] = field(default_factory=set)
    results: dict[str, Result] = field(default_factory=dict)
    #: checks not run, with why their clean outcome stands
    proven: dict[str, str] = field(default_factory=dict)
    #: cache name → the check (or cache) that read it first, and so filled it
    filled_by: dict[str, str] = field(default_factory=dict)
    phase: str = STARTUP
    _caches: list[str] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def observe(self, fault: str) -> None:
        """Record one lookup (called from the agency's server threads)."""
        where = self._caches[-1] if self._caches else self.phase
        with self._lock:
            self.lookups.setdefault(where, set()).add(fault)

    def costly(self, rid: str, skipped: Container[str]) -> bool:
        """Whether `rid` took HEAVY_S or more in this run, or read a cache first filled here
        by a check that is `skipped` (it would fill that cache itself, at that cost)."""
        if self.results[rid].duration_s >= HEAVY_S:
            return True
        return any(self.filled_by.get(cache) in skipped for cache in self.reads.get(rid, ()))

    def reaches(self, fault: str, where: str) -> bool:
        """Whether `fault` (or the whole set) was read in `where` or in a cache it read."""
        seen, todo = set(), [where]
        while todo:
            place = todo.pop()
            if place in seen:
                continue
            seen.add(place)
            found = self.lookups.get(place, set())
            if fault in found or EVERY_FAULT in found:
                return True
            todo.extend(self.reads.get(place, ()))
        return False

    @contextlib.contextmanager
    def reading(self, cache: str) -> Iterator[None]:
        """The block reads `cache` (filling it on a miss): lookups inside belong to the cache."""
        reader = self._caches[-1] if self._caches else self.phase
        self.reads.setdefault(reader, set()).add(cache)
        self.filled_by.setdefault(cache, reader)
        self._caches.append(cache)
        try:
            yield
        finally:
            self._caches.pop()


def _reading(trace: Trace, cache: str, fn: Callable[..., Any]) -> Callable[..., Any]:
    entry = KEYED_CACHES.get(cache)

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        with trace.reading(f"{cache}:{entry(*args, **kwargs)}" if entry else cache):
            return fn(*args, **kwargs)

    return wrapper


@contextlib.contextmanager
def _caches_traced(trace: Trace) -> Iterator[None]:
    """While the block runs, every call of RUN_CACHES is recorded in `trace`."""
    originals = [
        (owner, name, getattr(owner, name))
        for cache, calls in RUN_CACHES.items()
        for owner, name in calls
    ]
    try:
        for cache, calls in RUN_CACHES.items():
            for owner, name in calls:
                setattr(owner, name, _reading(trace, cache, getattr(owner, name)))
        yield
    finally:
        for owner, name, fn in originals:
            setattr(owner, name, fn)


@contextlib.contextmanager
def _agency(faults: tuple[str, ...], trace: Trace) -> Iterator[tuple[ReferenceAgency, Any]]:
    with (
        tempfile.TemporaryDirectory(prefix="fault-matrix-") as tmp,
        observing_lookups(trace.observe),
        _caches_traced(trace),
        ReferenceAgency(faults=faults, workdir=Path(tmp) / "agency") as agency,
    ):
        yield agency, reference_target(agency, Path(tmp) / "client_secret")


def _engine(target: Any, only: list[str]) -> Engine:
    # load opted in: NET-RATE-01 and NET-LOAD-01 are bounded bursts on loopback
    return Engine(load_profile("full"), [target], only=only, seed=SEED, allow=[SafetyClass.LOAD])


def traced_run(only: list[str]) -> Trace:
    """Run the `only` checks on the clean agency, tracing every fault lookup."""
    trace = Trace()
    with _agency((), trace) as (agency, target):
        engine = _engine(target, only)
        try:
            for planned in engine.plan():
                rid = planned.requirement.id
                before = agency.state_digest()
                trace.phase = rid
                trace.results[rid] = engine.execute(planned)
                trace.phase = BETWEEN
                if agency.state_digest() != before:
                    trace.changed_state.add(rid)
        finally:
            engine.close()
    return trace


def faulted_run(fault: str, clean: Trace, must_run: set[str]) -> Trace:
    """Run the checks on the agency with `fault`, skipping each costly check the clean trace
    proves the fault cannot reach (see the module docstring); `must_run` always run."""
    trace = Trace()
    with _agency((fault,), trace) as (agency, target):
        engine = _engine(target, list(clean.results))
        diverged = any(t.reaches(fault, STARTUP) for t in (clean, trace))
        try:
            for planned in engine.plan():
                rid = planned.requirement.id
                diverged = diverged or any(t.reaches(fault, BETWEEN) for t in (clean, trace))
                reason = _why_unchanged(rid, fault, clean, must_run, diverged, trace.proven)
                if reason is not None:
                    trace.proven[rid] = reason
                    # a state change of the clean run is missing from this one from here on
                    diverged = diverged or rid in clean.changed_state
                    continue
                before = agency.state_digest()
                trace.phase = rid
                trace.results[rid] = engine.execute(planned)
                trace.phase = BETWEEN
                if trace.reaches(fault, rid) and agency.state_digest() != before:
                    diverged = True
        finally:
            engine.close()
    return trace


def _why_unchanged(
    rid: str, fault: str, clean: Trace, must_run: set[str], diverged: bool, skipped: Container[str]
) -> str | None:
    """Why `rid` need not run under `fault` (its clean outcome stands), or None to run it."""
    result = clean.results[rid]
    if (
        diverged
        or rid in must_run
        or not clean.costly(rid, skipped)
        or clean.reaches(fault, rid)
        or result.outcome not in {Outcome.PASS, Outcome.WARN}
    ):
        return None
    return (
        f"the clean run never read {fault}'s switch while {rid} ran or in a run-wide cache it "
        "read, and nothing before it that read the switch changed the agency's state"
    )
