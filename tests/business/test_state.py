"""BUS-STATE-01 (conformance/business/state.py): the declared state machine."""

from __future__ import annotations

import pytest
from checks_support import run_one

from conformance.core.errors import PreconditionMissing
from conformance.core.model import Outcome

from .evidence import kinds


def test_states_follow_the_declared_machine_and_an_illegal_transition_gets_409():
    result = run_one("BUS-STATE-01")
    assert result.outcome is Outcome.PASS, result.message
    (states,) = kinds(result, "states")
    assert states["states"] == ["submitted", "verifying", "approved", "licensed"]
    assert "POST withdrawApplication in licensed → 409" in result.message


def test_a_skipped_state_fails_with_the_observed_sequence():
    result = run_one("BUS-STATE-01", ("BUS-STATE-01",))
    assert result.outcome is Outcome.FAIL
    assert "went submitted → verifying → licensed" in result.message
    assert "verifying → licensed is not a declared transition" in result.message
    assert "from verifying: approved, rejected, withdrawn" in result.message


def test_the_state_machine_input_refuses_undeclared_states():
    from conformance.business.state import StateMachine

    with pytest.raises(PreconditionMissing, match="undeclared states archived"):
        StateMachine.from_inputs({"states": ["a"], "transitions": [["a", "archived"]]})
    machine = StateMachine.from_inputs(
        {"states": ["a", "b", "c"], "transitions": [["a", "b"], ["b", "c"]]}
    )
    assert machine.violation(["a", "c"]) == ""  # reachable, and the machine is not strict
    assert "c → a is not a declared transition" in machine.violation(["a", "c", "a"])
    assert "state 'x' is not declared" in machine.violation(["a", "x"])
