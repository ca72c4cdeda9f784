"""BUS-CONS-01 (conformance/business/cons.py): the licence shows in the registry in time."""

from __future__ import annotations

from checks_support import run_one

from conformance.core.model import Outcome

from .evidence import note_text


def test_the_licence_shows_in_the_registry_within_the_delay():
    result = run_one("BUS-CONS-01")
    assert result.outcome is Outcome.PASS, result.message
    assert "in /v1/licenses after" in result.message


def test_a_licence_never_listed_fails_within_the_declared_delay():
    result = run_one("BUS-CONS-01", ("BUS-CONS-01",))
    assert result.outcome is Outcome.FAIL
    assert "did not show it within the declared delay of 2 s" in result.message
    assert "still absent after" in note_text(result)
