"""Formats in JSON answers: declared `format`s asserted, and every timestamp RFC 3339 with offset.

JSON Schema 2020-12 makes `format` an annotation unless a vocabulary asserts it (§7.2.1), so
DATA-SCH-01 leaves it out; here it is asserted, with jsonschema_rs (the validator schemathesis
judges bodies with), and only `format` errors count: a wrong type is DATA-SCH-01's.
"""

from __future__ import annotations

import calendar
import json
import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import jsonschema_rs

from conformance.core.errors import Inconclusive
from conformance.documents.openapi import OpenApiDocument, Operation
from conformance.documents.openapi_bundle import BUNDLE_KEY, unavailable_reached, unresolved

DIALECT = "https://json-schema.org/draft/2020-12/schema"
# Looks like a date-time (RFC 3339 or ISO 8601), whatever the schema declares.
TIMESTAMP_LIKE = re.compile(r"^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}")
# RFC 3339 §5.6 date-time (time-offset is not optional), ASCII digits, the whole string.
RFC3339 = re.compile(
    r"(?P<year>\d{4})-(?P<month>\d{2})-(?P<day>\d{2})[Tt]"
    r"(?P<hour>\d{2}):(?P<minute>\d{2}):(?P<second>\d{2})(?:\.\d+)?"
    r"(?:[Zz]|(?P<sign>[+-])(?P<offset_hour>\d{2}):(?P<offset_minute>\d{2}))",
    re.ASCII,
)
RFC3339_FORM = "YYYY-MM-DDThh:mm:ss[.fraction] then Z or +hh:mm / -hh:mm"
# RFC 3339 §5.6/§5.7 ranges (the day's depends on the month, and a second of 60 on the instant).
RANGES = (
    ("month", 1, 12),
    ("hour", 0, 23),
    ("minute", 0, 59),
    ("second", 0, 60),
    ("offset hour", 0, 23),
    ("offset minute", 0, 59),
)
MINUTES_A_DAY = 24 * 60
LEAP_SECOND_MINUTE = 23 * 60 + 59  # 23:59 UTC


@dataclass(frozen=True, slots=True)
class FormatProblem:
    """One value that does not hold its format."""

    pointer: str
    value: Any
    expected: str
    reason: str


def operation_for(document: OpenApiDocument, method: str, url: str) -> Operation | None:
    """The operation of `document` that `method url` addresses (path templates matched)."""
    base = urlsplit(document.server_url()).path.rstrip("/")
    path = urlsplit(url).path
    if not path.startswith(base):
        return None
    rest = path[len(base) :] or "/"
    for op in document.operations():
        if op.method != method.lower():
            continue
        pattern = "^" + re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(op.path)) + "$"
        if re.match(pattern, rest):
            return op
    return None


def response_schema(
    document: OpenApiDocument, op: Operation, status: int, media_type: str
) -> dict[str, Any] | None:
    """The schema the operation documents for this status and media type, if any."""
    responses = document.resolved(op.spec.get("responses")) or {}
    response = document.resolved(
        responses.get(str(status))
        or responses.get(f"{status // 100}XX")
        or responses.get("default")
    )
    content = (response or {}).get("content") if isinstance(response, dict) else None
    for declared, media in (content or {}).items():
        media = document.resolved(media)
        if str(declared).split(";")[0].strip().lower() == media_type and isinstance(media, dict):
            schema = media.get("schema")
            return schema if isinstance(schema, dict) else None
    return None


def declared_format_problems(
    document: OpenApiDocument, schema: dict[str, Any], instance: Any
) -> list[FormatProblem]:
    """Values that break a `format` the schema declares for them (other keywords ignored).

    `date-time` is judged by `rfc3339_problem`, as undeclared timestamps are.
    """
    root = {
        "$schema": DIALECT,
        **schema,
        "components": document.data.get("components") or {},
        BUNDLE_KEY: document.data.get(BUNDLE_KEY) or {},
    }
    unavailable = unavailable_reached(document.data, schema)
    if unavailable is not None:
        raise Inconclusive(
            f"the schema refers to {unavailable}, which the suite could not use: "
            f"{unresolved(document.data)[unavailable]}"
        )
    try:
        validator = jsonschema_rs.Draft202012Validator(
            root,
            validate_formats=True,
            formats={"date-time": is_rfc3339},
            retriever=_never_fetch,  # the suite's client fetches documents, never a library
            base_uri=document.url,
        )
    except jsonschema_rs.ValidationError as exc:
        raise Inconclusive(f"the schema cannot be used: {str(exc).splitlines()[0]}") from None
    problems = []
    for error in validator.iter_errors(instance):
        if not isinstance(error.kind, jsonschema_rs.ValidationErrorKind.Format):
            continue
        expected = str(error.kind.format)
        pointer = _pointer(error.instance_path)
        reason = error.message
        if expected == "date-time" and isinstance(error.instance, str):
            reason = rfc3339_problem(error.instance) or reason
        problems.append(FormatProblem(pointer, error.instance, expected, reason))
    return problems


