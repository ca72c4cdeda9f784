"""The Deprecation and Sunset header syntax DEP-DEP-01 reads
(conformance/departmental/deprecation.py)."""

from __future__ import annotations

import datetime as dt

import pytest

from conformance.departmental.deprecation import parse_deprecation, parse_sunset


def test_deprecation_and_sunset_syntax():
    assert parse_deprecation("@1735689600") == dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
    assert parse_sunset("Sun, 31 Dec 2034 23:59:59 GMT").year == 2034
    with pytest.raises(ValueError, match="RFC 9745"):
        parse_deprecation("true")
    with pytest.raises(ValueError, match="RFC 8594"):
        parse_sunset("2034-12-31")
