"""What several business checks share (the checks are in the family modules beside this one)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import Any

from conformance.business.cases import Case, CaseDriver
from conformance.business.peer import PeerCall, SuitePeer
from conformance.client.context import CheckContext
from conformance.client.http import Exchange, HttpClient
from conformance.core.errors import Inconclusive, PreconditionMissing
from conformance.core.inputs import declare_input, local_file

TRACE_CONTEXT = "W3C Trace Context §3.2 (traceparent)"


#: BUS-XAG-01, BUS-CORR-01: how the target is told that its peer is the suite's endpoint, the
#: path the target calls there, the canned answer, and the CA of the target's client certificate
PEER = declare_input(
    "peer",
    {
        "type": "object",
        "required": ["configure", "path"],
        "properties": {
            "configure": {
                "type": "object",
                "required": ["path"],
                "properties": {"path": {"type": "string"}, "scope": {"type": "string"}},
                "additionalProperties": False,
            },
            "path": {"type": "string"},
            "client_ca": {"type": "string"},
            "answer": {
                "type": "object",
                "properties": {"status": {"type": "integer"}, "body": {}},
                "additionalProperties": False,
            },
            "request_schema": {"type": "object"},
        },
        "additionalProperties": False,
    },
    local_paths=("/client_ca",),
    description="how the target is told its peer is the suite's endpoint",
)


# -- shared ---------------------------------------------------------------------------------
def client_as(ctx: CheckContext, **oauth_changes: Any) -> HttpClient:
    """A client for the same target with other OAuth2 credentials or scope (same redaction)."""
    oauth = ctx.target.oauth2
    if oauth is None:
        raise PreconditionMissing("the target names no OAuth2 client (credentials.oauth2)")
    target = replace(ctx.target, oauth2=replace(oauth, **oauth_changes), bearer_token=None)
    client = HttpClient(
        target, allow=ctx.client.allow, redactor=ctx.client.redactor, max_rps=ctx.client.max_rps
    )
    if ctx.client.declared_rps is not None:
        client.keep_under(
            ctx.client.declared_rps, authenticated_only=ctx.client.declared_per_client
        )
    return client


@contextmanager
def suite_peer(ctx: CheckContext) -> Iterator[tuple[SuitePeer, dict[str, Any]]]:
    """Start the suite's peer, tell the target where it is (inputs.peer), reset it after."""
    spec = PEER.require(ctx)
    if not isinstance(spec, dict) or not {"configure", "path"} <= spec.keys():
        raise PreconditionMissing("inputs.peer needs configure and path")
    configure = spec["configure"]
    client_ca = peer_client_ca(ctx, spec)
    if client_ca is None or not client_ca.is_file():
        raise PreconditionMissing(
            "inputs.peer.client_ca (or the target's trust.ca_bundle) must name the CA of the "
            "target's client certificate"
        )
    answer = spec.get("answer", {})
    admin = client_as(ctx, scope=str(configure.get("scope", "")))
    path = str(configure["path"])
    with SuitePeer(client_ca, int(answer.get("status", 200)), answer.get("body", {})) as peer:
        told = admin.request(
            "PUT", path, json_body={"url": peer.url, "ca_pem": peer.ca_pem}, auth=True
        )
        ctx.cite(told, f"tell the target that its peer is the suite's endpoint {peer.url}")
        if not 200 <= told.status < 300:
            raise Inconclusive(
                f"configuring the peer (PUT {path}) answered {told.status}: {told.text()[:200]}"
            )
        try:
            yield peer, spec
        finally:
            reset = admin.request("DELETE", path, auth=True)
            ctx.cite(reset, "restore the target's own peer")


def peer_client_ca(ctx: CheckContext, spec: dict[str, Any]) -> Path | None:
    """The CA of the target's client certificate: inputs.peer.client_ca, else trust.ca_bundle."""
    if spec.get("client_ca"):
        return local_file(str(spec["client_ca"]))
    return ctx.target.ca_bundle


def drive_to_peer(
    ctx: CheckContext, driver: CaseDriver, peer: SuitePeer, path: str, traceparent: str
) -> tuple[Case, list[PeerCall]]:
    """Open a case with `traceparent` and read it until it calls the peer at `path`."""
    headers = {"traceparent": traceparent}
    case = driver.create(headers)
    max_reads = int(ctx.params.get("max_reads", 10))
    for attempt in range(1, max_reads + 1):
        calls = [c for c in peer.received() if c.path == path]
        if calls or (case.states and case.states[-1] in driver.final_states):
            break
        driver.read(case, f"read {attempt}/{max_reads}: wait for the call to the peer", headers)
    calls = [c for c in peer.received() if c.path == path]
    for call in calls:
        ctx.note(
            "peer-call",
            f"{call.method} {call.path} received by the suite's peer",
            **call.evidence(),
        )
    return case, calls


def states_seen(case: Case) -> str:
    return " → ".join(case.states) or "(none)"


def call_on_case(
    ctx: CheckContext,
    client: HttpClient,
    operation_id: str,
    case: Case,
    request: dict[str, Any],
    note: str,
) -> Exchange:
    """Call an operation on one case (every path parameter is the case id) and cite it."""
    for document in ctx.discovery.openapi_documents():
        operation = document.operation(operation_id)
        if operation is None:
            continue
        names = [part.split("}")[0] for part in operation.path.split("{")[1:]]
        url = document.url_for(operation, dict.fromkeys(names, case.id))
        exchange = client.request(
            operation.method.upper(),
            url,
            headers={"Accept": "application/json"},
            json_body=request.get("body"),
            auth=document.is_protected(operation),
        )
        ctx.cite(exchange, note)
        return exchange
    raise PreconditionMissing(f"the profile names operation {operation_id!r}, not in the OpenAPI")
