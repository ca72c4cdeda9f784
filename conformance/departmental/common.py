"""What several departmental checks share (the checks are in the family modules beside this one)."""

from __future__ import annotations

from collections.abc import Callable

from conformance.client.context import CheckContext
from conformance.core.errors import PreconditionMissing
from conformance.departmental.oas_rules import (
    Finding,
)
from conformance.documents.openapi import OpenApiDocument


def has_credentials(ctx: CheckContext) -> bool:
    return ctx.client.has_credentials()


# -- DEP-OAS-02 / DEP-OAS-03 / DEP-VER-02: rules on the documents' content ----------------------
def document_rules(
    ctx: CheckContext, rule: Callable[[OpenApiDocument], list[Finding]], what: str
) -> int:
    """Apply `rule` to every OpenAPI document; fail listing (JSON path: defect) findings."""
    documents = ctx.discovery.openapi_documents()
    findings = [(doc.url, where, defect) for doc in documents for where, defect in rule(doc)]
    if findings:
        shown = int(ctx.params.get("max_findings", 10))
        ctx.note(
            "validation",
            f"{len(findings)} finding(s): {what}",
            findings=[{"url": u, "json_path": w, "message": d} for u, w, d in findings[:shown]],
            truncated=len(findings) > shown,
        )
        url, where, defect = findings[0]
        more = f" (and {len(findings) - 1} more)" if len(findings) > 1 else ""
        ctx.fail(f"{url} {where}: {defect}{more} ({what})")
    ctx.note(
        "validation",
        f"{len(documents)} OpenAPI document(s) examined, no finding: {what}",
        documents=[doc.url for doc in documents],
    )
    return len(documents)


def links_on_target(ctx: CheckContext, relation: str, types: tuple[str, ...] = ()) -> list[str]:
    """The catalogue's on-target links of one relation (with a matching or no type), deduped.

    PreconditionMissing when there are none, naming the off-target ones that were left alone.
    """
    links = [link for api in ctx.discovery.apis() for link in api.links.get(relation, ())]
    typed = [
        link
        for link in links
        if not types or not link.type or link.type.split(";")[0].strip().lower() in types
    ]
    urls = list(dict.fromkeys(link.href for link in typed if ctx.client.on_target(link.href)))
    if not urls:
        away = [link.href for link in typed if not ctx.client.on_target(link.href)]
        elsewhere = f" (only off the target's hosts, not followed: {away[0]})" if away else ""
        raise PreconditionMissing(f"the api-catalog links no {relation} on the target{elsewhere}")
    return urls
