"""Every implemented check, proven both ways on the reference agency, once per fault.

Clean agency: every implemented requirement passes. Agency with a fault of requirement X (``X``
or a variant ``X/...``): X fails (warns, for a SHOULD) under its own ID with evidence; when X
fails, every requirement that depends on X, directly or not, is skipped naming its dependency,
as the catalogue declares; and no other requirement changes outcome. A costly check that the
clean run's trace proves the fault cannot reach is not run under it (fault_trace.py gives the
argument); every other check is.
"""

from __future__ import annotations

from functools import cache

import pytest
from fault_trace import Trace, faulted_run, traced_run
from reference_agency import FAULTS, requirement_of

from conformance.core.catalogue import load_catalogue
from conformance.core.model import Keyword, Outcome
from conformance.core.registry import registered_checks

IMPLEMENTED = sorted(registered_checks(), key=list(load_catalogue()).index)
#: every fault of an implemented requirement, in catalogue order, variants after their base
FAULTS_OF_IMPLEMENTED = sorted(
    (f for f in FAULTS if requirement_of(f) in IMPLEMENTED),
    key=lambda f: (IMPLEMENTED.index(requirement_of(f)), f),
)


#: what a fault's failure says: words its message holds, and the kind of evidence that shows why
#: (None: any kind); faults not listed need only fail with some evidence
FAILURE_SAYS: dict[str, tuple[str, str | None]] = {
    "DEP-OAS-02": ("$.servers[1].url: server URL http://", "validation"),
    "DEP-OAS-03": ("$.paths['/licenses'].get.operationId", "validation"),
    "DEP-SVC-01": ("sh:resultPath http://data.europa.eu/m8g/hasLegalResource", "validation"),
    "DEP-SLA-01": ("declares no service-level", "declaration"),
    "DEP-SLA-02": ("exceeds the declared p95_latency_ms 800", "timing"),
    "DEP-AGR-01": ("no agreement covering", "declaration"),
    "DEP-VER-01": ("with no API-Version header, expected API-Version '1.4.0'", "http"),
    "DEP-VER-02": ("carries the full version 'v1.4'", "validation"),
    "DEP-DEP-01": ("without a Deprecation header", "http"),
    "DEP-HLT-01": ("reports status 'fail', expected 'pass'", "http"),
    "DEP-DOC-01": ("answered 404, expected 200", "http"),
    "NET-TLS-02": ("TLS 1.3 is refused", None),
    "NET-TLS-03": ("AES128-GCM-SHA256", None),
    "NET-CRT-01": ("Unpublished Private CA", None),
    "NET-CRT-02": ("(7.0 days left): at least 14 days expected", None),
    "NET-CRT-03": ("RSA key of 1024 bits", None),
    "NET-HTTP-01": ("over plain HTTP", None),
    "NET-MTLS-01": ("accepted no client certificate", None),
    "NET-AUTH-02": ("answered 403", None),
    "NET-AUTH-03": ("with a wrong client secret answered 200 and issued a token", None),
    "NET-HDR-01": ("expected 'nosniff'", None),
    "NET-METH-01": ("with Allow None", None),
    "NET-CORS-01": (
        "Access-Control-Allow-Origin: * with Access-Control-Allow-Credentials: true",
        None,
    ),
    "NET-RATE-01": ("never 429", None),
    "NET-LOAD-01": ("p95 latency", None),
}


@cache
def clean_trace() -> Trace:
    """The conformant agency's run, with every fault lookup traced (once per test process)."""
    return traced_run(IMPLEMENTED)


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
    results = clean_trace().results
    assert set(results) == set(IMPLEMENTED)
    failing = {
        rid: (r.outcome.value, r.message)
        for rid, r in results.items()
        if r.outcome is not Outcome.PASS
    }
    assert not failing


def test_every_implemented_requirement_has_its_own_fault():
    assert set(IMPLEMENTED) <= set(FAULTS)


def test_every_described_failure_is_of_a_known_fault():
    assert set(FAILURE_SAYS) <= set(FAULTS_OF_IMPLEMENTED)


def test_dependents_are_found_through_the_catalogue():
    catalogue = load_catalogue()
    for rid, req in catalogue.items():
        for dep in req.depends_on:
            assert rid in dependents_of(dep)
            assert dependents_of(rid) <= dependents_of(dep)


@pytest.mark.slow
@pytest.mark.parametrize("fault", FAULTS_OF_IMPLEMENTED)
def test_fault_breaks_exactly_its_requirement(fault):
    broken = requirement_of(fault)
    dependents = dependents_of(broken)
    clean = clean_trace()
    faulted = faulted_run(fault, clean, must_run={broken} | dependents)
    results = faulted.results
    assert set(results) | set(faulted.proven) == set(IMPLEMENTED)

    expected = Outcome.FAIL if load_catalogue()[broken].keyword is Keyword.MUST else Outcome.WARN
    assert results[broken].outcome is expected, results[broken].message
    assert results[broken].evidence, "a failure must carry the evidence that decided it"
    words, kind = FAILURE_SAYS.get(fault, ("", None))
    assert words in results[broken].message
    if kind is not None:
        assert kind in {e.kind for e in results[broken].evidence}

    if expected is Outcome.FAIL:
        for rid in dependents & set(results):
            assert results[rid].outcome is Outcome.SKIP, (rid, results[rid].message)
            assert "depends on" in results[rid].message, (rid, results[rid].message)
    changed = {
        rid: (clean.results[rid].outcome.value, result.outcome.value, result.message)
        for rid, result in results.items()
        if rid != broken
        and rid not in dependents
        and result.outcome is not clean.results[rid].outcome
    }
    unexpected = {rid: why for rid, why in changed.items() if not clean.reaches(fault, rid)}
    assert not unexpected, (
        "outcomes changed although the clean trace says the fault cannot reach them: a channel "
        f"fault_trace.py does not know of (see its docstring): {unexpected}"
    )
    assert not changed, changed
