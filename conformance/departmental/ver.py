"""DEP-VER-01: every response carries API-Version, equal to the OpenAPI info.version; DEP-VER-02:
the path carries the major version only (/v1/)."""

from __future__ import annotations

import random
from urllib.parse import quote

from conformance.client.context import CheckContext
from conformance.core.errors import PreconditionMissing
from conformance.core.registry import check
from conformance.departmental.common import document_rules
from conformance.departmental.oas_rules import (
    version_findings,
)
from conformance.documents.openapi import OpenApiDocument
from conformance.documents.path_values import (
    plausible_values,
)


@check("DEP-VER-02")
def major_version_in_path(ctx: CheckContext) -> str:
    """Each operation's path carries the major version only (/v1/)."""
    count = document_rules(
        ctx, version_findings, "NL API Design Rules: only the major version in the URI"
    )
    return f"every operation path of {count} OpenAPI document(s) carries the major version only"


# -- DEP-VER-01 --------------------------------------------------------------------------------
@check("DEP-VER-01")
def version_header(ctx: CheckContext) -> str:
    """Every response (success or error) carries API-Version equal to info.version."""
    rng = random.Random(ctx.seed)
    limit = int(ctx.params.get("max_operations", 5))
    checked = 0
    for doc in ctx.discovery.openapi_documents():
        if not ctx.client.on_target(doc.server_url()):
            continue
        info = doc.data.get("info")
        expected = str(info.get("version", "")) if isinstance(info, dict) else ""
        for name, url in _version_probes(doc, rng, limit):
            exchange = ctx.client.get(url, reuse=True)
            checked += 1
            value = exchange.header("API-Version")
            if value is None or value.strip() != expected:
                ctx.cite(exchange, name)
                ctx.reproduce = ctx.client.curl(exchange)
                found = "no API-Version header" if value is None else f"API-Version {value!r}"
                ctx.fail(
                    f"GET {url} ({name}) answered {exchange.status} with {found}, expected "
                    f"API-Version {expected!r} (the OpenAPI info.version; NL API Design Rules)"
                )
            if checked == 1:
                ctx.cite(exchange, name)
    if not checked:
        raise PreconditionMissing("no OpenAPI document's server is on the target's hosts")
    return f"{checked} response(s), successes and errors, carry API-Version as info.version"


def _version_probes(doc: OpenApiDocument, rng: random.Random, limit: int) -> list[tuple[str, str]]:
    """Unprotected parameterless GETs, an unknown path, and a protected GET without credentials."""
    gets = [op for op in doc.operations() if op.method == "get"]
    probes = [
        (op.operation_id, doc.url_for(op, {}))
        for op in gets
        if "{" not in op.path and not doc.is_protected(op)
    ][:limit]
    probes.append(
        ("unknown path", f"{doc.server_url()}/conformance-no-such-path-{rng.getrandbits(40):010x}")
    )
    for op in [op for op in gets if doc.is_protected(op)][:1]:
        values = {k: quote(v.value, safe="") for k, v in plausible_values(doc, op, rng).items()}
        probes.append((f"no credentials ({op.operation_id})", doc.url_for(op, values)))
    return probes
