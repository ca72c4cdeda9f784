"""BUS-WF-01: each declared workflow (Arazzo 1.0 document, or OpenAPI links) runs to completion
with every step's success criteria met; BUS-WF-02: stateful exploration along OpenAPI links
finds no violation (created resources are retrievable, deleted ones are gone)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from conformance.business.arazzo import StepRecord, WorkflowFailed, WorkflowRunner, load_arazzo
from conformance.business.arazzo.runner import Limits
from conformance.business.stateful import Bounds, Explorer
from conformance.client.context import CheckContext
from conformance.core.errors import Inconclusive, NotApplicable, PreconditionMissing
from conformance.core.inputs import declare_input, local_file
from conformance.core.registry import check

#: BUS-WF-01: the Arazzo 1.0 documents to run, files of the suite's machine
WORKFLOWS = declare_input(
    "workflows",
    {"type": "array", "items": {"type": "string"}},
    local_paths=("/*",),
    description="Arazzo 1.0 documents to run (files)",
)


#: BUS-WF-02: business-valid request bodies, by operationId, for the exploration along links
EXPLORATION = declare_input(
    "exploration",
    {
        "type": "object",
        "properties": {"bodies": {"type": "object", "additionalProperties": {"type": "object"}}},
        "additionalProperties": False,
    },
    description="request bodies for the stateful exploration, by operationId",
)


# -- BUS-WF-01 ----------------------------------------------------------------------------------
@check("BUS-WF-01")
def workflows_complete(ctx: CheckContext) -> str:
    """Every declared Arazzo workflow runs to its end with each step's success criteria met."""
    paths = WORKFLOWS.require(ctx)
    if not paths:
        raise PreconditionMissing("the profile's inputs.workflows lists no Arazzo document")
    documents = [load_arazzo(_workflow_file(p)) for p in paths]
    records: list[StepRecord] = []

    def on_step(record: StepRecord) -> None:
        records.append(record)
        ctx.cite(record.exchange, record.note)

    runner = WorkflowRunner(
        ctx.client, ctx.discovery.openapi_documents(), _limits(ctx.params), on_step
    )
    finished: list[str] = []
    for document in documents:
        try:
            outputs = runner.run_document(document)
        except WorkflowFailed as exc:
            if records:
                ctx.reproduce = ctx.client.curl(records[-1].exchange)
            ctx.fail(
                f"{Path(document.file).name}: {exc} — Arazzo 1.0.1 (Step Object): every "
                "success criterion MUST be satisfied for the step to succeed"
            )
        for workflow_id, values in outputs.items():
            ctx.note("outputs", f"workflow {workflow_id} outputs", outputs=values)
            finished.append(workflow_id)
    return (
        f"{len(finished)} workflow(s) ({', '.join(finished)}) ran to completion: "
        f"{len(records)} step executions, every step's success criteria met"
    )


def _workflow_file(location: str) -> Path:
    """The Arazzo document's file (inputs.workflows holds file:// URIs once loaded)."""
    path = local_file(location)
    if path is None:
        raise PreconditionMissing(f"the workflow {location!r} is not a file:// URI")
    return path


def _limits(params: dict[str, Any]) -> Limits:
    defaults = Limits()
    return Limits(
        max_polls=int(params.get("max_polls", defaults.max_polls)),
        poll_interval_s=float(params.get("poll_interval_s", defaults.poll_interval_s)),
        max_wait_s=float(params.get("max_wait_s", defaults.max_wait_s)),
        max_steps=int(params.get("max_steps", defaults.max_steps)),
    )


@check("BUS-WF-02")
def stateful_exploration(ctx: CheckContext) -> str:
    """Scenarios along the OpenAPI links find created resources retrievable, deleted ones gone."""
    spec = EXPLORATION.read(ctx) or {}
    bodies: dict[str, Any] = spec.get("bodies", {}) if isinstance(spec, dict) else {}
    bounds = Bounds(
        max_scenarios=int(ctx.params["max_scenarios"]),
        max_steps=int(ctx.params["max_steps"]),
        max_requests=int(ctx.params["max_requests"]),
        seed=ctx.seed,
    )
    documents = [d for d in ctx.discovery.openapi_documents() if _has_links(d.data)]
    if not documents:
        raise NotApplicable("the target's OpenAPI documents declare no links to follow")
    sent, followed = 0, set[str]()
    for document in documents:
        if document.server_url().startswith("http://") and ctx.target.base_url.startswith(
            "https://"
        ):
            raise PreconditionMissing(
                f"the OpenAPI servers URL is {document.server_url()}: plain http (DEP-OAS-02)"
            )
        result = Explorer(ctx.client, document, bounds, bodies).explore()
        sent += len(result.steps)
        followed |= result.links_followed
        if result.violation is not None:
            for step in result.violation_steps:
                ctx.cite(
                    step.exchange, f"{step.operation}" + (f" via {step.link}" if step.link else "")
                )
            ctx.note(
                "scenario",
                f"{len(result.steps)} requests explored before the violation",
                steps=[
                    f"{s.exchange.method} {s.exchange.url} → {s.exchange.status}"
                    for s in result.steps[-10:]
                ],
            )
            ctx.reproduce = ctx.client.curl(result.violation_steps[-1].exchange)
            ctx.fail(result.violation)
    if not followed:
        raise Inconclusive(
            f"{sent} requests explored, but no link could be followed (give business-valid bodies "
            "in inputs.exploration.bodies)"
        )
    ctx.note("links", f"{len(followed)} link transitions followed", links=sorted(followed))
    return (
        f"{sent} requests in at most {bounds.max_scenarios} scenarios of {bounds.max_steps} steps "
        f"followed {len(followed)} link transitions; every created resource was retrievable"
    )


def _has_links(document: Any) -> bool:
    for item in document.get("paths", {}).values():
        for operation in item.values() if isinstance(item, dict) else ():
            for response in (
                operation.get("responses", {}) if isinstance(operation, dict) else {}
            ).values():
                if isinstance(response, dict) and response.get("links"):
                    return True
    return False
