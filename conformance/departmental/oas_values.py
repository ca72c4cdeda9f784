"""The values an OpenAPI document holds, checked against their schemas (part of DEP-OAS-01).

`check_values` walks every Schema Object of the document (`oas_value_walk`: components, paths
and webhooks, operations, parameters, request bodies, responses, headers, media types and their
encodings, and the subschemas of each schema; bounded, each object once, a `$ref` followed only
into the document itself) and validates each of these values against the schema it belongs to:

- a Schema Object's `default` (OpenAPI 3.0.3 §4.7.24.1: "the value MUST conform to the defined
  type for the Schema Object defined at the same level"; JSON Schema 2020-12 RECOMMENDS it);
- each of its `enum` values, against its `type` (and, for 3.0, `nullable`);
- its `example`, and for 3.1 each of its `examples` (an array);
- each Parameter, Media Type and Header `example` and `examples.<name>.value`.

The validator is openapi-schema-validator's for the document's version (`OAS30Validator`, which
honours `nullable` and 3.0's formats, or `OAS31Validator`), with that version's format checker, so
`format` is asserted. `$ref`s resolve in the document through a `referencing` registry holding it
(and, for 3.1, its `$id`-identified schemas); nothing is fetched: a value whose schema needs
another document is counted as unchecked, with the reason, as is an `externalValue`.

What the values are read as: JSON's data model. Mapping keys become strings and YAML timestamps
their ISO 8601 text (YAML 1.2, which OpenAPI recommends, reads `2024-12-31` as a string). When
the document was read as YAML 1.1 (PyYAML: `NO`, `yes`, `on`, `1_000`, `12:30` are booleans or
numbers there, strings in YAML 1.2), a boolean or number standing where a string is expected may
be the reader's artefact, not the agency's value: such a value is counted as unchecked, never as
a finding.

What it returns (ValueCheck, with its ValueFinding and Unchecked entries) and the rule each kind
of finding breaks (`rule`) are defined in `oas_value_findings` and re-exported here. The verdicts
are the check's (`conformance.departmental.oas.openapi_valid`): a default or an enum value that
does not conform, or a `$ref` that resolves to nothing in the document, fails; an example that
contradicts its schema (the specification says SHOULD) is reported, not failed.
"""

from __future__ import annotations

import datetime
import json
import time
from collections.abc import Mapping
from itertools import islice
from typing import Any
from urllib.parse import urldefrag

from jsonschema.exceptions import UnknownType, ValidationError, best_match
from openapi_schema_validator import (
    OAS30Validator,
    OAS31Validator,
    oas30_format_checker,
    oas31_format_checker,
)
from referencing import Registry, Resource, Specification
from referencing.exceptions import NoSuchAnchor, PointerToNowhere, Unresolvable
from referencing.jsonschema import DRAFT202012

from conformance.departmental.oas_value_findings import (
    Unchecked,
    ValueCheck,
    ValueFinding,
    json_path_of,
    rule,
)
from conformance.departmental.oas_value_walk import ValueWalker, WalkTask

__all__ = ["TIME_BUDGET_S", "Unchecked", "ValueCheck", "ValueFinding", "check_values", "rule"]

#: the most seconds spent validating the values of one document
TIME_BUDGET_S = 30.0


def check_values(
    document: Mapping[str, Any], url: str, version: str, *, yaml_11: bool = False
) -> ValueCheck:
    """Validate every default, enum value and example of `document` (OpenAPI `version`, 3.0.x or
    3.1.x, retrieved from `url`) against the schema it belongs to.

    `yaml_11`: the document was read from YAML by a YAML 1.1 reader (see the module docstring).
    Never fetches anything, never raises for what the document holds.
    """
    v31 = not version.startswith("3.0")
    base = urldefrag(url)[0] or "https://document.invalid/openapi"
    data = _plain(document, {})
    result = ValueCheck(version)
    walker = ValueWalker(data, base, v31, result)
    walker.walk()
    registry = _registry(data, base, v31, walker.resources)
    validator_cls = OAS31Validator if v31 else OAS30Validator
    formats = oas31_format_checker if v31 else oas30_format_checker
    validators: dict[int, Any] = {}  # by schema: the values of one enum share theirs
    started = time.monotonic()
    for task in walker.tasks:
        if time.monotonic() - started > TIME_BUDGET_S:
            result.incomplete = (
                f"validating took longer than {TIME_BUDGET_S:g} s: the remaining values were not "
                "checked"
            )
            break
        validator = validators.get(id(task.schema))
        if validator is None:
            validator = validator_cls(task.schema, registry=registry, format_checker=formats)
            validators[id(task.schema)] = validator
        _check(task, validator, registry, result, yaml_11)
    result.incomplete = result.incomplete or walker.incomplete
    return result


# -- validating one value ------------------------------------------------------------------------


class _Elsewhere(Exception):
    """A `$ref` to another document: the registry does not fetch it."""

    def __init__(self, uri: str) -> None:
        super().__init__(uri)
        self.uri = uri


def _refuse(uri: str) -> Resource[Any]:
    raise _Elsewhere(uri)


def _registry(
    document: dict[str, Any], base: str, v31: bool, resources: list[tuple[str, Any]]
) -> Registry[Any]:
    """The document as a resource at its URI (3.0 has no `$id`s: an opaque resource; 3.1 a
    JSON Schema 2020-12 one), with the 3.1 schemas that have an `$id`; nothing is retrieved."""
    spec: Specification[Any] = DRAFT202012 if v31 else Specification.OPAQUE
    registry: Registry[Any] = Registry(retrieve=_refuse)  # type: ignore[call-arg]
    registry = registry.with_resource(base, spec.create_resource(document))
    registry = registry.with_resources((uri, spec.create_resource(s)) for uri, s in resources)
    return registry.crawl()


