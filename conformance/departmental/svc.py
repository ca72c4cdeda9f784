"""DEP-SVC-01: the public-service descriptions (JSON-LD) conform to the CPSV-AP shapes: identifier,
name, description, competent authority, legal basis, processing time, required evidence."""

from __future__ import annotations

from typing import Any

from conformance.client.context import CheckContext
from conformance.client.http import Exchange
from conformance.core.errors import Inconclusive
from conformance.core.registry import check
from conformance.departmental import cpsv
from conformance.departmental.common import links_on_target
from conformance.documents import rdf

JSON_LD_TYPES = ("application/ld+json", "application/json")


# -- DEP-SVC-01 --------------------------------------------------------------------------------
@check("DEP-SVC-01")
def public_services(ctx: CheckContext) -> str:
    """The public-service descriptions (JSON-LD) conform to the CPSV-AP subset shapes."""
    relation = str(ctx.params.get("relation", "service-meta"))
    urls = links_on_target(ctx, relation, JSON_LD_TYPES)
    name = str(ctx.params.get("shapes", cpsv.DEFAULT_SHAPES))
    try:
        shapes = cpsv.load_shapes(cpsv.shapes_path(name, ctx.profile_dir))
    except (OSError, rdf.RdfError) as exc:
        raise Inconclusive(f"cannot read the SHACL shapes {name!r}: {exc}") from None
    limit, shown = (
        int(ctx.params.get("max_nodes", 200_000)),
        int(ctx.params.get("max_findings", 20)),
    )
    described = []
    set_aside: dict[rdf.UndefinedShape, None] = {}
    for url in urls:
        exchange = ctx.client.get(url, headers={"Accept": "application/ld+json"})
        ctx.cite(exchange, "public-service description")
        graph = _description_graph(ctx, exchange, limit)
        found = cpsv.services(graph)
        if not found:
            ctx.fail(f"{url} describes no cpsv:PublicService (CPSV-AP: the public service class)")
        outcome = rdf.validation(graph, shapes)
        for undefined in outcome.set_aside:
            if undefined not in set_aside:
                set_aside[undefined] = None
                ctx.note("shapes", undefined.describe(), shapes=name, **undefined.to_dict())
        violations = [v for v in outcome.violations if v.severity == "Violation"]
        for v in violations[:shown]:
            ctx.note(
                "validation", f"SHACL: {v.focus} {v.path}: {v.message}", url=url, **v.to_dict()
            )
        if violations:
            ctx.reproduce = ctx.client.curl(exchange)
            first = violations[0]
            more = f" (and {len(violations) - 1} more)" if len(violations) > 1 else ""
            ctx.fail(
                f"{url} does not conform to the CPSV-AP shapes ({name}): {first.focus} "
                f"sh:resultPath {first.path or '(node)'}: {first.message} "
                f"({first.component}){more}{rdf.set_aside_words(set_aside)}"
            )
        described.extend(found)
    return (
        f"{len(described)} public service(s) in {len(urls)} description(s) conform to {name}"
        f"{rdf.set_aside_words(set_aside)}"
    )


def _description_graph(ctx: CheckContext, exchange: Exchange, limit: int) -> Any:
    url = exchange.url
    if exchange.status != 200:
        ctx.fail(f"the public-service description {url} answered {exchange.status}, expected 200")
    if exchange.media_type not in JSON_LD_TYPES:
        ctx.fail(
            f"the public-service description {url} is served as {exchange.media_type!r}, "
            "expected 'application/ld+json' (JSON-LD 1.1 §C)"
        )
    try:
        return cpsv.read_description(exchange.body, url, limit)
    except cpsv.RemoteContext as exc:
        raise Inconclusive(f"cannot read {url} without fetching: {exc}") from None
    except rdf.RdfError as exc:
        ctx.fail(f"the public-service description {url} is not usable JSON-LD: {exc}")
