"""Departmental level, what the catalogue declares: public services (CPSV-AP), service levels,
data-sharing agreements, health and documentation. Registered through `departmental`."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from conformance.client.context import CheckContext
from conformance.client.http import Exchange
from conformance.core.errors import Inconclusive, PreconditionMissing
from conformance.core.registry import check
from conformance.departmental import cpsv
from conformance.documents import rdf
from conformance.documents.service_levels import (
    AGREEMENTS,
    SERVICE_LEVEL,
    Agreement,
    ServiceLevel,
    p95,
    parse_agreements,
    parse_service_level,
    providers,
)

HEALTH_MEDIA_TYPE = "application/health+json"
HEALTHY = ("pass", "ok", "up")  # draft-inadarei-api-health-check §3.1: ok, up alias pass
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
JSON_LD_TYPES = ("application/ld+json", "application/json")
_TAGS = re.compile(r"<(script|style)\b.*?</\1>|<[^>]*>", re.S | re.I)


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
    for url in urls:
        exchange = ctx.client.get(url, headers={"Accept": "application/ld+json"})
        ctx.cite(exchange, "public-service description")
        graph = _description_graph(ctx, exchange, limit)
        found = cpsv.services(graph)
        if not found:
            ctx.fail(f"{url} describes no cpsv:PublicService (CPSV-AP: the public service class)")
        violations = [v for v in rdf.validate(graph, shapes) if v.severity == "Violation"]
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
                f"({first.component}){more}"
            )
        described.extend(found)
    return f"{len(described)} public service(s) in {len(urls)} description(s) conform to {name}"


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


# -- DEP-SLA-01 / DEP-SLA-02 ------------------------------------------------------------------
def declared_levels(ctx: CheckContext) -> list[tuple[str, ServiceLevel]]:
    """(anchor, service level) of every API; NonConformance for an absent or malformed one."""
    found = []
    for api in ctx.discovery.apis():
        anchor = api.anchor or "(no anchor)"
        value = api.extensions.get(SERVICE_LEVEL)
        if value is None:
            members = sorted([*api.links, *api.extensions])
            ctx.note(
                "declaration", f"link context of {anchor}: {', '.join(members)}", anchor=anchor
            )
            ctx.fail(
                f"API {anchor} declares no {SERVICE_LEVEL} in the api-catalog (expected "
                "availability, p95_latency_ms and support; EIF organisational layer)"
            )
        try:
            level = parse_service_level(value)
        except ValueError as exc:
            ctx.note("declaration", f"{SERVICE_LEVEL} of {anchor}", value=value)
            ctx.fail(f"API {anchor}: {exc}")
        found.append((anchor, level))
    return found


@check("DEP-SLA-01")
def service_levels(ctx: CheckContext) -> str:
    """Each API of the catalogue declares availability, p95 latency and a support contact."""
    levels = declared_levels(ctx)
    for anchor, level in levels:
        ctx.note(
            "declaration",
            f"{anchor}: availability {level.availability:g}, p95 {level.p95_latency_ms:g} ms, "
            f"error budget {level.error_budget:g}, support {', '.join(level.support.values())}",
            anchor=anchor,
            availability=level.availability,
            p95_latency_ms=level.p95_latency_ms,
            error_budget=level.error_budget,
            support=level.support,
        )
    return f"{len(levels)} API(s) declare availability, p95 latency and a support contact"


@check("DEP-SLA-02")
def service_levels_met(ctx: CheckContext) -> str:
    """Over this run, measured p95 latency and failure rate stay within the declaration."""
    levels = [level for _, level in declared_levels(ctx)]
    target_ms = min(level.p95_latency_ms for level in levels)
    budget = min(level.error_budget for level in levels)
    own = _sample(ctx, int(ctx.params.get("samples", 20)))
    stats = ctx.client.stats
    latencies = list(stats.latencies_s)
    failed = stats.server_errors + stats.transport_errors
    total = len(latencies) + stats.transport_errors
    if not latencies:
        raise Inconclusive("no exchange with the target completed: nothing to measure")
    measured = p95(latencies) * 1000
    slowest = sorted(own, key=lambda x: x.elapsed_s, reverse=True)[:3]
    for exchange in slowest:
        ctx.cite(exchange, "slowest of the sample")
    ctx.note(
        "timing",
        f"p95 {measured:.0f} ms measured over {len(latencies)} exchange(s) (declared "
        f"{target_ms:g} ms); {failed} of {total} failed (budget {budget:g})",
        measured_p95_ms=round(measured, 1),
        declared_p95_ms=target_ms,
        exchanges=len(latencies),
        own_sample=len(own),
        server_errors=stats.server_errors,
        transport_errors=stats.transport_errors,
        error_budget=budget,
        max_ms=round(max(latencies) * 1000, 1),
    )
    if measured > target_ms:
        ctx.fail(
            f"measured p95 latency {measured:.0f} ms over the run's {len(latencies)} exchanges "
            f"exceeds the declared p95_latency_ms {target_ms:g} (slowest sampled: "
            f"{slowest[0].url} {slowest[0].elapsed_s * 1000:.0f} ms)"
        )
    if failed > budget * total:
        ctx.fail(
            f"{failed} of {total} requests failed (5xx or no answer), a rate of "
            f"{failed / total:.3f}, above the declared error_budget {budget:g}"
        )
    return (
        f"p95 {measured:.0f} ms ≤ {target_ms:g} ms declared, {failed} of {total} failed "
        f"(budget {budget:g}), over {len(latencies)} exchanges ({len(own)} sampled by this check)"
    )


def _sample(ctx: CheckContext, count: int) -> list[Exchange]:
    """`count` read-only GETs spread round-robin over the catalogue's on-target links and the
    OpenAPI documents' unprotected GET operations without path parameters."""
    urls = [
        link.href
        for api in ctx.discovery.apis()
        for relation in ("service-desc", "service-doc", "status")
        for link in api.links.get(relation, ())
        if ctx.client.on_target(link.href)
    ]
    try:
        documents = ctx.discovery.openapi_documents()
    except (PreconditionMissing, Inconclusive):
        documents = []
    for doc in documents:
        urls += [
            doc.url_for(op, {})
            for op in doc.operations()
            if op.method == "get" and "{" not in op.path and not doc.is_protected(op)
        ]
    urls = [u for u in dict.fromkeys(urls) if ctx.client.on_target(u)]
    if not urls:
        raise PreconditionMissing("the target offers no read-only URL to sample")
    own = []
    for i in range(max(0, count)):
        try:
            own.append(ctx.client.get(urls[i % len(urls)]))
        except Inconclusive:
            continue  # counted by the client as a transport error
    return own


