"""The values an OpenAPI document holds, checked against their schemas (part of DEP-OAS-01).

Every Schema Object of the document is walked: components (schemas, parameters, headers, request
bodies, responses, callbacks, path items), paths and webhooks, operations, parameters, request
bodies, responses, headers, media types and their encodings, and inside each schema its
properties, items, allOf/anyOf/oneOf/not, additionalProperties and the other subschema keywords.
The walk is bounded in depth and count, reaches each object once, and follows a `$ref` only into
the document itself (never twice, so a cycle ends). Each of these values is then validated against
the schema it belongs to:

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

The verdicts are the check's (`conformance.departmental.oas.openapi_valid`): a default or an enum
value that does not conform, or a `$ref` that resolves to nothing in the document, fails; an
example that contradicts its schema (the specification says SHOULD) is reported, not failed.
"""

from __future__ import annotations

import datetime
import json
import re
import time
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from itertools import islice
from typing import Any
from urllib.parse import quote, unquote, urldefrag, urljoin

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

from conformance.documents.openapi import HTTP_METHODS

#: schemas nested deeper than this are not walked
MAX_DEPTH = 64
#: the most Schema Objects walked in one document
MAX_SCHEMAS = 20_000
#: the most defaults and examples validated in one document (enum values are not counted)
MAX_VALUES = 20_000
#: the most seconds spent validating the values of one document
TIME_BUDGET_S = 30.0
#: how many findings (and unchecked values) of each list a ValueCheck keeps
MAX_LISTED = 100
#: how many `$ref` hops a Reference Object may take to reach what it stands for
MAX_HOPS = 20

Segments = tuple[str | int, ...]

#: the property names jsonschema writes as .name in a JSONPath (others as ['name'])
_NAME = re.compile(r"^[a-zA-Z][a-zA-Z0-9_]*$")

#: keywords whose value is one subschema
_ONE = (
    "items",
    "additionalProperties",
    "additionalItems",
    "not",
    "if",
    "then",
    "else",
    "contains",
    "propertyNames",
    "unevaluatedItems",
    "unevaluatedProperties",
    "contentSchema",
)
#: keywords whose value is a list of subschemas
_LIST = ("allOf", "anyOf", "oneOf", "prefixItems", "items")
#: keywords whose value maps names to subschemas
_MAP = ("properties", "patternProperties", "dependentSchemas", "$defs", "definitions")


@dataclass(frozen=True, slots=True)
class ValueFinding:
    """A value that does not conform to its schema: what it is, where, and the validator's word.

    `kind` is "default", "enum", "example" or "reference" (a `$ref` of the schema resolving to
    nothing in the document)."""

    kind: str
    json_path: str
    value: str
    message: str

    def __str__(self) -> str:
        return f"{self.json_path}: {self.message}"

    def to_dict(self) -> dict[str, str]:
        """The evidence form: path, value (JSON, shortened), message."""
        return {
            "kind": self.kind,
            "json_path": self.json_path,
            "value": self.value,
            "message": self.message,
        }


@dataclass(frozen=True, slots=True)
class Unchecked:
    """A value (or an object holding values) the suite did not check, and why."""

    json_path: str
    reason: str

    def to_dict(self) -> dict[str, str]:
        """The evidence form."""
        return {"json_path": self.json_path, "reason": self.reason}


