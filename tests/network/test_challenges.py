"""WWW-Authenticate challenges of RFC 9110 §11.6.1 (conformance/network/challenges.py)."""

from __future__ import annotations

import pytest

from conformance.network.challenges import challenge_schemes


@pytest.mark.parametrize(
    ("value", "schemes"),
    [
        ('Bearer realm="market-regulation"', ["Bearer"]),
        ("Bearer", ["Bearer"]),
        ('Basic realm="a", Bearer realm="b", error="invalid_token"', ["Basic", "Bearer"]),
        ("Newauth abc==, Bearer", ["Newauth", "Bearer"]),
    ],
)
def test_challenges_are_parsed(value, schemes):
    assert challenge_schemes(value) == schemes


@pytest.mark.parametrize("value", ["", "  ", '"realm"', 'Bearer realm="x" "y"'])
def test_invalid_challenges_are_refused(value):
    with pytest.raises(ValueError, match="challenge"):
        challenge_schemes(value)
