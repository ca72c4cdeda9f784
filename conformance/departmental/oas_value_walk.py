"""The walk over an OpenAPI document's Schema Objects and value sites (part of DEP-OAS-01).

Every Schema Object of the document is walked: components (schemas, parameters, headers, request
bodies, responses, callbacks, path items), paths and webhooks, operations, parameters, request
bodies, responses, headers, media types and their encodings, and inside each schema its
properties, items, allOf/anyOf/oneOf/not, additionalProperties and the other subschema keywords.
The walk is bounded in depth and count, reaches each object once, and follows a `$ref` only into
the document itself (never twice, so a cycle ends).

It collects each value to validate (a `default`, an `enum` value, an `example` or `examples`
entry) as a WalkTask, with the schema it belongs to: a `$ref` to the Schema Object's place in the
document (or in the 3.1 resource with an `$id` it is in, which it also collects), or for an enum
value the schema's type alone. What it cannot have checked (a `$ref` to another document, an
`externalValue`, a string example of a non-JSON media type) it counts as unchecked itself, and a
bound it reaches it states in `incomplete`. Validating the values is `oas_values`'s job.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, unquote, urldefrag, urljoin

from conformance.departmental.oas_value_findings import Unchecked, ValueCheck, json_path_of
from conformance.documents.openapi import HTTP_METHODS

#: schemas nested deeper than this are not walked
MAX_DEPTH = 64
#: the most Schema Objects walked in one document
MAX_SCHEMAS = 20_000
#: the most defaults and examples validated in one document (enum values are not counted)
MAX_VALUES = 20_000
#: how many `$ref` hops a Reference Object may take to reach what it stands for
MAX_HOPS = 20

Segments = tuple[str | int, ...]

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
class WalkTask:
    """One value to validate, and the schema it belongs to (a `$ref` into the registry, or for
    an enum value the schema's type alone)."""

    kind: str
    segments: Segments
    schema: Mapping[str, Any]
    value: Any
    #: for an example defined elsewhere (a $ref to components.examples): the JSON path of the
    #: object it is the example of
    used_at: str = ""


class ValueWalker:
    """Collects the values of a document and the schemas they belong to."""

    def __init__(self, document: dict[str, Any], base: str, v31: bool, result: ValueCheck):
        self.document = document
        self.base = base
        self.v31 = v31
        self.result = result
        self.tasks: list[WalkTask] = []
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
            used_at = "" if where[: len(at)] == at else json_path_of(at)
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
        self._task(WalkTask("example", at, schema, value, used_at))

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
            self._task(WalkTask(kind, (*at, kind), schema, node[kind]))
        if self.v31:
            for i, example in enumerate(_list(node.get("examples"))):
                self._task(WalkTask("example", (*at, "examples", i), schema, example))
        if isinstance(node.get("enum"), list) and "type" in node:
            typed: dict[str, Any] = {"type": node["type"]}
            if not self.v31 and node.get("nullable") is True:
                typed["nullable"] = True
            for i, value in enumerate(node["enum"]):
                self._task(WalkTask("enum", (*at, "enum", i), typed, value))
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

    def _task(self, task: WalkTask) -> None:
        """Validate this value later; enum values (a type check each) do not count against
        MAX_VALUES, as a code list may hold thousands."""
        if task.kind != "enum":
            if self._values >= MAX_VALUES:
                self._stop(f"only the first {MAX_VALUES} defaults and examples were checked")
                return
            self._values += 1
        self.tasks.append(task)

    def _skip(self, at: Segments, reason: str) -> None:
        self.result.skip(Unchecked(json_path_of(at), reason))

    def _stop(self, why: str) -> None:
        self.incomplete = self.incomplete or why


# -- helpers -------------------------------------------------------------------------------------


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
