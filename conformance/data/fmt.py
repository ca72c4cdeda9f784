"""DATA-FMT-01: dates and times are RFC 3339 with an offset; declared formats (email, uri, uuid)
hold."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from conformance.client.context import CheckContext
from conformance.client.http import Exchange
from conformance.core.errors import Inconclusive, NotApplicable, PreconditionMissing
from conformance.core.registry import check
from conformance.data import formats
from conformance.data import probes as data_probes
from conformance.data.common import short_of_coverage
from conformance.data.resource_inputs import (
    declared_resources,
    get_maybe_authorized,
    list_items,
)
from conformance.documents.openapi import OpenApiDocument, Operation


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
        if _answers_json(document, op)
    ]
    for spec in declared_resources(ctx):
        urls.extend(list_items(ctx.client, spec, limit).urls)
    # documents whose components declare a format, which any answer's schema may refer to
    documented = {d.url for d in documents if formats.declares_format(d.data.get("components"))}
    bad: list[str] = []
    checked = examined = 0  # answers judged; of them, with something a format could break
    unjudged: dict[str, str] = {}
    for url in dict.fromkeys(urls):
        try:
            exchange = get_maybe_authorized(ctx.client, url, "application/json")
            if exchange.status != 200 or not _is_json(exchange.media_type):
                continue
            body = exchange.json()
        except Inconclusive as exc:  # one answer that cannot be read leaves the others judged
            unjudged[ctx.client.redactor.url(url)] = exc.message
            continue
        except ValueError:
            continue  # not JSON: DATA-SCH-01's concern
        try:
            found, formatted = _format_problems(documents, documented, exchange, body)
        except Inconclusive as exc:  # its schema cannot be used: this answer is not judged
            unjudged[ctx.client.redactor.url(url)] = exc.message
            continue
        checked += 1
        examined += formatted
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
    if unjudged:
        ctx.note("unjudged", f"{len(unjudged)} answer(s) could not be read", answers=unjudged)
    if unjudged and short_of_coverage(ctx, checked, checked + len(unjudged)):
        first = next(iter(unjudged.items()))
        raise Inconclusive(
            f"{len(unjudged)} of {len(unjudged) + checked} answer(s) could not be judged (the "
            f"others hold their formats); first: {first[0]}: {first[1]}"
        )
    if not checked:
        raise PreconditionMissing("no JSON answer to check (no parameterless GET, no resources)")
    if not examined:  # a pass here would say formats hold where there was none to hold
        raise NotApplicable(
            f"the {checked} JSON answer(s) carry no timestamp and their schemas declare no "
            "format: nothing for a format to break"
        )
    unread = f" ({len(unjudged)} could not be read: see the evidence)" if unjudged else ""
    return (
        f"{checked} JSON answer(s){unread}: every timestamp RFC 3339 with an offset, every "
        "declared format holds"
    )


def _format_problems(
    documents: list[OpenApiDocument], documented: set[str], exchange: Exchange, body: Any
) -> tuple[list[formats.FormatProblem], bool]:
    """What breaks a format in one answer, and whether it had anything a format could break
    (a timestamp-like string, or a documented schema that declares a format, itself or in the
    components of its document: `documented`)."""
    found = formats.undeclared_timestamp_problems(body)
    seen = {p.pointer for p in found}
    formatted = formats.timestamp_like(body) > 0
    for document in documents:
        op = formats.operation_for(document, exchange.method, exchange.url)
        schema = op and formats.response_schema(document, op, exchange.status, exchange.media_type)
        if op is not None and schema:
            declared = formats.declared_format_problems(document, schema, body)
            found.extend(p for p in declared if p.pointer not in seen)
            formatted = formatted or document.url in documented or formats.declares_format(schema)
            break
    return found, formatted


def _answers_json(document: OpenApiDocument, op: Operation) -> bool:
    """Whether the operation documents a JSON success answer, or documents no success content
    (then only asking tells); an HTML page or an XSD asked for JSON teaches this check nothing."""
    responses = op.spec.get("responses")
    declared: list[str] = []
    for status, response in responses.items() if isinstance(responses, dict) else ():
        if str(status).upper() in ("2XX",) or str(status).startswith("2"):
            content = document.resolved(response)
            content = content.get("content") if isinstance(content, dict) else None
            if isinstance(content, dict):
                declared += [str(t).split(";")[0].strip().lower() for t in content]
    return not declared or any(_is_json(t) for t in declared)


def _is_json(media_type: str) -> bool:
    return media_type == "application/json" or media_type.endswith("+json")
