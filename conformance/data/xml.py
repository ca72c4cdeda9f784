"""DATA-XML-01: XML payloads are well-formed UTF-8 and valid against the declared XSD; DATA-XML-02:
XML payloads satisfy the declared Schematron rules (XSLT 1 and XSLT 2/3 bindings)."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from lxml import etree

from conformance.client.context import CheckContext
from conformance.client.http import Exchange
from conformance.core.errors import Inconclusive, PreconditionMissing
from conformance.core.registry import check
from conformance.data.common import (
    SHOWN,
    XML_ACCEPT,
    input_file,
    raw_resource,
    read_input_document,
)
from conformance.data.resource_inputs import (
    ResourceSpec,
    declared_resources,
    get_maybe_authorized,
    list_items,
)
from conformance.documents import schematron, xmlsafe

XML_MEDIA_TYPES = frozenset({"application/xml", "text/xml"})


# -- DATA-XML-01 -------------------------------------------------------------------------------
@check("DATA-XML-01")
def xml_valid(ctx: CheckContext) -> str:
    """XML payloads are well-formed UTF-8, free of DTDs, and valid against the declared XSD."""
    specs = [s for s in declared_resources(ctx) if s.xsd]
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
    """The resource's XSD: a URL or /path on the target, or a local file (a file:// URI)."""
    location = str(spec.xsd)
    if location.startswith(("http://", "https://", "/")):
        exchange = ctx.client.get(location, headers={"Accept": "application/xml"}, reuse=True)
        if exchange.status != 200:
            ctx.cite(exchange, f"{spec.name}: XSD")
            raise Inconclusive(f"the XSD {location} answered {exchange.status}, expected 200")
        data, base, fetch = exchange.body, exchange.url, _target_fetcher(ctx)
    else:
        path = input_file(location, f"XSD of {spec.name}")
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
        exchange = ctx.client.get(url, headers={"Accept": "application/xml"}, reuse=True)
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


NON_FATAL_FLAGS = frozenset({"warning", "warn", "info", "information"})


# -- DATA-XML-02 -------------------------------------------------------------------------------
@check("DATA-XML-02")
def schematron_rules(ctx: CheckContext) -> str:
    """XML payloads satisfy the declared Schematron rules (XSLT 1 and XSLT 2/3 bindings)."""
    specs = [s for s in declared_resources(ctx) if raw_resource(ctx, s).get("schematron")]
    if not specs:
        raise PreconditionMissing("no resource of inputs.resources declares a schematron")
    limit = int(ctx.params.get("max_documents", 5))
    problems: list[str] = []
    checked, warnings = 0, 0
    for spec in specs:
        location = str(raw_resource(ctx, spec)["schematron"])
        rules = _load_schematron(ctx, spec, location)
        for url in list_items(ctx.client, spec, limit).urls:
            exchange = get_maybe_authorized(ctx.client, url, XML_ACCEPT)
            try:
                findings = rules.validate(_xml_tree(ctx, exchange))
            except schematron.SchematronError as exc:
                raise Inconclusive(f"{exchange.url}: {exc}") from None
            checked += 1
            fatal = [f for f in findings if f.flag.lower() not in NON_FATAL_FLAGS]
            warnings += len(findings) - len(fatal)
            _note_findings(ctx, exchange, findings, int(ctx.params.get("max_findings", 20)))
            if fatal:
                ctx.cite(exchange, f"{spec.name}: XML document breaking Schematron rules")
                ctx.reproduce = ctx.reproduce or ctx.client.curl(exchange)
                problems.extend(f"{exchange.url}: {_describe(f)}" for f in fatal)
            elif checked == 1:
                ctx.cite(exchange, f"{spec.name}: XML document (satisfies the rules)")
    if problems:
        more = f" (and {len(problems) - SHOWN} more)" if len(problems) > SHOWN else ""
        ctx.fail(
            f"{len(problems)} Schematron rule(s) broken: {'; '.join(problems[:SHOWN])}{more} "
            "(ISO/IEC 19757-3)"
        )
    extra = f", {warnings} warning-flagged finding(s) noted" if warnings else ""
    return f"{checked} XML document(s) satisfy their Schematron rules{extra}"


def _load_schematron(ctx: CheckContext, spec: ResourceSpec, location: str) -> Any:
    data, base, _media = read_input_document(
        ctx, location, f"Schematron of {spec.name}", XML_ACCEPT
    )
    phase = ctx.params.get("phase")
    try:
        rules = schematron.load(data, base_url=base, phase=str(phase) if phase else None)
    except schematron.SchematronError as exc:
        raise Inconclusive(f"the Schematron {location} of {spec.name} is unusable: {exc}") from None
    ctx.note(
        "schematron",
        f"{spec.name}: {location} (queryBinding {rules.binding})",
        location=location,
        query_binding=rules.binding,
        title=rules.title,
    )
    return rules


def _xml_tree(ctx: CheckContext, exchange: Exchange) -> Any:
    if exchange.status != 200:
        ctx.cite(exchange, "XML document")
        raise Inconclusive(f"{exchange.url} answered {exchange.status} to Accept: {XML_ACCEPT}")
    try:
        return xmlsafe.parse(exchange.body)
    except (xmlsafe.UnsafeXml, xmlsafe.MalformedXml) as exc:
        ctx.cite(exchange, "XML document")
        raise Inconclusive(
            f"{exchange.url} cannot be checked against Schematron: {exc} (see DATA-XML-01)"
        ) from None


def _note_findings(
    ctx: CheckContext, exchange: Exchange, findings: list[schematron.Finding], limit: int
) -> None:
    for finding in findings[:limit]:
        ctx.note("validation", f"Schematron: {_describe(finding)}", url=exchange.url,
                 **finding.to_dict())  # fmt: skip
    if len(findings) > limit:
        ctx.note("note", f"{len(findings) - limit} more Schematron findings not shown")


def _describe(finding: schematron.Finding) -> str:
    where = f"line {finding.line} " if finding.line else ""
    rule = finding.rule_id or finding.test
    flag = f" [{finding.flag}]" if finding.flag else ""
    return f"{where}{finding.location}: {rule}{flag}: {finding.message}"
