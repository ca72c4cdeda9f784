"""Data level, document rules: Schematron, code lists and SHACL shapes.

Inputs (see profile.schema.json): `resources.<name>.schematron` (a URL or /path on the target, or
a file relative to the profile), `resources.<name>.codelists` ({JSON pointer: list name}, `*`
for every array member), `codelists` ({list name: CSV or genericode location}) and
`rdf` ([{url | relation, shapes}]). OpenAPI response schemas may bind fields to lists with
`x-codelist: <name>`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from conformance.client.context import CheckContext
from conformance.client.http import Exchange
from conformance.core.errors import Inconclusive, PreconditionMissing
from conformance.core.registry import check
from conformance.data import codelists
from conformance.data.resource_inputs import (
    ResourceSpec,
    declared_resources,
    get_maybe_authorized,
    inspect_items,
    list_items,
    pointer_get,
)
from conformance.documents import rdf, schematron, xmlsafe

XML_ACCEPT = "application/xml"
RDF_ACCEPT = "application/ld+json, text/turtle;q=0.9"
NON_FATAL_FLAGS = frozenset({"warning", "warn", "info", "information"})
SHOWN = 3


def _raw_resource(ctx: CheckContext, spec: ResourceSpec) -> dict[str, Any]:
    return dict((ctx.inputs.get("resources") or {}).get(spec.name) or {})


def _read(ctx: CheckContext, location: str, what: str, accept: str) -> tuple[bytes, str, str]:
    """Bytes, base URL and media type of a document on the target or beside the profile."""
    if location.startswith(("http://", "https://", "/")):
        if location.startswith("http") and not ctx.client.on_target(location):
            raise PreconditionMissing(f"the {what} {location} is not on the target's hosts")
        exchange = ctx.client.get(location, headers={"Accept": accept})
        if exchange.status != 200:
            ctx.cite(exchange, what)
            raise Inconclusive(f"the {what} {location} answered {exchange.status}, expected 200")
        return exchange.body, exchange.url, exchange.media_type
    path = (ctx.profile_dir / location).resolve()
    if not path.is_file():
        raise PreconditionMissing(f"the {what} file {path} does not exist")
    media = "text/turtle" if path.suffix == ".ttl" else "application/ld+json"
    return path.read_bytes(), path.as_uri(), media


# -- DATA-XML-02 -------------------------------------------------------------------------------
@check("DATA-XML-02")
def schematron_rules(ctx: CheckContext) -> str:
    """XML payloads satisfy the declared Schematron rules (XSLT 1 and XSLT 2/3 bindings)."""
    specs = [s for s in declared_resources(ctx.inputs) if _raw_resource(ctx, s).get("schematron")]
    if not specs:
        raise PreconditionMissing("no resource of inputs.resources declares a schematron")
    limit = int(ctx.params.get("max_documents", 5))
    problems: list[str] = []
    checked, warnings = 0, 0
    for spec in specs:
        location = str(_raw_resource(ctx, spec)["schematron"])
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
    data, base, _media = _read(ctx, location, f"Schematron of {spec.name}", XML_ACCEPT)
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


# -- DATA-CL-01 --------------------------------------------------------------------------------
@check("DATA-CL-01")
def code_lists(ctx: CheckContext) -> str:
    """Coded values come from the declared code lists."""
    specs = declared_resources(ctx.inputs)
    bindings = {s.name: _bindings(ctx, s) for s in specs}
    specs = [s for s in specs if bindings[s.name]]
    if not specs:
        raise PreconditionMissing(
            "no field is bound to a code list (inputs.resources.<name>.codelists or x-codelist)"
        )
    lists = _lists(ctx, {name for b in bindings.values() for name in b.values()})
    limit = int(ctx.params.get("max_documents", 20))
    bad, checked = inspect_items(
        ctx,
        specs,
        limit,
        lambda spec, exchange: _coded_values(ctx, exchange, bindings[spec.name], lists),
        "coded values",
    )
    for entry in bad:
        ctx.note("codelist", f"{entry['url']} {entry['pointer']}: {entry['value']!r}", **entry)
    if bad:
        listed = "; ".join(
            f"{b['url']} {b['pointer']} = {b['value']!r} is not in {b['list']}" for b in bad[:SHOWN]
        )
        more = f" (and {len(bad) - SHOWN} more)" if len(bad) > SHOWN else ""
        ctx.fail(f"{len(bad)} coded value(s) outside their code list: {listed}{more}")
    if not checked:
        raise PreconditionMissing("none of the fields bound to a code list was present")
    ctx.note(
        "codelist",
        f"{checked} coded value(s) found in their lists",
        bindings=bindings,
        lists={name: code_list.source for name, code_list in lists.items()},
    )
    return f"{checked} coded value(s) come from their code lists ({', '.join(sorted(lists))})"


def _bindings(ctx: CheckContext, spec: ResourceSpec) -> dict[str, str]:
    """JSON pointer -> list name, from the profile and from x-codelist in the OpenAPI."""
    found = _openapi_bindings(ctx, spec)
    declared = _raw_resource(ctx, spec).get("codelists") or {}
    found.update({str(k): str(v) for k, v in declared.items()})
    return found


def _openapi_bindings(ctx: CheckContext, spec: ResourceSpec) -> dict[str, str]:
    try:
        documents = ctx.discovery.openapi_documents()
    except PreconditionMissing:
        return {}
    found: dict[str, str] = {}
    for document in documents:
        prefix = urlsplit(document.server_url()).path.rstrip("/")
        for op in document.operations():
            if op.method != "get" or prefix + op.path != spec.item:
                continue
            content = ((op.spec.get("responses") or {}).get("200") or {}).get("content") or {}
            schema = (content.get("application/json") or {}).get("schema")
            _walk_schema(document.data, schema, "", found, depth=0)
    return found


def _walk_schema(
    root: dict[str, Any], schema: Any, pointer: str, found: dict[str, str], depth: int
) -> None:
    if not isinstance(schema, dict) or depth > 20:
        return
    ref = schema.get("$ref")
    if isinstance(ref, str) and ref.startswith("#/"):
        try:
            schema = pointer_get(root, ref[1:])
        except LookupError:
            return
        if not isinstance(schema, dict):
            return
    if isinstance(schema.get("x-codelist"), str):
        found[pointer] = schema["x-codelist"]
    for name, sub in (schema.get("properties") or {}).items():
        token = str(name).replace("~", "~0").replace("/", "~1")
        _walk_schema(root, sub, f"{pointer}/{token}", found, depth + 1)
    _walk_schema(root, schema.get("items"), f"{pointer}/*", found, depth + 1)


def _lists(ctx: CheckContext, names: set[str]) -> dict[str, codelists.CodeList]:
    supplied = ctx.inputs.get("codelists") or {}
    lists = {}
    for name in sorted(names):
        try:
            if name in supplied:
                data, base, _media = _read(
                    ctx, str(supplied[name]), f"code list {name}", "text/csv, application/xml"
                )
                lists[name] = codelists.parse(data, name, base)
            else:
                lists[name] = codelists.builtin(name)
        except codelists.CodeListError as exc:
            raise Inconclusive(f"code list {name!r}: {exc}") from None
    return lists


def _coded_values(
    ctx: CheckContext,
    exchange: Exchange,
    bindings: dict[str, str],
    lists: dict[str, codelists.CodeList],
) -> tuple[list[dict[str, Any]], int]:
    if exchange.status != 200:
        ctx.cite(exchange, "item")
        raise Inconclusive(f"{exchange.url} answered {exchange.status}, expected 200 with JSON")
    try:
        document = exchange.json()
    except ValueError:
        ctx.cite(exchange, "item")
        raise Inconclusive(f"{exchange.url} did not answer JSON") from None
    found, count = [], 0
    for pointer, name in bindings.items():
        for where, value in _values(document, pointer):
            count += 1
            if value not in lists[name]:
                found.append(
                    {
                        "url": exchange.url,
                        "pointer": where,
                        "value": value,
                        "list": name,
                        "source": lists[name].source,
                    }
                )
    return found, count


def _values(document: Any, pointer: str) -> list[tuple[str, Any]]:
    """(concrete pointer, value) for a pointer whose `*` steps match every array member."""
    if "/*" not in pointer:
        try:
            return [(pointer, pointer_get(document, pointer))]
        except LookupError:
            return []  # an absent optional field has nothing to check
    head, _, tail = pointer.partition("/*")
    try:
        array = pointer_get(document, head)
    except LookupError:
        return []
    if not isinstance(array, list):
        return []
    return [
        (f"{head}/{i}{where}", value)
        for i, item in enumerate(array)
        for where, value in _values(item, tail)
    ]


# -- DATA-RDF-01 -------------------------------------------------------------------------------
@check("DATA-RDF-01")
def rdf_shapes(ctx: CheckContext) -> str:
    """Published RDF / JSON-LD conforms to the declared SHACL shapes."""
    entries = ctx.require_input("rdf")
    if not entries:
        raise PreconditionMissing("inputs.rdf declares no RDF document")
    violations: list[str] = []
    checked = 0
    for entry in entries:
        shapes = _shapes(ctx, str(entry["shapes"]))
        for url in _rdf_urls(ctx, entry):
            exchange = ctx.client.get(url, headers={"Accept": RDF_ACCEPT})
            found = _shape_violations(ctx, exchange, shapes)
            checked += 1
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
    if violations:
        more = f" (and {len(violations) - SHOWN} more)" if len(violations) > SHOWN else ""
        ctx.fail(
            f"{len(violations)} SHACL violation(s): {'; '.join(violations[:SHOWN])}{more} "
            "(W3C SHACL)"
        )
    return f"{checked} RDF document(s) conform to their SHACL shapes"


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
        data, base, media = _read(ctx, name, "SHACL shapes", "text/turtle, application/ld+json")
        if Path(urlsplit(base).path).suffix == ".ttl" and media not in rdf.FORMATS:
            media = "text/turtle"
        return rdf.parse_graph(data, media, base)
    except rdf.RdfError as exc:
        raise Inconclusive(f"the SHACL shapes {name} are unusable: {exc}") from None


def _shape_violations(ctx: CheckContext, exchange: Exchange, shapes: Any) -> list[Any]:
    if exchange.status != 200:
        ctx.cite(exchange, "RDF document")
        raise Inconclusive(f"{exchange.url} answered {exchange.status}, expected 200 with RDF")
    try:
        graph = rdf.parse_graph(exchange.body, exchange.media_type, exchange.url)
    except rdf.RdfError as exc:
        ctx.cite(exchange, "RDF document")
        ctx.fail(f"{exchange.url} is not usable RDF: {exc} (W3C JSON-LD 1.1 / RDF 1.1)")
    try:
        return list(rdf.validate(graph, shapes))
    except rdf.RdfError as exc:
        raise Inconclusive(f"the SHACL shapes are unusable: {exc}") from None
