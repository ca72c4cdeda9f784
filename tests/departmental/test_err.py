"""DEP-ERR-01 (conformance/departmental/err.py): both ways on the reference agency, and the
problem details of a loopback site."""

from __future__ import annotations

import json
from typing import Any

from checks_support import ACROSS_LEVELS, assert_only, run

from conformance.core.model import Outcome
from conformance.inputs.target import Target
from conformance.reference import running_reference

from .samples import minimal
from .sites import Site, site_target


def test_error_format_fault_fails_naming_the_media_type():
    with running_reference(("DEP-ERR-01",)) as target:
        results = run(target, ACROSS_LEVELS)
    assert_only("DEP-ERR-01", results)
    assert (
        "'application/json', expected 'application/problem+json'" in results["DEP-ERR-01"].message
    )


# -- problem details on a loopback site -------------------------------------------------------


def problem_site(site: Site, body: dict[str, Any]) -> Target:
    site.publish(json.dumps(minimal(servers=[{"url": f"{site.base_url}/api"}])).encode())
    site.fallback = (404, "application/problem+json", json.dumps(body).encode())
    return site_target(site)


def test_error_check_accepts_problems_without_type(site):
    target = problem_site(site, {"title": "Not Found", "status": 404})
    result = run(target, ("DEP-ERR-01",))["DEP-ERR-01"]
    assert result.outcome is Outcome.PASS, result.message


def test_error_check_fails_when_status_member_differs(site):
    target = problem_site(site, {"type": "about:blank", "title": "Not Found", "status": 500})
    result = run(target, ("DEP-ERR-01",))["DEP-ERR-01"]
    assert result.outcome is Outcome.FAIL
    assert "status is 500, but the HTTP status is 404" in result.message
