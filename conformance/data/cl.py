"""DATA-CL-01: coded values come from the declared code lists (ISO 3166-1, ISO 4217, GB/T 2260, or
lists the profile supplies)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from conformance.client.context import CheckContext
from conformance.client.http import Exchange
from conformance.core.errors import Inconclusive, PreconditionMissing
from conformance.core.inputs import declare_input
from conformance.core.registry import check
from conformance.data import codelists
from conformance.data.common import SHOWN, raw_resource, read_input_document
from conformance.data.resource_inputs import (
    ResourceSpec,
    declared_resources,
    inspect_items,
)
from conformance.documents.json_pointer import resolve as pointer_get

#: code lists the profile supplies, by name: a CSV or genericode file, or a document on the target
#: (a name not given here is one of the shipped lists, `codelists.BUILTIN`)
CODELISTS = declare_input(
    "codelists",
    {"type": "object", "additionalProperties": {"type": "string"}},
    paths=("/*",),
    description="code lists by name: a file, or a document on the target",
)


# -- DATA-CL-01 --------------------------------------------------------------------------------
@check("DATA-CL-01")
def code_lists(ctx: CheckContext) -> str:
    """Coded values come from the declared code lists."""
    specs = declared_resources(ctx)
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
    declared = raw_resource(ctx, spec).get("codelists") or {}
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
    supplied = CODELISTS.read(ctx) or {}
    lists = {}
    for name in sorted(names):
        try:
            if name in supplied:
                data, base, _media = read_input_document(
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
