"""BUS-XAG-01: where the suite plays the peer agency, the target's outbound calls present a client
certificate, carry the correlation, and send schema-valid data."""

from __future__ import annotations

from pathlib import Path

import jsonschema

from conformance.business.cases import CaseDriver, new_traceparent, trace_id_of
from conformance.business.common import (
    TRACE_CONTEXT,
    drive_to_peer,
    peer_client_ca,
    states_seen,
    suite_peer,
)
from conformance.business.peer import PeerCall
from conformance.client.context import CheckContext
from conformance.core.registry import check


# -- BUS-XAG-01 -----------------------------------------------------------------------------
@check("BUS-XAG-01")
def cross_agency_calls(ctx: CheckContext) -> str:
    """The target's calls to the (suite-played) peer use mutual TLS, correlation, valid data."""
    driver = CaseDriver.from_inputs(ctx)
    traceparent, trace_id = new_traceparent()
    with suite_peer(ctx) as (peer, spec):
        case, calls = drive_to_peer(ctx, driver, peer, str(spec["path"]), traceparent)
    if not calls:
        ctx.fail(
            f"no call reached the suite's peer at {spec['path']} while the case went "
            f"{states_seen(case)} (a client certificate that does not chain to "
            "inputs.peer.client_ca fails the handshake; RFC 8705 §2: the peer authenticates the "
            "caller by it)"
        )
    schema = spec.get("request_schema")
    validator = jsonschema.Draft202012Validator(schema) if isinstance(schema, dict) else None
    for call in calls:
        where = f"the call {call.method} {call.path}"
        if not call.client_subject:
            ctx.fail(
                f"{where} presented no client certificate, expected one chaining to "
                f"{Path(str(peer_client_ca(ctx, spec))).name} (RFC 8705 §2: "
                "mutual-TLS client authentication; EIF technical interoperability)"
            )
        if trace_id_of(call.headers.get("traceparent")) != trace_id:
            ctx.fail(
                f"{where} carried traceparent {call.headers.get('traceparent')!r}, expected the "
                f"case's trace-id {trace_id} ({TRACE_CONTEXT})"
            )
        if validator is not None:
            _validate_call(ctx, where, call, validator)
    return (
        f"{len(calls)} call(s) to the suite's peer: client certificate {calls[0].client_subject}, "
        f"trace-id {trace_id} carried, body valid against inputs.peer.request_schema"
        if validator is not None
        else f"{len(calls)} call(s) to the peer: client certificate and trace-id carried"
    )


def _validate_call(
    ctx: CheckContext, where: str, call: PeerCall, validator: jsonschema.Draft202012Validator
) -> None:
    try:
        body = call.json()
    except ValueError as exc:
        ctx.fail(f"{where} sent a body that is not JSON ({exc})")
    errors = sorted(validator.iter_errors(body), key=lambda e: list(e.absolute_path))
    if errors:
        first = errors[0]
        pointer = "/" + "/".join(str(p) for p in first.absolute_path)
        ctx.note(
            "validator", f"{len(errors)} schema error(s)", pointer=pointer, message=first.message
        )
        ctx.fail(
            f"{where} sent data invalid against the peer's schema at {pointer}: "
            f"{first.message} (inputs.peer.request_schema)"
        )
