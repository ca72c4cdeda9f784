"""Execute Arazzo workflows step by step through the suite's HTTP client.

Each step's operation is found by operationId (or operationPath) in the target's own OpenAPI
documents; parameters and the request body are resolved from inputs and earlier outputs; the
answer is judged by the step's success criteria; `onSuccess`/`onFailure` actions end, goto or
retry. Every loop is bounded: a retry never runs more than `max_polls` attempts nor waits longer
than `max_wait_s`, and a workflow never executes more than `max_steps` steps.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from typing import Any
from urllib.parse import quote, urlencode
from xml.sax.saxutils import escape as xml_escape

import jsonschema

from conformance.business.arazzo.expressions import (
    Message,
    Scope,
    Unresolved,
    as_text,
    parse_condition,
    parse_expression,
    resolve,
)
from conformance.business.arazzo.model import Action, ArazzoDocument, Criterion, Step, Workflow
from conformance.client.http import Exchange, HttpClient
from conformance.core.errors import PreconditionMissing, ProfileError
from conformance.documents.openapi import OpenApiDocument, Operation

DEFAULT_CRITERION = "$statusCode < 400"


@dataclass(frozen=True, slots=True)
class Limits:
    """The bounds every run obeys, whatever the workflow document says."""

    max_polls: int = 10
    poll_interval_s: float = 0.2
    max_wait_s: float = 5.0
    max_steps: int = 50


@dataclass(frozen=True, slots=True)
class StepRecord:
    """One executed step (one attempt) and how it was judged."""

    workflow_id: str
    step_id: str
    attempt: int
    exchange: Exchange
    passed: bool
    detail: str
    outputs: dict[str, Any] = field(default_factory=dict)

    @property
    def note(self) -> str:
        """The evidence note: `step <id>: criteria met` or which criterion failed."""
        attempt = f" (attempt {self.attempt})" if self.attempt > 1 else ""
        return f"{self.workflow_id} step {self.step_id}{attempt}: {self.detail}"


class WorkflowFailed(Exception):
    """A workflow did not run to completion with every step's success criteria met."""

    def __init__(self, workflow_id: str, step_id: str, message: str) -> None:
        super().__init__(f"workflow {workflow_id}, step {step_id}: {message}")
        self.workflow_id, self.step_id, self.message = workflow_id, step_id, message


@dataclass
class _Outcome:
    passed: bool
    failed: Criterion | None = None
    seen: list[str] = field(default_factory=list)

    def detail(self) -> str:
        if self.passed:
            return "criteria met"
        seen = f" ({'; '.join(self.seen)})" if self.seen else ""
        return f"criteria failed: {self.failed}{seen}"


