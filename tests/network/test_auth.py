"""NET-AUTH-01 (conformance/network/auth.py): the fault, and its decisions on a loopback site."""

from __future__ import annotations

from typing import Any

import pytest
from checks_support import ACROSS_LEVELS, assert_only, run

from conformance.core.model import Outcome
from conformance.inputs.target import Target

from .sites import Site


def test_auth_fault_without_challenge_fails(faulted):
    results = faulted("NET-AUTH-01", ACROSS_LEVELS)
    assert_only("NET-AUTH-01", results, with_evidence=True)
    assert "without WWW-Authenticate" in results["NET-AUTH-01"].message


# -- decisions on a small plain-HTTP loopback server -----------------------------------------


def api(site: Site, parameter: dict[str, Any], security: bool = True) -> dict[str, Any]:
    operation: dict[str, Any] = {
        "operationId": "getItem",
        "parameters": [{"name": "id", "in": "path", "required": True, **parameter}],
        "responses": {"200": {"description": "the item"}},
    }
    if security:
        operation["security"] = [{"oauth2": ["items:read"]}]
    return {
        "openapi": "3.1.0",
        "info": {"title": "t", "version": "1"},
        "servers": [{"url": f"{site.base_url}/api"}],
        "paths": {"/items/{id}": {"get": operation}},
    }


AUTH_CASES = [
    (
        "challenge",
        {"example": "42"},
        True,
        (401, {"WWW-Authenticate": 'Bearer realm="x"'}),
        Outcome.PASS,
        "getItem → 401 Bearer",
    ),
    (
        "bad-challenge",
        {"example": "42"},
        True,
        (401, {"WWW-Authenticate": '"x"'}),
        Outcome.FAIL,
        "holds no valid challenge",
    ),
    (
        "lookup-before-auth",
        {"example": "42"},
        True,
        (404, {}),
        Outcome.FAIL,
        "answered 404, expected 401",
    ),
    (
        "anonymous-read",
        {"schema": {"type": "string", "format": "uuid"}},
        True,
        (200, {}),
        Outcome.FAIL,
        "answered 200, expected 401",
    ),
    (
        "guessed-value",
        {"schema": {"type": "string", "pattern": "^[A-Z]{3}$"}},
        True,
        (404, {}),
        Outcome.ERROR,
        "no protected operation could be reached",
    ),
    (
        "nothing-protected",
        {"example": "42"},
        False,
        (404, {}),
        Outcome.NOT_APPLICABLE,  # the agency's own document: nothing is protected
        "declares no protected GET operation",
    ),
]


@pytest.mark.parametrize(
    ("parameter", "security", "fallback", "outcome", "expected"),
    [case[1:] for case in AUTH_CASES],
    ids=[case[0] for case in AUTH_CASES],
)
def test_auth_check_decisions(site, parameter, security, fallback, outcome, expected):
    site.openapi = api(site, parameter, security)
    site.fallback = fallback
    result = run(Target(name="site", base_url=site.base_url), ("NET-AUTH-01",))["NET-AUTH-01"]
    assert result.outcome is outcome, result.message
    assert expected in result.message
