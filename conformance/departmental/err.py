"""DEP-ERR-01: every 4xx/5xx response is application/problem+json with type, title, and status
equal to the HTTP status."""

from __future__ import annotations

import random
from urllib.parse import quote

from conformance.client.context import CheckContext
from conformance.core.errors import Inconclusive, PreconditionMissing
from conformance.core.registry import check
from conformance.departmental.common import has_credentials
from conformance.departmental.problem_details import PROBLEM_MEDIA_TYPE, problem_defects
from conformance.documents.path_values import (
    path_parameters,
    plausible_values,
    unknown_values,
)

PROBLEM_ACCEPT = f"{PROBLEM_MEDIA_TYPE}, application/json;q=0.9, */*;q=0.1"


@check("DEP-ERR-01")
def problem_details(ctx: CheckContext) -> str:
    """Error answers to read-only probes are RFC 9457 problem details."""
    rng = random.Random(ctx.seed)
    probes = _error_probes(ctx, rng)[: max(1, int(ctx.params.get("probes", 3)))]
    errors, seen = [], []
    for name, url, auth in probes:
        exchange = ctx.client.get(url, auth=auth, headers={"Accept": PROBLEM_ACCEPT})
        ctx.cite(exchange, name)
        seen.append(f"{name} → {exchange.status}")
        if exchange.status >= 400:
            defects = problem_defects(exchange)
            errors.append(exchange.status)
            if defects:
                ctx.reproduce = ctx.client.curl(exchange)
                ctx.fail(
                    f"{exchange.method} {url} ({name}) answered {exchange.status} that is not "
                    f"RFC 9457 problem details: {'; '.join(defects)}"
                )
    if not errors:
        raise Inconclusive(f"no probe provoked an error answer: {', '.join(seen)}")
    return f"{len(errors)} error answer(s) are problem details ({', '.join(seen)})"


def _error_probes(ctx: CheckContext, rng: random.Random) -> list[tuple[str, str, bool]]:
    """(name, URL, with credentials) of the read-only requests that should provoke errors."""
    try:
        documents = ctx.discovery.openapi_documents()
    except (PreconditionMissing, Inconclusive):
        documents = []
    servers = [d.server_url() for d in documents if ctx.client.on_target(d.server_url())]
    base = servers[0] if servers else ctx.client.url("/").rstrip("/")
    probes = [
        ("unknown path", f"{base}/conformance-no-such-path-{rng.getrandbits(40):010x}", False)
    ]
    gets = [
        (d, op)
        for d in documents
        if ctx.client.on_target(d.server_url())
        for op in d.operations()
        if op.method == "get"
    ]
    with_params = [(d, op) for d, op in gets if path_parameters(d, op)]
    open_ops = [(d, op) for d, op in with_params if not d.is_protected(op)]
    for doc, op in open_ops[:1] or with_params[:1]:
        values = {k: quote(v, safe="") for k, v in unknown_values(doc, op, rng).items()}
        auth = doc.is_protected(op) and has_credentials(ctx)
        if auth or not doc.is_protected(op):
            probes.append((f"unknown resource ({op.operation_id})", doc.url_for(op, values), auth))
    for doc, op in [(d, op) for d, op in gets if d.is_protected(op)][:1]:
        values = {k: quote(v.value, safe="") for k, v in plausible_values(doc, op, rng).items()}
        probes.append((f"no credentials ({op.operation_id})", doc.url_for(op, values), False))
    return probes
