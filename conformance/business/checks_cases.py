"""Business level, along one case: correlation, the peer agency, authorisation, consistency."""

from __future__ import annotations

import itertools
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import Any

import jsonschema

from conformance.business.arazzo.expressions import Unresolved, pointer_get
from conformance.business.cases import Case, CaseDriver, new_traceparent, trace_id_of
from conformance.business.peer import PeerCall, SuitePeer
from conformance.client.context import CheckContext
from conformance.client.http import Exchange, HttpClient
from conformance.core.errors import Inconclusive, PreconditionMissing
from conformance.core.registry import check
from conformance.inputs.secrets import SecretRef

TRACE_CONTEXT = "W3C Trace Context §3.2 (traceparent)"


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


def _secret(value: Any, where: str) -> SecretRef:
    if isinstance(value, dict) and isinstance(value.get("env"), str):
        return SecretRef(env=value["env"])
    if isinstance(value, dict) and isinstance(value.get("file"), str):
        return SecretRef(file=Path(value["file"]))
    raise PreconditionMissing(f"{where} must be {{env: NAME}} or {{file: PATH}}, never a value")


@contextmanager
def suite_peer(ctx: CheckContext) -> Iterator[tuple[SuitePeer, dict[str, Any]]]:
    """Start the suite's peer, tell the target where it is (inputs.peer), reset it after."""
    spec = ctx.require_input("peer")
    if not isinstance(spec, dict) or not {"configure", "path"} <= spec.keys():
        raise PreconditionMissing("inputs.peer needs configure and path")
    configure = spec["configure"]
    client_ca = Path(str(spec.get("client_ca") or ctx.target.ca_bundle or ""))
    if not client_ca.is_file():
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


def _states(case: Case) -> str:
    return " → ".join(case.states) or "(none)"