def _never_fetch(uri: str) -> Any:
    raise ValueError(f"{uri} is not fetched: the suite reads documents only through its client")


def timestamp_like(instance: Any) -> int:
    """How many strings in `instance` look like a date-time (what DATA-FMT-01 reads undeclared)."""
    if isinstance(instance, dict):
        return sum(timestamp_like(value) for value in instance.values())
    if isinstance(instance, list):
        return sum(timestamp_like(value) for value in instance)
    return int(isinstance(instance, str) and bool(TIMESTAMP_LIKE.match(instance)))


def declares_format(schema: Any) -> bool:
    """Whether a `format` keyword appears anywhere in `schema` (or in a document's components)."""
    return '"format"' in json.dumps(schema, default=str)


def undeclared_timestamp_problems(instance: Any, pointer: str = "") -> list[FormatProblem]:
    """Strings that look like a date-time but are not RFC 3339 with an offset."""
    if isinstance(instance, dict):
        return [
            p
            for key, value in instance.items()
            for p in undeclared_timestamp_problems(value, f"{pointer}/{_escape(str(key))}")
        ]
    if isinstance(instance, list):
        return [
            p
            for i, value in enumerate(instance)
            for p in undeclared_timestamp_problems(value, f"{pointer}/{i}")
        ]
    if not isinstance(instance, str) or not TIMESTAMP_LIKE.match(instance):
        return []
    problem = rfc3339_problem(instance)
    if problem is None:
        return []
    reason = f"{instance!r} is not an RFC 3339 date-time with an offset: {problem}"
    return [FormatProblem(pointer, instance, "date-time", reason)]


def is_rfc3339(value: str) -> bool:
    """Whether `value` is an RFC 3339 date-time, offset included, naming a real instant."""
    return rfc3339_problem(value) is None


def rfc3339_problem(value: str) -> str | None:
    """Why `value` is not an RFC 3339 date-time with its offset (§5.6, §5.7, Appendix D), or None.

    Hour 00-23, minute 00-59, offset hour 00-23 and minute 00-59, a day that its month has
    (leap years included), and a second of 60 only for a leap second: 23:59:60 UTC, once the
    offset is applied, on the last day of a month.
    """
    match = RFC3339.fullmatch(value)
    if match is None:
        return f"not the RFC 3339 §5.6 form {RFC3339_FORM}"
    number = {k: int(v) for k, v in match.groupdict(default="0").items() if k != "sign"}
    offset = number["offset_hour"] * 60 + number["offset_minute"]
    if match["sign"] == "-":
        offset = -offset
    return (
        _range_problem(number)
        or _day_problem(number["year"], number["month"], number["day"])
        or _leap_second_problem(number, offset)
    )


def _range_problem(number: dict[str, int]) -> str | None:
    for name, low, high in RANGES:
        value = number[name.replace(" ", "_")]
        if not low <= value <= high:
            return f"{name} {value:02d} is not {low:02d}-{high:02d} (RFC 3339 §5.6)"
    return None


def _days_in(year: int, month: int) -> int:
    if month == 2:
        return 29 if calendar.isleap(year) else 28
    return 30 if month in (4, 6, 9, 11) else 31


def _day_problem(year: int, month: int, day: int) -> str | None:
    days = _days_in(year, month)
    if not 1 <= day <= days:
        return (
            f"day {day:02d} is not 01-{days}: {year:04d}-{month:02d} has {days} days "
            "(RFC 3339 §5.7)"
        )
    return None


def _leap_second_problem(number: dict[str, int], offset: int) -> str | None:
    """A second of 60 is only the leap second: 23:59:60 UTC on the last day of a month."""
    if number["second"] != 60:
        return None
    shift, minute = divmod(number["hour"] * 60 + number["minute"] - offset, MINUTES_A_DAY)
    if minute != LEAP_SECOND_MINUTE:
        return (
            "a leap second (:60) is only 23:59:60 UTC; this is "
            f"{minute // 60:02d}:{minute % 60:02d}:60 UTC (RFC 3339 §5.7)"
        )
    year, month, day = _shifted(number["year"], number["month"], number["day"], shift)
    if day != _days_in(year, month):
        return (
            "a leap second (:60) falls at 23:59:60 UTC on the last day of a month; "
            f"{year:04d}-{month:02d}-{day:02d} is not (RFC 3339 §5.7, Appendix D)"
        )
    return None


def _shifted(year: int, month: int, day: int, days: int) -> tuple[int, int, int]:
    """The date `days` (-1, 0 or 1) from year-month-day, by the Gregorian calendar."""
    if days > 0 and day == _days_in(year, month):
        return (year + 1, 1, 1) if month == 12 else (year, month + 1, 1)
    if days < 0 and day == 1:
        year, month = (year - 1, 12) if month == 1 else (year, month - 1)
        return year, month, _days_in(year, month)
    return year, month, day + days


def _pointer(path: Any) -> str:
    return "".join("/" + _escape(str(p)) for p in path)


def _escape(token: str) -> str:
    return token.replace("~", "~0").replace("/", "~1")
