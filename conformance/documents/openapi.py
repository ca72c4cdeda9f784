"""Reading OpenAPI documents: operations, servers, security, examples."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin

from conformance.documents.json_pointer import lookup

HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")


@dataclass(frozen=True, slots=True)
class Operation:
    """One operation of an OpenAPI document."""

    method: str
    path: str
    spec: dict[str, Any]
    parameters: tuple[dict[str, Any], ...]

    @property
    def operation_id(self) -> str:
        """The operationId, or METHOD path when it has none."""
        return str(self.spec.get("operationId") or f"{self.method.upper()} {self.path}")


def server_template(server: dict[str, Any]) -> str:
    """A Server Object's `url` with each `{variable}` replaced by its `default` (OpenAPI §4.8.6).

    A variable the server does not declare is left as written."""
    url = str(server.get("url", "/"))
    variables = server.get("variables")
    if isinstance(variables, dict):
        for name, variable in variables.items():
            if isinstance(variable, dict) and "default" in variable:
                url = url.replace("{" + str(name) + "}", str(variable["default"]))
    return url


@dataclass(frozen=True, slots=True)
class OpenApiDocument:
    """A retrieved OpenAPI document and where it came from."""

    url: str
    data: dict[str, Any]
    #: what relative server URLs resolve against (the document's own URL unless it was a file)
    base_url: str | None = None

    @property
    def version(self) -> str:
        """The `openapi` field (e.g. 3.1.0)."""
        return str(self.data.get("openapi", ""))

    def server_url(self) -> str:
        """The first server URL, its variables at their defaults, resolved against the document's
        own URL (OpenAPI 3.1 §4.8.5: a relative server URL is relative to the document)."""
        servers = self.data.get("servers") or [{"url": "/"}]
        first = servers[0] if isinstance(servers, list) and isinstance(servers[0], dict) else {}
        return urljoin(self.base_url or self.url, server_template(first)).rstrip("/")

    def operations(self) -> Iterator[Operation]:
        """Every operation, with path-level parameters merged in."""
        for path, item in (self.data.get("paths") or {}).items():
            item = self.resolved(item)
            if not isinstance(item, dict):
                continue
            shared = [p for p in item.get("parameters", []) if isinstance(p, dict)]
            for method in HTTP_METHODS:
                spec = item.get(method)
                if isinstance(spec, dict):
                    own = [p for p in spec.get("parameters", []) if isinstance(p, dict)]
                    yield Operation(method, path, spec, tuple(shared + own))

    def operation(self, operation_id: str) -> Operation | None:
        """The operation with this operationId."""
        return next((op for op in self.operations() if op.operation_id == operation_id), None)

    def resolved(self, node: Any, hops: int = 10) -> Any:
        """`node`, or what its `$ref` into this document points at (a Path Item, a Response...:
        OpenAPI lets them be references), followed at most `hops` times."""
        for _ in range(hops):
            ref = node.get("$ref") if isinstance(node, dict) else None
            if not isinstance(ref, str) or not ref.startswith("#"):
                return node
            node = lookup(self.data, ref[1:])
        return node

    def is_protected(self, op: Operation) -> bool:
        """Whether the operation requires credentials (its own or the global `security`)."""
        security = op.spec.get("security", self.data.get("security", []))
        return bool(security) and all(bool(req) for req in security)

    def api_key_scheme(self) -> tuple[str, str] | None:
        """(`in`, `name`) of the first apiKey security scheme (header, query or cookie)."""
        components = self.data.get("components")
        schemes = components.get("securitySchemes") if isinstance(components, dict) else None
        for scheme in (schemes or {}).values() if isinstance(schemes, dict) else ():
            if (
                isinstance(scheme, dict)
                and scheme.get("type") == "apiKey"
                and scheme.get("in") in {"header", "query", "cookie"}
                and isinstance(scheme.get("name"), str)
            ):
                return str(scheme["in"]), str(scheme["name"])
        return None

    def url_for(self, op: Operation, values: dict[str, str]) -> str:
        """The absolute URL of an operation with path parameters filled in."""
        path = op.path
        for name, value in values.items():
            path = path.replace("{" + name + "}", value)
        return self.server_url() + path
