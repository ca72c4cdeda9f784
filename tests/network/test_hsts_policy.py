"""The Strict-Transport-Security syntax of RFC 6797 §6.1 (conformance/network/hsts_policy.py)."""

from __future__ import annotations

import pytest

from conformance.network.hsts_policy import parse_hsts, several_fields


@pytest.mark.parametrize(
    ("value", "max_age", "subdomains"),
    [
        ("max-age=31536000; includeSubDomains", 31536000, True),
        ('MAX-AGE="31536000"', 31536000, False),
        ("  ; max-age = 600 ;; INCLUDESUBDOMAINS ;", 600, True),
        ('foo="a;b"; max-age=3; preload', 3, False),
        ("max-age=10, max-age=20", 10, False),
    ],
)
def test_hsts_valid_values(value, max_age, subdomains):
    policy = parse_hsts(value)
    assert (policy.max_age, policy.include_subdomains) == (max_age, subdomains)


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("max-age=1; Max-Age=2", "more than once"),
        ("includeSubDomains", "missing"),
        ("max-age=abc", "delta-seconds"),
        ("max-age=-1", "delta-seconds"),
        ('max-age="12', "no valid value"),
        ("max-age=5 x", "expected ';'"),
        ("max-age=5; includeSubDomains=yes", "takes no value"),
        ("", "missing"),
    ],
)
def test_hsts_invalid_values_name_the_reason(value, reason):
    with pytest.raises(ValueError, match=reason):
        parse_hsts(value)


def test_hsts_folded_fields_are_detected():
    assert several_fields("max-age=1, max-age=2")
    assert not several_fields('max-age=1; x="a,b"')
