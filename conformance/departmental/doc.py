"""DEP-DOC-01: the service-doc link answers 200 with human documentation."""

from __future__ import annotations

import re

from conformance.client.context import CheckContext
from conformance.core.registry import check
from conformance.departmental.common import links_on_target

HUMAN_TYPES = (
    "text/html",
    "application/xhtml+xml",
    "text/markdown",
    "text/plain",
    "application/pdf",
)

DOC_ACCEPT = (
    "text/html, application/xhtml+xml;q=0.9, text/markdown;q=0.8, text/plain;q=0.7, "
    "application/pdf;q=0.6"
)

_TAGS = re.compile(r"<(script|style)\b.*?</\1>|<[^>]*>", re.S | re.I)


# -- DEP-DOC-01 -------------------------------------------------------------------------------
@check("DEP-DOC-01")
def documentation(ctx: CheckContext) -> str:
    """Each on-target service-doc link answers 200 with human-readable documentation."""
    urls = links_on_target(ctx, "service-doc")
    for url in urls:
        exchange = ctx.client.get(url, headers={"Accept": DOC_ACCEPT})
        ctx.cite(exchange, "service-doc")
        if exchange.status != 200:
            ctx.fail(f"the service-doc link {url} answered {exchange.status}, expected 200")
        if exchange.media_type not in HUMAN_TYPES:
            ctx.fail(
                f"the service-doc link {url} is served as {exchange.media_type or 'no type'!r}, "
                f"not documentation for people ({', '.join(HUMAN_TYPES)}; RFC 9727 §2)"
            )
        text = exchange.text()
        if "html" in exchange.media_type:
            text = _TAGS.sub(" ", text)
        if len(text.split()) < 3:
            ctx.fail(f"the service-doc link {url} answered {len(exchange.body)} bytes of no text")
    return f"{len(urls)} service-doc link(s) answer 200 with human documentation"
