"""Data level, the requests side: no 5xx, schema violations and broken requests refused.

DATA-SCH-02 and DATA-NEG-01 read schemathesis-generated requests (conformance.client.generated), the
negative ones sent once per run for both; DATA-NEG-02 sends hand-made broken requests
(conformance.data.probes).
"""

from __future__ import annotations

from conformance.client.context import CheckContext
from conformance.client.generated import (
    GeneratedRunner,
    Plan,
    Run,
    negative_run,
    server_error_judge,
)
from conformance.core.errors import Inconclusive, PreconditionMissing
from conformance.core.model import SafetyClass
from conformance.core.registry import check
from conformance.data import probes as data_probes
from conformance.data.checks_data import CHECK_SOURCES, EVIDENCE_VIOLATIONS, _cite_violation
from conformance.documents.openapi import HTTP_METHODS


# -- DATA-SCH-02 and DATA-NEG-01 ---------------------------------------------------------------
def _generation_plan(ctx: CheckContext, mode: str, budget: int) -> Plan:
    """Methods (GET/HEAD, or all when include_writes and the run allows write) and limits."""
    writes = bool(ctx.params.get("include_writes", True)) and SafetyClass.WRITE in ctx.allow
    methods = {m.upper() for m in HTTP_METHODS} if writes else {"GET", "HEAD"}
    return Plan(
        frozenset(methods),
        max_examples=int(ctx.params.get("max_examples", 10)),
        max_requests=budget,
        seed=ctx.seed,
        mode=mode,
        coverage=mode == "negative",
    )


@check("DATA-SCH-02")
def no_server_errors(ctx: CheckContext) -> str:
    """No generated request, valid or schema-violating, gets a 5xx."""
    budget = int(ctx.params.get("max_requests", 300))
    runs: list[Run] = []
    for document in ctx.discovery.openapi_documents():
        positive = _generation_plan(ctx, "positive", budget)
        runs.append(GeneratedRunner(ctx.client, document, positive, server_error_judge).execute())
        negative = _generation_plan(ctx, "negative", budget)
        runs.append(_only(negative_run(ctx.client, document, negative), "not_a_server_error"))
    return _generated_verdict(
        ctx,
        runs,
        "valid and schema-violating",
        "got no 5xx (RFC 9110 §15.6: a server error is the server's fault, never the request's)",
    )


@check("DATA-NEG-01")
def schema_violations_refused(ctx: CheckContext) -> str:
    """Generated requests that violate the schema are refused with a 4xx."""
    budget = int(ctx.params.get("max_requests", 300))
    runs = [
        _only(
            negative_run(ctx.client, document, _generation_plan(ctx, "negative", budget)),
            "negative_data_rejection",
        )
        for document in ctx.discovery.openapi_documents()
    ]
    return _generated_verdict(
        ctx,
        runs,
        "schema-violating",
        "were refused with a 4xx (OpenAPI 3.1: the schemas bound input)",
    )


def _only(run: Run, check_name: str) -> Run:
    """A copy of `run` keeping only the violations of one judgement."""
    return Run(
        violations=[v for v in run.violations if v.check == check_name],
        exercised=list(run.exercised),
        skipped=dict(run.skipped),
        sent=run.sent,
        unsendable=run.unsendable,
        budget_exhausted=run.budget_exhausted,
        transport_error=run.transport_error,
        generation_errors=dict(run.generation_errors),
    )


def _generated_verdict(ctx: CheckContext, runs: list[Run], kind: str, rule: str) -> str:
    """Fail on violations (each cited with its request, curl line and the seed), else pass."""
    exercised = sorted({op for r in runs for op in r.exercised})
    errors = {op: why for r in runs for op, why in r.generation_errors.items()}
    violations = [v for r in runs for v in r.violations]
    sent = sum(r.sent for r in runs)
    ctx.note(
        "generation",
        f"schemathesis: {sent} {kind} request(s) to {len(exercised)} operation(s), seed {ctx.seed}",
        seed=ctx.seed,
        methods=sorted({m for r in runs for m in _methods(r)}),
        exercised=exercised,
        skipped={op: why for r in runs for op, why in r.skipped.items()},
        generation_errors=errors,
        requests=sent,
        unsendable=sum(r.unsendable for r in runs),
        budget_exhausted=any(r.budget_exhausted for r in runs),
    )
    if violations:
        for violation in violations[:EVIDENCE_VIOLATIONS]:
            _cite_violation(ctx, violation)
        first = violations[0]
        ctx.reproduce = ctx.client.curl(first.exchange)
        ctx.fail(
            f"{len(violations)} violation(s) on {len({v.operation for v in violations})} "
            f"operation(s); first: {first.operation} {first.exchange.method} "
            f"{ctx.client.redactor.url(first.exchange.url)} answered {first.exchange.status}: "
            f"{first.summary} ({CHECK_SOURCES.get(first.check, 'OpenAPI')}; seed {ctx.seed})"
        )
    transport = next((r.transport_error for r in runs if r.transport_error), None)
    if transport is not None:
        raise Inconclusive(f"generated requests stopped: {transport.message}")
    judged = [op for op in exercised if op not in errors]
    if not judged or not sent:
        raise PreconditionMissing(f"no {kind} request could be generated and sent")
    return (
        f"{sent} generated {kind} request(s) to {len(judged)} operation(s) {rule} (seed {ctx.seed})"
    )


def _methods(run: Run) -> list[str]:
    return [op.split(" ", 1)[0] for op in run.exercised]


# -- DATA-NEG-02 -------------------------------------------------------------------------------
@check("DATA-NEG-02")
def broken_requests_refused(ctx: CheckContext) -> str:
    """Malformed bodies get 400, an undeclared Content-Type 415, an unsatisfiable Accept 406."""
    limit = int(ctx.params.get("max_operations", 5))
    probes: list[data_probes.Probe] = []
    for document in ctx.discovery.openapi_documents():
        for op, kinds in data_probes.body_operations(document)[:limit]:
            probes.extend(data_probes.probe_body_operation(ctx.client, document, op, kinds))
        for op in data_probes.accept_operations(document)[:limit]:
            probes.append(data_probes.probe_accept(ctx.client, document, op))
    if not probes:
        raise PreconditionMissing("the OpenAPI documents declare no operation to probe")
    bad = [p for p in probes if not p.ok]
    for probe in bad or probes[:1]:
        ctx.cite(probe.exchange, probe.problem() if not probe.ok else f"{probe.operation} (ok)")
    if bad:
        ctx.reproduce = ctx.client.curl(bad[0].exchange)
        more = f" (and {len(bad) - 3} more)" if len(bad) > 3 else ""
        ctx.fail(
            f"{len(bad)} of {len(probes)} broken request(s) misanswered: "
            f"{'; '.join(p.problem() for p in bad[:3])}{more}"
        )
    statuses = sorted({p.expected for p in probes})
    return (
        f"{len(probes)} broken request(s) got the right refusal "
        f"({', '.join(str(k) for k in statuses)}: malformed body, media type, Accept)"
    )
