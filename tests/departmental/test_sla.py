"""DEP-SLA-01 and DEP-SLA-02 (conformance/departmental/sla.py): a malformed service level on a
loopback site, and the service-level helpers they use (conformance/documents/service_levels.py)."""

from __future__ import annotations

import pytest

from conformance.core.model import Outcome
from conformance.documents.service_levels import p95, parse_service_level

from .departmental_profile import run_departmental
from .sites import site_target


def test_a_malformed_service_level_fails_naming_the_member(site):
    site.catalog(**{"service-level": {"availability": "high", "p95_latency_ms": 5, "support": {}}})
    result = run_departmental(site_target(site), ("DEP-SLA-01",))["DEP-SLA-01"]
    assert result.outcome is Outcome.FAIL
    assert "availability is 'high', expected a number" in result.message


def test_service_level_defaults_the_error_budget_from_availability():
    level = parse_service_level(
        {"availability": 0.99, "p95_latency_ms": 300, "support": {"url": "u"}}
    )
    assert level.error_budget == pytest.approx(0.01)
    with pytest.raises(ValueError, match="has no p95_latency_ms"):
        parse_service_level({"availability": 0.99, "support": {"url": "u"}})
    with pytest.raises(ValueError, match="expected an object with an email or a url"):
        parse_service_level({"availability": 0.99, "p95_latency_ms": 3, "support": {"tel": "1"}})


def test_p95_is_nearest_rank():
    assert p95([0.01] * 19 + [1.0]) == 0.01
    assert p95([0.01] * 18 + [1.0, 1.0]) == 1.0
