"""DEP-SLA-01: the catalogue declares service levels: availability target, p95 latency target,
support contact; DEP-SLA-02: over the run, measured p95 latency <= the declared target and
failed requests (5xx, timeouts) <= the declared budget."""

from __future__ import annotations

from conformance.client.context import CheckContext
from conformance.client.http import Exchange
from conformance.core.errors import Inconclusive, PreconditionMissing
from conformance.core.registry import check
from conformance.documents.service_levels import (
    SERVICE_LEVEL,
    ServiceLevel,
    p95,
    parse_service_level,
)


# -- DEP-SLA-01 / DEP-SLA-02 ------------------------------------------------------------------
def declared_levels(ctx: CheckContext) -> list[tuple[str, ServiceLevel]]:
    """(anchor, service level) of every API; NonConformance for an absent or malformed one."""
    found = []
    for api in ctx.discovery.apis():
        anchor = api.anchor or "(no anchor)"
        value = api.extensions.get(SERVICE_LEVEL)
        if value is None:
            members = sorted([*api.links, *api.extensions])
            ctx.note(
                "declaration", f"link context of {anchor}: {', '.join(members)}", anchor=anchor
            )
            ctx.fail(
                f"API {anchor} declares no {SERVICE_LEVEL} in the api-catalog (expected "
                "availability, p95_latency_ms and support; EIF organisational layer)"
            )
        try:
            level = parse_service_level(value)
        except ValueError as exc:
            ctx.note("declaration", f"{SERVICE_LEVEL} of {anchor}", value=value)
            ctx.fail(f"API {anchor}: {exc}")
        found.append((anchor, level))
    return found


@check("DEP-SLA-01")
def service_levels(ctx: CheckContext) -> str:
    """Each API of the catalogue declares availability, p95 latency and a support contact."""
    levels = declared_levels(ctx)
    for anchor, level in levels:
        ctx.note(
            "declaration",
            f"{anchor}: availability {level.availability:g}, p95 {level.p95_latency_ms:g} ms, "
            f"error budget {level.error_budget:g}, support {', '.join(level.support.values())}",
            anchor=anchor,
            availability=level.availability,
            p95_latency_ms=level.p95_latency_ms,
            error_budget=level.error_budget,
            support=level.support,
        )
    return f"{len(levels)} API(s) declare availability, p95 latency and a support contact"


@check("DEP-SLA-02")
def service_levels_met(ctx: CheckContext) -> str:
    """Over this run, measured p95 latency and failure rate stay within the declaration."""
    levels = [level for _, level in declared_levels(ctx)]
    target_ms = min(level.p95_latency_ms for level in levels)
    budget = min(level.error_budget for level in levels)
    own = _sample(ctx, int(ctx.params.get("samples", 20)))
    stats = ctx.client.stats
    latencies = list(stats.latencies_s)
    failed = stats.server_errors + stats.transport_errors
    total = len(latencies) + stats.transport_errors
    if not latencies:
        raise Inconclusive("no exchange with the target completed: nothing to measure")
    measured = p95(latencies) * 1000
    slowest = sorted(own, key=lambda x: x.elapsed_s, reverse=True)[:3]
    for exchange in slowest:
        ctx.cite(exchange, "slowest of the sample")
    ctx.note(
        "timing",
        f"p95 {measured:.0f} ms measured over {len(latencies)} exchange(s) (declared "
        f"{target_ms:g} ms); {failed} of {total} failed (budget {budget:g})",
        measured_p95_ms=round(measured, 1),
        declared_p95_ms=target_ms,
        exchanges=len(latencies),
        own_sample=len(own),
        server_errors=stats.server_errors,
        transport_errors=stats.transport_errors,
        error_budget=budget,
        max_ms=round(max(latencies) * 1000, 1),
    )
    if measured > target_ms:
        ctx.fail(
            f"measured p95 latency {measured:.0f} ms over the run's {len(latencies)} exchanges "
            f"exceeds the declared p95_latency_ms {target_ms:g} (slowest sampled: "
            f"{slowest[0].url} {slowest[0].elapsed_s * 1000:.0f} ms)"
        )
    if failed > budget * total:
        ctx.fail(
            f"{failed} of {total} requests failed (5xx or no answer), a rate of "
            f"{failed / total:.3f}, above the declared error_budget {budget:g}"
        )
    return (
        f"p95 {measured:.0f} ms ≤ {target_ms:g} ms declared, {failed} of {total} failed "
        f"(budget {budget:g}), over {len(latencies)} exchanges ({len(own)} sampled by this check)"
    )


def _sample(ctx: CheckContext, count: int) -> list[Exchange]:
    """`count` read-only GETs spread round-robin over the catalogue's on-target links and the
    OpenAPI documents' unprotected GET operations without path parameters."""
    urls = [
        link.href
        for api in ctx.discovery.apis()
        for relation in ("service-desc", "service-doc", "status")
        for link in api.links.get(relation, ())
        if ctx.client.on_target(link.href)
    ]
    try:
        documents = ctx.discovery.openapi_documents()
    except (PreconditionMissing, Inconclusive):
        documents = []
    for doc in documents:
        urls += [
            doc.url_for(op, {})
            for op in doc.operations()
            if op.method == "get" and "{" not in op.path and not doc.is_protected(op)
        ]
    urls = [u for u in dict.fromkeys(urls) if ctx.client.on_target(u)]
    if not urls:
        raise PreconditionMissing("the target offers no read-only URL to sample")
    own = []
    for i in range(max(0, count)):
        try:
            own.append(ctx.client.get(urls[i % len(urls)]))
        except Inconclusive:
            continue  # counted by the client as a transport error
    return own
