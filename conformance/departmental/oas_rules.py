"""Rules on an OpenAPI document's content (not its validity): info, servers, operation hygiene,
and the version carried in the paths. Each rule returns (JSON path, defect) pairs."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import urljoin, urlsplit

from conformance.documents.openapi import (
    HTTP_METHODS,
    OpenApiDocument,
    Operation,
    server_template,
)

Finding = tuple[str, str]
_MAJOR = re.compile(r"^[vV](\d+)$")
_FULL = re.compile(r"^[vV]?\d+(?:[._]\d+)+$")


def _text(value: Any) -> bool:
    return isinstance(value, str) and bool(value.strip())


def info_findings(data: dict[str, Any]) -> list[Finding]:
    """info.title, info.version and a contact (url or email) must be present (OAS 3.1 §4.8.2)."""
    info = data.get("info")
    if not isinstance(info, dict):
        return [("$.info", "info is missing")]
    found = [(f"$.info.{k}", f"info.{k} is missing or empty") for k in ("title", "version")]
    found = [f for f in found if not _text(info.get(f[0].rsplit(".", 1)[1]))]
    contact = info.get("contact")
    if not isinstance(contact, dict):
        found.append(("$.info.contact", "info.contact is missing: no one to reach about the API"))
    elif not (_text(contact.get("url")) or _text(contact.get("email"))):
        found.append(("$.info.contact", f"info.contact {contact!r} has neither url nor email"))
    return found


def server_urls(doc: OpenApiDocument) -> Iterator[tuple[str, str]]:
    """(JSON path, resolved URL) of every servers entry: document, path item and operation.

    Server variables take their defaults; an absent top-level servers means "/" (OAS §4.8.1).
    """
    data = doc.data
    top = data.get("servers")
    if not top:
        yield "$.servers", urljoin(doc.base_url or doc.url, "/")
    for where, servers in _server_lists(data):
        for i, server in enumerate(servers):
            if isinstance(server, dict):
                yield f"{where}[{i}].url", urljoin(doc.base_url or doc.url, server_template(server))


def _server_lists(data: dict[str, Any]) -> Iterator[tuple[str, list[Any]]]:
    if isinstance(data.get("servers"), list):
        yield "$.servers", data["servers"]
    for path, item in (data.get("paths") or {}).items():
        if not isinstance(item, dict):
            continue
        if isinstance(item.get("servers"), list):
            yield f"$.paths['{path}'].servers", item["servers"]
        for method in HTTP_METHODS:
            op = item.get(method)
            if isinstance(op, dict) and isinstance(op.get("servers"), list):
                yield f"$.paths['{path}'].{method}.servers", op["servers"]


def https_findings(doc: OpenApiDocument) -> list[Finding]:
    """Every servers URL must be https."""
    return [
        (where, f"server URL {url} is not https")
        for where, url in server_urls(doc)
        if urlsplit(url).scheme.lower() != "https"
    ]


def operation_findings(doc: OpenApiDocument) -> list[Finding]:
    """operationId, summary, documented 4xx answers (401 where credentials are required)."""
    found = []
    for op in doc.operations():
        where = f"$.paths['{op.path}'].{op.method}"
        name = f"{op.method.upper()} {op.path}"
        if not _text(op.spec.get("operationId")):
            found.append((f"{where}.operationId", f"{name} has no operationId"))
        if not _text(op.spec.get("summary")):
            found.append((f"{where}.summary", f"{name} has no summary"))
        codes = {str(c).upper() for c in (op.spec.get("responses") or {})}
        if not any(c == "4XX" or (len(c) == 3 and c.startswith("4")) for c in codes):
            found.append((f"{where}.responses", f"{name} documents no 4xx response"))
        elif doc.is_protected(op) and not codes & {"401", "4XX"}:
            found.append(
                (f"{where}.responses", f"{name} requires credentials but documents no 401")
            )
    return found


def operation_server(doc: OpenApiDocument, op: Operation) -> str:
    """The server URL that applies to one operation (operation, path item, then document)."""
    item = (doc.data.get("paths") or {}).get(op.path) or {}
    for servers in (op.spec.get("servers"), item.get("servers")):
        if isinstance(servers, list) and servers and isinstance(servers[0], dict):
            return urljoin(doc.base_url or doc.url, server_template(servers[0])).rstrip("/")
    return doc.server_url()


def version_findings(doc: OpenApiDocument) -> list[Finding]:
    """Each operation's full path carries one version segment: the major version only (/v1/)."""
    info = doc.data.get("info")
    declared = str(info.get("version", "")) if isinstance(info, dict) else ""
    major = declared.lstrip("vV").split(".", 1)[0]
    found = []
    for op in doc.operations():
        path = urlsplit(operation_server(doc, op)).path.rstrip("/") + op.path
        where = f"$.paths['{op.path}'].{op.method}"
        segments = [s for s in path.split("/") if _MAJOR.match(s) or _FULL.match(s)]
        if not segments:
            found.append((where, f"{path} carries no version segment (expected /v{major}/)"))
        elif len(segments) > 1:
            found.append((where, f"{path} carries {len(segments)} version segments"))
        elif _FULL.match(segments[0]):
            found.append(
                (
                    where,
                    f"{path} carries the full version {segments[0]!r}, expected the major "
                    f"version only (/v{major}/)",
                )
            )
        else:
            number = segments[0].lstrip("vV")
            if major.isdigit() and number != major:
                found.append(
                    (where, f"{path} carries {segments[0]!r} but info.version is {declared!r}")
                )
    return found
