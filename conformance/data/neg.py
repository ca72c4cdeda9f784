"""DATA-NEG-01: requests that violate the schema are refused with 4xx; DATA-NEG-02: malformed
bodies (broken JSON or XML) get 400; an unsupported media type gets 415; an unsupported Accept
gets 406."""

from __future__ import annotations

from conformance.client import generated
from conformance.client.context import CheckContext
from conformance.core.errors import NotApplicable
from conformance.core.registry import check
from conformance.data import probes as data_probes
from conformance.data.common import generated_runs, generated_verdict, only_judgement


@check("DATA-NEG-01")
def schema_violations_refused(ctx: CheckContext) -> str:
    """Generated requests that violate the schema are refused with a 4xx."""
    budget = int(ctx.params.get("max_requests", 300))
    negatives = generated_runs(
        ctx,
        "negative",
        budget,
        lambda document, plan: generated.negative_run(ctx.client, document, plan),
    )
    runs = [only_judgement(r, "negative_data_rejection") for r in negatives]
    return generated_verdict(
        ctx,
        runs,
        "schema-violating",
        "were refused with a 4xx (OpenAPI 3.1: the schemas bound input)",
    )


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
        raise NotApplicable("the OpenAPI documents declare no operation to probe")
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
