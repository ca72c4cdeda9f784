"""DEP-AGR-01 (conformance/departmental/agr.py): data-sharing agreements on a loopback site, and
their parsing (conformance/documents/service_levels.py)."""

from __future__ import annotations

import datetime as dt

import pytest

from conformance.core.model import Outcome
from conformance.documents.service_levels import parse_agreements

from .departmental_profile import run_departmental
from .sites import site_target


def test_a_consumed_peer_without_agreement_fails(site):
    today = dt.date.today()
    agreement = {
        "id": "DSA-1",
        "parties": [{"name": "Us", "role": "consumer"}, {"name": "Peer A", "role": "provider"}],
        "legal_basis": "Act 1",
        "valid_from": str(today - dt.timedelta(days=10)),
        "valid_until": str(today + dt.timedelta(days=10)),
    }
    site.catalog(**{"data-sharing-agreements": [agreement]})
    target = site_target(site)
    assert run_departmental(target, ("DEP-AGR-01",))["DEP-AGR-01"].outcome is Outcome.PASS
    target.inputs["consumes"] = ["Peer A", "https://peer-b.example"]
    result = run_departmental(target, ("DEP-AGR-01",))["DEP-AGR-01"]
    assert result.outcome is Outcome.FAIL
    assert "names the consumed peer https://peer-b.example" in result.message


def test_no_declared_agreement_and_no_consumed_peer_is_a_skip(site):
    site.catalog()
    result = run_departmental(site_target(site), ("DEP-AGR-01",))["DEP-AGR-01"]
    assert result.outcome is Outcome.SKIP
    assert "inputs.consumes names no peer" in result.message


def test_agreement_validity_is_inclusive_and_checked():
    [agreement] = parse_agreements(
        [
            {
                "id": "a",
                "parties": [{"name": "x"}, {"name": "y"}],
                "legal_basis": "l",
                "valid_from": "2025-01-01",
                "valid_until": "2025-12-31",
            }
        ]
    )
    assert agreement.in_force(dt.date(2025, 12, 31))
    assert not agreement.in_force(dt.date(2026, 1, 1))
    with pytest.raises(ValueError, match=r"ends .* before it starts"):
        parse_agreements(
            [
                {
                    "id": "a",
                    "parties": [{"name": "x"}, {"name": "y"}],
                    "legal_basis": "l",
                    "valid_from": "2025-02-01",
                    "valid_until": "2025-01-31",
                }
            ]
        )
