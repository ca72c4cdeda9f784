"""Data level, the representations side: JSON and XML agree, formats hold, text round-trips.

DATA-CNEG-01 compares the two representations of a resource through the profile's field map
(conformance.data.field_map); DATA-FMT-01 checks timestamps and declared formats
(conformance.data.formats); DATA-ENC-01 writes non-ASCII text and reads it back
(conformance.data.text_roundtrip).
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any
from urllib.parse import urljoin

from conformance.client.context import CheckContext
from conformance.client.http import Exchange
from conformance.core.errors import Inconclusive, PreconditionMissing
from conformance.core.registry import check
from conformance.data import field_map, formats, text_roundtrip
from conformance.data import probes as data_probes
from conformance.data.checks_data import XML_ACCEPT
from conformance.data.resource_inputs import declared_resources, get_maybe_authorized, list_items
from conformance.documents import xmlsafe
from conformance.documents.openapi import OpenApiDocument


# -- DATA-CNEG-01 ------------------------------------------------------------------------------
@check("DATA-CNEG-01")
def json_and_xml_agree(ctx: CheckContext) -> str:
    """The same resource in JSON and in XML carries the same data, by the declared field map."""
    raw = ctx.inputs.get("resources") or {}
    specs = [s for s in declared_resources(ctx.inputs) if (raw.get(s.name) or {}).get("field_map")]
    if not specs:
        raise PreconditionMissing("no resource of inputs.resources declares a field_map")
    limit = int(ctx.params.get("max_documents", 5))
    mismatches: list[str] = []
    compared = 0
    for spec in specs:
        declared = raw[spec.name]
        fields = {str(k): str(v) for k, v in declared["field_map"].items()}
        namespaces = {str(k): str(v) for k, v in (declared.get("xml_namespaces") or {}).items()}
        for url in list_items(ctx.client, spec, limit).urls:
            found, count = _compare_representations(ctx, url, fields, namespaces)
            mismatches.extend(found)
            compared += count
    if mismatches:
        more = f" (and {len(mismatches) - 3} more)" if len(mismatches) > 3 else ""
        ctx.fail(
            f"{len(mismatches)} field(s) differ between JSON and XML: "
            f"{'; '.join(mismatches[:3])}{more} (RFC 9110 §12: representations of one resource)"
        )
    if not compared:
        raise PreconditionMissing("no mapped field was present in either representation")
    return f"{compared} mapped field(s) carry the same value in JSON and in XML"


def _compare_representations(
    ctx: CheckContext, url: str, fields: dict[str, str], namespaces: dict[str, str]
) -> tuple[list[str], int]:
    as_json = get_maybe_authorized(ctx.client, url, "application/json")
    as_xml = get_maybe_authorized(ctx.client, url, XML_ACCEPT)
    for exchange, media in ((as_json, "application/json"), (as_xml, XML_ACCEPT)):
        if exchange.status != 200:
            ctx.cite(exchange, f"{url} as {media}")
            ctx.reproduce = ctx.reproduce or ctx.client.curl(exchange)
            ctx.fail(f"{exchange.url} answered {exchange.status} to Accept: {media}, expected 200")
    try:
        document, tree = as_json.json(), xmlsafe.parse(as_xml.body)
    except (ValueError, xmlsafe.UnsafeXml, xmlsafe.MalformedXml) as exc:
        ctx.cite(as_json, "JSON representation")
        ctx.cite(as_xml, "XML representation")
        raise Inconclusive(f"{url}: a representation does not parse ({exc})") from None
    try:
        found, count = field_map.compare(document, tree, fields, namespaces)
    except ValueError as exc:
        raise Inconclusive(f"the field map of {url} is unusable: {exc}") from None
    if found:
        ctx.cite(as_json, "JSON representation")
        ctx.cite(as_xml, "XML representation")
        ctx.reproduce = ctx.reproduce or ctx.client.curl(as_xml)
    for m in found:
        ctx.note("field", f"{url} {m.pointer} ↔ {m.xpath}: {m.reason}", url=url, **m.to_dict())
    return [f"{url} {m.pointer} {m.json_value!r} ↔ {m.xpath} {m.xml_value!r}" for m in found], count


# -- DATA-FMT-01 -------------------------------------------------------------------------------
@check("DATA-FMT-01")
def formats_hold(ctx: CheckContext) -> str:
    """Timestamps are RFC 3339 with an offset, and every declared `format` holds."""
    limit = int(ctx.params.get("max_documents", 20))
    documents = ctx.discovery.openapi_documents()
    urls = [
        document.url_for(op, {})
        for document in documents
        for op in data_probes.accept_operations(document)
    ]
    for spec in declared_resources(ctx.inputs):
        urls.extend(list_items(ctx.client, spec, limit).urls)
    bad: list[str] = []
    checked = 0
    for url in dict.fromkeys(urls):
        exchange = get_maybe_authorized(ctx.client, url, "application/json")
        if exchange.status != 200 or not _is_json(exchange.media_type):
            continue
        try:
            body = exchange.json()
        except ValueError:
            continue  # not JSON: DATA-SCH-01's concern
        checked += 1
        found = _format_problems(documents, exchange, body)
        if found:
            ctx.cite(exchange, "formats")
            ctx.reproduce = ctx.reproduce or ctx.client.curl(exchange)
        for problem in found:
            where = f"{ctx.client.redactor.url(exchange.url)} {problem.pointer}"
            ctx.note("format", f"{where}: {problem.reason}", url=exchange.url, **asdict(problem))
            bad.append(f"{where} {problem.value!r} is not a valid {problem.expected}")
    if bad:
        more = f" (and {len(bad) - 3} more)" if len(bad) > 3 else ""
        ctx.fail(
            f"{len(bad)} value(s) break their format: {'; '.join(bad[:3])}{more} "
            "(RFC 3339 §5.6: a date-time carries its offset; JSON Schema 2020-12 §7.3 formats)"
        )
    if not checked:
        raise PreconditionMissing("no JSON answer to check (no parameterless GET, no resources)")
    return (
        f"{checked} JSON answer(s): every timestamp RFC 3339 with an offset, every declared "
        "format holds"
    )


def _format_problems(
    documents: list[OpenApiDocument], exchange: Exchange, body: Any
) -> list[formats.FormatProblem]:
    found = formats.undeclared_timestamp_problems(body)
    seen = {p.pointer for p in found}
    for document in documents:
        op = formats.operation_for(document, exchange.method, exchange.url)
        schema = op and formats.response_schema(document, op, exchange.status, exchange.media_type)
        if op is not None and schema:
            declared = formats.declared_format_problems(document, schema, body)
            found.extend(p for p in declared if p.pointer not in seen)
            break
    return found


def _is_json(media_type: str) -> bool:
    return media_type == "application/json" or media_type.endswith("+json")


# -- DATA-ENC-01 -------------------------------------------------------------------------------
@check("DATA-ENC-01")
def text_round_trip(ctx: CheckContext) -> str:
    """Non-ASCII text written is read back unchanged, in UTF-8 as declared."""
    declared = ctx.inputs.get("encoding") or ctx.inputs.get("idempotency")
    if not declared:
        raise PreconditionMissing(
            "the profile declares no inputs.encoding (nor inputs.idempotency)"
        )
    body = declared["body"]
    sent = text_roundtrip.non_ascii_strings(body)
    if not sent:
        raise PreconditionMissing("the declared body holds no non-ASCII text to round-trip")
    document, op = _operation(ctx, str(declared["operation"]))
    auth = document.is_protected(op)
    created = ctx.client.request(
        op.method,
        document.url_for(op, {}),
        json_body=body,
        headers={"Accept": "application/json"},
        auth=auth,
        follow_redirects=False,
    )
    ctx.cite(created, "write")
    if not 200 <= created.status < 300:
        raise Inconclusive(f"{op.operation_id} answered {created.status}, so nothing was written")
    location = created.header("Location")
    if not location:
        raise PreconditionMissing(f"{op.operation_id} answered without Location to read back from")
    read = ctx.client.get(
        urljoin(created.url, location), headers={"Accept": "application/json"}, auth=auth
    )
    ctx.cite(read, "read back")
    problems: list[str] = []
    compared = 0
    for what, exchange in (("write answer", created), ("read", read)):
        if exchange.status != 200 and what == "read":
            continue
        undecodable = text_roundtrip.encoding_problem(exchange)
        if undecodable:
            problems.append(f"{what}: {undecodable}")
            continue
        try:
            answer = exchange.json()
        except ValueError:
            raise Inconclusive(f"the {what} ({exchange.url}) is not JSON") from None
        compared += text_roundtrip.present(sent, answer)
        for pointer, value, got in text_roundtrip.differences(sent, answer):
            ctx.note(
                "text",
                f"{what} {pointer}: sent {value!r}, got {got!r}",
                pointer=pointer,
                sent=value,
                got=got,
                sent_code_points=text_roundtrip.code_points(value),
                got_code_points=text_roundtrip.code_points(got),
            )
            problems.append(f"{what} {pointer}: sent {value!r}, got {got!r}")
    if read.status != 200:
        problems.append(f"the read {location} answered {read.status}, expected 200")
    if problems:
        ctx.reproduce = ctx.client.curl(created)
        more = f" (and {len(problems) - 3} more)" if len(problems) > 3 else ""
        ctx.fail(f"non-ASCII text not kept: {'; '.join(problems[:3])}{more} (RFC 8259 §8.1)")
    if not compared:
        raise PreconditionMissing("neither answer carries the non-ASCII fields written")
    return (
        f"{len(sent)} non-ASCII field(s) written came back unchanged in UTF-8 ({compared} compared)"
    )


def _operation(ctx: CheckContext, operation_id: str) -> tuple[OpenApiDocument, Any]:
    for document in ctx.discovery.openapi_documents():
        op = document.operation(operation_id)
        if op is not None:
            return document, op
    raise PreconditionMissing(f"no OpenAPI document declares the operation {operation_id}")
