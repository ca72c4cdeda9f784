"""The formats DATA-FMT-01 asserts (conformance/data/formats.py): RFC 3339 date-times, undeclared
timestamps and declared date-time, and the other declared formats.

RFC 3339 §5.6 (the grammar: hour 00-23, minute 00-59, second 00-60, an offset of Z or +/-hh:mm
with hour 00-23 and minute 00-59), §5.7 (the days of each month, leap years; a second of 60 only
at the end of a month, at 23:59:60 UTC, the offset applied) and Appendix D (leap seconds fall at
the end of a month: first June and December, then March and September). Each case names why.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from conformance.data import formats
from conformance.documents.openapi import OpenApiDocument

ROOT = Path(__file__).resolve().parents[2]
SUITE = ROOT.parent / "shared" / "corpora" / "json-schema-test-suite"
DATE_TIME_CASES = SUITE / "tests" / "draft2020-12" / "optional" / "format" / "date-time.json"

VALID = {
    "1985-04-12T23:20:50.52Z": "RFC 3339 §5.8 example, UTC",
    "1996-12-19T16:39:57-08:00": "RFC 3339 §5.8 example, an offset west of UTC",
    "1937-01-01T12:00:27.87+00:20": "RFC 3339 §5.8 example, an offset of 20 minutes",
    "1990-12-31T23:59:60Z": "RFC 3339 §5.8 example: the leap second of 1990, UTC",
    "1990-12-31T15:59:60-08:00": "RFC 3339 §5.8 example: that leap second at -08:00",
    "2016-12-31T23:59:60Z": "a leap second, 23:59:60 UTC on the last day of December",
    "2017-01-01T00:59:60+01:00": "that leap second at +01:00 (23:59:60 UTC the day before)",
    "2016-12-31T15:29:60-08:30": "that leap second at -08:30 (offset minutes applied)",
    "2015-06-30T23:59:60.5Z": "a leap second at the end of June, with a fraction",
    "2024-02-29T00:00:00Z": "29 February of a leap year (divisible by 4)",
    "2000-02-29T12:00:00+08:00": "29 February of 2000 (divisible by 400)",
    "0000-02-29T00:00:00Z": "year 0000 is in the grammar, and a leap year (divisible by 400)",
    "9999-12-31T23:59:59+23:59": "the largest year, offset hour and offset minute",
    "2024-04-30T23:59:59-23:59": "the last second of a 30-day month, the most negative offset",
    "1985-04-12t23:20:50z": "lower-case t and z (RFC 3339 §5.6 NOTE)",
    "2024-05-01T09:30:00-00:00": "-00:00: UTC with an unknown local offset (RFC 3339 §4.3)",
    "1985-04-12T00:59:59.999999999999999Z": "any number of fraction digits",
}

INVALID = {
    "1998-12-31T23:58:60Z": "a second of 60 at 23:58 UTC, not 23:59",
    "1998-12-31T22:59:60Z": "a second of 60 at 22:59 UTC, not 23:59",
    "1998-12-31T23:59:60+01:00": "23:59:60 local at +01:00 is 22:59:60 UTC",
    "1998-12-31T15:59:60-07:00": "15:59:60 at -07:00 is 22:59:60 UTC",
    "1998-12-30T23:59:60Z": "23:59:60 UTC, but not on the last day of a month",
    "2016-12-31T24:59:60+01:00": "hour 24, even where the UTC time would be 23:59:60",
    "2024-05-01T24:00:00Z": "hour 24 (hour is 00-23)",
    "2024-05-01T12:60:00Z": "minute 60 (minute is 00-59)",
    "1998-12-31T23:59:61Z": "second 61 (second is 00-60)",
    "1990-12-31T10:00:00+10:60": "offset minute 60 (00-59)",
    "1990-12-31T15:59:59-24:00": "offset hour 24 (00-23)",
    "1990-02-31T15:59:59-08:00": "31 February",
    "2024-04-31T00:00:00Z": "31 April (April has 30 days)",
    "2023-02-29T00:00:00Z": "29 February of a common year",
    "1900-02-29T00:00:00Z": "29 February of 1900 (divisible by 100, not by 400)",
    "2024-13-01T00:00:00Z": "month 13",
    "2024-00-10T00:00:00Z": "month 00",
    "2024-01-00T00:00:00Z": "day 00",
    "2024-05-01T09:30:00": "no offset (time-offset is not optional in a date-time)",
    "2024-05-01 09:30:00+08:00": "a space instead of T",
    "2024-05-01T09:30:00+0800": "an offset without its colon",
    "1985-04-12T23:20:50+01": "an offset without minutes",
    "2024-05-01T09:30:00.Z": "a decimal point without digits",
    "2024-05-01T09:30Z": "no seconds",
    "1985-04-12T23:20:50Z\n": "a trailing newline",
    "1963-06-1\u09eaT00:00:00Z": "a Bengali digit four in the date",
    "+11963-06-19T08:30:06Z": "an extended year",
    "1963-06-19T08:30:06.28123+01:00Z": "Z after an offset",
}


@pytest.mark.parametrize("value", sorted(VALID), ids=[VALID[v] for v in sorted(VALID)])
def test_valid_rfc3339_date_times(value: str) -> None:
    assert formats.is_rfc3339(value)
    assert formats.rfc3339_problem(value) is None


@pytest.mark.parametrize("value", sorted(INVALID), ids=[INVALID[v] for v in sorted(INVALID)])
def test_invalid_rfc3339_date_times(value: str) -> None:
    assert not formats.is_rfc3339(value)
    assert formats.rfc3339_problem(value) is not None


@pytest.mark.parametrize(
    ("value", "words"),
    [
        ("1998-12-31T23:58:60Z", "a leap second (:60) is only 23:59:60 UTC; this is 23:58:60 UTC"),
        ("1998-12-30T23:59:60Z", "on the last day of a month; 1998-12-30 is not"),
        ("2016-12-31T24:59:60+01:00", "hour 24 is not 00-23"),
        ("2024-05-01T12:60:00Z", "minute 60 is not 00-59"),
        ("1990-12-31T10:00:00+10:60", "offset minute 60 is not 00-59"),
        ("1990-12-31T15:59:59-24:00", "offset hour 24 is not 00-23"),
        ("2023-02-29T00:00:00Z", "2023-02 has 28 days"),
        ("2024-13-01T00:00:00Z", "month 13 is not 01-12"),
        ("2024-05-01T09:30:00", "not the RFC 3339 §5.6 form"),
    ],
)
def test_the_reason_says_what_is_wrong(value: str, words: str) -> None:
    assert words in str(formats.rfc3339_problem(value))


def test_an_undeclared_timestamp_is_reported_with_the_reason() -> None:
    [problem] = formats.undeclared_timestamp_problems(
        {"at": {"issued": "2016-12-31T24:59:60+01:00"}}
    )
    assert (problem.pointer, problem.expected) == ("/at/issued", "date-time")
    assert "hour 24 is not 00-23" in problem.reason
    assert "RFC 3339" in problem.reason


def document() -> OpenApiDocument:
    return OpenApiDocument("https://x.test/openapi.json", {"openapi": "3.1.0"})


@pytest.mark.parametrize("value", ["1998-12-30T23:59:60Z", "2016-12-31T24:59:60+01:00"])
def test_a_declared_date_time_is_judged_by_the_same_rules(value: str) -> None:
    schema = {"type": "object", "properties": {"at": {"type": "string", "format": "date-time"}}}
    [problem] = formats.declared_format_problems(document(), schema, {"at": value})
    assert (problem.pointer, problem.expected) == ("/at", "date-time")
    assert problem.reason == formats.rfc3339_problem(value)


def test_a_valid_declared_date_time_is_no_problem() -> None:
    schema = {"type": "string", "format": "date-time"}
    assert formats.declared_format_problems(document(), schema, "2017-01-01T00:59:60+01:00") == []


def test_the_json_schema_test_suite_date_times_agree() -> None:
    if not DATE_TIME_CASES.is_file():
        pytest.skip(f"the JSON Schema Test Suite is absent (expected {DATE_TIME_CASES})")
    groups: list[dict[str, Any]] = json.loads(DATE_TIME_CASES.read_text("utf-8"))
    cases = [t for g in groups for t in g["tests"] if isinstance(t["data"], str)]
    assert len(cases) > 20
    wrong = [t["description"] for t in cases if formats.is_rfc3339(t["data"]) is not t["valid"]]
    assert wrong == []


@pytest.mark.parametrize(
    ("value", "valid"),
    [
        ("2024-05-01T09:30:00+08:00", True),
        ("2024-05-01t01:30:00.25z", True),
        ("2016-12-31T23:59:60Z", True),
        ("2024-05-01T09:30:00", False),
        ("2024-05-01 09:30:00+08:00", False),
        ("2024-02-30T09:30:00Z", False),
        ("2024-05-01T09:30:00+0800", False),
    ],
)
def test_rfc3339_needs_the_offset(value: str, valid: bool) -> None:
    assert formats.is_rfc3339(value) is valid


def test_declared_formats_are_asserted_and_other_keywords_ignored() -> None:
    document = OpenApiDocument(
        "https://x.test/openapi.json",
        {
            "openapi": "3.1.0",
            "components": {
                "schemas": {
                    "T": {
                        "type": "object",
                        "properties": {
                            "id": {"type": "string", "format": "uuid"},
                            "mail": {"type": "string", "format": "email"},
                            "n": {"type": "integer"},
                        },
                    }
                }
            },
        },
    )
    schema = {"$ref": "#/components/schemas/T"}
    body = {"id": "not-a-uuid", "mail": "ok@example.org", "n": "a string"}
    problems = formats.declared_format_problems(document, schema, body)
    assert [(p.pointer, p.expected) for p in problems] == [("/id", "uuid")]