class WorkflowRunner:
    """Runs the workflows of Arazzo documents against one target."""

    def __init__(
        self,
        client: HttpClient,
        openapi: list[OpenApiDocument],
        limits: Limits | None = None,
        on_step: Callable[[StepRecord], None] | None = None,
    ) -> None:
        self.client = client
        self.openapi = openapi
        self.limits = limits or Limits()
        self.on_step = on_step

    def run_document(self, document: ArazzoDocument) -> dict[str, dict[str, Any]]:
        """Run every workflow (dependencies first); the outputs of each, by workflowId."""
        document.check_operations(op.operation_id for d in self.openapi for op in d.operations())
        done: dict[str, dict[str, dict[str, Any]]] = {}
        for workflow in document.ordered():
            inputs = _inputs(workflow, document.file)
            outputs = self.run(workflow, inputs, done, document.file)
            done[workflow.workflow_id] = {"inputs": inputs, "outputs": outputs}
        return {wid: part["outputs"] for wid, part in done.items()}

    def run(
        self,
        workflow: Workflow,
        inputs: dict[str, Any],
        done: dict[str, dict[str, dict[str, Any]]],
        file: str,
    ) -> dict[str, Any]:
        """Run one workflow to its end; WorkflowFailed names the step and the criterion."""
        scope = Scope(inputs=inputs, workflows=done)
        index, executed, attempt = 0, 0, 1
        while index < len(workflow.steps):
            step = workflow.steps[index]
            executed += 1
            if executed > self.limits.max_steps:
                raise WorkflowFailed(
                    workflow.workflow_id,
                    step.step_id,
                    f"not finished after {self.limits.max_steps} steps (the run's max_steps bound)",
                )
            outcome, exchange = self._execute(workflow, step, scope, file)
            record = partial(StepRecord, workflow.workflow_id, step.step_id, attempt, exchange)
            try:
                outputs = self._outputs(workflow, step, scope) if outcome.passed else {}
            except WorkflowFailed as exc:
                self._record(record(False, exc.message))
                raise
            self._record(record(outcome.passed, outcome.detail(), outputs))
            if outcome.passed:
                scope.steps[step.step_id] = outputs
                action = _choose(step.on_success, scope)
                attempt = 1
            else:
                action, wait = self._on_failure(workflow, step, scope, outcome, attempt, exchange)
                if action.type == "retry":
                    time.sleep(wait)
                    attempt += 1
                    continue
                attempt = 1
            if action is None:
                index += 1
            elif action.type == "end":
                break
            else:
                index = workflow.step_index(action.step_id or "")
        return self._workflow_outputs(workflow, scope)

    # -- one step -------------------------------------------------------------------------
    def _execute(
        self, workflow: Workflow, step: Step, scope: Scope, file: str
    ) -> tuple[_Outcome, Exchange]:
        document, operation = self._operation(step, file)
        try:
            request = self._request(document, operation, step, scope, file)
        except Unresolved as exc:
            raise WorkflowFailed(
                workflow.workflow_id, step.step_id, f"cannot build the request: {exc}"
            ) from None
        method, url, headers, body = request
        exchange = self.client.request(
            method, url, headers=headers, body=body, auth=document.is_protected(operation)
        )
        scope.status_code = exchange.status
        scope.response = Message(exchange.headers, _parse_body(exchange), bool(exchange.body))
        criteria = step.success_criteria or (_default_criterion(),)
        for criterion in criteria:
            holds, seen = _holds(criterion, scope)
            if not holds:
                return _Outcome(False, criterion, seen), exchange
        return _Outcome(True), exchange

    def _operation(self, step: Step, file: str) -> tuple[OpenApiDocument, Operation]:
        for document in self.openapi:
            for operation in document.operations():
                if step.operation_id and operation.operation_id == step.operation_id:
                    return document, operation
                if step.operation_path == (operation.method, operation.path):
                    return document, operation
        raise ProfileError(
            file, step.line, step.field, f"the target's OpenAPI declares no {step.operation}"
        )

    def _request(
        self,
        document: OpenApiDocument,
        operation: Operation,
        step: Step,
        scope: Scope,
        file: str,
    ) -> tuple[str, str, dict[str, str], bytes | None]:
        values: dict[str, dict[str, str]] = {
            loc: {} for loc in ("path", "query", "header", "cookie")
        }
        for param in step.parameters:
            values[param.location][param.name] = as_text(resolve(param.value, scope))
        missing = [n for n in re.findall(r"\{([^}]+)\}", operation.path) if n not in values["path"]]
        if missing:
            raise ProfileError(
                file,
                step.line,
                f"{step.field}.parameters",
                f"no value for path parameter {missing[0]!r} of {operation.path}",
            )
        url = document.url_for(operation, {k: quote(v, safe="") for k, v in values["path"].items()})
        if url.startswith("http://") and self.client.target.base_url.startswith("https://"):
            raise PreconditionMissing(
                f"the OpenAPI servers URL gives {url}: plain http, so the workflow is not sent "
                "(credentials and personal data only travel over https)"
            )
        if values["query"]:
            url += "?" + urlencode(values["query"])
        headers = dict(values["header"])
        if values["cookie"]:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in values["cookie"].items())
        payload, body = self._body(operation, step, scope, headers)
        scope.url, scope.method = url, operation.method.upper()
        scope.request = Message(headers, payload, body is not None, values["query"], values["path"])
        scope.status_code, scope.response = None, None
        return operation.method.upper(), url, headers, body

    def _body(
        self, operation: Operation, step: Step, scope: Scope, headers: dict[str, str]
    ) -> tuple[Any, bytes | None]:
        spec = step.request_body
        if spec is None:
            return None, None
        declared = list(((operation.spec.get("requestBody") or {}).get("content") or {}).keys())
        content_type = str(spec.get("contentType") or (declared or ["application/json"])[0])
        escape = xml_escape if "xml" in content_type else None
        payload = resolve(spec["payload"], scope, escape)
        for replacement in spec.get("replacements") or []:
            payload = _replace(payload, replacement["target"], resolve(replacement["value"], scope))
        if not any(k.lower() == "content-type" for k in headers):
            headers["Content-Type"] = content_type
        if isinstance(payload, str):
            return payload, payload.encode("utf-8")
        if "x-www-form-urlencoded" in content_type and isinstance(payload, dict):
            return payload, urlencode({k: as_text(v) for k, v in payload.items()}).encode()
        return payload, json.dumps(payload, ensure_ascii=False).encode("utf-8")

    def _outputs(self, workflow: Workflow, step: Step, scope: Scope) -> dict[str, Any]:
        try:
            return {name: resolve(expr, scope) for name, expr in step.outputs.items()}
        except Unresolved as exc:
            raise WorkflowFailed(
                workflow.workflow_id, step.step_id, f"criteria met, but an output is absent: {exc}"
            ) from None

    def _workflow_outputs(self, workflow: Workflow, scope: Scope) -> dict[str, Any]:
        try:
            return {name: resolve(expr, scope) for name, expr in workflow.outputs.items()}
        except Unresolved as exc:
            last = workflow.steps[-1].step_id
            raise WorkflowFailed(
                workflow.workflow_id, last, f"a workflow output is absent: {exc}"
            ) from None

    def _on_failure(
        self,
        workflow: Workflow,
        step: Step,
        scope: Scope,
        outcome: _Outcome,
        attempt: int,
        exchange: Exchange,
    ) -> tuple[Action, float]:
        """The failure action to take (and the wait before a retry), or WorkflowFailed."""
        exhausted_by_bound, ended = False, ""
        for action in step.on_failure:
            if not all(_holds(c, scope)[0] for c in action.criteria):
                continue
            if action.type != "retry":
                if action.type == "end":
                    ended = f" (failure action {action.name!r} ends the workflow)"
                    break
                return action, 0.0
            allowed = min(action.retry_limit + 1, self.limits.max_polls)
            if attempt < allowed:
                return action, self._wait(action, exchange)
            exhausted_by_bound = action.retry_limit + 1 > self.limits.max_polls
        tries = f" after {attempt} polls" if attempt > 1 else ""
        bound = " (the run's max_polls bound)" if exhausted_by_bound else ""
        seen = f": {'; '.join(outcome.seen)}" if outcome.seen else ""
        raise WorkflowFailed(
            workflow.workflow_id,
            step.step_id,
            f"criterion `{outcome.failed}` did not hold{tries}{bound}{seen}{ended}",
        )

    def _wait(self, action: Action, exchange: Exchange) -> float:
        """Seconds before a retry: Retry-After overrules retryAfter (Arazzo §Failure Action)."""
        wait = self.limits.poll_interval_s if action.retry_after is None else action.retry_after
        header = (exchange.header("Retry-After") or "").strip()
        if header.isdigit():
            wait = float(header)
        return max(0.0, min(wait, self.limits.max_wait_s))

    def _record(self, record: StepRecord) -> None:
        if self.on_step is not None:
            self.on_step(record)


