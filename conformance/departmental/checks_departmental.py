"""Departmental level: the department publishes what it offers, and honours it."""

from __future__ import annotations

import random
from collections.abc import Callable
from urllib.parse import quote

from conformance.client.context import CheckContext
from conformance.client.discovery import parse_document
from conformance.client.http import Exchange
from conformance.core.errors import Inconclusive, PreconditionMissing
from conformance.core.registry import check
from conformance.departmental.deprecation import parse_deprecation, parse_sunset
from conformance.departmental.oas_rules import (
    Finding,
    https_findings,
    info_findings,
    operation_findings,
    version_findings,
)
from conformance.departmental.oas_validation import bounded, load_document, validate_openapi
from conformance.departmental.problem_details import PROBLEM_MEDIA_TYPE, problem_defects
from conformance.documents.linkset import CATALOG_MEDIA_TYPE, REQUIRED_RELATIONS, parse_linkset
from conformance.documents.openapi import OpenApiDocument, Operation
from conformance.documents.path_values import (
    path_parameters,
    plausible_values,
    resolve,
    unknown_values,
)

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


# -- DEP-OAS-02 / DEP-OAS-03 / DEP-VER-02: rules on the documents' content ----------------------
def _document_rules(
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


@check("DEP-OAS-02")
def openapi_info_servers(ctx: CheckContext) -> str:
    """info has title, version and contact; every servers URL is https."""
    count = _document_rules(
        ctx,
        lambda doc: info_findings(doc.data) + https_findings(doc),
        "OpenAPI 3.1 §4.8.2 Info Object, §4.8.5 Server Object; servers must be https",
    )
    return f"{count} OpenAPI document(s) have info title, version and contact, https servers"


@check("DEP-OAS-03")
def openapi_operations(ctx: CheckContext) -> str:
    """Every operation has an operationId, a summary, and documents its 4xx responses."""
    count = _document_rules(ctx, operation_findings, "NL API Design Rules: document operations")
    return f"every operation of {count} OpenAPI document(s) has operationId, summary and 4xx"


@check("DEP-VER-02")
def major_version_in_path(ctx: CheckContext) -> str:
    """Each operation's path carries the major version only (/v1/)."""
    count = _document_rules(
        ctx, version_findings, "NL API Design Rules: only the major version in the URI"
    )
    return f"every operation path of {count} OpenAPI document(s) carries the major version only"


# -- DEP-VER-01 --------------------------------------------------------------------------------
@check("DEP-VER-01")
def version_header(ctx: CheckContext) -> str:
    """Every response (success or error) carries API-Version equal to info.version."""
    rng = random.Random(ctx.seed)
    limit = int(ctx.params.get("max_operations", 5))
    checked = 0
    for doc in ctx.discovery.openapi_documents():
        if not ctx.client.on_target(doc.server_url()):
            continue
        info = doc.data.get("info")
        expected = str(info.get("version", "")) if isinstance(info, dict) else ""
        for name, url in _version_probes(doc, rng, limit):
            exchange = ctx.client.get(url)
            checked += 1
            value = exchange.header("API-Version")
            if value is None or value.strip() != expected:
                ctx.cite(exchange, name)
                ctx.reproduce = ctx.client.curl(exchange)
                found = "no API-Version header" if value is None else f"API-Version {value!r}"
                ctx.fail(
                    f"GET {url} ({name}) answered {exchange.status} with {found}, expected "
                    f"API-Version {expected!r} (the OpenAPI info.version; NL API Design Rules)"
                )
            if checked == 1:
                ctx.cite(exchange, name)
    if not checked:
        raise PreconditionMissing("no OpenAPI document's server is on the target's hosts")
    return f"{checked} response(s), successes and errors, carry API-Version as info.version"


def _version_probes(doc: OpenApiDocument, rng: random.Random, limit: int) -> list[tuple[str, str]]:
    """Unprotected parameterless GETs, an unknown path, and a protected GET without credentials."""
    gets = [op for op in doc.operations() if op.method == "get"]
    probes = [
        (op.operation_id, doc.url_for(op, {}))
        for op in gets
        if "{" not in op.path and not doc.is_protected(op)
    ][:limit]
    probes.append(
        ("unknown path", f"{doc.server_url()}/conformance-no-such-path-{rng.getrandbits(40):010x}")
    )
    for op in [op for op in gets if doc.is_protected(op)][:1]:
        values = {k: quote(v.value, safe="") for k, v in plausible_values(doc, op, rng).items()}
        probes.append((f"no credentials ({op.operation_id})", doc.url_for(op, values)))
    return probes


# -- DEP-DEP-01 --------------------------------------------------------------------------------
@check("DEP-DEP-01")
def deprecation_headers(ctx: CheckContext) -> str:
    """Deprecated operations answer with Deprecation, and Sunset where a date is declared."""
    rng = random.Random(ctx.seed)
    marked = [
        (doc, op)
        for doc in ctx.discovery.openapi_documents()
        for op in doc.operations()
        if op.spec.get("deprecated") is True
    ]
    if not marked:
        raise PreconditionMissing("no operation of the OpenAPI document(s) is marked deprecated")
    readable = [(d, op) for d, op in marked if op.method == "get" and ctx.client.on_target(d.url)]
    if not readable:
        names = ", ".join(op.operation_id for _, op in marked)
        raise PreconditionMissing(f"the deprecated operations ({names}) are not read-only GETs")
    for doc, op in readable[: int(ctx.params.get("max_operations", 5))]:
        values = {k: quote(v.value, safe="") for k, v in plausible_values(doc, op, rng).items()}
        auth = doc.is_protected(op) and _has_credentials(ctx)
        exchange = ctx.client.get(doc.url_for(op, values), auth=auth)
        ctx.cite(exchange, f"deprecated {op.operation_id}")
        ctx.reproduce = ctx.client.curl(exchange)
        _check_deprecation(ctx, exchange, op, _declares_sunset(doc, op))
    return f"{min(len(readable), 5)} deprecated operation(s) answer with Deprecation and Sunset"


def _check_deprecation(ctx: CheckContext, exchange: Exchange, op: Operation, sunset: bool) -> None:
    name = f"the deprecated operation {op.operation_id} (GET {exchange.url})"
    header = exchange.header("Deprecation")
    if header is None:
        ctx.fail(f"{name} answered {exchange.status} without a Deprecation header (RFC 9745 §2)")
    try:
        since = parse_deprecation(header)
    except ValueError as exc:
        ctx.fail(f"{name}: {exc}")
    value = exchange.header("Sunset")
    if value is None:
        if sunset:
            ctx.fail(
                f"{name} declares a Sunset date in its OpenAPI description but answered without "
                "a Sunset header (RFC 8594 §3)"
            )
        return
    try:
        until = parse_sunset(value)
    except ValueError as exc:
        ctx.fail(f"{name}: {exc}")
    if until < since:
        ctx.fail(f"{name}: Sunset {value!r} is earlier than Deprecation {header!r} (RFC 9745 §4)")


def _declares_sunset(doc: OpenApiDocument, op: Operation) -> bool:
    """Whether the description gives the operation a sunset: x-sunset or a Sunset header."""
    if op.spec.get("x-sunset"):
        return True
    responses = op.spec.get("responses") or {}
    return any(
        isinstance(r, dict) and any(str(h).lower() == "sunset" for h in (r.get("headers") or {}))
        for r in (resolve(doc, r) for r in responses.values())
    )
