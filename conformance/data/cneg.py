"""DATA-CNEG-01: the same resource in JSON and in XML carries the same data (field map in the
profile)."""

from __future__ import annotations

from conformance.client.context import CheckContext
from conformance.core.errors import Inconclusive, PreconditionMissing
from conformance.core.registry import check
from conformance.data import field_map
from conformance.data.common import XML_ACCEPT
from conformance.data.resource_inputs import (
    declared_resources,
    get_maybe_authorized,
    list_items,
)
from conformance.documents import xmlsafe
from conformance.inputs.shared import RESOURCES


# -- DATA-CNEG-01 ------------------------------------------------------------------------------
@check("DATA-CNEG-01")
def json_and_xml_agree(ctx: CheckContext) -> str:
    """The same resource in JSON and in XML carries the same data, by the declared field map."""
    raw = RESOURCES.read(ctx) or {}
    specs = [s for s in declared_resources(ctx) if (raw.get(s.name) or {}).get("field_map")]
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
