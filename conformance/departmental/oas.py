"""DEP-OAS-01: each API's OpenAPI document is retrievable and valid OpenAPI 3.0/3.1; DEP-OAS-02:
info has title, version and contact; every servers URL is https; DEP-OAS-03: every operation has
an operationId, a summary, and documents its 4xx responses."""

from __future__ import annotations

from typing import Any

from conformance.client.context import CheckContext
from conformance.client.discovery import OPENAPI_ACCEPT
from conformance.core.errors import Inconclusive
from conformance.core.registry import check
from conformance.departmental.common import document_rules
from conformance.departmental.oas_rules import (
    https_findings,
    info_findings,
    operation_findings,
)
from conformance.departmental.oas_validation import (
    bounded,
    load_document,
    read_as_yaml,
    validate_openapi,
)
from conformance.departmental.oas_values import ValueCheck, check_values, rule


@check("DEP-OAS-01")
def openapi_valid(ctx: CheckContext) -> str:
    """Every service-desc document on the target is retrievable and valid OpenAPI 3.0/3.1."""
    limit = int(ctx.params.get("max_errors", 10))
    versions = []
    for source in ctx.discovery.openapi_sources():
        url, document = _retrieve(ctx, source)
        try:
            bounded(document)
        except ValueError as exc:
            ctx.fail(f"the OpenAPI document {url} is unusable: {exc}")
        if not isinstance(document, dict):
            ctx.fail(f"the OpenAPI document {url} is a {type(document).__name__}, not an object")
        result = validate_openapi(document, url, ctx.client, limit)
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
        remote = source.startswith(("http://", "https://"))
        yaml_11 = read_as_yaml(document) or (not remote and not source.lower().endswith(".json"))
        values = check_values(document, url, result.version, yaml_11=yaml_11)
        _note_values(ctx, url, values)
        if values.errors:
            first = values.errors[0]
            what = {"default": "the default", "enum": "the enum value"}.get(first.kind, "the value")
            ctx.fail(
                f"the OpenAPI document {url} (OpenAPI {result.version}) has {values.error_count} "
                f"default(s) or enum value(s) that do not conform to their schema: {what} at "
                f"{first.json_path}: {first.message} ({rule(first.kind, result.version)})"
            )
        local = "" if remote else ", a local file"
        versions.append(f"{url} (OpenAPI {result.version}{local}; {values.describe()})")
    return f"{len(versions)} OpenAPI document(s) retrieved and valid: {', '.join(versions)}"


def _note_values(ctx: CheckContext, url: str, values: ValueCheck) -> None:
    """Evidence of what checking the document's values found: the defaults and enum values that
    do not conform, the examples that contradict their schema, the values not checked."""
    listed = {"url": url, "openapi": values.version}
    if values.errors:
        ctx.note(
            "values",
            f"{values.error_count} default(s), enum value(s) or $ref(s) that do not conform to "
            f"their schema in {url}",
            **listed,
            findings=[f.to_dict() for f in values.errors],
            rules={f.kind: rule(f.kind, values.version) for f in values.errors},
            truncated=values.error_count > len(values.errors),
        )
    if values.examples:
        ctx.note(
            "examples",
            f"{values.example_count} example(s) contradict their schema in {url} "
            f"({rule('example', values.version)})",
            **listed,
            findings=[f.to_dict() for f in values.examples],
            truncated=values.example_count > len(values.examples),
        )
    if values.unchecked or values.incomplete:
        ctx.note(
            "unchecked",
            f"{values.unchecked_count} value(s) of {url} not checked"
            + (f"; {values.incomplete}" if values.incomplete else ""),
            **listed,
            values=[u.to_dict() for u in values.unchecked],
            truncated=values.unchecked_count > len(values.unchecked),
        )


def _retrieve(ctx: CheckContext, source: str) -> tuple[str, Any]:
    """(URL, parsed content) of one OpenAPI document; a fail when the target serves it badly."""
    if not source.startswith(("http://", "https://")):
        try:
            document = ctx.discovery.read_openapi(source)
        except ValueError as exc:
            raise Inconclusive(f"the OpenAPI file {source} is not JSON or YAML: {exc}") from None
        return document.url, document.data
    if not ctx.client.on_target(source):
        raise Inconclusive(f"the OpenAPI document {source} is not on the target's hosts")
    exchange = ctx.client.get(source, headers={"Accept": OPENAPI_ACCEPT})
    ctx.cite(exchange, "service-desc")
    if exchange.status != 200:
        ctx.fail(f"the OpenAPI document {source} answered {exchange.status}, expected 200")
    try:
        return exchange.url, load_document(exchange)
    except ValueError as exc:
        ctx.fail(f"the OpenAPI document {source} is not a JSON or YAML document: {exc}")


@check("DEP-OAS-02")
def openapi_info_servers(ctx: CheckContext) -> str:
    """info has title, version and contact; every servers URL is https."""
    count = document_rules(
        ctx,
        lambda doc: info_findings(doc.data) + https_findings(doc),
        "OpenAPI 3.1 §4.8.2 Info Object, §4.8.5 Server Object; servers must be https",
    )
    return f"{count} OpenAPI document(s) have info title, version and contact, https servers"


@check("DEP-OAS-03")
def openapi_operations(ctx: CheckContext) -> str:
    """Every operation has an operationId, a summary, and documents its 4xx responses."""
    count = document_rules(ctx, operation_findings, "NL API Design Rules: document operations")
    return f"every operation of {count} OpenAPI document(s) has operationId, summary and 4xx"
