"""NET-RATE-01 (conformance/network/rate.py): a burst too small to pass the limit is a skip."""

from __future__ import annotations

from conformance.core.model import Outcome

from .agencies import agency_target
from .network_profile import run_network


def test_a_rate_burst_too_small_to_pass_the_limit_in_one_window_is_a_skip(tmp_path):
    profile = tmp_path / "small-burst.yaml"
    profile.write_text(
        "name: small-burst\nextends: network\nparameters:\n  NET-RATE-01: {max_requests: 150}\n",
        "utf-8",
    )
    with agency_target() as (_, target):
        result = run_network(target, ("NET-RATE-01",), profile=str(profile))["NET-RATE-01"]
    assert result.outcome is Outcome.SKIP, result.message
    assert "more than twice the declared 100 per 1 s" in result.message
