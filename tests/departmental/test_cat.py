"""DEP-CAT-01 (conformance/departmental/cat.py): an agency with no api-catalog or a hostile one
fails it; the requirements that read the catalogue skip, and only those that read a missing
link when one is missing."""

from __future__ import annotations

import json

import pytest

from conformance.core.model import Outcome

from .departmental_profile import DECLARATION_CHECKS, run_departmental
from .samples import minimal
from .sites import site_target


def test_an_agency_without_api_catalog_fails_cat_and_skips_what_reads_it(site):
    results = run_departmental(site_target(site))
    assert results["DEP-CAT-01"].outcome is Outcome.FAIL
    assert "answered 404, expected 200" in results["DEP-CAT-01"].message
    for rid in DECLARATION_CHECKS:
        assert results[rid].outcome is Outcome.SKIP, (rid, results[rid].message)
        words = ("the api-catalog answered 404", "depends on DEP-")
        assert results[rid].message.startswith(words), (rid, results[rid].message)
    assert not [r for r in results.values() if r.outcome is Outcome.PASS]


def test_a_catalogue_missing_one_link_skips_only_what_reads_that_link(site):
    # The catalogue of the Site lacks its status link: DEP-CAT-01 fails, DEP-HLT-01 (which reads
    # the status link) cannot run, and the OpenAPI requirements still get their verdicts.
    site.publish(json.dumps(minimal()).encode())
    catalogue = json.loads(site.routes["/.well-known/api-catalog"][2])
    for api in catalogue["linkset"]:
        api.pop("status", None)
    site.routes["/.well-known/api-catalog"] = (
        200,
        "application/linkset+json",
        json.dumps(catalogue).encode(),
    )
    results = run_departmental(site_target(site))
    assert results["DEP-CAT-01"].outcome is Outcome.FAIL
    assert "status" in results["DEP-CAT-01"].message
    assert results["DEP-HLT-01"].outcome is Outcome.SKIP, results["DEP-HLT-01"].message
    assert results["DEP-OAS-01"].outcome is Outcome.PASS, results["DEP-OAS-01"].message


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
