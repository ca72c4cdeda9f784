"""DEP-CAT-01: /.well-known/api-catalog answers 200 application/linkset+json, linking each API's
service-desc (OpenAPI), service-doc and status."""

from __future__ import annotations

from conformance.client.context import CheckContext
from conformance.client.discovery import parse_document
from conformance.core.registry import check
from conformance.documents.linkset import CATALOG_MEDIA_TYPE, REQUIRED_RELATIONS, parse_linkset


@check("DEP-CAT-01")
def api_catalog(ctx: CheckContext) -> str:
    """The api-catalog is a linkset that links each API's description, documentation, status."""
    exchange = ctx.client.get(ctx.target.catalog_url, headers={"Accept": CATALOG_MEDIA_TYPE})
    ctx.cite(exchange, "api-catalog")
    if exchange.status != 200:
        ctx.fail(f"{ctx.target.catalog_url} answered {exchange.status}, expected 200")
    if exchange.media_type != CATALOG_MEDIA_TYPE:
        ctx.fail(
            f"the api-catalog is served as {exchange.media_type or 'no content type'!r}, "
            f"expected {CATALOG_MEDIA_TYPE!r} (RFC 9727 §4)"
        )
    try:
        apis = parse_linkset(parse_document(exchange), exchange.url)
    except ValueError as exc:
        ctx.fail(f"the api-catalog is not a valid linkset: {exc}")
    for api in apis:
        missing = [rel for rel in REQUIRED_RELATIONS if not api.links.get(rel)]
        if missing:
            ctx.fail(f"API {api.anchor or '(no anchor)'} has no {', '.join(missing)} link")
    return f"api-catalog lists {len(apis)} API(s), each with service-desc, service-doc and status"