@dataclass(slots=True)
class ValueCheck:
    """What checking the values of one document found.

    `errors` (defaults, enum values, `$ref`s) make DEP-OAS-01 fail; `examples` are reported.
    Each list keeps at most MAX_LISTED entries; the counts are complete."""

    version: str
    checked: int = 0
    errors: list[ValueFinding] = field(default_factory=list)
    error_count: int = 0
    examples: list[ValueFinding] = field(default_factory=list)
    example_count: int = 0
    unchecked: list[Unchecked] = field(default_factory=list)
    unchecked_count: int = 0
    #: why not every value was checked (a bound reached), or ""
    incomplete: str = ""

    def add(self, finding: ValueFinding) -> None:
        """Count a finding, and keep it while the list has room."""
        if finding.kind == "example":
            self.example_count += 1
            if len(self.examples) < MAX_LISTED:
                self.examples.append(finding)
        else:
            self.error_count += 1
            if len(self.errors) < MAX_LISTED:
                self.errors.append(finding)

    def skip(self, item: Unchecked) -> None:
        """Count a value that was not checked, and keep it while the list has room."""
        self.unchecked_count += 1
        if len(self.unchecked) < MAX_LISTED:
            self.unchecked.append(item)

    def describe(self) -> str:
        """What was checked, for the pass message: '12 default, enum and example value(s)
        checked, 2 example(s) contradict their schema, 1 value(s) not checked'."""
        parts = [f"{self.checked} default, enum and example value(s) checked"]
        if self.example_count:
            parts.append(f"{self.example_count} example(s) contradict their schema")
        if self.unchecked_count:
            parts.append(f"{self.unchecked_count} value(s) not checked")
        text = ", ".join(parts)
        return f"{text}; {self.incomplete}" if self.incomplete else text


def rule(kind: str, version: str) -> str:
    """The rule a finding of `kind` breaks, as the failure message states it."""
    if kind == "default":
        if version.startswith("3.0"):
            return (
                'OpenAPI 3.0.3 §4.7.24.1: a default "MUST conform to the defined type for the '
                'Schema Object defined at the same level"'
            )
        return (
            "a default must be valid against its schema: JSON Schema 2020-12 RECOMMENDS it, and "
            "the suite requires it, since generated clients and the suite's own generated "
            "requests send defaults"
        )
    if kind == "enum":
        return (
            "an enum value must be of its schema's type: a value of another type can never be "
            "valid, so the schema does not allow the values it lists"
        )
    if kind == "reference":
        return "a $ref must resolve: it points to nothing in the document"
    return "an example SHOULD match its schema"


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
    walker = _Walker(data, base, v31, result)
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


# -- the walk ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Task:
    """One value to validate, and the schema it belongs to (a `$ref` into the registry, or for
    an enum value the schema's type alone)."""

    kind: str
    segments: Segments
    schema: Mapping[str, Any]
    value: Any
    #: for an example defined elsewhere (a $ref to components.examples): the JSON path of the
    #: object it is the example of
    used_at: str = ""


