"""Every implemented check, proven both ways on the reference agency.

Clean agency: every implemented requirement passes. Agency with a fault of requirement X (``X``
or a variant ``X/...``): X fails (warns, for a SHOULD) under its own ID, and nothing that does
not depend on X changes outcome.
"""

from __future__ import annotations

from functools import cache

import pytest
from reference_agency import FAULTS, requirement_of

from conformance.catalogue import load_catalogue
from conformance.engine import Engine
from conformance.model import Keyword, Outcome, Result, SafetyClass
from conformance.profile import load_profile
from conformance.reference import running_reference
from conformance.registry import registered_checks

IMPLEMENTED = sorted(registered_checks(), key=list(load_catalogue()).index)
#: every fault of an implemented requirement, in catalogue order, variants after their base
FAULTS_OF_IMPLEMENTED = sorted(
    (f for f in FAULTS if requirement_of(f) in IMPLEMENTED),
    key=lambda f: (IMPLEMENTED.index(requirement_of(f)), f),
)


def run_implemented(faults: tuple[str, ...] = ()) -> dict[str, Result]:
    with running_reference(faults) as target:
        # load opted in: NET-RATE-01 and NET-LOAD-01 are bounded bursts on loopback
        report = Engine(
            load_profile("full"),
            [target],
            only=IMPLEMENTED,
            seed=20261129,
            allow=[SafetyClass.LOAD],
        ).run()
    return {r.requirement: r for r in report.results}


@cache
def clean_results() -> dict[str, Result]:
    return run_implemented()


def dependents_of(requirement_id: str) -> set[str]:
    """Requirements that depend on `requirement_id`, directly or through others."""
    catalogue, found, changed = load_catalogue(), {requirement_id}, True
    while changed:
        changed = False
        for rid, req in catalogue.items():
            if rid not in found and found & set(req.depends_on):
                found.add(rid)
                changed = True
    return found - {requirement_id}


@pytest.mark.slow
def test_every_implemented_requirement_passes_on_the_conformant_agency():
    results = clean_results()
    assert set(results) == set(IMPLEMENTED)
    failing = {
        rid: (r.outcome.value, r.message)
        for rid, r in results.items()
        if r.outcome is not Outcome.PASS
    }
    assert not failing


def test_every_implemented_requirement_has_its_own_fault():
    assert set(IMPLEMENTED) <= set(FAULTS)


@pytest.mark.slow
@pytest.mark.parametrize("fault", FAULTS_OF_IMPLEMENTED)
def test_fault_breaks_exactly_its_requirement(fault):
    broken = requirement_of(fault)
    results = run_implemented((fault,))
    expected = Outcome.FAIL if load_catalogue()[broken].keyword is Keyword.MUST else Outcome.WARN
    assert results[broken].outcome is expected, results[broken].message
    assert results[broken].evidence, "a failure must carry the evidence that decided it"
    allowed_to_change = dependents_of(broken)
    for rid, result in results.items():
        if rid == broken or rid in allowed_to_change:
            continue
        assert result.outcome is clean_results()[rid].outcome, (rid, result.message)
