"""The JSON-to-XML field comparison of DATA-CNEG-01 (conformance/data/field_map.py)."""

from __future__ import annotations

from typing import Any

import pytest
from lxml import etree

from conformance.data import field_map

NS = {"l": "urn:x"}

XML = b'<l xmlns="urn:x"><n>3.50</n><b>1</b><s>\xe5\x8c\x97\xe4\xba\xac</s><e/></l>'


@pytest.mark.parametrize(
    ("document", "fields", "reason"),
    [
        (
            {"n": 3.5, "b": True, "s": "北京"},
            {"/n": "/l:l/l:n", "/b": "/l:l/l:b", "/s": "/l:l/l:s"},
            None,
        ),
        ({"n": 3.6}, {"/n": "/l:l/l:n"}, "different values"),
        ({"s": "北京 "}, {"/s": "/l:l/l:s"}, "different values"),
        ({"x": "a"}, {"/x": "/l:l/l:x"}, "present in the JSON, absent from the XML"),
        ({}, {"/s": "/l:l/l:s"}, "absent from the JSON, present in the XML"),
        ({"s": "北京"}, {"/s": "string(/l:l/l:s)"}, None),
    ],
)
def test_field_map_comparison(document: Any, fields: dict[str, str], reason: str | None) -> None:
    mismatches, compared = field_map.compare(document, etree.fromstring(XML), fields, NS)
    assert compared == len(fields)
    assert [m.reason for m in mismatches] == ([reason] if reason else [])


def test_field_map_absent_on_both_sides_is_not_compared() -> None:
    mismatches, compared = field_map.compare({}, etree.fromstring(XML), {"/z": "/l:l/l:z"}, NS)
    assert (mismatches, compared) == ([], 0)
