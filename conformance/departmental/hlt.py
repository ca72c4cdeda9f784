"""DEP-HLT-01: the status link answers 200 application/health+json with status: pass."""

from __future__ import annotations

from conformance.client.context import CheckContext
from conformance.core.registry import check
from conformance.departmental.common import links_on_target

HEALTH_MEDIA_TYPE = "application/health+json"

HEALTHY = ("pass", "ok", "up")  # draft-inadarei-api-health-check §3.1: ok, up alias pass


# -- DEP-HLT-01 -------------------------------------------------------------------------------
@check("DEP-HLT-01")
def health(ctx: CheckContext) -> str:
    """Each on-target status link answers 200 application/health+json with status pass."""
    urls = links_on_target(ctx, "status")
    for url in urls:
        exchange = ctx.client.get(url, headers={"Accept": HEALTH_MEDIA_TYPE})
        ctx.cite(exchange, "status")
        if exchange.status != 200:
            ctx.fail(f"the status link {url} answered {exchange.status}, expected 200")
        if exchange.media_type != HEALTH_MEDIA_TYPE:
            ctx.fail(
                f"the status link {url} is served as {exchange.media_type or 'no content type'!r}"
                f", expected {HEALTH_MEDIA_TYPE!r} (draft-inadarei-api-health-check §3)"
            )
        try:
            body = exchange.json()
        except (ValueError, RecursionError):
            ctx.fail(f"the status link {url} answered a body that is not JSON")
        status = body.get("status") if isinstance(body, dict) else None
        if status not in HEALTHY:
            ctx.fail(
                f"the status link {url} reports status {status!r}, expected 'pass' "
                "(draft-inadarei-api-health-check §3.1)"
            )
    return f"{len(urls)} status link(s) answer application/health+json with status pass"
