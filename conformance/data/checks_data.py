"""Data level: departments understand exchanged data the same way."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from lxml import etree

from conformance.client.context import CheckContext
from conformance.client.generated import Plan, PositiveRunner, Run, Violation
from conformance.client.http import Exchange
from conformance.core.errors import Inconclusive, PreconditionMissing
from conformance.core.model import SafetyClass
from conformance.core.registry import check
from conformance.data.identifiers import identifier_problem
from conformance.data.resource_inputs import (
    ResourceSpec,
    declared_resources,
    get_maybe_authorized,
    inspect_items,
    list_items,
    pointer_get,
)
from conformance.documents import xmlsafe
from conformance.documents.openapi import HTTP_METHODS

EVIDENCE_VIOLATIONS = 10
# Where each schemathesis check's rule is written.
CHECK_SOURCES = {
    "status_code_conformance": "OpenAPI 3.1 §4.8.16 Responses Object",
    "content_type_conformance": "OpenAPI 3.1 §4.8.17 Response Object content",
    "response_headers_conformance": "OpenAPI 3.1 §4.8.17 Response Object headers",
    "response_schema_conformance": "OpenAPI 3.1 §4.8.14 Media Type schema; JSON Schema 2020-12",
    "not_a_server_error": "RFC 9110 §15.6",
    "negative_data_rejection": "OpenAPI 3.1 §4.8.12 Parameter/§4.8.13 Request Body schemas",
}
XML_ACCEPT = "application/xml"
XML_MEDIA_TYPES = frozenset({"application/xml", "text/xml"})


# -- DATA-SCH-01 -------------------------------------------------------------------------------
@check("DATA-SCH-01")
def generated_valid_requests(ctx: CheckContext) -> str:
    """Answers to generated valid requests are documented and valid against the schema."""
    documents = ctx.discovery.openapi_documents()
    writes = bool(ctx.params.get("include_writes", False)) and SafetyClass.WRITE in ctx.allow
    methods = {m.upper() for m in HTTP_METHODS} if writes else {"GET", "HEAD"}
    budget = int(ctx.params.get("max_requests", 200))
    runs: list[Run] = []
    for document in documents:
        plan = Plan(
            frozenset(methods),
            max_examples=int(ctx.params.get("max_examples", 10)),
            max_requests=budget - sum(r.sent for r in runs),
            seed=ctx.seed,
        )
        runs.append(PositiveRunner(ctx.client, document, plan).execute())
    return _schema_verdict(ctx, runs, writes)


def _schema_verdict(ctx: CheckContext, runs: list[Run], writes: bool) -> str:
    exercised = [op for r in runs for op in r.exercised]
    skipped = {op: why for r in runs for op, why in r.skipped.items()}
    errors = {op: why for r in runs for op, why in r.generation_errors.items()}
    violations = [v for r in runs for v in r.violations]
    sent = sum(r.sent for r in runs)
    ctx.note(
        "generation",
        f"schemathesis: {sent} request(s) to {len(exercised)} operation(s), seed {ctx.seed}",
        seed=ctx.seed,
        methods="all" if writes else "GET, HEAD",
        exercised=exercised,
        skipped=skipped,
        generation_errors=errors,
        requests=sent,
        budget_exhausted=any(r.budget_exhausted for r in runs),
    )
    if violations:
        for violation in violations[:EVIDENCE_VIOLATIONS]:
            _cite_violation(ctx, violation)
        ctx.reproduce = ctx.client.curl(violations[0].exchange)
        first = violations[0]
        where = f" at {first.instance_path or '/'}" if first.instance_path is not None else ""
        ctx.fail(
            f"{len(violations)} violation(s) on "
            f"{len({v.operation for v in violations})} operation(s); first: {first.operation} "
            f"{first.check}{where}: {first.summary} ({CHECK_SOURCES.get(first.check, 'OpenAPI')};"
            f" seed {ctx.seed})"
        )
    transport = next((r.transport_error for r in runs if r.transport_error), None)
    if transport is not None:
        raise Inconclusive(f"generated requests stopped: {transport.message}")
    judged = [op for op in exercised if op not in errors]
    if not judged:
        reason = "; ".join(f"{op}: {why}" for op, why in {**skipped, **errors}.items())
        raise PreconditionMissing(f"no operation could be exercised ({reason or 'none selected'})")
    return (
        f"{sent} generated valid request(s) to {len(judged)} operation(s) got documented statuses,"
        f" content types and headers, and schema-valid bodies (seed {ctx.seed})"
    )


def _cite_violation(ctx: CheckContext, violation: Violation) -> None:
    entry = ctx.cite(violation.exchange, f"{violation.operation}: {violation.check}")
    ctx.note(
        "validation",
        f"{violation.operation}: {violation.title}: {violation.summary}",
        operation=violation.operation,
        check=violation.check,
        message=ctx.client.redactor.text(violation.message)[:2000],
        schema_path=violation.schema_path,
        instance_path=violation.instance_path,
        request=entry.detail["request"],
        curl=entry.detail["curl"],
        seed=ctx.seed,
    )


# -- DATA-XML-01 -------------------------------------------------------------------------------
@check("DATA-XML-01")
def xml_valid(ctx: CheckContext) -> str:
    """XML payloads are well-formed UTF-8, free of DTDs, and valid against the declared XSD."""
    specs = [s for s in declared_resources(ctx.inputs) if s.xsd]
    if not specs:
        raise PreconditionMissing("no resource of inputs.resources declares an xsd")
    limit = int(ctx.params.get("max_documents", 5))
    max_errors = int(ctx.params.get("max_errors", 20))
    problems: list[str] = []
    checked = 0
    for spec in specs:
        schema = _load_xsd(ctx, spec)
        listing = list_items(ctx.client, spec, limit)
        for url in listing.urls:
            exchange = get_maybe_authorized(ctx.client, url, XML_ACCEPT)
            found = _xml_problems(ctx, exchange, schema, max_errors)
            checked += 1
            if found:
                ctx.cite(exchange, f"{spec.name}: XML document")
                problems.extend(f"{exchange.url}: {p}" for p in found)
                ctx.reproduce = ctx.reproduce or ctx.client.curl(exchange)
            elif checked == 1:
                ctx.cite(exchange, f"{spec.name}: XML document (valid)")
    if problems:
        more = f" (and {len(problems) - 3} more)" if len(problems) > 3 else ""
        ctx.fail(f"{len(problems)} XML problem(s): {'; '.join(problems[:3])}{more}")
    return f"{checked} XML document(s) are well-formed UTF-8 and valid against their XSD"


def _xml_problems(
    ctx: CheckContext, exchange: Exchange, schema: etree.XMLSchema, max_errors: int
) -> list[str]:
    if exchange.status != 200:
        return [f"answered {exchange.status} to Accept: {XML_ACCEPT}, expected 200 with XML"]
    media = exchange.media_type
    if media not in XML_MEDIA_TYPES and not media.endswith("+xml"):
        return [f"served as {media or 'no content type'!r}, expected application/xml"]
    charset = exchange.charset
    if charset is not None and charset.lower() not in xmlsafe.UTF8_NAMES:
        return [f"Content-Type declares charset={charset}, expected UTF-8 (RFC 7303 §3.2)"]
    declared = xmlsafe.declared_encoding(exchange.body)
    if declared is not None and declared.lower() not in xmlsafe.UTF8_NAMES:
        return [f"the XML declaration names encoding {declared!r}, expected UTF-8"]
    try:
        tree = xmlsafe.parse(exchange.body)
    except xmlsafe.UnsafeXml as exc:
        ctx.note("xml", "refused: DOCTYPE in an XML payload", url=exchange.url, reason=str(exc))
        return [f"refused: {exc}; a payload must not declare a DTD or entities (XXE, entity bombs)"]
    except xmlsafe.MalformedXml as exc:
        ctx.note("xml", "not well-formed", url=exchange.url, line=exc.line, column=exc.column)
        return [f"not well-formed UTF-8 XML at line {exc.line}, column {exc.column}: {exc}"]
    errors = xmlsafe.validate(schema, tree)
    for error in errors[:max_errors]:
        ctx.note(
            "validation",
            f"XSD: line {error.line} {error.path}: {error.message}",
            url=exchange.url,
            **error.to_dict(),
        )
    if len(errors) > max_errors:
        ctx.note("note", f"{len(errors) - max_errors} more XSD errors not shown", url=exchange.url)
    return [f"line {e.line} {e.path}: {e.message} (W3C XML Schema 1.0)" for e in errors]


def _load_xsd(ctx: CheckContext, spec: ResourceSpec) -> etree.XMLSchema:
    """The resource's XSD: a URL or /path on the target, or a file relative to the profile."""
    location = str(spec.xsd)
    if location.startswith(("http://", "https://", "/")):
        exchange = ctx.client.get(location, headers={"Accept": "application/xml"})
        if exchange.status != 200:
            ctx.cite(exchange, f"{spec.name}: XSD")
            raise Inconclusive(f"the XSD {location} answered {exchange.status}, expected 200")
        data, base, fetch = exchange.body, exchange.url, _target_fetcher(ctx)
    else:
        path = (ctx.profile_dir / location).resolve()
        if not path.is_file():
            raise PreconditionMissing(f"the XSD file {path} of {spec.name} does not exist")
        data, base, fetch = path.read_bytes(), path.as_uri(), _file_fetcher(path.parent)
    try:
        return xmlsafe.load_schema(data, base_url=base, fetch=fetch)
    except (xmlsafe.UnsafeXml, xmlsafe.MalformedXml, etree.XMLSchemaParseError) as exc:
        raise Inconclusive(f"the XSD {location} of {spec.name} is unusable: {exc}") from None


