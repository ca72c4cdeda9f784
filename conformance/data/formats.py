"""Formats in JSON answers: declared `format`s asserted, and every timestamp RFC 3339 with offset.

JSON Schema 2020-12 makes `format` an annotation unless a vocabulary asserts it (§7.2.1), so
DATA-SCH-01 leaves it out; here it is asserted, with jsonschema_rs (the validator schemathesis
judges bodies with), and only `format` errors count: a wrong type is DATA-SCH-01's.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

import jsonschema_rs

from conformance.documents.openapi import OpenApiDocument, Operation

DIALECT = "https://json-schema.org/draft/2020-12/schema"
# Looks like a date-time (RFC 3339 or ISO 8601), whatever the schema declares.
TIMESTAMP_LIKE = re.compile(r"^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}")
# RFC 3339 §5.6 date-time: time-offset is not optional.
RFC3339 = re.compile(
    r"^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$", re.ASCII
)


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
    responses = op.spec.get("responses") or {}
    response = (
        responses.get(str(status))
        or responses.get(f"{status // 100}XX")
        or responses.get("default")
    )
    content = (response or {}).get("content") or {}
    for declared, media in content.items():
        if str(declared).split(";")[0].strip().lower() == media_type and isinstance(media, dict):
            schema = media.get("schema")
            return schema if isinstance(schema, dict) else None
    return None


def declared_format_problems(
    document: OpenApiDocument, schema: dict[str, Any], instance: Any
) -> list[FormatProblem]:
    """Values that break a `format` the schema declares for them (other keywords ignored)."""
    root = {"$schema": DIALECT, **schema, "components": document.data.get("components") or {}}
    validator = jsonschema_rs.Draft202012Validator(root, validate_formats=True)
    problems = []
    for error in validator.iter_errors(instance):
        if not isinstance(error.kind, jsonschema_rs.ValidationErrorKind.Format):
            continue
        expected = str(error.kind.format)
        pointer = _pointer(error.instance_path)
        problems.append(FormatProblem(pointer, error.instance, expected, error.message))
    return problems


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
    if isinstance(instance, str) and TIMESTAMP_LIKE.match(instance) and not is_rfc3339(instance):
        reason = f"{instance!r} is not an RFC 3339 date-time with an offset (RFC 3339 §5.6)"
        return [FormatProblem(pointer, instance, "date-time", reason)]
    return []


def is_rfc3339(value: str) -> bool:
    """Whether `value` is an RFC 3339 date-time, offset included, naming a real instant."""
    if not RFC3339.match(value):
        return False
    try:
        datetime.fromisoformat(value.upper().replace("Z", "+00:00"))
    except ValueError:
        return value[17:19] == "60"  # a leap second, which Python cannot represent
    return True


def _pointer(path: Any) -> str:
    return "".join("/" + _escape(str(p)) for p in path)


def _escape(token: str) -> str:
    return token.replace("~", "~0").replace("/", "~1")