class _Walker:
    """Collects the values of a document and the schemas they belong to."""

    def __init__(self, document: dict[str, Any], base: str, v31: bool, result: ValueCheck):
        self.document = document
        self.base = base
        self.v31 = v31
        self.result = result
        self.tasks: list[_Task] = []
        #: (URI, schema) of every 3.1 schema with an `$id`
        self.resources: list[tuple[str, Any]] = []
        self.incomplete = ""
        self._seen: set[int] = set()
        self._schemas = 0
        self._values = 0

    def walk(self) -> None:
        """Walk the components first (so a schema is named by its definition), then the paths
        and webhooks."""
        components = _mapping(self.document.get("components"))
        place: Segments = ("components", "schemas")
        for name, schema in _items(components.get("schemas")):
            self.schema(schema, (*place, name), (self.base, (*place, name)), 0)
        for name, parameter in _items(components.get("parameters")):
            self.parameter(parameter, ("components", "parameters", name), "parameter")
        for name, header in _items(components.get("headers")):
            self.parameter(header, ("components", "headers", name), "header")
        for name, body in _items(components.get("requestBodies")):
            self.request_body(body, ("components", "requestBodies", name))
        for name, response in _items(components.get("responses")):
            self.response(response, ("components", "responses", name))
        for name, callback in _items(components.get("callbacks")):
            self.callback(callback, ("components", "callbacks", name))
        for name, item in _items(components.get("pathItems")):
            self.path_item(item, ("components", "pathItems", name))
        for path, item in _items(self.document.get("paths"), extensions=False):
            self.path_item(item, ("paths", path))
        for name, item in _items(self.document.get("webhooks")):
            self.path_item(item, ("webhooks", name))

    # -- OpenAPI objects -------------------------------------------------------------------------
    def path_item(self, node: Any, at: Segments) -> None:
        """A Path Item: its parameters and operations."""
        found = self._deref(node, at, "path item")
        if found is None or not self._enter(found[0]):
            return
        item, at = found
        for i, parameter in enumerate(_list(item.get("parameters"))):
            self.parameter(parameter, (*at, "parameters", i), "parameter")
        for method in HTTP_METHODS:
            operation = item.get(method)
            if isinstance(operation, dict):
                self.operation(operation, (*at, method))

    def operation(self, operation: dict[str, Any], at: Segments) -> None:
        """An Operation: parameters, request body, responses, callbacks."""
        for i, parameter in enumerate(_list(operation.get("parameters"))):
            self.parameter(parameter, (*at, "parameters", i), "parameter")
        if "requestBody" in operation:
            self.request_body(operation["requestBody"], (*at, "requestBody"))
        for code, response in _items(operation.get("responses"), extensions=False):
            self.response(response, (*at, "responses", code))
        for name, callback in _items(operation.get("callbacks")):
            self.callback(callback, (*at, "callbacks", name))

    def callback(self, node: Any, at: Segments) -> None:
        """A Callback: expressions to Path Items."""
        found = self._deref(node, at, "callback")
        if found is None or not self._enter(found[0]):
            return
        callback, at = found
        for expression, item in _items(callback, extensions=False):
            self.path_item(item, (*at, expression))

    def request_body(self, node: Any, at: Segments) -> None:
        """A Request Body: its media types."""
        found = self._deref(node, at, "request body")
        if found is None or not self._enter(found[0]):
            return
        body, at = found
        for media_type, media in _items(body.get("content")):
            self.media(media, (*at, "content", media_type), media_type)

    def response(self, node: Any, at: Segments) -> None:
        """A Response: its headers and media types."""
        found = self._deref(node, at, "response")
        if found is None or not self._enter(found[0]):
            return
        response, at = found
        for name, header in _items(response.get("headers")):
            self.parameter(header, (*at, "headers", name), "header")
        for media_type, media in _items(response.get("content")):
            self.media(media, (*at, "content", media_type), media_type)

    def parameter(self, node: Any, at: Segments, what: str) -> None:
        """A Parameter or a Header: its schema and examples, or its content."""
        found = self._deref(node, at, what)
        if found is None or not self._enter(found[0]):
            return
        parameter, at = found
        schema = parameter.get("schema")
        if isinstance(schema, dict):
            self.schema(schema, (*at, "schema"), (self.base, (*at, "schema")), 0)
            self._examples(parameter, at, _uri(self.base, (*at, "schema")), None)
        for media_type, media in _items(parameter.get("content")):
            self.media(media, (*at, "content", media_type), media_type)

    def media(self, node: Any, at: Segments, media_type: str) -> None:
        """A Media Type: its schema, examples and the headers of its encodings."""
        if not isinstance(node, dict) or not self._enter(node):
            return
        schema = node.get("schema")
        if isinstance(schema, dict):
            self.schema(schema, (*at, "schema"), (self.base, (*at, "schema")), 0)
            self._examples(node, at, _uri(self.base, (*at, "schema")), media_type)
        for name, encoding in _items(node.get("encoding")):
            for header_name, header in _items(_mapping(encoding).get("headers")):
                place = (*at, "encoding", name, "headers", header_name)
                self.parameter(header, place, "header")

    def _examples(
        self, holder: dict[str, Any], at: Segments, schema_uri: str, media_type: str | None
    ) -> None:
        """The `example` and `examples.<name>.value` of a Parameter, Header or Media Type."""
        schema = {"$ref": schema_uri}
        if "example" in holder:
            self._example((*at, "example"), schema, holder["example"], media_type, "")
        for name, node in _items(holder.get("examples")):
            found = self._deref(node, (*at, "examples", name), "example")
            if found is None:
                continue
            example, where = found
            used_at = "" if where[: len(at)] == at else _json_path(at)
            if "value" in example:
                self._example((*where, "value"), schema, example["value"], media_type, used_at)
            elif "externalValue" in example:
                self._skip((*where, "externalValue"), "an externalValue is not fetched")

    def _example(
        self,
        at: Segments,
        schema: Mapping[str, Any],
        value: Any,
        media_type: str | None,
        used_at: str,
    ) -> None:
        if media_type is not None and isinstance(value, str) and "json" not in media_type.lower():
            reason = f"an example of {media_type} written as a string is its serialized form"
            self._skip(at, reason)
            return
        self._task(_Task("example", at, schema, value, used_at))

    # -- Schema Objects --------------------------------------------------------------------------
    def schema(self, node: Any, at: Segments, loc: tuple[str, Segments], depth: int) -> None:
        """A Schema Object at `at` (`loc`: the resource it is in and where in it), its values
        and subschemas."""
        if not isinstance(node, dict) or not self._enter(node):
            return
        if depth > MAX_DEPTH:
            self._stop(f"schemas nested deeper than {MAX_DEPTH} levels were not walked")
            return
        self._schemas += 1
        if self._schemas > MAX_SCHEMAS:
            self._stop(f"only the first {MAX_SCHEMAS} schemas were walked")
            return
        ref = node.get("$ref")
        if isinstance(ref, str):
            target = self._local(urljoin(loc[0], ref))
            if target is not None:
                self.schema(target[0], target[1], (self.base, target[1]), depth + 1)
            if not self.v31:
                return  # OpenAPI 3.0 §4.7.23: the siblings of a $ref are ignored
        if self.v31 and isinstance(node.get("$id"), str):
            uri = urldefrag(urljoin(loc[0], node["$id"]))[0]
            self.resources.append((uri, node))
            loc = (uri, ())
        schema = {"$ref": _uri(*loc)}
        for kind in ("default", "example"):
            if kind not in node:
                continue
            if node[kind] is None and not self.v31 and node.get("nullable") is True:
                # a null value of a nullable 3.0 schema conforms, whatever else the schema says
                # (an allOf of a non-nullable $ref, an enum without null), as
                # openapi-spec-validator also decides: OpenAPI 3.0.0-3.0.2 left it open
                self.result.checked += 1
                continue
            self._task(_Task(kind, (*at, kind), schema, node[kind]))
        if self.v31:
            for i, example in enumerate(_list(node.get("examples"))):
                self._task(_Task("example", (*at, "examples", i), schema, example))
        if isinstance(node.get("enum"), list) and "type" in node:
            typed: dict[str, Any] = {"type": node["type"]}
            if not self.v31 and node.get("nullable") is True:
                typed["nullable"] = True
            for i, value in enumerate(node["enum"]):
                self._task(_Task("enum", (*at, "enum", i), typed, value))
        for key, child in _subschemas(node):
            self.schema(child, (*at, *key), (loc[0], (*loc[1], *key)), depth + 1)

    # -- bookkeeping ---------------------------------------------------------------------------
    def _deref(self, node: Any, at: Segments, what: str) -> tuple[dict[str, Any], Segments] | None:
        """What a (chain of) Reference Object(s) stands for, with its place in the document;
        None for a `$ref` to another document (counted as unchecked) or to nothing."""
        for _ in range(MAX_HOPS):
            if not isinstance(node, dict):
                return None
            ref = node.get("$ref")
            if not isinstance(ref, str):
                return node, at
            uri = urljoin(self.base, ref)
            target = self._local(uri)
            if target is None:
                if urldefrag(uri)[0] != self.base:
                    self._skip(at, f"the {what} is a $ref to another document ({ref}): not fetched")
                return None  # a $ref to nothing in the document: openapi-spec-validator's to say
            node, at = target
        return None

    def _local(self, uri: str) -> tuple[Any, Segments] | None:
        """The node a URI names in this document, and its place; None when it names another
        document or nothing."""
        document, fragment = urldefrag(uri)
        if document != self.base or (fragment and not fragment.startswith("/")):
            return None
        node: Any = self.document
        at: list[str | int] = []
        for raw in unquote(fragment).split("/")[1:] if fragment else []:
            segment = raw.replace("~1", "/").replace("~0", "~")
            if isinstance(node, dict) and segment in node:
                node = node[segment]
                at.append(segment)
            elif isinstance(node, list) and segment.isdigit() and int(segment) < len(node):
                node = node[int(segment)]
                at.append(int(segment))
            else:
                return None
        return node, tuple(at)

    def _enter(self, node: Any) -> bool:
        """Whether `node` is walked now (the first time it is met)."""
        if id(node) in self._seen:
            return False
        self._seen.add(id(node))
        return True

    def _task(self, task: _Task) -> None:
        """Validate this value later; enum values (a type check each) do not count against
        MAX_VALUES, as a code list may hold thousands."""
        if task.kind != "enum":
            if self._values >= MAX_VALUES:
                self._stop(f"only the first {MAX_VALUES} defaults and examples were checked")
                return
            self._values += 1
        self.tasks.append(task)

    def _skip(self, at: Segments, reason: str) -> None:
        self.result.skip(Unchecked(_json_path(at), reason))

    def _stop(self, why: str) -> None:
        self.incomplete = self.incomplete or why


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
    task: _Task, validator: Any, registry: Registry[Any], result: ValueCheck, yaml_11: bool
) -> None:
    """Validate one value; add what it shows to `result`."""
    try:
        errors = list(islice(validator.iter_errors(task.value), 50))
    except Unresolvable as exc:
        _unresolvable(task, exc, registry, result)
        return
    except RecursionError:
        result.skip(Unchecked(_json_path(task.segments), "its schema refers to itself without end"))
        return
    except (UnknownType, ValueError, TypeError, LookupError) as exc:
        first_line = str(exc).strip().split("\n", 1)[0]
        reason = f"the validator could not apply its schema: {_short(first_line, 200)}"
        result.skip(Unchecked(_json_path(task.segments), reason))
        return
    if yaml_11:
        kept = [e for e in errors if not _yaml_artefact(e)]
        if len(kept) < len(errors) and not kept:
            result.skip(Unchecked(_json_path(task.segments), _YAML_REASON))
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
        ValueFinding(task.kind, _json_path(where), _short(_json(error.instance), 200), message)
    )


