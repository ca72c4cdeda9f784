"""Business level: stateful exploration along the OpenAPI links (BUS-WF-02)."""

from __future__ import annotations

from typing import Any

from conformance.business.stateful import Bounds, Explorer
from conformance.client.context import CheckContext
from conformance.core.errors import Inconclusive, PreconditionMissing
from conformance.core.registry import check


@check("BUS-WF-02")
def stateful_exploration(ctx: CheckContext) -> str:
    """Scenarios along the OpenAPI links find created resources retrievable, deleted ones gone."""
    spec = ctx.inputs.get("exploration", {})
    bodies: dict[str, Any] = spec.get("bodies", {}) if isinstance(spec, dict) else {}
    bounds = Bounds(
        max_scenarios=int(ctx.params["max_scenarios"]),
        max_steps=int(ctx.params["max_steps"]),
        max_requests=int(ctx.params["max_requests"]),
        seed=ctx.seed,
    )
    documents = [d for d in ctx.discovery.openapi_documents() if _has_links(d.data)]
    if not documents:
        raise PreconditionMissing("the target's OpenAPI documents declare no links to follow")
    sent, followed = 0, set[str]()
    for document in documents:
        if document.server_url().startswith("http://") and ctx.target.base_url.startswith(
            "https://"
        ):
            raise PreconditionMissing(
                f"the OpenAPI servers URL is {document.server_url()}: plain http (DEP-OAS-02)"
            )
        result = Explorer(ctx.client, document, bounds, bodies).explore()
        sent += len(result.steps)
        followed |= result.links_followed
        if result.violation is not None:
            for step in result.violation_steps:
                ctx.cite(
                    step.exchange, f"{step.operation}" + (f" via {step.link}" if step.link else "")
                )
            ctx.note(
                "scenario",
                f"{len(result.steps)} requests explored before the violation",
                steps=[
                    f"{s.exchange.method} {s.exchange.url} → {s.exchange.status}"
                    for s in result.steps[-10:]
                ],
            )
            ctx.reproduce = ctx.client.curl(result.violation_steps[-1].exchange)
            ctx.fail(result.violation)
    if not followed:
        raise Inconclusive(
            f"{sent} requests explored, but no link could be followed (give business-valid bodies "
            "in inputs.exploration.bodies)"
        )
    ctx.note("links", f"{len(followed)} link transitions followed", links=sorted(followed))
    return (
        f"{sent} requests in at most {bounds.max_scenarios} scenarios of {bounds.max_steps} steps "
        f"followed {len(followed)} link transitions; every created resource was retrievable"
    )


def _has_links(document: Any) -> bool:
    for item in document.get("paths", {}).values():
        for operation in item.values() if isinstance(item, dict) else ():
            for response in (
                operation.get("responses", {}) if isinstance(operation, dict) else {}
            ).values():
                if isinstance(response, dict) and response.get("links"):
                    return True
    return False
