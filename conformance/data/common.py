"""What several data checks share (the checks are in the family modules beside this one)."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from conformance.client.context import CheckContext
from conformance.client.generated import (
    Plan,
    Run,
)
from conformance.client.judges import Violation
from conformance.core.errors import Inconclusive, NotApplicable, PreconditionMissing
from conformance.core.inputs import local_file
from conformance.core.model import SafetyClass
from conformance.data.resource_inputs import (
    ResourceSpec,
)
from conformance.documents.openapi import HTTP_METHODS, OpenApiDocument
from conformance.inputs.shared import RESOURCES

EVIDENCE_VIOLATIONS = 10

# Where each schemathesis check's rule is written.
CHECK_SOURCES = {
    "status_code_conformance": "OpenAPI 3.1 §4.8.16 Responses Object",
    "content_type_conformance": "OpenAPI 3.1 §4.8.17 Response Object content",
    "response_headers_conformance": "OpenAPI 3.1 §4.8.17 Response Object headers",
    "response_schema_conformance": "OpenAPI 3.1 §4.8.14 Media Type schema; JSON Schema 2020-12",
    "not_a_server_error": "RFC 9110 §15.6",
    "xml_well_formed_and_safe": "XML 1.0 §2.1; RFC 7303 §10: no DOCTYPE, no entities",
    "negative_data_rejection": "OpenAPI 3.1 §4.8.12 Parameter/§4.8.13 Request Body schemas",
}

XML_ACCEPT = "application/xml"


def cite_violation(ctx: CheckContext, violation: Violation) -> None:
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


SHOWN = 3


def raw_resource(ctx: CheckContext, spec: ResourceSpec) -> dict[str, Any]:
    """The declared entry of one resource in inputs.resources, as given."""
    return dict((RESOURCES.read(ctx) or {}).get(spec.name) or {})


def read_input_document(
    ctx: CheckContext, location: str, what: str, accept: str
) -> tuple[bytes, str, str]:
    """Bytes, base URL and media type of a document on the target (a URL or a /path) or of a
    local file (a file:// URI: inputs are anchored when their profile or target file loads)."""
    if location.startswith(("http://", "https://", "/")):
        if location.startswith("http") and not ctx.client.on_target(location):
            raise PreconditionMissing(f"the {what} {location} is not on the target's hosts")
        exchange = ctx.client.get(location, headers={"Accept": accept}, reuse=True)
        if exchange.status != 200:
            ctx.cite(exchange, what)
            raise Inconclusive(f"the {what} {location} answered {exchange.status}, expected 200")
        return exchange.body, exchange.url, exchange.media_type
    path = input_file(location, what)
    media = "text/turtle" if path.suffix == ".ttl" else "application/ld+json"
    return path.read_bytes(), path.as_uri(), media


def input_file(location: str, what: str) -> Path:
    """The local file an input names (a file:// URI); skip when it is not one, or is gone."""
    path = local_file(location)
    if path is None:
        raise PreconditionMissing(
            f"the {what} {location!r} is neither a URL, a path on the target nor a file:// URI"
        )
    path = path.resolve()
    if not path.is_file():
        raise PreconditionMissing(f"the {what}: file {path} does not exist")
    return path


# -- DATA-SCH-01, DATA-SCH-02 and DATA-NEG-01 --------------------------------------------------
def generated_methods(ctx: CheckContext) -> frozenset[str]:
    """GET and HEAD, or every method when the check's include_writes is set and the run allows
    write (the parameter's default is the catalogue's: false for DATA-SCH-01, else true)."""
    writes = bool(ctx.params["include_writes"]) and SafetyClass.WRITE in ctx.allow
    return frozenset(m.upper() for m in HTTP_METHODS) if writes else frozenset({"GET", "HEAD"})


def generated_runs(
    ctx: CheckContext, mode: str, budget: int, execute: Callable[[OpenApiDocument, Plan], Run]
) -> list[Run]:
    """`execute` on each OpenAPI document of the target with its plan: the methods, the
    examples, and the document's share of the run-wide `budget` of `mode` requests."""
    documents = ctx.discovery.openapi_documents()
    methods = generated_methods(ctx)
    runs: list[Run] = []
    for i, document in enumerate(documents):
        spent = sum(r.sent for r in runs)
        plan = Plan(
            methods,
            max_examples=int(ctx.params.get("max_examples", 10)),
            max_requests=document_share(budget, spent, documents[i:], methods),
            seed=ctx.seed,
            mode=mode,
            coverage=mode == "negative",
        )
        runs.append(execute(document, plan))
    return runs


def document_share(
    budget: int, spent: int, documents: Sequence[OpenApiDocument], methods: frozenset[str]
) -> int:
    """The first of `documents`' part of what is left of a run-wide request budget: in
    proportion to its operations among those of `documents` (the ones not yet run), so that
    every operation of every document gets its share before any gets more (within a document
    the runner shares its part by operation the same way; what one leaves flows to the next)."""
    counts = [sum(op.method.upper() in methods for op in d.operations()) for d in documents]
    left = max(budget - spent, 0)
    return left * counts[0] // sum(counts) if sum(counts) else left


def only_judgement(run: Run, check_name: str) -> Run:
    """A copy of `run` keeping only the violations of one judgement."""
    return dataclasses.replace(run, violations=[v for v in run.violations if v.check == check_name])


def generation_note(ctx: CheckContext, runs: list[Run], kind: str, methods: Any) -> None:
    """The evidence of what generation did: operation by operation, requests, the seed."""
    exercised = list(dict.fromkeys(op for r in runs for op in r.exercised))
    sent = sum(r.sent for r in runs)
    ctx.note(
        "generation",
        f"schemathesis: {sent} {kind} request(s) to {len(exercised)} operation(s), seed {ctx.seed}",
        seed=ctx.seed,
        methods=methods,
        exercised=exercised,
        skipped={op: why for r in runs for op, why in r.skipped.items()},
        not_applicable={op: why for r in runs for op, why in r.not_applicable.items()},
        generation_errors={op: why for r in runs for op, why in r.generation_errors.items()},
        transport_errors={op: why for r in runs for op, why in r.transport_errors.items()},
        unavailable_refs={url: why for r in runs for url, why in r.unavailable_refs.items()},
        requests=sent,
        unsendable=sum(r.unsendable for r in runs),
        budget_exhausted=any(r.budget_exhausted for r in runs),
    )


def short_of_coverage(ctx: CheckContext, judged: int, asked: int) -> bool:
    """Whether `judged` of `asked` is below the share the `min_coverage` parameter demands
    (default 1.0: all of them)."""
    return judged < float(ctx.params.get("min_coverage", 1.0)) * asked - 1e-9


def covered(ctx: CheckContext, runs: list[Run], kind: str) -> list[str]:
    """The operations whose answers were judged; raises when they are fewer than the share of
    the operations asked for that the `min_coverage` parameter demands (default: all of them).

    A gap the suite could close itself (credentials, a larger request budget) is a skip; one it
    could not (unresolvable schemas, a target that did not answer) is an error.
    """
    asked = list(dict.fromkeys(op for r in runs for op in r.asked()))
    lacking = {op: why for r in runs for op, why in r.skipped.items()}
    failed = {
        op: why
        for r in runs
        for op, why in [*r.generation_errors.items(), *r.transport_errors.items()]
    }
    gaps = {**lacking, **failed}
    judged = [op for r in runs for op in r.judged() if op not in gaps]
    judged = list(dict.fromkeys(judged))
    if not asked:
        inapplicable = {op for r in runs for op in r.not_applicable}
        if inapplicable:
            raise NotApplicable(
                f"nothing in the requests of the {len(inapplicable)} operation(s) can be {kind}"
            )
        raise PreconditionMissing(f"no operation to send {kind} requests to")
    wanted = float(ctx.params.get("min_coverage", 1.0))
    if short_of_coverage(ctx, len(judged), len(asked)):
        listed = "; ".join(f"{op}: {why}" for op, why in list(gaps.items())[:SHOWN])
        more = f" (and {len(gaps) - SHOWN} more)" if len(gaps) > SHOWN else ""
        reason = (
            f"{len(judged)} of {len(asked)} operation(s) judged with {kind} requests, fewer than "
            f"min_coverage {wanted:g} asks: {listed}{more}"
        )
        if failed:
            raise Inconclusive(reason)
        raise PreconditionMissing(reason)
    return judged


def generated_verdict(ctx: CheckContext, runs: list[Run], kind: str, rule: str) -> str:
    """Fail on violations (each cited with its request, curl line and the seed); else pass when
    the operations judged cover what `min_coverage` asks."""
    violations = [v for r in runs for v in r.violations]
    sent = sum(r.sent for r in runs)
    generation_note(ctx, runs, kind, sorted({m for r in runs for m in _methods(r)}))
    if violations:
        for violation in violations[:EVIDENCE_VIOLATIONS]:
            cite_violation(ctx, violation)
        first = violations[0]
        ctx.reproduce = ctx.client.curl(first.exchange)
        ctx.fail(
            f"{len(violations)} violation(s) on {len({v.operation for v in violations})} "
            f"operation(s); first: {first.operation} {first.exchange.method} "
            f"{ctx.client.redactor.url(first.exchange.url)} answered {first.exchange.status}: "
            f"{first.summary} ({CHECK_SOURCES.get(first.check, 'OpenAPI')}; seed {ctx.seed})"
        )
    judged = covered(ctx, runs, kind)
    asked = len({op for r in runs for op in r.asked()})
    return (
        f"{sent} generated {kind} request(s) to {len(judged)} of {asked} operation(s) {rule} "
        f"(seed {ctx.seed})"
    )


def _methods(run: Run) -> list[str]:
    return [op.split(" ", 1)[0] for op in run.exercised]