def _unresolvable(
    task: _Task, exc: Unresolvable, registry: Registry[Any], result: ValueCheck
) -> None:
    """A `$ref` the value's schema needs did not resolve: to nothing in the document (a
    finding), or to another document (unchecked)."""
    at = _json_path(task.segments)
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


def _subschemas(node: dict[str, Any]) -> Iterator[tuple[Segments, Any]]:
    """(place relative to `node`, subschema) of every subschema keyword of a Schema Object."""
    for key in _ONE:
        if isinstance(node.get(key), dict):
            yield (key,), node[key]
    for key in _LIST:
        for i, child in enumerate(_list(node.get(key))):
            yield (key, i), child
    for key in _MAP:
        for name, child in _items(node.get(key)):
            yield (key, name), child


def _mapping(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _items(value: Any, *, extensions: bool = True) -> Iterable[tuple[str, Any]]:
    """The entries of a mapping (none for anything else); `extensions=False` leaves out the
    x- keys of an object whose other keys are patterned (Paths, Responses, Callback)."""
    if not isinstance(value, dict):
        return ()
    return [(k, v) for k, v in value.items() if extensions or not k.startswith("x-")]


def _uri(base: str, at: Segments) -> str:
    """The URI of the node at `at` in the resource `base` (a JSON Pointer fragment)."""
    pointer = "".join(
        "/" + quote(str(s).replace("~", "~0").replace("/", "~1"), safe="~!$&'()*+,;=:@") for s in at
    )
    return f"{base}#{pointer}"


def _json_path(at: Iterable[str | int]) -> str:
    """A JSONPath the way jsonschema writes them: $.paths['/x'].get.parameters[0].schema."""
    path = "$"
    for segment in at:
        if isinstance(segment, int):
            path += f"[{segment}]"
        elif _NAME.match(segment):
            path += f".{segment}"
        else:
            path += "['" + segment.replace("\\", "\\\\").replace("'", "\\'") + "']"
    return path


def _json(value: Any) -> str:
    try:
        return json.dumps(value, ensure_ascii=False, default=str)
    except (TypeError, ValueError):
        return repr(value)


def _short(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
