"""BUS-CORR-01: the caller's W3C traceparent trace-id is kept through the process, and onward to
peer agencies."""

from __future__ import annotations

from conformance.business.cases import Case, CaseDriver, new_traceparent, trace_id_of
from conformance.business.common import (
    PEER,
    TRACE_CONTEXT,
    drive_to_peer,
    states_seen,
    suite_peer,
)
from conformance.client.context import CheckContext
from conformance.core.errors import Inconclusive, PreconditionMissing
from conformance.core.registry import check


# -- BUS-CORR-01 ----------------------------------------------------------------------------
@check("BUS-CORR-01")
def correlation(ctx: CheckContext) -> str:
    """The caller's traceparent trace-id stays with the case and reaches the peer agency."""
    driver = CaseDriver.from_inputs(ctx)
    pointer = driver.spec.get("trace_id_pointer")
    peer_declared = PEER.read(ctx) is not None
    if not peer_declared and not pointer:
        raise PreconditionMissing(
            "neither inputs.peer nor inputs.case.trace_id_pointer: nowhere to see the trace-id"
        )
    traceparent, trace_id = new_traceparent()
    if not peer_declared:
        case = driver.create({"traceparent": traceparent})
        driver.follow(case, int(ctx.params.get("max_reads", 10)))
        _check_case_trace(ctx, driver, case, str(pointer), trace_id)
        return (
            f"the case kept the caller's trace-id {trace_id} through {states_seen(case)} (onward "
            "calls not checked: the profile declares no inputs.peer)"
        )
    with suite_peer(ctx) as (peer, spec):
        case, calls = drive_to_peer(ctx, driver, peer, str(spec["path"]), traceparent)
    if pointer:
        _check_case_trace(ctx, driver, case, str(pointer), trace_id)
    if not calls:
        raise Inconclusive(
            f"the case went {states_seen(case)} without calling the peer at {spec['path']}"
        )
    for call in calls:
        seen = call.headers.get("traceparent")
        if trace_id_of(seen) != trace_id:
            ctx.fail(
                f"the call to the peer {call.method} {call.path} carried traceparent {seen!r}, "
                f"expected the caller's trace-id {trace_id} ({TRACE_CONTEXT}: a participant "
                "passes the trace-id on unchanged; only parent-id changes)"
            )
    return (
        f"the caller's trace-id {trace_id} was kept through {states_seen(case)} and carried on "
        f"{len(calls)} call(s) to the peer"
    )


def _check_case_trace(
    ctx: CheckContext, driver: CaseDriver, case: Case, pointer: str, trace_id: str
) -> None:
    answers = [case.created] + ([case.last] if case.last is not None else [])
    for exchange in answers:
        seen = driver.value(exchange, pointer, "trace_id_pointer")
        if seen != trace_id:
            ctx.reproduce = ctx.client.curl(exchange)
            ctx.fail(
                f"{exchange.method} {exchange.url} shows trace-id {seen!r} at {pointer}, expected "
                f"the caller's {trace_id} ({TRACE_CONTEXT})"
            )
