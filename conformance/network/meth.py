"""NET-METH-01: a declared GET also answers HEAD; a method the path does not declare answers 405
with Allow; a trailing slash is not redirected."""

from __future__ import annotations

from urllib.parse import urlsplit

from conformance.client.context import CheckContext
from conformance.core.errors import PreconditionMissing
from conformance.core.model import SafetyClass
from conformance.core.registry import check
from conformance.documents.openapi import HTTP_METHODS


@check("NET-METH-01")
def http_methods(ctx: CheckContext) -> str:
    """HEAD answers like GET; an undeclared method gets 405 with Allow; no slash redirect."""
    limit = max(1, int(ctx.params.get("max_paths", 3)))
    candidates = []
    for doc in ctx.discovery.openapi_documents():
        for path, item in (doc.data.get("paths") or {}).items():
            if isinstance(item, dict) and "{" not in path and isinstance(item.get("get"), dict):
                declared = {m for m in HTTP_METHODS if isinstance(item.get(m), dict)}
                candidates.append((doc.server_url() + path, declared))
    if not candidates:
        raise PreconditionMissing(
            "the OpenAPI document declares no GET operation without path parameters"
        )
    decided = []
    for url, _ in candidates[:limit]:
        get = ctx.client.get(url, follow_redirects=False, reuse=True)
        head = ctx.client.request("HEAD", url, follow_redirects=False)
        ctx.cite(get, "GET")
        ctx.cite(head, "HEAD")
        if head.status != get.status or head.body:
            ctx.fail(
                f"HEAD {url} answered {head.status} with {len(head.body)} body bytes while GET "
                f"answered {get.status}: HEAD must answer like GET, without content "
                "(RFC 9110 §9.3.2)"
            )
        slash = ctx.client.get(url + "/", follow_redirects=False)
        ctx.cite(slash, "trailing slash")
        if 300 <= slash.status < 400:
            ctx.fail(
                f"GET {url}/ answered {slash.status} to {slash.header('Location')!r}: a trailing "
                "slash must not be redirected (NL API Design Rules)"
            )
        decided.append(f"{urlsplit(url).path}: HEAD={head.status}, '/'→{slash.status}")
    url, declared = candidates[0]
    undeclared = next(m for m in ("delete", "put", "patch", "post") if m not in declared)
    if SafetyClass.WRITE not in ctx.allow:
        raise PreconditionMissing(
            f"HEAD and trailing slash verified ({'; '.join(decided)}); the 405 probe sends "
            f"{undeclared.upper()}: opt in with --allow write"
        )
    wrong = ctx.client.request(undeclared.upper(), url, follow_redirects=False)
    ctx.cite(wrong, f"undeclared {undeclared.upper()}")
    allow = wrong.header("Allow")
    if wrong.status != 405 or allow is None:
        ctx.reproduce = ctx.client.curl(wrong)
        ctx.fail(
            f"{undeclared.upper()} {url} (not declared for the path) answered {wrong.status} with "
            f"Allow {allow!r}; expected 405 with an Allow header (RFC 9110 §15.5.6)"
        )
    return f"{'; '.join(decided)}; {undeclared.upper()} → 405 Allow: {allow}"
