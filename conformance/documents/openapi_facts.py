"""What an OpenAPI document says that a target file needs: the security schemes a client must
satisfy, the media types the operations produce and consume, and the collections with an item
operation beside them (candidates for `inputs.resources`).

Read only: nothing here sends a request. Each fact names where in which document it was found,
so `conformance init` can write that beside the value it infers.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urljoin

from conformance.documents.json_pointer import pointer_to
from conformance.documents.openapi import OpenApiDocument, Operation

#: a media type is JSON when it is application/json or a +json suffix type
_JSON = re.compile(r"^application/(?:[\w.+-]+\+)?json$")
_XML = re.compile(r"^(?:application|text)/(?:[\w.+-]+\+)?xml$")
#: a path segment that is one template variable, nothing else: `{code}`
_VARIABLE = re.compile(r"^\{([^{}/]+)\}$")


@dataclass(frozen=True, slots=True)
class OAuth2Facts:
    """An OAuth2 scheme with the client-credentials flow (the grant the suite uses)."""

    token_url: str
    scopes: tuple[str, ...]
    source: str


@dataclass(frozen=True, slots=True)
class ApiKeyFacts:
    """An apiKey scheme: where the key travels and under which name."""

    location: str
    name: str
    source: str


@dataclass(slots=True)
class SecurityFacts:
    """The schemes of a document that a target file's `credentials` can satisfy, and notes on
    those it cannot (an authorization-code-only OAuth2 scheme, OpenID Connect, ...)."""

    oauth2: OAuth2Facts | None = None
    bearer: str | None = None
    api_key: ApiKeyFacts | None = None
    mutual_tls: str | None = None
    notes: list[str] = field(default_factory=list)

    def merge(self, other: SecurityFacts) -> None:
        """Take what `other` found that this has not (the first document's facts win)."""
        self.oauth2 = self.oauth2 or other.oauth2
        self.bearer = self.bearer or other.bearer
        self.api_key = self.api_key or other.api_key
        self.mutual_tls = self.mutual_tls or other.mutual_tls
        self.notes += [n for n in other.notes if n not in self.notes]


@dataclass(frozen=True, slots=True)
class ResourceCandidate:
    """A GET collection and a GET of one of its items (`/licenses`, `/licenses/{code}`)."""

    name: str
    #: absolute URLs: the collection, and the item template with its one `{variable}`
    collection: str
    item: str
    variable: str
    #: JSON pointer to the item array in the collection's answer, when its schema says it
    items: str | None
    #: the item schema's top-level property names (where the key is looked for first)
    item_properties: tuple[str, ...]
    #: the item operation also answers in XML
    xml: bool
    #: absolute URLs of an XSD and a Schematron the document publishes under the resource's name
    xsd: str | None
    schematron: str | None
    source: str


def _mapping(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _where(document: OpenApiDocument, pointer: str) -> str:
    return f"{document.url} {pointer}"


def _schemes(document: OpenApiDocument) -> dict[str, dict[str, Any]]:
    components = document.data.get("components")
    raw = components.get("securitySchemes") if isinstance(components, dict) else None
    if not isinstance(raw, dict):
        return {}
    found = {str(k): document.resolved(v) for k, v in raw.items()}
    return {k: v for k, v in found.items() if isinstance(v, dict)}


def _used_schemes(document: OpenApiDocument) -> list[str]:
    """Scheme names in the order the document's security requirements name them."""
    requirements = list(document.data.get("security") or [])
    for op in document.operations():
        requirements += list(op.spec.get("security") or [])
    names = [str(n) for req in requirements if isinstance(req, dict) for n in req]
    return list(dict.fromkeys(names))


def security_facts(document: OpenApiDocument) -> SecurityFacts:
    """The document's security schemes the suite's credentials can satisfy (the schemes its
    operations use first), each with where it was found."""
    schemes = _schemes(document)
    ordered = [n for n in _used_schemes(document) if n in schemes]
    ordered += [n for n in schemes if n not in ordered]
    facts = SecurityFacts()
    for name in ordered:
        scheme, pointer = schemes[name], f"components.securitySchemes.{name}"
        kind = scheme.get("type")
        if kind == "oauth2":
            flows = _mapping(scheme.get("flows"))
            flow = flows.get("clientCredentials")
            if isinstance(flow, dict) and isinstance(flow.get("tokenUrl"), str):
                if facts.oauth2 is None:
                    token_url = urljoin(document.server_url() + "/", flow["tokenUrl"])
                    scopes = _mapping(flow.get("scopes"))
                    facts.oauth2 = OAuth2Facts(
                        token_url,
                        tuple(str(s) for s in scopes),
                        _where(document, f"{pointer}.flows.clientCredentials"),
                    )
            else:
                facts.notes.append(
                    f"{_where(document, pointer)}: OAuth2 with the flows "
                    f"{', '.join(sorted(map(str, flows))) or 'none'}; the suite uses the "
                    "client-credentials grant (or give a bearer_token)"
                )
        elif kind == "http" and str(scheme.get("scheme", "")).lower() == "bearer":
            facts.bearer = facts.bearer or _where(document, pointer)
        elif kind == "apiKey" and scheme.get("in") in {"header", "query", "cookie"}:
            if facts.api_key is None and isinstance(scheme.get("name"), str):
                facts.api_key = ApiKeyFacts(
                    str(scheme["in"]), str(scheme["name"]), _where(document, pointer)
                )
        elif kind == "mutualTLS":
            facts.mutual_tls = facts.mutual_tls or _where(document, pointer)
        elif kind == "openIdConnect":
            facts.notes.append(
                f"{_where(document, pointer)}: OpenID Connect "
                f"({scheme.get('openIdConnectUrl', 'no discovery URL')}): give its token "
                "endpoint as credentials.oauth2.token_url"
            )
    return facts


def _content(node: Any) -> dict[str, Any]:
    return _mapping(node.get("content")) if isinstance(node, dict) else {}


def media_types(document: OpenApiDocument) -> tuple[list[str], list[str]]:
    """(produced, consumed): every media type of the operations' responses and request bodies,
    without parameters, sorted."""
    produced: set[str] = set()
    consumed: set[str] = set()
    for op in document.operations():
        body = document.resolved(op.spec.get("requestBody"))
        consumed.update(_content(body))
        responses = op.spec.get("responses")
        for response in responses.values() if isinstance(responses, dict) else ():
            produced.update(_content(document.resolved(response)))
    return _bare(produced), _bare(consumed)


def _bare(types: set[str]) -> list[str]:
    return sorted({str(t).split(";")[0].strip().lower() for t in types})


def write_operations(document: OpenApiDocument) -> list[str]:
    """The operationIds (or METHOD path) of the operations that write: POST, PUT, PATCH, DELETE."""
    writes = ("post", "put", "patch", "delete")
    return [op.operation_id for op in document.operations() if op.method in writes]


def _ok_schema(document: OpenApiDocument, op: Operation) -> tuple[dict[str, Any], bool]:
    """The JSON schema of the operation's 200 answer (empty when none), and whether it also
    answers in XML."""
    responses = op.spec.get("responses")
    ok = document.resolved(responses.get("200")) if isinstance(responses, dict) else None
    content = _content(ok)
    types = {str(t).split(";")[0].strip().lower(): v for t, v in content.items()}
    xml = any(_XML.match(t) for t in types)
    for media_type, entry in types.items():
        if _JSON.match(media_type) and isinstance(entry, dict):
            schema = document.resolved(entry.get("schema"))
            return (schema if isinstance(schema, dict) else {}), xml
    return {}, xml


def _items_pointer(document: OpenApiDocument, schema: dict[str, Any]) -> str | None:
    """Where the array of items is in an answer with this schema: the root, or a top-level
    property that is an array; None when the schema does not say."""
    if schema.get("type") == "array" or "items" in schema:
        return ""
    properties = schema.get("properties")
    for name, sub in properties.items() if isinstance(properties, dict) else ():
        sub = document.resolved(sub)
        if isinstance(sub, dict) and (sub.get("type") == "array" or "items" in sub):
            return pointer_to(str(name))
    return None


def singular(word: str) -> str:
    """An English plural made singular, roughly (licenses → license, policies → policy)."""
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith("s") and not word.endswith("ss") and len(word) > 2:
        return word[:-1]
    return word


def _published(document: OpenApiDocument, suffix: str, names: set[str]) -> str | None:
    """The URL of a parameterless GET path ending in `suffix` named after the resource."""
    for op in document.operations():
        if op.method == "get" and "{" not in op.path and op.path.lower().endswith(suffix):
            stem = op.path.rsplit("/", 1)[-1][: -len(suffix)].lower()
            if stem in names:
                return document.server_url() + op.path
    return None


#: collection names that say nothing of what is collected: the segment before them names it
GENERIC_SEGMENTS = frozenset({"items", "records", "entries", "elements", "members"})


def _segment(path: str) -> str:
    """The segment naming a collection path: its last, or the one before a generic last one
    (`/collections/taps/items` → `taps`)."""
    segments = [s for s in path.split("/") if s]
    last = segments[-1] if segments else ""
    if last.lower() in GENERIC_SEGMENTS and len(segments) > 1 and "{" not in segments[-2]:
        return segments[-2]
    return last


def resource_candidates(document: OpenApiDocument) -> list[ResourceCandidate]:
    """Each parameterless GET collection path that has a GET item path one `{variable}` below
    it, in document order, named by its last segment made singular."""
    gets = {op.path.rstrip("/"): op for op in document.operations() if op.method == "get"}
    found: list[ResourceCandidate] = []
    for path, op in gets.items():
        if "{" in path or not path:
            continue
        segment = _segment(path)
        for item_path, item_op in gets.items():
            head, _, last = item_path.rpartition("/")
            variable = _VARIABLE.match(last)
            if head != path or variable is None:
                continue
            name = re.sub(r"[^a-z0-9_-]+", "-", singular(segment).lower()).strip("-") or "item"
            if any(c.name == name for c in found):
                name = f"{name}-{len(found) + 1}"
            collection_schema, _ = _ok_schema(document, op)
            item_schema, xml = _ok_schema(document, item_op)
            properties = _mapping(item_schema.get("properties"))
            names = {singular(segment).lower(), segment.lower()}
            found.append(
                ResourceCandidate(
                    name=name,
                    collection=document.server_url() + op.path,
                    item=document.server_url() + item_op.path,
                    variable=variable.group(1),
                    items=_items_pointer(document, collection_schema),
                    item_properties=tuple(map(str, properties)),
                    xml=xml,
                    xsd=_published(document, ".xsd", names) if xml else None,
                    schematron=_published(document, ".sch", names) if xml else None,
                    source=_where(document, f"paths.{path}.get and paths.{item_path}.get"),
                )
            )
            break
    return found
