"""BUS-STATE-01: a case moves only along the declared state machine; a request for an illegal
transition gets 409."""

from __future__ import annotations

import itertools
from typing import Any

from conformance.business.cases import Case, CaseDriver
from conformance.business.common import call_on_case, states_seen
from conformance.client.context import CheckContext
from conformance.client.http import Exchange
from conformance.core.errors import Inconclusive, PreconditionMissing
from conformance.core.inputs import declare_input
from conformance.core.registry import check

#: BUS-STATE-01: the states and legal transitions of a case, and requests that must be refused
STATE_MACHINE = declare_input(
    "state_machine",
    {
        "type": "object",
        "required": ["states", "transitions"],
        "properties": {
            "initial": {"type": "string"},
            "states": {"type": "array", "items": {"type": "string"}},
            "transitions": {
                "type": "array",
                "items": {
                    "type": "array",
                    "items": {"type": "string"},
                    "minItems": 2,
                    "maxItems": 2,
                },
            },
            "strict": {"type": "boolean"},
            "illegal": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["from", "request"],
                    "properties": {
                        "from": {"type": "string"},
                        "request": {
                            "type": "object",
                            "required": ["operation"],
                            "properties": {
                                "operation": {"type": "string"},
                                "body": {},
                                "to": {"type": "string"},
                            },
                            "additionalProperties": False,
                        },
                    },
                    "additionalProperties": False,
                },
            },
        },
        "additionalProperties": False,
    },
    description="the states and transitions of a case",
)


# -- BUS-STATE-01 ---------------------------------------------------------------------------
@check("BUS-STATE-01")
def state_machine(ctx: CheckContext) -> str:
    """A case moves only along the declared transitions; an illegal transition gets 409."""
    driver = CaseDriver.from_inputs(ctx)
    machine = StateMachine.from_inputs(STATE_MACHINE.require(ctx))
    max_reads = int(ctx.params.get("max_reads", 10))
    case = driver.create()
    driver.follow(case, max_reads)
    ctx.note("states", f"states observed: {states_seen(case)}", states=list(case.states))
    problem = machine.violation(case.states)
    if problem:
        ctx.reproduce = ctx.client.curl(case.last or case.created)
        ctx.fail(f"case {case.id} went {states_seen(case)}: {problem} (profile's state machine)")
    observed, tried = states_seen(case), list[str]()
    for illegal in machine.illegal:
        origin = str(illegal["from"])
        target_case = case if case.states and case.states[-1] == origin else driver.create()
        if not target_case.states or target_case.states[-1] != origin:
            _drive_until(driver, target_case, origin, max_reads)
        answer = _illegal_request(ctx, driver, target_case, illegal)
        if answer.status != 409:
            ctx.reproduce = ctx.client.curl(answer)
            ctx.fail(
                f"{answer.method} {answer.url} in state {origin} is not a declared transition, "
                f"but it answered {answer.status}, expected 409 (RFC 9110 §15.5.10 Conflict; "
                "profile's state machine)"
            )
        _, after = driver.read(target_case, f"read the case after the refused request in {origin}")
        if after is not None and after != origin and (origin, after) not in machine.transitions:
            ctx.fail(
                f"after the refused {answer.method} in state {origin} the case is in {after}: "
                f"{origin} → {after} is not a declared transition"
            )
        tried.append(f"{answer.method} {illegal['request'].get('operation')} in {origin} → 409")
    return f"states {observed} follow the declared transitions" + (
        "; " + "; ".join(tried) if tried else " (no illegal transition declared to try)"
    )


class StateMachine:
    """The profile's state machine: states, allowed transitions, illegal requests to try."""

    def __init__(
        self,
        states: frozenset[str],
        transitions: frozenset[tuple[str, str]],
        initial: str | None,
        strict: bool,
        illegal: list[dict[str, Any]],
    ) -> None:
        self.states, self.transitions, self.initial = states, transitions, initial
        self.strict, self.illegal = strict, illegal

    @classmethod
    def from_inputs(cls, spec: Any) -> StateMachine:
        """Read inputs.state_machine (skip when it is incomplete)."""
        if not isinstance(spec, dict) or not {"states", "transitions"} <= spec.keys():
            raise PreconditionMissing("inputs.state_machine needs states and transitions")
        pairs = frozenset((str(a), str(b)) for a, b in spec["transitions"])
        states = frozenset(str(s) for s in spec["states"])
        unknown = sorted({s for pair in pairs for s in pair} - states)
        if unknown:
            raise PreconditionMissing(
                f"inputs.state_machine.transitions name undeclared states {', '.join(unknown)}"
            )
        illegal = [i for i in spec.get("illegal", []) if isinstance(i, dict)]
        for entry in illegal:
            if "from" not in entry or not isinstance(entry.get("request"), dict):
                raise PreconditionMissing("inputs.state_machine.illegal entries need from, request")
            if (str(entry["from"]), str(entry["request"].get("to", ""))) in pairs:
                raise PreconditionMissing(f"inputs.state_machine.illegal {entry} is declared legal")
        initial = spec.get("initial")
        return cls(
            states, pairs, str(initial) if initial else None, bool(spec.get("strict")), illegal
        )

    def reachable(self, start: str, end: str) -> bool:
        """Whether `end` can follow `start` through declared transitions."""
        seen, frontier = {start}, [start]
        while frontier:
            here = frontier.pop()
            for a, b in self.transitions:
                if a == here and b not in seen:
                    if b == end:
                        return True
                    seen.add(b)
                    frontier.append(b)
        return False

    def violation(self, observed: list[str]) -> str:
        """What is wrong with a sequence of observed states ('' when nothing)."""
        for state in observed:
            if state not in self.states:
                return f"state {state!r} is not declared ({', '.join(sorted(self.states))})"
        if self.initial and observed and observed[0] != self.initial:
            return f"it started in {observed[0]}, not in the initial state {self.initial}"
        for a, b in itertools.pairwise(observed):
            if a == b or (a, b) in self.transitions:
                continue
            if not self.strict and self.reachable(a, b):
                continue
            allowed = sorted(t for s, t in self.transitions if s == a) or ["(none: final)"]
            return f"{a} → {b} is not a declared transition (from {a}: {', '.join(allowed)})"
        return ""


def _drive_until(driver: CaseDriver, case: Case, state: str, max_reads: int) -> None:
    for attempt in range(1, max_reads + 1):
        _, seen = driver.read(case, f"read {attempt}/{max_reads}: drive the case to {state}")
        if seen == state:
            return
        if seen is None or seen in driver.final_states:
            break
    raise Inconclusive(f"the case went {states_seen(case)} without reaching {state}")


def _illegal_request(
    ctx: CheckContext, driver: CaseDriver, case: Case, illegal: dict[str, Any]
) -> Exchange:
    request = illegal["request"]
    note = f"illegal transition: {request.get('operation')} in state {illegal['from']}"
    return call_on_case(ctx, ctx.client, str(request.get("operation", "")), case, request, note)
