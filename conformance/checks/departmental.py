"""Departmental level: the department publishes what it offers, and honours it."""

from __future__ import annotations

import random
from urllib.parse import quote

from conformance.context import CheckContext
from conformance.discovery import parse_document
from conformance.errors import Inconclusive, PreconditionMissing
from conformance.linkset import CATALOG_MEDIA_TYPE, REQUIRED_RELATIONS, parse_linkset
from conformance.oas_validation import bounded, load_document, validate_openapi
from conformance.path_values import path_parameters, plausible_values, unknown_values
from conformance.problem_details import PROBLEM_MEDIA_TYPE, problem_defects
from conformance.registry import check

OPENAPI_ACCEPT = (
    "application/vnd.oai.openapi+json, application/json;q=0.9, "
    "application/vnd.oai.openapi;q=0.8, application/yaml;q=0.8, */*;q=0.1"
)
PROBLEM_ACCEPT = f"{PROBLEM_MEDIA_TYPE}, application/json;q=0.9, */*;q=0.1"


@check("DEP-CAT-01")
def api_catalog(ctx: CheckContext) -> str:
    """The api-catalog is a linkset that links each API's description, documentation, status."""
    exchange = ctx.client.get(ctx.target.catalog_path, headers={"Accept": CATALOG_MEDIA_TYPE})
    ctx.cite(exchange, "api-catalog")
    if exchange.status != 200:
        ctx.fail(f"{ctx.target.catalog_path} answered {exchange.status}, expected 200")
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


@check("DEP-OAS-01")
def openapi_valid(ctx: CheckContext) -> str:
    """Every service-desc document on the target is retrievable and valid OpenAPI 3.0/3.1."""
    urls = [u for api in ctx.discovery.apis() for u in api.hrefs("service-desc")]
    on_target = list(dict.fromkeys(u for u in urls if ctx.client.on_target(u)))
    if not on_target:
        raise PreconditionMissing("the api-catalog links no service-desc on the target's hosts")
    limit = int(ctx.params.get("max_errors", 10))
    versions = []
    for url in on_target:
        exchange = ctx.client.get(url, headers={"Accept": OPENAPI_ACCEPT})
        ctx.cite(exchange, "service-desc")
        if exchange.status != 200:
            ctx.fail(f"the OpenAPI document {url} answered {exchange.status}, expected 200")
        try:
            document = load_document(exchange)
        except ValueError as exc:
            ctx.fail(f"the OpenAPI document {url} is not a JSON or YAML document: {exc}")
        try:
            bounded(document)
        except ValueError as exc:
            ctx.fail(f"the OpenAPI document {url} is unusable: {exc}")
        if not isinstance(document, dict):
            ctx.fail(f"the OpenAPI document {url} is a {type(document).__name__}, not an object")
        result = validate_openapi(document, exchange.url, ctx.client, limit)
        if result.problems:
            listed = [str(p) for p in result.problems]
            ctx.note(
                "validation",
                f"openapi-spec-validator: {len(listed)}{'+' if result.more else ''} problem(s) "
                f"in {url}",
                url=url,
                openapi=result.version,
                problems=[
                    {"json_path": p.json_path, "message": p.message} for p in result.problems
                ],
                truncated=result.more,
            )
            more = f" (and {'more than ' if result.more else ''}{len(listed) - 1} more)"
            ctx.fail(
                f"the OpenAPI document {url} is not valid OpenAPI {result.version or '3.x'}: "
                f"{listed[0]}{more if len(listed) > 1 else ''}"
            )
        versions.append(f"{url} (OpenAPI {result.version})")
    return f"{len(versions)} OpenAPI document(s) retrieved and valid: {', '.join(versions)}"


@check("DEP-ERR-01")
def problem_details(ctx: CheckContext) -> str:
    """Error answers to read-only probes are RFC 9457 problem details."""
    rng = random.Random(ctx.seed)
    probes = _error_probes(ctx, rng)[: max(1, int(ctx.params.get("probes", 3)))]
    errors, seen = [], []
    for name, url, auth in probes:
        exchange = ctx.client.get(url, auth=auth, headers={"Accept": PROBLEM_ACCEPT})
        ctx.cite(exchange, name)
        seen.append(f"{name} → {exchange.status}")
        if exchange.status >= 400:
            defects = problem_defects(exchange)
            errors.append(exchange.status)
            if defects:
                ctx.reproduce = ctx.client.curl(exchange)
                ctx.fail(
                    f"{exchange.method} {url} ({name}) answered {exchange.status} that is not "
                    f"RFC 9457 problem details: {'; '.join(defects)}"
                )
    if not errors:
        raise Inconclusive(f"no probe provoked an error answer: {', '.join(seen)}")
    return f"{len(errors)} error answer(s) are problem details ({', '.join(seen)})"


def _error_probes(ctx: CheckContext, rng: random.Random) -> list[tuple[str, str, bool]]:
    """(name, URL, with credentials) of the read-only requests that should provoke errors."""
    try:
        documents = ctx.discovery.openapi_documents()
    except (PreconditionMissing, Inconclusive):
        documents = []
    servers = [d.server_url() for d in documents if ctx.client.on_target(d.server_url())]
    base = servers[0] if servers else ctx.client.url("/").rstrip("/")
    probes = [
        ("unknown path", f"{base}/conformance-no-such-path-{rng.getrandbits(40):010x}", False)
    ]
    gets = [
        (d, op)
        for d in documents
        if ctx.client.on_target(d.server_url())
        for op in d.operations()
        if op.method == "get"
    ]
    with_params = [(d, op) for d, op in gets if path_parameters(d, op)]
    open_ops = [(d, op) for d, op in with_params if not d.is_protected(op)]
    for doc, op in open_ops[:1] or with_params[:1]:
        values = {k: quote(v, safe="") for k, v in unknown_values(doc, op, rng).items()}
        auth = doc.is_protected(op) and _has_credentials(ctx)
        if auth or not doc.is_protected(op):
            probes.append((f"unknown resource ({op.operation_id})", doc.url_for(op, values), auth))
    for doc, op in [(d, op) for d, op in gets if d.is_protected(op)][:1]:
        values = {k: quote(v.value, safe="") for k, v in plausible_values(doc, op, rng).items()}
        probes.append((f"no credentials ({op.operation_id})", doc.url_for(op, values), False))
    return probes


def _has_credentials(ctx: CheckContext) -> bool:
    return ctx.target.oauth2 is not None or ctx.target.bearer_token is not None
