"""The same resource in JSON and in XML, compared field by field through a declared map.

A profile declares, per resource, `field_map: {JSON pointer: XPath}` and the prefixes its XPaths
use (`xml_namespaces: {prefix: namespace URI}`). Each pair must carry the same value: strings
exactly, numbers and booleans by value (XML has only text).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from lxml import etree

from conformance.documents.json_pointer import resolve as pointer_get

ABSENT = object()


@dataclass(frozen=True, slots=True)
class Mismatch:
    """One field whose JSON and XML values differ."""

    pointer: str
    xpath: str
    json_value: Any
    xml_value: str | None
    reason: str

    def to_dict(self) -> dict[str, Any]:
        """The mismatch as evidence detail."""
        return {
            "pointer": self.pointer,
            "xpath": self.xpath,
            "json": self.json_value,
            "xml": self.xml_value,
            "reason": self.reason,
        }


def xml_value(tree: Any, xpath: str, namespaces: dict[str, str]) -> str | None:
    """The text an XPath selects (None when it selects nothing); ValueError for a bad XPath."""
    try:
        found = tree.xpath(xpath, namespaces=namespaces)
    except etree.XPathError as exc:
        raise ValueError(f"the XPath {xpath!r} is not valid: {exc}") from None
    if isinstance(found, list):
        if not found:
            return None
        if len(found) > 1:
            raise ValueError(f"the XPath {xpath!r} selects {len(found)} nodes, expected one")
        node = found[0]
        return str(node) if isinstance(node, str) else "".join(node.itertext())
    if isinstance(found, bool):
        return "true" if found else "false"
    return _number_text(found) if isinstance(found, float) else str(found)


def compare(
    document: Any, tree: Any, field_map: dict[str, str], namespaces: dict[str, str]
) -> tuple[list[Mismatch], int]:
    """The fields whose JSON and XML values differ, and how many pairs were compared."""
    mismatches, compared = [], 0
    for pointer, xpath in field_map.items():
        try:
            json_value: Any = pointer_get(document, pointer)
        except LookupError:
            json_value = ABSENT
        xml_text = xml_value(tree, xpath, namespaces)
        if json_value is ABSENT and xml_text is None:
            continue  # an optional field absent from both says nothing
        compared += 1
        reason = _difference(json_value, xml_text)
        if reason:
            shown = None if json_value is ABSENT else json_value
            mismatches.append(Mismatch(pointer, xpath, shown, xml_text, reason))
    return mismatches, compared


def _difference(json_value: Any, xml_text: str | None) -> str:
    if json_value is ABSENT:
        return "absent from the JSON, present in the XML"
    if xml_text is None:
        return "present in the JSON, absent from the XML"
    if isinstance(json_value, bool):
        same = xml_text.strip() in (("true", "1") if json_value else ("false", "0"))
    elif isinstance(json_value, int | float):
        same = _same_number(json_value, xml_text)
    elif isinstance(json_value, str):
        same = json_value == xml_text
    else:
        return f"the JSON value is a {type(json_value).__name__}; map a scalar field"
    return "" if same else "different values"


def _same_number(value: float, text: str) -> bool:
    try:
        return math.isclose(float(text.strip()), float(value), rel_tol=1e-12, abs_tol=0.0)
    except ValueError:
        return False


def _number_text(value: float) -> str:
    return str(int(value)) if value.is_integer() else repr(value)
