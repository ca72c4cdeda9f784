"""NET-HTTP-01 (conformance/network/http.py): an agency served over plain HTTP fails it."""

from __future__ import annotations

import json

import checks_support

from conformance.core.model import Outcome
from conformance.inputs.target import SafetyPolicy, Target

from .network_profile import run_network


def test_an_agency_served_over_plain_http_fails_net_http_01_on_its_own_origin():
    catalogue = json.dumps({"linkset": [{"anchor": "http://x.invalid/api"}]}).encode()

    def answer(path: str) -> tuple[int, dict[str, str], bytes]:
        return 200, {"Content-Type": "application/linkset+json"}, catalogue

    with checks_support.loopback_http(answer) as base_url:
        target = Target(name="plain", base_url=base_url, safety=SafetyPolicy(max_rps=100.0))
        result = run_network(target, ("NET-HTTP-01",))["NET-HTTP-01"]
    assert result.outcome is Outcome.FAIL, result.message
    assert f"GET {base_url}/.well-known/api-catalog → 200" in result.message
    assert "over plain HTTP" in result.message
