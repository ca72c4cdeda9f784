"""NET-HSTS-01: Strict-Transport-Security with max-age >= 31536000."""

from __future__ import annotations

from urllib.parse import urlsplit

from conformance.client.context import CheckContext
from conformance.client.http import Exchange
from conformance.core.errors import Inconclusive, PreconditionMissing
from conformance.core.registry import check
from conformance.network.hsts_policy import parse_hsts, several_fields


@check("NET-HSTS-01")
def hsts(ctx: CheckContext) -> str:
    """The catalogue and the OpenAPI document answer with an HSTS policy of a long max-age."""
    minimum = int(ctx.params.get("min_max_age", 31536000))
    urls = [ctx.target.catalog_url]
    try:
        urls += [d.url for d in ctx.discovery.openapi_documents()]
    except (PreconditionMissing, Inconclusive) as exc:
        ctx.note("note", f"only the catalogue was checked: {getattr(exc, 'reason', exc)}")
    https = [u for u in dict.fromkeys(urls) if urlsplit(u).scheme == "https"]
    if not https:
        ctx.fail(
            f"the target is not served over https ({urls[0]}): a Strict-Transport-Security "
            "policy only takes effect over secure transport (RFC 6797 §7.2)"
        )
    policies = []
    for url in https:
        exchange = ctx.client.get(url, follow_redirects=False, reuse=True)
        ctx.cite(exchange, "HSTS")
        policies.append(_hsts_policy(ctx, exchange, minimum))
    shown = " | ".join(dict.fromkeys(policies))
    return f"Strict-Transport-Security on {len(https)} answer(s): {shown}"


def _hsts_policy(ctx: CheckContext, exchange: Exchange, minimum: int) -> str:
    """The header's value when it is valid with max-age >= minimum; else fail."""
    where = f"{exchange.method} {exchange.url} → {exchange.status}"
    value = exchange.header("Strict-Transport-Security")
    if value is None:
        ctx.fail(f"{where} has no Strict-Transport-Security header (RFC 6797 §6.1)")
    try:
        policy = parse_hsts(value)
    except ValueError as exc:
        ctx.fail(f"{where}: Strict-Transport-Security {value!r} is invalid: {exc}")
    if policy.max_age < minimum:
        ctx.fail(
            f"{where}: Strict-Transport-Security {value!r} has max-age {policy.max_age}, "
            f"expected at least {minimum} (RFC 6797 §6.1.1; profile parameter min_max_age)"
        )
    if several_fields(value):
        ctx.note(
            "note", f"{where} sends several Strict-Transport-Security fields; the first counts"
        )
    return value