def _choose(actions: tuple[Action, ...], scope: Scope) -> Action | None:
    """The first action whose criteria all hold."""
    for action in actions:
        if all(_holds(c, scope)[0] for c in action.criteria):
            return action
    return None


def _holds(criterion: Criterion, scope: Scope) -> tuple[bool, list[str]]:
    if criterion.parsed is not None:
        return criterion.parsed.evaluate(scope)
    try:
        context = as_text(parse_expression(criterion.context or "").evaluate(scope))
        pattern = resolve(criterion.condition, scope, re.escape)
    except Unresolved as exc:
        return False, [str(exc)]
    found = re.search(str(pattern), context) is not None
    return found, [] if found else [f"{criterion.context} has no match for /{pattern}/"]


def _default_criterion() -> Criterion:
    return Criterion(DEFAULT_CRITERION, "simple", None, parse_condition(DEFAULT_CRITERION))


def _parse_body(exchange: Exchange) -> Any:
    media = exchange.media_type
    if media == "application/json" or media.endswith("+json"):
        try:
            return exchange.json()
        except ValueError:
            return exchange.text()
    return exchange.text()


def _replace(payload: Any, pointer: str, value: Any) -> Any:
    """`payload` with `value` set at a JSON pointer (parents must exist)."""
    tokens = [t.replace("~1", "/").replace("~0", "~") for t in pointer.split("/")[1:]]
    if not tokens:
        return value
    parent = payload
    for token in tokens[:-1]:
        parent = parent[int(token)] if isinstance(parent, list) else parent[token]
    if isinstance(parent, list):
        parent[int(tokens[-1])] = value
    else:
        parent[tokens[-1]] = value
    return payload


def _inputs(workflow: Workflow, file: str) -> dict[str, Any]:
    """The workflow's inputs: each property's `default`, validated against the inputs schema."""
    schema = workflow.inputs_schema
    properties = schema.get("properties") or {}
    inputs = {
        k: v["default"] for k, v in properties.items() if isinstance(v, dict) and "default" in v
    }
    errors = sorted(jsonschema.Draft202012Validator(schema).iter_errors(inputs), key=str)
    if errors:
        where = "/".join(str(p) for p in errors[0].absolute_path) or "(root)"
        raise ProfileError(
            file,
            workflow.line,
            f"{workflow.workflow_id}.inputs",
            f"the inputs (each property's default) are invalid at {where}: {errors[0].message}",
        )
    return inputs
