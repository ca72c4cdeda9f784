"""NET-HTTP-01: plain HTTP is refused or redirected (301/308) to https on the same host; no content
over http."""

from __future__ import annotations

from urllib.parse import urljoin, urlsplit

from conformance.client.context import CheckContext
from conformance.core.errors import Inconclusive, PreconditionMissing
from conformance.core.registry import check

# -- plain HTTP --------------------------------------------------------------------------------
REFUSED_MARK = "connection refused"


@check("NET-HTTP-01")
def plain_http_refused(ctx: CheckContext) -> str:
    """Plain HTTP is refused, or redirected (301/308) to https on the same host, never content."""
    base = urlsplit(ctx.target.base_url)
    if base.scheme == "http":
        # the target itself is plain HTTP: its own origin is what must not serve content
        http_base = f"http://{base.netloc}"
    else:
        http_base = ctx.target.http_url or f"http://{base.hostname}"
    paths = [urlsplit(ctx.target.catalog_url).path or "/"]
    try:
        paths += [urlsplit(d.url).path for d in ctx.discovery.openapi_documents()]
    except (PreconditionMissing, Inconclusive) as exc:
        ctx.note("note", f"only the catalogue path was tried: {getattr(exc, 'reason', exc)}")
    decided = []
    for path in dict.fromkeys(paths):
        url = http_base.rstrip("/") + path
        try:
            exchange = ctx.client.get(url, follow_redirects=False)
        except Inconclusive as exc:
            if REFUSED_MARK in exc.message:
                ctx.note("tcp", f"GET {url}: connection refused", url=url)
                decided.append(f"{path}: connection refused")
                continue
            raise
        ctx.cite(exchange, "plain HTTP")
        where = f"GET {url} → {exchange.status}"
        if exchange.status in (301, 308):
            location = urlsplit(urljoin(url, exchange.header("Location") or ""))
            if location.scheme != "https" or location.hostname != urlsplit(url).hostname:
                ctx.fail(
                    f"{where} redirects to {location.geturl()!r}, expected https on the same host "
                    "(NL API Design Rules; RFC 6797 §7.2)"
                )
            decided.append(f"{path}: {exchange.status} to {location.geturl()}")
        elif 400 <= exchange.status < 500:
            decided.append(f"{path}: refused with {exchange.status}")
        else:
            ctx.reproduce = ctx.client.curl(exchange)
            what = f"{len(exchange.body)} bytes of {exchange.media_type or 'content'}"
            ctx.fail(
                f"{where} with {what} over plain HTTP; expected a refusal or a 301/308 redirect "
                "to https without content (NL API Design Rules; RFC 6797 §7.2)"
            )
    return "plain HTTP never serves content: " + "; ".join(decided)
