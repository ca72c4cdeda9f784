"""The formats DATA-FMT-01 asserts (conformance/data/formats.py): RFC 3339, declared formats."""

from __future__ import annotations

import pytest

from conformance.data import formats
from conformance.documents.openapi import OpenApiDocument


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