# -- BUS-CORR-01 ----------------------------------------------------------------------------
@check("BUS-CORR-01")
def correlation(ctx: CheckContext) -> str:
    """The caller's traceparent trace-id stays with the case and reaches the peer agency."""
    driver = CaseDriver.from_inputs(ctx)
    pointer = driver.spec.get("trace_id_pointer")
    if "peer" not in ctx.inputs and not pointer:
        raise PreconditionMissing(
            "neither inputs.peer nor inputs.case.trace_id_pointer: nowhere to see the trace-id"
        )
    traceparent, trace_id = new_traceparent()
    if "peer" not in ctx.inputs:
        case = driver.create({"traceparent": traceparent})
        driver.follow(case, int(ctx.params.get("max_reads", 10)))
        _check_case_trace(ctx, driver, case, str(pointer), trace_id)
        return (
            f"the case kept the caller's trace-id {trace_id} through {_states(case)} (onward "
            "calls not checked: the profile declares no inputs.peer)"
        )
    with suite_peer(ctx) as (peer, spec):
        case, calls = drive_to_peer(ctx, driver, peer, str(spec["path"]), traceparent)
    if pointer:
        _check_case_trace(ctx, driver, case, str(pointer), trace_id)
    if not calls:
        raise Inconclusive(
            f"the case went {_states(case)} without calling the peer at {spec['path']}"
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
        f"the caller's trace-id {trace_id} was kept through {_states(case)} and carried on "
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
            f"{_states(case)} (a client certificate that does not chain to inputs.peer.client_ca "
            "fails the handshake; RFC 8705 §2: the peer authenticates the caller by it)"
        )
    schema = spec.get("request_schema")
    validator = jsonschema.Draft202012Validator(schema) if isinstance(schema, dict) else None
    for call in calls:
        where = f"the call {call.method} {call.path}"
        if not call.client_subject:
            ctx.fail(
                f"{where} presented no client certificate, expected one chaining to "
                f"{Path(str(spec.get('client_ca') or ctx.target.ca_bundle)).name} (RFC 8705 §2: "
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


# -- BUS-AUTHZ-01 ---------------------------------------------------------------------------
@check("BUS-AUTHZ-01")
def object_authorisation(ctx: CheckContext) -> str:
    """Another identity cannot read a case; a token without the privilege cannot write."""
    driver = CaseDriver.from_inputs(ctx)
    spec = ctx.require_input("identities")
    second = spec.get("second") if isinstance(spec, dict) else None
    if not isinstance(second, dict) or "client_id" not in second:
        raise PreconditionMissing("inputs.identities.second needs client_id and client_secret")
    other = client_as(
        ctx,
        client_id=str(second["client_id"]),
        client_secret=_secret(second.get("client_secret"), "inputs.identities.second"),
        scope=str(second.get("scope", ctx.target.oauth2.scope if ctx.target.oauth2 else "")),
        **({"token_url": str(second["token_url"])} if "token_url" in second else {}),
    )
    case = driver.create()
    exchange, _ = driver.read(case, "read the case as the second identity", client=other)
    if exchange.status not in (403, 404):
        ctx.reproduce = ctx.client.curl(exchange)
        ctx.fail(
            f"the second identity {second['client_id']} read another client's case "
            f"{case.id}: {exchange.status}, expected 403 or 404 (OWASP API Security 2023 API1: "
            "broken object level authorisation)"
        )
    outcome = f"the second identity got {exchange.status} reading another client's case"
    change = spec.get("change")
    if isinstance(change, dict) and "operation" in change:
        note = f"change the case as the second identity ({change['operation']})"
        changed = call_on_case(ctx, other, str(change["operation"]), case, change, note)
        if changed.status not in (403, 404):
            ctx.reproduce = ctx.client.curl(changed)
            ctx.fail(
                f"the second identity {second['client_id']} called {change['operation']} on "
                f"another client's case {case.id}: {changed.status}, expected 403 or 404 "
                "(OWASP API Security 2023 API1: broken object level authorisation)"
            )
        outcome += f" and {changed.status} changing it ({change['operation']})"
    weak_scope = spec.get("without_privilege")
    if not isinstance(weak_scope, str):
        return outcome + " (no inputs.identities.without_privilege: privileges not checked)"
    weak = client_as(ctx, scope=weak_scope)
    url = driver.create_doc.url_for(driver.create_op, {})
    attempt = weak.request(
        "POST",
        url,
        headers={"Accept": "application/json"},
        json_body=driver.spec["body"],
        auth=True,
    )
    ctx.cite(attempt, f"open a case with a token of scope {weak_scope!r} only")
    if attempt.status != 403:
        ctx.reproduce = ctx.client.curl(attempt)
        ctx.fail(
            f"a token of scope {weak_scope!r} called {driver.spec['create']}: {attempt.status}, "
            "expected 403 (OWASP API Security 2023 API5: broken function level authorisation; "
            "RFC 6750 §3.1 insufficient_scope)"
        )
    return outcome + f"; a token of scope {weak_scope!r} got 403 for {driver.spec['create']}"


# -- BUS-CONS-01 ----------------------------------------------------------------------------
@check("BUS-CONS-01")
def consistency(ctx: CheckContext) -> str:
    """What a case produces shows in the related operation within the declared delay."""
    driver = CaseDriver.from_inputs(ctx)
    rules = ctx.require_input("consistency")
    if not isinstance(rules, list) or not rules:
        raise PreconditionMissing("inputs.consistency lists no rule")
    delay, interval = float(ctx.params.get("delay_s", 2.0)), float(ctx.params["poll_interval_s"])
    shown: list[str] = []
    for rule in rules:
        case = driver.create()
        state = driver.follow(case, int(ctx.params.get("max_reads", 10)))
        if state != rule["state"] or case.last is None:
            raise Inconclusive(
                f"the case went {_states(case)}, not to {rule['state']} (inputs.consistency)"
            )
        value = driver.value(case.last, str(rule["value"]), "consistency.value")
        started = time.monotonic()
        polls = 0
        while True:
            polls += 1
            listing = ctx.client.get(str(rule["related"]), headers={"Accept": "application/json"})
            waited = time.monotonic() - started
            if _lists(listing, rule, value):
                ctx.cite(listing, f"poll {polls}: {value} is there after {waited:.2f} s")
                break
            if waited + interval > delay:
                ctx.cite(listing, f"poll {polls}: {value} still absent after {waited:.2f} s")
                ctx.reproduce = ctx.client.curl(listing)
                ctx.fail(
                    f"the case reached {state} with {rule['value']} = {value!r}, but "
                    f"{rule['related']} did not show it within the declared delay of {delay:g} s "
                    f"({polls} polls; profile's consistency rule)"
                )
            time.sleep(interval)
        shown.append(f"{value} in {rule['related']} after {waited:.2f} s")
    return f"within {delay:g} s: " + "; ".join(shown)


def _lists(listing: Exchange, rule: dict[str, Any], value: Any) -> bool:
    try:
        items = pointer_get(listing.json(), str(rule.get("items", "")))
    except (ValueError, Unresolved):
        return False
    if not isinstance(items, list):
        return False
    for item in items:
        try:
            if pointer_get(item, str(rule.get("key", ""))) == value:
                return True
        except Unresolved:
            continue
    return False


# -- BUS-STATE-01 ---------------------------------------------------------------------------
@check("BUS-STATE-01")
def state_machine(ctx: CheckContext) -> str:
    """A case moves only along the declared transitions; an illegal transition gets 409."""
    driver = CaseDriver.from_inputs(ctx)
    machine = StateMachine.from_inputs(ctx.require_input("state_machine"))
    max_reads = int(ctx.params.get("max_reads", 10))
    case = driver.create()
    driver.follow(case, max_reads)
    ctx.note("states", f"states observed: {_states(case)}", states=list(case.states))
    problem = machine.violation(case.states)
    if problem:
        ctx.reproduce = ctx.client.curl(case.last or case.created)
        ctx.fail(f"case {case.id} went {_states(case)}: {problem} (profile's state machine)")
    observed, tried = _states(case), list[str]()
    for illegal in machine.illegal:
        origin = str(illegal["from"])
        target_case = case if case.states and case.states[-1] == origin else driver.create()
        if not target_case.states or target_case.states[-1] != origin:
            _drive_until(driver, target_case, origin, max_reads)
        answer = _illegal_request(ctx, driver, target_case, illegal)
        if answer.status != 409:
            ctx.reproduce = ctx.client.curl(answer)
            ctx.fail(
                f"{answer.method} {answer.url} in state {origin} is not a declared transition, "
                f"but it answered {answer.status}, expected 409 (RFC 9110 §15.5.10 Conflict; "
                "profile's state machine)"
            )
        _, after = driver.read(target_case, f"read the case after the refused request in {origin}")
        if after is not None and after != origin and (origin, after) not in machine.transitions:
            ctx.fail(
                f"after the refused {answer.method} in state {origin} the case is in {after}: "
                f"{origin} → {after} is not a declared transition"
            )
        tried.append(f"{answer.method} {illegal['request'].get('operation')} in {origin} → 409")
    return f"states {observed} follow the declared transitions" + (
        "; " + "; ".join(tried) if tried else " (no illegal transition declared to try)"
    )


class StateMachine:
    """The profile's state machine: states, allowed transitions, illegal requests to try."""

    def __init__(
        self,
        states: frozenset[str],
        transitions: frozenset[tuple[str, str]],
        initial: str | None,
        strict: bool,
        illegal: list[dict[str, Any]],
    ) -> None:
        self.states, self.transitions, self.initial = states, transitions, initial
        self.strict, self.illegal = strict, illegal

    @classmethod
    def from_inputs(cls, spec: Any) -> StateMachine:
        """Read inputs.state_machine (skip when it is incomplete)."""
        if not isinstance(spec, dict) or not {"states", "transitions"} <= spec.keys():
            raise PreconditionMissing("inputs.state_machine needs states and transitions")
        pairs = frozenset((str(a), str(b)) for a, b in spec["transitions"])
        states = frozenset(str(s) for s in spec["states"])
        unknown = sorted({s for pair in pairs for s in pair} - states)
        if unknown:
            raise PreconditionMissing(
                f"inputs.state_machine.transitions name undeclared states {', '.join(unknown)}"
            )
        illegal = [i for i in spec.get("illegal", []) if isinstance(i, dict)]
        for entry in illegal:
            if "from" not in entry or not isinstance(entry.get("request"), dict):
                raise PreconditionMissing("inputs.state_machine.illegal entries need from, request")
            if (str(entry["from"]), str(entry["request"].get("to", ""))) in pairs:
                raise PreconditionMissing(f"inputs.state_machine.illegal {entry} is declared legal")
        initial = spec.get("initial")
        return cls(
            states, pairs, str(initial) if initial else None, bool(spec.get("strict")), illegal
        )

    def reachable(self, start: str, end: str) -> bool:
        """Whether `end` can follow `start` through declared transitions."""
        seen, frontier = {start}, [start]
        while frontier:
            here = frontier.pop()
            for a, b in self.transitions:
                if a == here and b not in seen:
                    if b == end:
                        return True
                    seen.add(b)
                    frontier.append(b)
        return False

    def violation(self, observed: list[str]) -> str:
        """What is wrong with a sequence of observed states ('' when nothing)."""
        for state in observed:
            if state not in self.states:
                return f"state {state!r} is not declared ({', '.join(sorted(self.states))})"
        if self.initial and observed and observed[0] != self.initial:
            return f"it started in {observed[0]}, not in the initial state {self.initial}"
        for a, b in itertools.pairwise(observed):
            if a == b or (a, b) in self.transitions:
                continue
            if not self.strict and self.reachable(a, b):
                continue
            allowed = sorted(t for s, t in self.transitions if s == a) or ["(none: final)"]
            return f"{a} → {b} is not a declared transition (from {a}: {', '.join(allowed)})"
        return ""


def _drive_until(driver: CaseDriver, case: Case, state: str, max_reads: int) -> None:
    for attempt in range(1, max_reads + 1):
        _, seen = driver.read(case, f"read {attempt}/{max_reads}: drive the case to {state}")
        if seen == state:
            return
        if seen is None or seen in driver.final_states:
            break
    raise Inconclusive(f"the case went {_states(case)} without reaching {state}")


def _illegal_request(
    ctx: CheckContext, driver: CaseDriver, case: Case, illegal: dict[str, Any]
) -> Exchange:
    request = illegal["request"]
    note = f"illegal transition: {request.get('operation')} in state {illegal['from']}"
    return call_on_case(ctx, ctx.client, str(request.get("operation", "")), case, request, note)


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
