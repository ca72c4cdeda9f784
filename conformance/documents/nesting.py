"""Depth limits for parsed JSON and YAML: what a target sends must not exhaust the stack.

RFC 8259 §9 lets a parser limit nesting depth. Python's parsers recurse per level, and so do
the validators and walkers that read what they return, so a 100 000-deep answer would end a check
(or a report writer) with a RecursionError. Anything nested deeper than :data:`MAX_DEPTH` is
refused as :class:`NestedTooDeep`: the suite cannot judge it, which is an `error`, not a verdict
on the agency.
"""

from __future__ import annotations

import json
from typing import Any

from conformance.core.errors import Inconclusive

#: the deepest nesting of arrays and objects the suite parses (real documents stay far below)
MAX_DEPTH = 100


class NestedTooDeep(Inconclusive):
    """A document nested deeper than the suite parses."""


def deeper_than(value: Any, limit: int = MAX_DEPTH) -> bool:
    """Whether `value` (parsed JSON or YAML) nests lists and mappings deeper than `limit`."""
    stack: list[tuple[Any, int]] = [(value, 1)]
    seen: set[int] = set()
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            children: Any = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        if depth > limit:
            return True
        if id(item) in seen:  # YAML aliases share nodes; a node is walked once
            continue
        seen.add(id(item))
        stack.extend((child, depth + 1) for child in children)
    return False


def bounded(value: Any, what: str, limit: int = MAX_DEPTH) -> Any:
    """`value` itself, or NestedTooDeep naming `what` when it nests deeper than `limit`."""
    if deeper_than(value, limit):
        raise NestedTooDeep(f"{what} nests deeper than {limit} levels: the suite does not parse it")
    return value


def loads(data: bytes | str, what: str = "the answer", limit: int = MAX_DEPTH) -> Any:
    """JSON from `data`, refusing nesting deeper than `limit` (ValueError when it is not JSON)."""
    try:
        value = json.loads(data)
    except RecursionError:
        raise NestedTooDeep(
            f"{what} nests deeper than {limit} levels: the suite does not parse it"
        ) from None
    return bounded(value, what, limit)
