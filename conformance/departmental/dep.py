"""DEP-DEP-01: operations marked deprecated answer with a Deprecation header, and with Sunset where
a date is declared."""

from __future__ import annotations

import random
from urllib.parse import quote

from conformance.client.context import CheckContext
from conformance.client.http import Exchange
from conformance.core.errors import NotApplicable, PreconditionMissing
from conformance.core.registry import check
from conformance.departmental.common import has_credentials
from conformance.departmental.deprecation import parse_deprecation, parse_sunset
from conformance.documents.openapi import OpenApiDocument, Operation
from conformance.documents.path_values import (
    plausible_values,
    resolve,
)


# -- DEP-DEP-01 --------------------------------------------------------------------------------
@check("DEP-DEP-01")
def deprecation_headers(ctx: CheckContext) -> str:
    """Deprecated operations answer with Deprecation, and Sunset where a date is declared."""
    rng = random.Random(ctx.seed)
    marked = [
        (doc, op)
        for doc in ctx.discovery.openapi_documents()
        for op in doc.operations()
        if op.spec.get("deprecated") is True
    ]
    if not marked:
        raise NotApplicable("no operation of the OpenAPI document(s) is marked deprecated")
    readable = [(d, op) for d, op in marked if op.method == "get" and ctx.client.on_target(d.url)]
    if not readable:
        names = ", ".join(op.operation_id for _, op in marked)
        raise PreconditionMissing(f"the deprecated operations ({names}) are not read-only GETs")
    for doc, op in readable[: int(ctx.params.get("max_operations", 5))]:
        values = {k: quote(v.value, safe="") for k, v in plausible_values(doc, op, rng).items()}
        auth = doc.is_protected(op) and has_credentials(ctx)
        exchange = ctx.client.get(doc.url_for(op, values), auth=auth)
        ctx.cite(exchange, f"deprecated {op.operation_id}")
        ctx.reproduce = ctx.client.curl(exchange)
        _check_deprecation(ctx, exchange, op, _declares_sunset(doc, op))
    return f"{min(len(readable), 5)} deprecated operation(s) answer with Deprecation and Sunset"


def _check_deprecation(ctx: CheckContext, exchange: Exchange, op: Operation, sunset: bool) -> None:
    name = f"the deprecated operation {op.operation_id} (GET {exchange.url})"
    header = exchange.header("Deprecation")
    if header is None:
        ctx.fail(f"{name} answered {exchange.status} without a Deprecation header (RFC 9745 §2)")
    try:
        since = parse_deprecation(header)
    except ValueError as exc:
        ctx.fail(f"{name}: {exc}")
    value = exchange.header("Sunset")
    if value is None:
        if sunset:
            ctx.fail(
                f"{name} declares a Sunset date in its OpenAPI description but answered without "
                "a Sunset header (RFC 8594 §3)"
            )
        return
    try:
        until = parse_sunset(value)
    except ValueError as exc:
        ctx.fail(f"{name}: {exc}")
    if until < since:
        ctx.fail(f"{name}: Sunset {value!r} is earlier than Deprecation {header!r} (RFC 9745 §4)")


def _declares_sunset(doc: OpenApiDocument, op: Operation) -> bool:
    """Whether the description gives the operation a sunset: x-sunset or a Sunset header."""
    if op.spec.get("x-sunset"):
        return True
    responses = op.spec.get("responses") or {}
    return any(
        isinstance(r, dict) and any(str(h).lower() == "sunset" for h in (r.get("headers") or {}))
        for r in (resolve(doc, r) for r in responses.values())
    )
