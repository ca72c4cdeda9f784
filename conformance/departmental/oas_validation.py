"""Validating a retrieved OpenAPI document with openapi-spec-validator, safely.

The validator class follows the document's own `openapi` field (3.0.x or 3.1.x). `$ref`s to
other documents are fetched only through the target's HttpClient and only on the target's hosts
(the library would otherwise open any URL, including file://). A referenced document the suite
cannot have (off the target's hosts, unreachable, too slow, too large) makes the validation
Inconclusive, naming the `$ref`: the suite could not decide. One the target answers badly (a 404,
not JSON or YAML) is a problem of the document. YAML is loaded with SafeLoader and its expansion
is bounded, so an alias bomb cannot exhaust memory or time.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from conformance.client.discovery import is_yaml, load_yaml, parse_document
from conformance.client.http import Exchange, HttpClient
from conformance.core.errors import Inconclusive

MAX_NODES = 2_000_000
UNTYPED = frozenset({"", "text/plain", "application/octet-stream"})
_VERSION = re.compile(r"^3\.(0|1)\.\d+$")


@dataclass(frozen=True, slots=True)
class SchemaProblem:
    """One validator message and where in the document it is."""

    message: str
    json_path: str

    def __str__(self) -> str:
        return f"{self.json_path}: {self.message}"


@dataclass(slots=True)
class Validation:
    """The outcome of validating one document: its version, problems (capped) and their count."""

    version: str
    problems: list[SchemaProblem] = field(default_factory=list)
    more: bool = False


class YamlDocument(dict[str, Any]):
    """A document object read from YAML (by PyYAML, a YAML 1.1 reader: unquoted `NO`, `on`,
    `1_000` are a boolean and a number there, strings in the YAML 1.2 OpenAPI recommends)."""


def read_as_yaml(document: Any) -> bool:
    """Whether `document` (from :func:`load_document`) was read from YAML."""
    return isinstance(document, YamlDocument)


def load_document(exchange: Exchange) -> Any:
    """The body as JSON or YAML, by its media type; ValueError with the reason otherwise.

    JSON and YAML media types are parsed as such; an untyped or text/plain body may be either
    (JSON first); any other media type (text/html, ...) is neither. An object read from YAML is
    a :class:`YamlDocument`.
    """
    media = exchange.media_type
    if "json" not in media and not is_yaml(media) and media not in UNTYPED:
        raise ValueError(f"it is served as {media!r}, which is neither JSON nor YAML")
    try:
        data = parse_document(exchange)
    except ValueError as first:
        if "json" in media or is_yaml(media):
            raise
        try:
            data = load_yaml(exchange.body, "the document")
        except ValueError as exc:
            raise ValueError(f"neither JSON ({first}) nor YAML ({exc})") from None
        if not isinstance(data, dict):
            raise ValueError(f"neither JSON ({first}) nor a YAML mapping") from None
        return YamlDocument(data)
    return YamlDocument(data) if is_yaml(media) and isinstance(data, dict) else data


def bounded(document: Any, limit: int = MAX_NODES) -> None:
    """Raise ValueError when the document expands (YAML aliases) to more than `limit` nodes."""
    stack, seen = [document], 0
    while stack:
        node = stack.pop()
        seen += 1
        if seen > limit:
            raise ValueError(f"the document expands to more than {limit} nodes (YAML aliases?)")
        if isinstance(node, dict):
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)


class _TargetOnlyHandlers(dict[str, Any]):
    """Resolver handlers for every URI scheme: fetch through the client, on the target only."""

    def __init__(self, client: HttpClient) -> None:
        super().__init__()
        self.client = client
        #: $refs not fetched: not http(s) on the target's hosts
        self.refused: list[str] = []
        #: ($ref, why) of those the client could not have: unreachable, too slow, too large
        self.unreachable: list[tuple[str, str]] = []
        #: ($ref, what was wrong) of those the target answered badly: a status, not JSON/YAML
        self.failed: list[tuple[str, str]] = []

    def __contains__(self, scheme: object) -> bool:
        return True

    def __missing__(self, scheme: str) -> Any:
        return self.fetch

    def fetch(self, uri: str) -> Any:
        """One referenced document, parsed.

        Whatever goes wrong is recorded before it is raised: the validator library wraps what
        its resolver raises in its own exception, which says neither which `$ref` nor why."""
        if not uri.startswith(("https://", "http://")) or not self.client.on_target(uri):
            self.refused.append(uri)
            raise ValueError(f"$ref {uri} is not on the target's hosts: not fetched")
        try:
            exchange = self.client.get(uri)
        except Inconclusive as exc:
            self.unreachable.append((uri, exc.message))
            raise
        if exchange.status != 200:
            self.failed.append((uri, f"answered {exchange.status}, expected 200"))
            raise ValueError(f"$ref {uri} answered {exchange.status}")
        try:
            data = load_document(exchange)
            bounded(data)
        except ValueError as exc:
            self.failed.append((uri, f"is unusable: {exc}"))
            raise
        return data


def validate_openapi(
    document: dict[str, Any], url: str, client: HttpClient, max_problems: int
) -> Validation:
    """Validate `document` against the OpenAPI version it declares.

    A missing, 2.0 or unknown version is itself a problem; the validator's messages come with
    the JSON path of what they concern, at most `max_problems` of them.
    """
    from openapi_spec_validator import OpenAPIV30SpecValidator, OpenAPIV31SpecValidator

    declared = document.get("openapi", document.get("swagger"))
    version = str(declared) if declared is not None else ""
    found = _VERSION.match(version) if "openapi" in document else None
    if found is None:
        what = f"declares {'swagger' if 'swagger' in document else 'openapi'}: {version!r}"
        if declared is None:
            what = "has no openapi field"
        problem = SchemaProblem(f"the document {what}; expected OpenAPI 3.0.x or 3.1.x", "$")
        return Validation(version, [problem])
    base = OpenAPIV30SpecValidator if found.group(1) == "0" else OpenAPIV31SpecValidator
    handlers = _TargetOnlyHandlers(client)
    validator_cls = type("TargetOnlyValidator", (base,), {"resolver_handlers": handlers})
    result = Validation(version)
    try:
        for error in validator_cls(document, base_uri=url).iter_errors():
            if len(result.problems) >= max_problems:
                result.more = True
                break
            # some keyword validators wrap a whole jsonschema report: keep its first paragraph
            message = str(error.message).split("\n\n", 1)[0].strip()
            result.problems.append(SchemaProblem(message, _json_path(error)))
    except RecursionError:
        raise Inconclusive(f"the OpenAPI document {url} is nested too deeply to validate") from None
    except Exception as exc:  # the library raises what its resolver raised
        _cannot_fetch(url, handlers)
        if handlers.failed:
            uri, what = handlers.failed[0]
            result.problems.append(SchemaProblem(f"the $ref {uri} {what}", "$"))
        else:
            result.problems.append(SchemaProblem(f"{type(exc).__name__}: {exc}", "$"))
        return result
    _cannot_fetch(url, handlers)  # in case the library reported it as a validation error
    return result


def _cannot_fetch(url: str, handlers: _TargetOnlyHandlers) -> None:
    """Inconclusive when the document refers to one the suite could not have: without it the
    document cannot be validated, and that is the suite's limit, not the agency's fault."""
    if handlers.refused:
        raise Inconclusive(
            f"the OpenAPI document {url} refers to {handlers.refused[0]}, which is not on the "
            "target's hosts: not fetched, so the document cannot be validated"
        )
    if handlers.unreachable:
        uri, why = handlers.unreachable[0]
        raise Inconclusive(
            f"the OpenAPI document {url} has a $ref to {uri}, which could not be fetched ({why}), "
            "so the document cannot be validated"
        )


def _json_path(error: Any) -> str:
    path = getattr(error, "json_path", None)
    if isinstance(path, str) and path != "$":
        return path
    parts = list(getattr(error, "absolute_path", None) or getattr(error, "path", None) or [])
    return "$" + "".join(f"[{json.dumps(p)}]" for p in parts) if parts else "$"