def _target_fetcher(ctx: CheckContext) -> xmlsafe.Fetch:
    """Serve schema imports/includes from the target's hosts only, through the suite's client."""

    def fetch(url: str) -> bytes | None:
        if urlsplit(url).scheme not in {"http", "https"} or not ctx.client.on_target(url):
            return None
        exchange = ctx.client.get(url, headers={"Accept": "application/xml"})
        return exchange.body if exchange.status == 200 else None

    return fetch


def _file_fetcher(root: Path) -> xmlsafe.Fetch:
    """Serve schema imports/includes from files under `root` only."""

    def fetch(url: str) -> bytes | None:
        parts = urlsplit(url)
        if parts.scheme not in {"", "file"}:
            return None
        path = Path(parts.path).resolve()
        return path.read_bytes() if path.is_relative_to(root) and path.is_file() else None

    return fetch


# -- DATA-ID-01 --------------------------------------------------------------------------------
@check("DATA-ID-01")
def identifiers_valid(ctx: CheckContext) -> str:
    """Declared identifier fields carry valid GB 11643 / GB 32100 check characters."""
    specs = [s for s in declared_resources(ctx.inputs) if s.identifiers]
    if not specs:
        raise PreconditionMissing("no resource of inputs.resources declares identifiers")
    limit = int(ctx.params.get("max_documents", 20))
    bad, checked = inspect_items(
        ctx,
        specs,
        limit,
        lambda spec, exchange: _identifier_problems(ctx, spec, exchange),
        "identifiers",
    )
    for entry in bad:
        ctx.note("identifier", f"{entry['url']} {entry['pointer']}: {entry['reason']}", **entry)
    if bad:
        listed = "; ".join(
            f"{b['url']} {b['pointer']} {b['value']!r} ({b['standard']}): {b['reason']}"
            for b in bad[:3]
        )
        more = f" (and {len(bad) - 3} more)" if len(bad) > 3 else ""
        ctx.fail(f"{len(bad)} invalid identifier(s): {listed}{more}")
    if not checked:
        raise PreconditionMissing("none of the declared identifier fields was present")
    ctx.note(
        "identifier",
        f"{checked} identifier value(s) recomputed",
        fields={s.name: s.identifiers for s in specs},
        checked=checked,
    )
    return f"{checked} identifier(s) carry valid check characters (GB 11643, GB 32100)"


def _identifier_problems(
    ctx: CheckContext, spec: ResourceSpec, exchange: Exchange
) -> tuple[list[dict[str, Any]], int]:
    if exchange.status != 200:
        ctx.cite(exchange, f"{spec.name}: item")
        raise Inconclusive(
            f"{exchange.url} (listed in {spec.collection}) answered {exchange.status}"
        )
    try:
        document = exchange.json()
    except ValueError:
        ctx.cite(exchange, f"{spec.name}: item")
        raise Inconclusive(f"{exchange.url} did not answer JSON") from None
    found, count = [], 0
    for pointer, kind in spec.identifiers.items():
        try:
            value = pointer_get(document, pointer)
        except LookupError:
            continue  # an absent optional field has nothing to check
        count += 1
        reason = identifier_problem(kind, value)
        if reason:
            found.append(
                {
                    "url": exchange.url,
                    "pointer": pointer,
                    "standard": kind,
                    "value": value,
                    "reason": reason,
                }
            )
    return found, count
