"""NET-LOAD-01: under 10 concurrent clients for 200 requests: no connection errors, p95 within the
declared target."""

from __future__ import annotations

from conformance.client.context import CheckContext
from conformance.core.errors import PreconditionMissing
from conformance.core.registry import check
from conformance.network import bursts
from conformance.network.common import declared_service_level


@check("NET-LOAD-01")
def under_load(ctx: CheckContext) -> str:
    """`concurrency` clients send `requests` GETs: no connection error or 5xx, p95 within target."""
    concurrency = int(ctx.params.get("concurrency", 10))
    total = int(ctx.params.get("requests", 200))
    levels = declared_service_level(ctx)
    target_ms = ctx.params.get("p95_ms") or levels.get("p95_latency_ms")
    if not target_ms:
        raise PreconditionMissing(
            "no declared p95 latency: neither service-level.p95_latency_ms in the catalogue nor "
            "the profile parameter p95_ms"
        )
    path = ctx.params.get("path")
    if not path:
        status_links = [h for api in ctx.discovery.apis() for h in api.hrefs("status")]
        path = status_links[0] if status_links else ctx.target.catalog_url
    url = ctx.client.url(str(path))
    result = bursts.burst(ctx.client, url, total=total, concurrency=concurrency)
    p95_ms = result.percentile(95) * 1000
    ctx.note("load", f"{total} GET {url} from {concurrency} clients", url=url, **result.evidence())
    server_errors = {s: n for s, n in result.statuses.items() if s >= 500}
    summary = f"{result.sent} GET {url} from {concurrency} concurrent clients"
    if result.errors:
        ctx.fail(f"{summary}: connection errors {dict(result.errors)} (EIF technical layer)")
    if server_errors:
        ctx.fail(f"{summary}: server errors {server_errors}")
    if p95_ms > float(target_ms):
        ctx.fail(
            f"{summary}: p95 latency {p95_ms:.0f} ms exceeds the declared {float(target_ms):g} ms "
            f"(p50 {result.percentile(50) * 1000:.0f} ms, "
            f"max {result.percentile(100) * 1000:.0f} ms)"
        )
    return f"{summary}: no errors, p95 {p95_ms:.0f} ms within {float(target_ms):g} ms"