def _check(
    task: WalkTask, validator: Any, registry: Registry[Any], result: ValueCheck, yaml_11: bool
) -> None:
    """Validate one value; add what it shows to `result`."""
    try:
        errors = list(islice(validator.iter_errors(task.value), 50))
    except Unresolvable as exc:
        _unresolvable(task, exc, registry, result)
        return
    except RecursionError:
        result.skip(
            Unchecked(json_path_of(task.segments), "its schema refers to itself without end")
        )
        return
    except (UnknownType, ValueError, TypeError, LookupError) as exc:
        first_line = str(exc).strip().split("\n", 1)[0]
        reason = f"the validator could not apply its schema: {_short(first_line, 200)}"
        result.skip(Unchecked(json_path_of(task.segments), reason))
        return
    if yaml_11:
        kept = [e for e in errors if not _yaml_artefact(e)]
        if len(kept) < len(errors) and not kept:
            result.skip(Unchecked(json_path_of(task.segments), _YAML_REASON))
            return
        errors = kept
    result.checked += 1
    error = best_match(errors)
    if error is None:
        return
    message = _short(error.message, 300)
    if task.used_at:
        message += f" (the example of {task.used_at})"
    where = (*task.segments, *error.absolute_path)
    result.add(
        ValueFinding(task.kind, json_path_of(where), _short(_json(error.instance), 200), message)
    )


def _unresolvable(
    task: WalkTask, exc: Unresolvable, registry: Registry[Any], result: ValueCheck
) -> None:
    """A `$ref` the value's schema needs did not resolve: to nothing in the document (a
    finding), or to another document (unchecked)."""
    at = json_path_of(task.segments)
    chain: list[BaseException] = []
    seen: BaseException | None = exc
    while seen is not None and len(chain) < 10:
        chain.append(seen)
        seen = seen.__cause__ or seen.__context__
    elsewhere = next((e for e in chain if isinstance(e, _Elsewhere)), None)
    if elsewhere is not None:
        result.skip(
            Unchecked(at, f"its schema refers to {elsewhere.uri}, another document: not fetched")
        )
        return
    nowhere = next((e for e in chain if isinstance(e, PointerToNowhere)), None)
    own = task.schema.get("$ref")
    if nowhere is not None and isinstance(own, str) and _resolves(registry, own):
        message = f"its schema's $ref to #{nowhere.ref} resolves to nothing in the document"
        result.checked += 1
        result.add(ValueFinding("reference", at, _short(_json(task.value), 200), message))
        return
    anchor = next((e for e in chain if isinstance(e, NoSuchAnchor)), None)
    if anchor is not None:
        reason = f"its schema refers to the anchor #{anchor.anchor}, which the suite does not find"
    else:
        reason = f"the suite could not resolve its schema's $ref {getattr(chain[-1], 'ref', exc)}"
    result.skip(Unchecked(at, reason))


def _resolves(registry: Registry[Any], uri: str) -> bool:
    """Whether the suite's own pointer to a schema resolves (else the suite, not the document,
    is wrong)."""
    try:
        registry.resolver().lookup(uri)
    except Unresolvable:
        return False
    return True


_YAML_REASON = (
    "read from YAML as a boolean or a number where the schema expects a string: YAML 1.1 (the "
    "suite's reader) and YAML 1.2 (which OpenAPI recommends) read some unquoted scalars (NO, yes, "
    "on, 1_000, 12:30) differently; quote it"
)


def _yaml_artefact(error: ValidationError) -> bool:
    """Whether `error` (or one of the errors it holds) is about a boolean or number where a
    string is expected: a YAML 1.1 reading may have made it so."""
    stack = [error]
    while stack:
        current = stack.pop()
        stack.extend(current.context or ())
        instance = current.instance
        if not isinstance(instance, (bool, int, float)):
            continue
        expected = current.validator_value
        if current.validator == "type":
            types = expected if isinstance(expected, list) else [expected]
            if "string" in types:
                return True
        elif current.validator in ("enum", "const"):
            allowed = expected if current.validator == "enum" else [expected]
            if isinstance(allowed, list) and any(isinstance(a, str) for a in allowed):
                return True
    return False


# -- helpers -------------------------------------------------------------------------------------


def _plain(node: Any, memo: dict[int, Any]) -> Any:
    """`node` in JSON's data model: mapping keys as strings, YAML timestamps as ISO 8601 text;
    shared nodes (YAML aliases) stay shared."""
    if isinstance(node, dict):
        if id(node) in memo:
            return memo[id(node)]
        mapping: dict[str, Any] = {}
        memo[id(node)] = mapping
        for key, value in node.items():
            mapping[key if isinstance(key, str) else _key(key)] = _plain(value, memo)
        return mapping
    if isinstance(node, list):
        if id(node) in memo:
            return memo[id(node)]
        items: list[Any] = []
        memo[id(node)] = items
        items.extend(_plain(value, memo) for value in node)
        return items
    if isinstance(node, (datetime.date, datetime.datetime)):
        return node.isoformat()
    return node


def _key(key: Any) -> str:
    if isinstance(key, bool):
        return "true" if key else "false"
    if key is None:
        return "null"
    if isinstance(key, (datetime.date, datetime.datetime)):
        return key.isoformat()
    return str(key)


def _json(value: Any) -> str:
    try:
        return json.dumps(value, ensure_ascii=False, default=str)
    except (TypeError, ValueError):
        return repr(value)


def _short(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
