"""DEP-CAT-01 (conformance/departmental/cat.py): an agency with no api-catalog or a hostile one
fails it, and the requirements that read the catalogue skip."""

from __future__ import annotations

import pytest

from conformance.core.catalogue import load_catalogue
from conformance.core.model import Outcome

from .departmental_profile import DECLARATION_CHECKS, run_departmental
from .sites import site_target


def depends_on_catalogue(rid: str) -> bool:
    """Whether `rid` depends on DEP-CAT-01, directly or through others."""
    deps = load_catalogue()[rid].depends_on
    return "DEP-CAT-01" in deps or any(depends_on_catalogue(d) for d in deps)


def test_an_agency_without_api_catalog_fails_cat_and_skips_its_dependents(site):
    results = run_departmental(site_target(site))
    assert results["DEP-CAT-01"].outcome is Outcome.FAIL
    assert "answered 404, expected 200" in results["DEP-CAT-01"].message
    dependents = [rid for rid in results if rid != "DEP-CAT-01" and depends_on_catalogue(rid)]
    assert set(DECLARATION_CHECKS) <= set(dependents)
    for rid in dependents:
        assert results[rid].outcome is Outcome.SKIP, (rid, results[rid].message)
        assert results[rid].message.startswith("depends on DEP-")
    assert not [r for r in results.values() if r.outcome is Outcome.PASS]


@pytest.mark.parametrize(
    ("body", "media_type", "outcome", "words"),
    [
        (b'{"linkset": [{"anchor": "/api", ', "application/linkset+json", Outcome.FAIL, "not JSON"),
        (
            b"<html>catalogue</html>",
            "text/html",
            Outcome.FAIL,
            "expected 'application/linkset+json'",
        ),
        (
            b'{"linkset": [' + b'{"a": 1},' * 20_000 + b"{}]}",
            "application/linkset+json",
            Outcome.ERROR,
            "larger than the 50000-byte limit",
        ),
    ],
    ids=["truncated", "not-json", "huge"],
)
def test_a_hostile_catalogue_is_a_clear_verdict_and_dependents_skip(
    site, body, media_type, outcome, words
):
    site.routes["/.well-known/api-catalog"] = (200, media_type, body)
    results = run_departmental(site_target(site, max_response_bytes=50_000))
    assert results["DEP-CAT-01"].outcome is outcome
    assert words in results["DEP-CAT-01"].message
    for rid in DECLARATION_CHECKS:
        assert results[rid].outcome is Outcome.SKIP, (rid, results[rid].message)
