"""DATA-SCH-01: answers to generated valid requests have a documented status, a documented content
type, documented headers, and a body valid against the schema; DATA-SCH-02: no generated
request, valid or not, gets a 5xx."""

from __future__ import annotations

from conformance.client import generated
from conformance.client.context import CheckContext
from conformance.client.generated import (
    GeneratedRunner,
    PositiveRunner,
    Run,
)
from conformance.client.judges import server_error_judge
from conformance.core.registry import check
from conformance.data.common import (
    CHECK_SOURCES,
    EVIDENCE_VIOLATIONS,
    cite_violation,
    covered,
    generated_methods,
    generated_runs,
    generated_verdict,
    generation_note,
    only_judgement,
)


# -- DATA-SCH-01 -------------------------------------------------------------------------------
@check("DATA-SCH-01")
def generated_valid_requests(ctx: CheckContext) -> str:
    """Answers to generated valid requests are documented and valid against the schema."""
    budget = int(ctx.params.get("max_requests", 200))
    runs = generated_runs(
        ctx,
        "positive",
        budget,
        lambda document, plan: PositiveRunner(ctx.client, document, plan).execute(),
    )
    return _schema_verdict(ctx, runs, generated_methods(ctx) != {"GET", "HEAD"})


def _schema_verdict(ctx: CheckContext, runs: list[Run], writes: bool) -> str:
    violations = [v for r in runs for v in r.violations]
    sent = sum(r.sent for r in runs)
    generation_note(ctx, runs, "valid", "all" if writes else "GET, HEAD")
    if violations:
        for violation in violations[:EVIDENCE_VIOLATIONS]:
            cite_violation(ctx, violation)
        ctx.reproduce = ctx.client.curl(violations[0].exchange)
        first = violations[0]
        where = f" at {first.instance_path or '/'}" if first.instance_path is not None else ""
        ctx.fail(
            f"{len(violations)} violation(s) on "
            f"{len({v.operation for v in violations})} operation(s); first: {first.operation} "
            f"{first.check}{where}: {first.summary} ({CHECK_SOURCES.get(first.check, 'OpenAPI')};"
            f" seed {ctx.seed})"
        )
    judged = covered(ctx, runs, "valid")
    asked = len({op for r in runs for op in r.asked()})
    return (
        f"{sent} generated valid request(s) to {len(judged)} of {asked} operation(s) got "
        f"documented statuses, content types and headers, and schema-valid bodies "
        f"(seed {ctx.seed})"
    )


@check("DATA-SCH-02")
def no_server_errors(ctx: CheckContext) -> str:
    """No generated request, valid or schema-violating, gets a 5xx."""
    budget = int(ctx.params.get("max_requests", 300))
    positives = generated_runs(
        ctx,
        "positive",
        budget,
        lambda document, plan: GeneratedRunner(
            ctx.client, document, plan, server_error_judge
        ).execute(),
    )
    negatives = generated_runs(
        ctx,
        "negative",
        budget,
        lambda document, plan: generated.negative_run(ctx.client, document, plan),
    )
    runs = [*positives, *(only_judgement(r, "not_a_server_error") for r in negatives)]
    return generated_verdict(
        ctx,
        runs,
        "valid and schema-violating",
        "got no 5xx (RFC 9110 §15.6: a server error is the server's fault, never the request's)",
    )
