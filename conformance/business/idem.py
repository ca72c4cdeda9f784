"""BUS-IDEM-01: a POST repeated with the same Idempotency-Key creates one resource and returns the
same answer; the same key with another body gets 422."""

from __future__ import annotations

import uuid
from typing import Any

from conformance.business.arazzo.expressions import Unresolved, pointer_get
from conformance.client.context import CheckContext
from conformance.client.http import Exchange
from conformance.core.errors import Inconclusive, PreconditionMissing
from conformance.core.registry import check
from conformance.documents.openapi import OpenApiDocument, Operation
from conformance.inputs.shared import IDEMPOTENCY

IDEMPOTENCY_DRAFT = "draft-ietf-httpapi-idempotency-key-header"

_MISSING = object()


# -- BUS-IDEM-01 --------------------------------------------------------------------------------
@check("BUS-IDEM-01")
def idempotency_key(ctx: CheckContext) -> str:
    """A repeated POST with one Idempotency-Key creates one resource; another body gets 422."""
    spec = IDEMPOTENCY.require(ctx)
    if not isinstance(spec, dict) or not {"operation", "body", "other_body"} <= spec.keys():
        raise PreconditionMissing("inputs.idempotency needs operation, body and other_body")
    document, operation = _post_operation(ctx, str(spec["operation"]))
    url, auth = document.url_for(operation, {}), document.is_protected(operation)
    if url.startswith("http://") and ctx.target.base_url.startswith("https://"):
        raise PreconditionMissing(
            f"the OpenAPI servers URL gives {url}: plain http, so nothing is sent to it "
            "(credentials and personal data only travel over https; see DEP-OAS-02)"
        )
    headers = {"Idempotency-Key": str(uuid.uuid4()), "Accept": "application/json"}

    def post(body: Any, note: str) -> Exchange:
        exchange = ctx.client.request("POST", url, headers=headers, json_body=body, auth=auth)
        ctx.cite(exchange, note)
        return exchange

    first = post(spec["body"], "first POST with a fresh Idempotency-Key")
    if not 200 <= first.status < 300:
        raise Inconclusive(
            f"the sample body (inputs.idempotency.body) was refused with {first.status}: "
            f"{first.text()[:200]}; give a body the operation accepts"
        )
    second = post(spec["body"], "the same POST repeated with the same Idempotency-Key")
    ctx.reproduce = ctx.client.curl(second)
    differences = _differences(first, second, ctx.params)
    if differences:
        ctx.fail(
            f"POST {operation.path} repeated with the same Idempotency-Key: "
            f"{'; '.join(differences)} ({IDEMPOTENCY_DRAFT}, Idempotency Enforcement: a repeat "
            "gets the first answer and creates nothing)"
        )
    third = post(spec["other_body"], "another body with the same Idempotency-Key")
    if third.status != 422:
        created = f" and created {_resource_id(third, ctx.params)}" if third.status < 300 else ""
        ctx.fail(
            f"the same Idempotency-Key with another body answered {third.status}{created}, "
            f"expected 422 ({IDEMPOTENCY_DRAFT}, Error Scenarios: a key reused with a different "
            "payload gets 422)"
        )
    return (
        f"POST {operation.path} repeated with one Idempotency-Key answered {first.status} twice "
        f"for one resource ({_resource_id(first, ctx.params)}); another body with the key got 422"
    )


def _post_operation(ctx: CheckContext, operation_id: str) -> tuple[OpenApiDocument, Operation]:
    for document in ctx.discovery.openapi_documents():
        operation = document.operation(operation_id)
        if operation is None:
            continue
        if operation.method != "post" or "{" in operation.path:
            raise PreconditionMissing(
                f"inputs.idempotency.operation {operation_id!r} is {operation.method.upper()} "
                f"{operation.path}, not a POST without path parameters"
            )
        return document, operation
    raise PreconditionMissing(
        f"the target's OpenAPI declares no operation {operation_id!r} (inputs.idempotency)"
    )


def _resource_id(exchange: Exchange, params: dict[str, Any]) -> str:
    """The created resource's id (body at `id_pointer`), else its Location, else '?'."""
    try:
        return f"id {pointer_get(exchange.json(), str(params.get('id_pointer', '/id')))}"
    except (ValueError, Unresolved):
        return f"Location {exchange.header('Location') or '?'}"


def _differences(first: Exchange, second: Exchange, params: dict[str, Any]) -> list[str]:
    """How the repeat's answer differs from the first one (volatile fields aside)."""
    out: list[str] = []
    id_a, id_b = _resource_id(first, params), _resource_id(second, params)
    if first.status != second.status:
        out.append(f"status {first.status} vs {second.status}")
    if id_a != id_b:
        out.append(f"the second POST created a new resource: {id_a} vs {id_b.split(' ', 1)[-1]}")
    elif first.header("Location") != second.header("Location"):
        out.append(f"Location {first.header('Location')} vs {second.header('Location')}")
    volatile = [str(p) for p in params.get("volatile_fields", [])]
    body_a, body_b = _stable_body(first, volatile), _stable_body(second, volatile)
    if not out and body_a != body_b:
        out.append(f"the answers differ at {_first_difference(body_a, body_b)}")
    return out


def _first_difference(a: Any, b: Any, path: str = "") -> str:
    """Where two JSON values first differ, as a JSON pointer with both values."""
    if isinstance(a, dict) and isinstance(b, dict):
        for key in sorted(a.keys() | b.keys()):
            if a.get(key, _MISSING) != b.get(key, _MISSING):
                return _first_difference(
                    a.get(key, _MISSING), b.get(key, _MISSING), f"{path}/{key}"
                )
    if isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            if x != y:
                return _first_difference(x, y, f"{path}/{i}")
    return f"{path or '(the whole body)'}: {_show(a)} vs {_show(b)}"


def _show(value: Any) -> str:
    text = "(absent)" if value is _MISSING else repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def _stable_body(exchange: Exchange, volatile: list[str]) -> Any:
    """The body without its volatile fields (JSON pointers); raw bytes when it is not JSON."""
    try:
        body = exchange.json()
    except ValueError:
        return exchange.body
    for pointer in volatile:
        parent_pointer, _, name = pointer.rpartition("/")
        try:
            parent = pointer_get(body, parent_pointer)
        except Unresolved:
            continue
        if isinstance(parent, dict):
            parent.pop(name.replace("~1", "/").replace("~0", "~"), None)
    return body
