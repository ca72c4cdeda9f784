"""What the bench tests share: running the suite on a target, and checking what it sent.

Every run is watched by a Python audit hook that records each socket connection and each host
name looked up while the engine runs, so a test can assert that the suite reached nothing but
the target (a request "off the target's hosts" is a suite bug whatever the verdict). Libraries
that open connections outside Python's socket module (Rust code) are caught by the loopback
sentinel of `standin.py` instead.
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from conformance.core.model import Outcome, Result
from conformance.engine import Engine
from conformance.inputs.profile import load_profile
from conformance.inputs.target import Target, load_target_file

BENCH = Path(__file__).resolve().parent
WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
# Nothing on the target for the requirement to judge (no deprecated operation, no protected GET,
# no mutual-TLS endpoint, no declared resource): skip or not-applicable. The suite is moving such
# cases from skip to not-applicable (DEP-DEP-01 and NET-AUTH-01 were changed, uncommitted, while
# this bench was written); either is right, as neither is a verdict on the agency. A pass or a
# fail would be wrong.
NOT_JUDGED = frozenset({Outcome.SKIP, Outcome.NOT_APPLICABLE})

_lock = threading.Lock()
_watching: list[Watch] = []


@dataclass
class Watch:
    """Connections ((host, port)) and host-name lookups made while it is active."""

    connections: list[tuple[str, int]] = field(default_factory=list)
    lookups: list[str] = field(default_factory=list)


def _audit(event: str, args: tuple[Any, ...]) -> None:
    if event not in ("socket.connect", "socket.getaddrinfo") or not _watching:
        return
    with _lock:
        for watch in _watching:
            if event == "socket.connect":
                address = args[1]
                if isinstance(address, tuple) and len(address) >= 2:
                    watch.connections.append((str(address[0]), int(address[1])))
            else:
                watch.lookups.append(str(args[0]))


sys.addaudithook(_audit)  # audit hooks cannot be removed: it only records while a Watch is active


@dataclass
class BenchRun:
    """One engine run: its results by requirement, and what it connected to."""

    results: dict[str, Result]
    watch: Watch

    def outcome(self, requirement: str) -> Outcome:
        """The outcome of one requirement."""
        return self.results[requirement].outcome

    def message(self, requirement: str) -> str:
        """The message of one requirement."""
        return self.results[requirement].message

    def show(self) -> str:
        """Every result in one line each, for assertion messages."""
        return "\n".join(
            f"{r.requirement}: {r.outcome.value}: {r.message}" for r in self.results.values()
        )


def run_suite(
    target: Target, only: Iterable[str] = (), *, profile: str = "departmental", **engine: Any
) -> BenchRun:
    """Run `profile` (only the `only` requirements, when given) on `target`, seed 1."""
    watch = Watch()
    with _lock:
        _watching.append(watch)
    try:
        report = Engine(load_profile(profile), [target], only=only, seed=1, **engine).run()
    finally:
        with _lock:
            _watching.remove(watch)
    return BenchRun({r.requirement: r for r in report.results}, watch)


def write_target(directory: Path, name: str, text: str) -> Target:
    """Write a target file (YAML) into `directory` and load it as the CLI would."""
    path = directory / f"{name}.yaml"
    path.write_text(text, encoding="utf-8")
    return load_target_file(path)


def assert_sound(run: BenchRun, ports: Iterable[int], host: str = "127.0.0.1") -> None:
    """No internal error, and nothing reached but `host` on `ports` (and no other name looked
    up): what every bench run must show, whatever its verdicts."""
    internal = [
        f"{r.requirement}: {r.message}"
        for r in run.results.values()
        if r.message.startswith("internal error")
    ]
    assert not internal, "internal errors in the suite:\n" + "\n".join(internal)
    allowed = {(host, port) for port in ports}
    away = sorted(set(run.watch.connections) - allowed)
    assert not away, f"the suite connected off the target: {away}"
    names = sorted(set(run.watch.lookups) - {host})
    assert not names, f"the suite looked up other hosts: {names}"


def verdicts(run: BenchRun, expected: dict[str, Outcome | frozenset[Outcome]]) -> None:
    """Each requirement of `expected` has that outcome, or one of those outcomes (all mismatches
    in one message)."""
    wrong = {
        rid: (run.outcome(rid).value, "/".join(sorted(o.value for o in wants)), run.message(rid))
        for rid, want in expected.items()
        for wants in [want if isinstance(want, frozenset) else frozenset({want})]
        if run.outcome(rid) not in wants
    }
    assert not wrong, "\n".join(
        f"{rid}: got {got}, expected {want}: {message}"
        for rid, (got, want, message) in wrong.items()
    )
