"""DATA-RDF-01: published RDF / JSON-LD conforms to the declared SHACL shapes (e.g. DCAT-AP)."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from conformance.client.context import CheckContext
from conformance.client.http import Exchange
from conformance.core.errors import Inconclusive, PreconditionMissing
from conformance.core.inputs import declare_input
from conformance.core.registry import check
from conformance.data.common import SHOWN, read_input_document
from conformance.documents import rdf

RDF_ACCEPT = "application/ld+json, text/turtle;q=0.9"


#: RDF documents on the target (a URL or path, or the api-catalog links of a relation) and the
#: SHACL shapes each must conform to: a shipped name (`rdf.BUILTIN_SHAPES`), a file or a document
RDF = declare_input(
    "rdf",
    {
        "type": "array",
        "items": {
            "type": "object",
            "required": ["shapes"],
            "properties": {
                "url": {"type": "string"},
                "relation": {"type": "string"},
                "shapes": {"type": "string"},
            },
            "oneOf": [{"required": ["url"]}, {"required": ["relation"]}],
            "additionalProperties": False,
        },
    },
    paths=("/*/shapes",),
    builtins=rdf.BUILTIN_SHAPES,
    description="RDF documents and the SHACL shapes they must conform to",
)


# -- DATA-RDF-01 -------------------------------------------------------------------------------
@check("DATA-RDF-01")
def rdf_shapes(ctx: CheckContext) -> str:
    """Published RDF / JSON-LD conforms to the declared SHACL shapes."""
    entries = RDF.require(ctx)
    if not entries:
        raise PreconditionMissing("inputs.rdf declares no RDF document")
    violations: list[str] = []
    set_aside: dict[rdf.UndefinedShape, None] = {}
    checked = 0
    for entry in entries:
        name = str(entry["shapes"])
        shapes = _shapes(ctx, name)
        for url in _rdf_urls(ctx, entry):
            exchange = ctx.client.get(url, headers={"Accept": RDF_ACCEPT}, reuse=True)
            outcome = _validation(ctx, exchange, shapes, name)
            checked += 1
            _note_set_aside(ctx, name, outcome, set_aside)
            found = outcome.violations
            for violation in found[: int(ctx.params.get("max_findings", 20))]:
                ctx.note(
                    "validation",
                    f"SHACL: {violation.focus} {violation.path}: {violation.message}",
                    url=exchange.url,
                    shapes=entry["shapes"],
                    **violation.to_dict(),
                )
            bad = [v for v in found if v.severity == "Violation"]
            if bad:
                ctx.cite(exchange, f"RDF not conforming to {entry['shapes']}")
                ctx.reproduce = ctx.reproduce or ctx.client.curl(exchange)
                violations.extend(
                    f"{exchange.url}: {v.focus} {v.path or ''}: {v.message} ({v.component})"
                    for v in bad
                )
            elif checked == 1:
                ctx.cite(exchange, f"RDF conforming to {entry['shapes']}")
    aside = rdf.set_aside_words(set_aside)
    if violations:
        more = f" (and {len(violations) - SHOWN} more)" if len(violations) > SHOWN else ""
        ctx.fail(
            f"{len(violations)} SHACL violation(s): {'; '.join(violations[:SHOWN])}{more} "
            f"(W3C SHACL){aside}"
        )
    return f"{checked} RDF document(s) conform to their SHACL shapes{aside}"


def _note_set_aside(
    ctx: CheckContext,
    name: str,
    outcome: rdf.Validation,
    noted: dict[rdf.UndefinedShape, None],
) -> None:
    """Note, once each, the references to undefined shapes that were set aside."""
    for undefined in outcome.set_aside:
        if undefined not in noted:
            noted[undefined] = None
            ctx.note("shapes", undefined.describe(), shapes=name, **undefined.to_dict())


def _rdf_urls(ctx: CheckContext, entry: dict[str, Any]) -> list[str]:
    if entry.get("url"):
        return [ctx.client.url(str(entry["url"]))]
    relation = str(entry.get("relation") or "")
    urls = [
        link.href
        for api in ctx.discovery.apis()
        for link in api.links.get(relation, ())
        if ctx.client.on_target(link.href)
        and (not link.type or link.type.split(";")[0].strip().lower() in rdf.FORMATS)
    ]
    if not urls:
        raise PreconditionMissing(f"the api-catalog has no {relation!r} link to RDF on the target")
    return urls


def _shapes(ctx: CheckContext, name: str) -> Any:
    try:
        if name in rdf.BUILTIN_SHAPES:
            return rdf.builtin_shapes(name)
        data, base, media = read_input_document(
            ctx, name, "SHACL shapes", "text/turtle, application/ld+json"
        )
        if Path(urlsplit(base).path).suffix == ".ttl" and media not in rdf.FORMATS:
            media = "text/turtle"
        return rdf.parse_graph(data, media, base)
    except rdf.RdfError as exc:
        raise Inconclusive(f"the SHACL shapes {name} are unusable: {exc}") from None


def _validation(ctx: CheckContext, exchange: Exchange, shapes: Any, name: str) -> rdf.Validation:
    if exchange.status != 200:
        ctx.cite(exchange, "RDF document")
        raise Inconclusive(f"{exchange.url} answered {exchange.status}, expected 200 with RDF")
    try:
        graph = rdf.parse_graph(exchange.body, exchange.media_type, exchange.url)
    except rdf.RemoteContext as exc:
        ctx.cite(exchange, "RDF document")
        raise Inconclusive(f"cannot read {exchange.url} without fetching: {exc}") from None
    except rdf.RdfError as exc:
        ctx.cite(exchange, "RDF document")
        ctx.fail(f"{exchange.url} is not usable RDF: {exc} (W3C JSON-LD 1.1 / RDF 1.1)")
    try:
        return rdf.validation(graph, shapes)
    except rdf.ShapesUnusable as exc:
        raise Inconclusive(exc.reason(name)) from None
