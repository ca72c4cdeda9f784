"""Values for the path parameters of an OpenAPI operation: plausible ones, and unknown ones."""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass
from typing import Any

from conformance.documents.openapi import OpenApiDocument, Operation

_FORMAT_SAMPLES = {
    "date": "2024-01-01",
    "date-time": "2024-01-01T00:00:00Z",
    "email": "probe@example.org",
    "uri": "https://example.org/probe",
    "ipv4": "192.0.2.1",
}


@dataclass(frozen=True, slots=True)
class PathValue:
    """A value for one path parameter, where it came from, and whether the schema accepts it."""

    value: str
    source: str
    valid: bool


def resolve(document: OpenApiDocument, node: Any) -> Any:
    """`node` with a local `$ref` (#/...) followed, up to a few levels."""
    for _ in range(8):
        ref = node.get("$ref") if isinstance(node, dict) else None
        if not isinstance(ref, str) or not ref.startswith("#/"):
            return node
        target: Any = document.data
        for part in ref[2:].split("/"):
            key = part.replace("~1", "/").replace("~0", "~")
            target = target.get(key) if isinstance(target, dict) else None
        node = target
    return node


def path_parameters(document: OpenApiDocument, op: Operation) -> list[dict[str, Any]]:
    """The operation's path parameters (references resolved)."""
    params = [resolve(document, p) for p in op.parameters]
    return [p for p in params if isinstance(p, dict) and p.get("in") == "path" and p.get("name")]


def _documented(document: OpenApiDocument, param: dict[str, Any]) -> tuple[Any, str] | None:
    schema = resolve(document, param.get("schema")) or {}
    if "example" in param:
        return param["example"], "example"
    examples = param.get("examples")
    if isinstance(examples, dict):
        for example in examples.values():
            example = resolve(document, example)
            if isinstance(example, dict) and "value" in example:
                return example["value"], "example"
    if isinstance(schema, dict):
        if "example" in schema:
            return schema["example"], "schema example"
        if isinstance(schema.get("examples"), list) and schema["examples"]:
            return schema["examples"][0], "schema example"
        if isinstance(schema.get("enum"), list) and schema["enum"]:
            return schema["enum"][0], "enum"
        if "default" in schema:
            return schema["default"], "default"
    return None


def _generated(schema: dict[str, Any], rng: random.Random) -> str:
    kind = schema.get("type")
    if schema.get("format") == "uuid":
        return str(uuid.UUID(int=rng.getrandbits(128), version=4))
    if schema.get("format") in _FORMAT_SAMPLES:
        return _FORMAT_SAMPLES[str(schema["format"])]
    if kind in ("integer", "number"):
        return str(rng.randrange(10**8, 10**9))
    return f"conformance-probe-{rng.getrandbits(40):010x}"


def _accepts(document: OpenApiDocument, schema: Any, value: str) -> bool:
    """Whether the parameter schema accepts `value` (False when that cannot be told)."""
    import jsonschema

    if not isinstance(schema, dict):
        return False
    candidate: Any = value
    if schema.get("type") in ("integer", "number"):
        try:
            candidate = int(value) if schema["type"] == "integer" else float(value)
        except ValueError:
            return False
    try:
        checker = jsonschema.Draft202012Validator.FORMAT_CHECKER
        jsonschema.Draft202012Validator(schema, format_checker=checker).validate(candidate)
    except jsonschema.ValidationError:
        return False
    except Exception:  # an unresolvable reference, an invalid schema: cannot tell
        return False
    return True


def plausible_values(
    document: OpenApiDocument, op: Operation, rng: random.Random
) -> dict[str, PathValue]:
    """A value for each path parameter: the documented example, else one made from its schema."""
    values = {}
    for param in path_parameters(document, op):
        schema = resolve(document, param.get("schema")) or {}
        documented = _documented(document, param)
        if documented is not None:
            value, source = str(documented[0]), documented[1]
            values[str(param["name"])] = PathValue(value, source, True)
            continue
        value = _generated(schema if isinstance(schema, dict) else {}, rng)
        values[str(param["name"])] = PathValue(
            value, "generated", _accepts(document, schema, value)
        )
    return values


def unknown_values(document: OpenApiDocument, op: Operation, rng: random.Random) -> dict[str, str]:
    """A value for each path parameter that names no existing resource (random, by schema)."""
    values = {}
    for param in path_parameters(document, op):
        schema = resolve(document, param.get("schema")) or {}
        values[str(param["name"])] = _generated(schema if isinstance(schema, dict) else {}, rng)
    return values
