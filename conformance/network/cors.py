"""NET-CORS-01: a preflight from an origin not allowed gets no CORS grant; never * together with
credentials."""

from __future__ import annotations

from urllib.parse import urlsplit

from conformance.client.context import CheckContext
from conformance.core.errors import Inconclusive, PreconditionMissing
from conformance.core.registry import check


@check("NET-CORS-01")
def cors_preflight(ctx: CheckContext) -> str:
    """A preflight from a foreign origin gets no grant; never `*` with credentials."""
    origin = str(ctx.params.get("foreign_origin", "https://foreign-origin.invalid"))
    urls = [ctx.target.catalog_url]
    try:
        urls += [d.url for d in ctx.discovery.openapi_documents()]
    except (PreconditionMissing, Inconclusive) as exc:
        ctx.note("note", f"only the catalogue was tried: {getattr(exc, 'reason', exc)}")
    decided = []
    for url in dict.fromkeys(urls):
        exchange = ctx.client.request(
            "OPTIONS",
            url,
            headers={
                "Origin": origin,
                "Access-Control-Request-Method": "GET",
                "Access-Control-Request-Headers": "authorization",
            },
            follow_redirects=False,
        )
        ctx.cite(exchange, f"CORS preflight from {origin}")
        granted = exchange.header("Access-Control-Allow-Origin")
        credentials = (exchange.header("Access-Control-Allow-Credentials") or "").strip().lower()
        where = f"OPTIONS {url} from Origin {origin} → {exchange.status}"
        if granted is not None and granted.strip() == "*" and credentials == "true":
            ctx.fail(
                f"{where} grants Access-Control-Allow-Origin: * with "
                "Access-Control-Allow-Credentials: true (Fetch standard §3.2.5: never both)"
            )
        if granted is not None and granted.strip() in ("*", origin):
            ctx.fail(
                f"{where} grants Access-Control-Allow-Origin {granted!r} to an origin that is not "
                "allowed (Fetch standard §3.2.5, CORS protocol)"
            )
        decided.append(f"{urlsplit(url).path} → {exchange.status}, no grant")
    return f"preflights from {origin}: {'; '.join(decided)}"
