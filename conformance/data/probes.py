"""Hand-made broken requests for DATA-NEG-02: malformed bodies, unsupported media types, Accept.

Each probe is one request built from an operation of the OpenAPI document, with the status RFC
9110 §15.5 asks for: 400 for a body that does not parse, 415 for a Content-Type the operation
does not declare, 406 for an Accept it cannot satisfy.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from conformance.client.http import Exchange, HttpClient
from conformance.documents.openapi import OpenApiDocument, Operation

# Unclosed JSON and unclosed XML: neither parses, whatever the schema says.
BROKEN_BODIES = {
    "json": b'{"broken": [1, 2',
    "xml": b'<?xml version="1.0" encoding="UTF-8"?><broken><unclosed></broken>',
}
UNSUPPORTED_MEDIA_TYPE = "application/x-conformance-unsupported"
READ_METHODS = frozenset({"get", "head"})


@dataclass(frozen=True, slots=True)
class Probe:
    """One broken request, what it should have got, and what it got."""

    operation: str
    what: str
    expected: int
    source: str
    exchange: Exchange

    @property
    def ok(self) -> bool:
        """Whether the answer is the status the probe expects."""
        return self.exchange.status == self.expected

    def problem(self) -> str:
        """One line: the request, the status seen, the status expected and why."""
        return (
            f"{self.operation} with {self.what} answered {self.exchange.status}, expected "
            f"{self.expected} ({self.source})"
        )


def body_operations(document: OpenApiDocument) -> list[tuple[Operation, dict[str, str]]]:
    """Operations with a JSON or XML request body: (operation, {json|xml: declared media type})."""
    found = []
    for op in document.operations():
        content = (op.spec.get("requestBody") or {}).get("content") or {}
        kinds: dict[str, str] = {}
        for media in content:
            kind = _kind(str(media))
            if kind is not None:
                kinds.setdefault(kind, str(media))
        if kinds:
            found.append((op, kinds))
    return found


def accept_operations(document: OpenApiDocument) -> list[Operation]:
    """GET operations that need no parameter (their URL is known without inputs)."""
    return [
        op
        for op in document.operations()
        if op.method == "get"
        and "{" not in op.path
        and not any(p.get("required") for p in op.parameters)
    ]


def probe_body_operation(
    client: HttpClient, document: OpenApiDocument, op: Operation, kinds: dict[str, str]
) -> list[Probe]:
    """Broken JSON and XML bodies (400), and an undeclared Content-Type (415)."""
    url, auth = document.url_for(op, {}), document.is_protected(op)
    probes = []
    for kind, media in sorted(kinds.items()):
        exchange = client.request(
            op.method,
            url,
            headers={"Content-Type": media, "Accept": "application/json"},
            body=BROKEN_BODIES[kind],
            auth=auth,
            follow_redirects=False,
        )
        what = f"a malformed {kind.upper()} body (Content-Type: {media})"
        probes.append(Probe(op.operation_id, what, 400, "RFC 9110 §15.5.1", exchange))
    exchange = client.request(
        op.method,
        url,
        headers={"Content-Type": UNSUPPORTED_MEDIA_TYPE, "Accept": "application/json"},
        body=b"conformance",
        auth=auth,
        follow_redirects=False,
    )
    what = f"the undeclared Content-Type {UNSUPPORTED_MEDIA_TYPE}"
    probes.append(Probe(op.operation_id, what, 415, "RFC 9110 §15.5.16", exchange))
    return probes


def probe_accept(client: HttpClient, document: OpenApiDocument, op: Operation) -> Probe:
    """An Accept naming only a media type the operation does not produce (406)."""
    exchange = client.request(
        "GET",
        document.url_for(op, {}),
        headers={"Accept": UNSUPPORTED_MEDIA_TYPE},
        auth=document.is_protected(op),
        follow_redirects=False,
    )
    what = f"Accept: {UNSUPPORTED_MEDIA_TYPE}"
    return Probe(op.operation_id, what, 406, "RFC 9110 §15.5.7, §12.5.1", exchange)


def _kind(media_type: str) -> str | None:
    base = media_type.split(";")[0].strip().lower()
    if base == "application/json" or re.fullmatch(r"[a-z]+/[^;]*\+json", base):
        return "json"
    if base in {"application/xml", "text/xml"} or base.endswith("+xml"):
        return "xml"
    return None
