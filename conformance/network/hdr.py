"""NET-HDR-01: X-Content-Type-Options: nosniff; Cache-Control: no-store on responses carrying
personal data."""

from __future__ import annotations

from conformance.client.context import CheckContext
from conformance.core.errors import Inconclusive, PreconditionMissing
from conformance.core.registry import check
from conformance.inputs.shared import RESOURCES


# -- headers, methods, CORS --------------------------------------------------------------------
def _personal_data_urls(ctx: CheckContext) -> list[str]:
    """Paths whose answers carry personal data: profile parameter, then the declared resources."""
    paths = [str(p) for p in ctx.params.get("personal_data_paths", []) or []]
    resources = RESOURCES.read(ctx) or {}
    if isinstance(resources, dict):
        paths += [
            str(r["collection"])
            for r in resources.values()
            if isinstance(r, dict) and r.get("collection")
        ]
    return [ctx.client.url(p) for p in dict.fromkeys(paths)]


@check("NET-HDR-01")
def security_headers(ctx: CheckContext) -> str:
    """nosniff on every answer; Cache-Control: no-store on answers carrying personal data."""
    urls = [ctx.target.catalog_url]
    try:
        urls += [d.url for d in ctx.discovery.openapi_documents()]
    except (PreconditionMissing, Inconclusive) as exc:
        ctx.note("note", f"the OpenAPI documents were not checked: {getattr(exc, 'reason', exc)}")
    personal = _personal_data_urls(ctx)
    problems, checked = [], 0
    for url in dict.fromkeys(urls + personal):
        exchange = ctx.client.get(url, follow_redirects=False, reuse=True)
        ctx.cite(exchange, "security headers")
        checked += 1
        where = f"GET {url} → {exchange.status}"
        nosniff = (exchange.header("X-Content-Type-Options") or "").strip().lower()
        if nosniff != "nosniff":
            problems.append(
                f"{where} has X-Content-Type-Options "
                f"{exchange.header('X-Content-Type-Options')!r}, expected 'nosniff'"
            )
        if url in personal:
            directives = {
                d.strip().lower() for d in (exchange.header("Cache-Control") or "").split(",")
            }
            if "no-store" not in directives:
                problems.append(
                    f"{where} carries personal data with Cache-Control "
                    f"{exchange.header('Cache-Control')!r}, expected no-store (RFC 9111 §5.2.2.5)"
                )
    if problems:
        ctx.fail("; ".join(problems) + " (OWASP Secure Headers Project)")
    return (
        f"{checked} answers carry X-Content-Type-Options: nosniff; {len(personal)} with personal "
        "data carry Cache-Control: no-store"
    )
