"""DATA-ENC-01: text is UTF-8 as declared; non-ASCII text (e.g. Chinese names) written is read back
unchanged."""

from __future__ import annotations

from typing import Any
from urllib.parse import urljoin

from conformance.client.context import CheckContext
from conformance.core.errors import Inconclusive, PreconditionMissing
from conformance.core.inputs import declare_input
from conformance.core.registry import check
from conformance.data import text_roundtrip
from conformance.documents.openapi import OpenApiDocument
from conformance.inputs.shared import IDEMPOTENCY

#: DATA-ENC-01: an operation that writes, and a body with non-ASCII text to read back
ENCODING = declare_input(
    "encoding",
    {
        "type": "object",
        "description": "DATA-ENC-01: a body with non-ASCII text, written then read back",
        "required": ["operation", "body"],
        "properties": {"operation": {"type": "string"}, "body": {"type": "object"}},
        "additionalProperties": False,
    },
    description="a write operation and a body with non-ASCII text",
)


# -- DATA-ENC-01 -------------------------------------------------------------------------------
@check("DATA-ENC-01")
def text_round_trip(ctx: CheckContext) -> str:
    """Non-ASCII text written is read back unchanged, in UTF-8 as declared."""
    declared = ENCODING.read(ctx) or IDEMPOTENCY.read(ctx)
    if not declared:
        raise PreconditionMissing(
            "the profile declares no inputs.encoding (nor inputs.idempotency)"
        )
    body = declared["body"]
    sent = text_roundtrip.non_ascii_strings(body)
    if not sent:
        raise PreconditionMissing("the declared body holds no non-ASCII text to round-trip")
    document, op = _operation(ctx, str(declared["operation"]))
    auth = document.is_protected(op)
    created = ctx.client.request(
        op.method,
        document.url_for(op, {}),
        json_body=body,
        headers={"Accept": "application/json"},
        auth=auth,
        follow_redirects=False,
    )
    ctx.cite(created, "write")
    if not 200 <= created.status < 300:
        raise Inconclusive(f"{op.operation_id} answered {created.status}, so nothing was written")
    location = created.header("Location")
    if not location:
        raise PreconditionMissing(f"{op.operation_id} answered without Location to read back from")
    read = ctx.client.get(
        urljoin(created.url, location), headers={"Accept": "application/json"}, auth=auth
    )
    ctx.cite(read, "read back")
    problems: list[str] = []
    compared = 0
    for what, exchange in (("write answer", created), ("read", read)):
        if exchange.status != 200 and what == "read":
            continue
        undecodable = text_roundtrip.encoding_problem(exchange)
        if undecodable:
            problems.append(f"{what}: {undecodable}")
            continue
        try:
            answer = exchange.json()
        except ValueError:
            raise Inconclusive(f"the {what} ({exchange.url}) is not JSON") from None
        compared += text_roundtrip.present(sent, answer)
        for pointer, value, got in text_roundtrip.differences(sent, answer):
            ctx.note(
                "text",
                f"{what} {pointer}: sent {value!r}, got {got!r}",
                pointer=pointer,
                sent=value,
                got=got,
                sent_code_points=text_roundtrip.code_points(value),
                got_code_points=text_roundtrip.code_points(got),
            )
            problems.append(f"{what} {pointer}: sent {value!r}, got {got!r}")
    if read.status != 200:
        problems.append(f"the read {location} answered {read.status}, expected 200")
    if problems:
        ctx.reproduce = ctx.client.curl(created)
        more = f" (and {len(problems) - 3} more)" if len(problems) > 3 else ""
        ctx.fail(f"non-ASCII text not kept: {'; '.join(problems[:3])}{more} (RFC 8259 §8.1)")
    if not compared:
        raise PreconditionMissing("neither answer carries the non-ASCII fields written")
    return (
        f"{len(sent)} non-ASCII field(s) written came back unchanged in UTF-8 ({compared} compared)"
    )


def _operation(ctx: CheckContext, operation_id: str) -> tuple[OpenApiDocument, Any]:
    for document in ctx.discovery.openapi_documents():
        op = document.operation(operation_id)
        if op is not None:
            return document, op
    raise PreconditionMissing(f"no OpenAPI document declares the operation {operation_id}")
