"""How an answer to a generated request is judged: schemathesis' own checks, run on the suite's
exchange, each failure a Violation with its operation, pointer and request."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import requests
from schemathesis.core.failures import Failure, FailureGroup
from schemathesis.core.jsonschema.bundler import unbundle_path
from schemathesis.core.transport import Response
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from conformance.client.http import Exchange
from conformance.documents import xmlsafe

# The four DATA-SCH-01 judgements, by schemathesis check name.
CHECKS: tuple[Callable[..., Any], ...] = (
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
)


@dataclass(frozen=True, slots=True)
class Violation:
    """One failed check on the minimal failing request of one operation."""

    operation: str
    check: str
    title: str
    summary: str
    message: str
    exchange: Exchange
    schema_path: str | None = None
    instance_path: str | None = None


def as_schemathesis_response(exchange: Exchange) -> Response:
    """The exchange as a schemathesis Response (its request without credentials)."""
    headers = {k: v for k, v in exchange.request_headers.items() if k.lower() != "authorization"}
    request = requests.Request(
        exchange.method, exchange.url, headers=headers, data=exchange.request_body
    ).prepare()
    return Response(
        status_code=exchange.status,
        headers={name.lower(): [value] for name, value in exchange.headers.items()},
        content=exchange.body,
        request=request,
        elapsed=exchange.elapsed_s,
        verify=True,
    )


def conformance_judge(case: Any, exchange: Exchange, operation: str) -> list[Violation]:
    """Run each of the four conformance checks on the answer; every failure they raise; and an
    XML answer must be well-formed XML without a DOCTYPE, whatever schema it is declared with."""
    return _run_checks(case, exchange, operation, CHECKS) + xml_judge(exchange, operation)


def xml_judge(exchange: Exchange, operation: str) -> list[Violation]:
    """An XML answer parsed with the hardened parser: a DOCTYPE (entities, a DTD) or broken XML
    is a violation, never expanded or read (RFC 7303 §10; XML 1.0 §2.1 well-formedness)."""
    media = exchange.media_type
    if not (media.endswith("/xml") or media.endswith("+xml")) or not exchange.body.strip():
        return []
    try:
        xmlsafe.parse(exchange.body)
    except xmlsafe.UnsafeXml as exc:
        summary = f"the {media} answer declares a DOCTYPE: {exc}"
    except xmlsafe.MalformedXml as exc:
        where = f" (line {exc.line})" if exc.line else ""
        summary = f"the {media} answer is not well-formed XML{where}: {exc}"
    else:
        return []
    return [
        Violation(
            operation=operation,
            check="xml_well_formed_and_safe",
            title="Unsafe or malformed XML",
            summary=summary,
            message=summary,
            exchange=exchange,
        )
    ]


judge = conformance_judge  # the earlier name


def server_error_judge(case: Any, exchange: Exchange, operation: str) -> list[Violation]:
    """A 5xx answer to any generated request, valid or not, is a violation (RFC 9110 §15.6)."""
    if exchange.status < 500:
        return []
    summary = f"{exchange.status} to a {_mode(case)} request"
    return [
        Violation(
            operation=operation,
            check="not_a_server_error",
            title="Server error",
            summary=summary,
            message=f"{summary}: {exchange.text()[:300]}",
            exchange=exchange,
        )
    ]


def rejection_judge(case: Any, exchange: Exchange, operation: str) -> list[Violation]:
    """A request that violates the schema must be refused with a 4xx (schemathesis' check)."""
    if exchange.status >= 500 or not _violation_survives_xml(case):
        return []  # DATA-SCH-02 decides server errors; one fault, one requirement
    found = _run_checks(case, exchange, operation, (negative_data_rejection,))
    what = _negated(case)
    summary = f"{what or 'a schema-violating request'} answered {exchange.status}, expected 4xx"
    return [dataclasses.replace(v, summary=summary) for v in found]


def _negated(case: Any) -> str:
    """What a negative case violates, as schemathesis describes it (e.g. `enterprise: Object
    with unexpected properties`), with where the body or parameter is."""
    data = getattr(getattr(getattr(case, "meta", None), "phase", None), "data", None)
    description = str(getattr(data, "description", "") or "")
    where = getattr(data, "parameter_location", None)
    name = getattr(data, "parameter", None)
    if where is not None and description:
        place = f"{where.value} {name}" if name else str(where.value)
        return f"{place}: {description}"
    return description


def negative_judge(case: Any, exchange: Exchange, operation: str) -> list[Violation]:
    """Both judgements of a negative run: no server error, and a refusal."""
    return server_error_judge(case, exchange, operation) + rejection_judge(
        case, exchange, operation
    )


def _violation_survives_xml(case: Any) -> bool:
    """Whether a negated body is still invalid once written as XML, which has no JSON types.

    `{"name": null}` becomes `<name>null</name>`, a valid string; only the coverage scenarios
    below stay violations in XML, and random negative XML bodies are not judged.
    """
    media = str(getattr(case, "media_type", "") or "").split(";")[0].strip().lower()
    if not (media.endswith("/xml") or media.endswith("+xml")):
        return True
    data = getattr(getattr(getattr(case, "meta", None), "phase", None), "data", None)
    scenario = getattr(getattr(data, "scenario", None), "value", None)
    return scenario in _XML_SAFE_SCENARIOS


_XML_SAFE_SCENARIOS = frozenset(
    {
        "object_unexpected_properties",
        "object_missing_required_property",
        "invalid_enum_value",
        "invalid_pattern",
        "string_above_max_length",
        "string_below_min_length",
    }
)


def _mode(case: Any) -> str:
    meta = getattr(case, "meta", None)
    mode = getattr(getattr(meta, "generation", None), "mode", None)
    return str(getattr(mode, "value", "generated"))


def _run_checks(
    case: Any, exchange: Exchange, operation: str, checks: Iterable[Callable[..., Any]]
) -> list[Violation]:
    response = as_schemathesis_response(exchange)
    found: list[Violation] = []
    for check in checks:
        try:
            case.validate_response(response, checks=[check])
        except FailureGroup as group:
            found.extend(
                _violation(operation, check.__name__, f, exchange) for f in group.exceptions
            )
        except Failure as failure:
            found.append(_violation(operation, check.__name__, failure, exchange))
    return found


def _violation(operation: str, check: str, failure: Failure, exchange: Exchange) -> Violation:
    schema_path = getattr(failure, "schema_path", None)
    bundled_names = getattr(failure, "_name_to_uri", None)  # schemathesis' bundled $ref names
    if schema_path is not None and bundled_names:
        schema_path = unbundle_path(list(schema_path), bundled_names)
    instance_path = getattr(failure, "instance_path", None)
    summary = str(getattr(failure, "validation_message", "") or failure.message).strip()
    return Violation(
        operation=operation,
        check=check,
        title=str(failure.title),
        summary=summary.splitlines()[0] if summary else str(failure.title),
        message=str(failure.message),
        exchange=exchange,
        schema_path=_pointer(schema_path) if schema_path is not None else None,
        instance_path=_pointer(instance_path) if instance_path is not None else None,
    )


def _pointer(path: Iterable[Any]) -> str:
    """A JSON pointer (RFC 6901) from a list of keys and indexes."""
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in path)