# -- DEP-AGR-01 -------------------------------------------------------------------------------
@check("DEP-AGR-01")
def agreements_in_force(ctx: CheckContext) -> str:
    """Each consumed peer is covered by a complete agreement in force on the day of the run."""
    agreements: list[Agreement] = []
    for api in ctx.discovery.apis():
        value = api.extensions.get(AGREEMENTS)
        if value is None:
            continue
        try:
            agreements += parse_agreements(value)
        except ValueError as exc:
            ctx.note("declaration", f"{AGREEMENTS} of {api.anchor}", value=value)
            ctx.fail(f"API {api.anchor}: {exc} (EIF legal interoperability)")
    consumed = [str(p) for p in ctx.inputs.get("consumes") or []] or providers(agreements)
    if not consumed:
        raise PreconditionMissing(
            f"the api-catalog declares no {AGREEMENTS} and inputs.consumes names no peer: "
            "no consumed peer to check"
        )
    zone = str(ctx.params.get("timezone", "UTC"))
    try:
        today = dt.datetime.now(ZoneInfo(zone)).date()
    except (ZoneInfoNotFoundError, ValueError):
        raise Inconclusive(f"timezone {zone!r} is not an IANA time zone name") from None
    for agreement in agreements:
        ctx.note(
            "declaration",
            f"agreement {agreement.id}: valid {agreement.valid_from} to {agreement.valid_until}",
            id=agreement.id,
            parties=list(agreement.parties),
            legal_basis=agreement.legal_basis,
            valid_from=str(agreement.valid_from),
            valid_until=str(agreement.valid_until),
            run_day=f"{today} ({zone})",
        )
    for peer in consumed:
        covering = [a for a in agreements if a.names(peer)]
        if not covering:
            ctx.fail(f"no declared data-sharing agreement names the consumed peer {peer}")
        if not any(a.in_force(today) for a in covering):
            spans = ", ".join(f"{a.id} valid {a.valid_from} to {a.valid_until}" for a in covering)
            ctx.fail(
                f"no agreement covering {peer} is in force on {today} ({zone}): {spans} "
                "(dates inclusive)"
            )
    return f"{len(consumed)} consumed peer(s) covered by an agreement in force on {today} ({zone})"


# -- DEP-HLT-01 -------------------------------------------------------------------------------
@check("DEP-HLT-01")
def health(ctx: CheckContext) -> str:
    """Each on-target status link answers 200 application/health+json with status pass."""
    urls = links_on_target(ctx, "status")
    for url in urls:
        exchange = ctx.client.get(url, headers={"Accept": HEALTH_MEDIA_TYPE})
        ctx.cite(exchange, "status")
        if exchange.status != 200:
            ctx.fail(f"the status link {url} answered {exchange.status}, expected 200")
        if exchange.media_type != HEALTH_MEDIA_TYPE:
            ctx.fail(
                f"the status link {url} is served as {exchange.media_type or 'no content type'!r}"
                f", expected {HEALTH_MEDIA_TYPE!r} (draft-inadarei-api-health-check §3)"
            )
        try:
            body = exchange.json()
        except (ValueError, RecursionError):
            ctx.fail(f"the status link {url} answered a body that is not JSON")
        status = body.get("status") if isinstance(body, dict) else None
        if status not in HEALTHY:
            ctx.fail(
                f"the status link {url} reports status {status!r}, expected 'pass' "
                "(draft-inadarei-api-health-check §3.1)"
            )
    return f"{len(urls)} status link(s) answer application/health+json with status pass"


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
