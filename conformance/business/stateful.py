"""Stateful exploration along OpenAPI links (schemathesis' state machine), judged for lifecycle.

schemathesis builds the state machine from the document's links and Hypothesis draws scenarios
(seeded, no example database, no shrinking); every request goes out through the suite's
:class:`~conformance.client.http.HttpClient`. A step that follows a link from a successful POST to a
GET whose path parameters all came from the link must find the resource (not 404/410); a GET
of a URL that a successful DELETE removed must not succeed. Scenarios, steps per scenario and
requests are all bounded.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any

import hypothesis
from hypothesis.stateful import run_state_machine_as_test
from schemathesis.core.errors import LoaderError
from schemathesis.generation.stateful.state_machine import StepInput, StepOutput

from conformance.client.generated import (
    SUPPRESSED_HEALTH_CHECKS,
    load_schema,
    prepare,
)
from conformance.client.http import Exchange, HttpClient
from conformance.client.judges import as_schemathesis_response
from conformance.client.progress import progress
from conformance.client.references import bundled
from conformance.core.errors import Inconclusive
from conformance.documents.openapi import OpenApiDocument


@dataclass(frozen=True, slots=True)
class Bounds:
    """How far one exploration may go."""

    max_scenarios: int
    max_steps: int
    max_requests: int
    seed: int


@dataclass(frozen=True, slots=True)
class Step:
    """One request of a scenario, and the link it followed (if any)."""

    operation: str
    exchange: Exchange
    link: str | None
    parent: str | None


@dataclass
class Exploration:
    """What an exploration did and found."""

    steps: list[Step] = field(default_factory=list)
    links_followed: set[str] = field(default_factory=set)
    violation: str | None = None
    violation_steps: list[Step] = field(default_factory=list)
    budget_exhausted: bool = False


class _Stop(Exception):
    """Ends the Hypothesis run at the first violation or when the budget is spent."""


class Explorer:
    """Runs schemathesis' state machine for one OpenAPI document through the suite's client."""

    def __init__(
        self,
        client: HttpClient,
        document: OpenApiDocument,
        bounds: Bounds,
        bodies: dict[str, Any],
    ) -> None:
        self.client, self.document, self.bounds = client, document, bounds
        self.bodies = bodies
        self.result = Exploration()
        self._by_case: dict[str, Step] = {}
        self._deleted: set[str] = set()
        self._protected = {
            (op.method.upper(), op.path): document.is_protected(op) for op in document.operations()
        }

    def explore(self) -> Exploration:
        """Draw and run scenarios until a violation, the scenario bound or the request budget."""
        try:
            schema = load_schema(self.document, bundled(self.client, self.document).data)
            base = schema.as_state_machine()
        except LoaderError as exc:
            raise Inconclusive(f"schemathesis cannot load {self.document.url}: {exc}") from None
        explorer = self

        class Machine(base):  # type: ignore[valid-type, misc]
            def step(self, input: StepInput) -> StepOutput:
                return explorer._step(input)

        settings = hypothesis.settings(
            max_examples=self.bounds.max_scenarios,
            stateful_step_count=self.bounds.max_steps,
            database=None,
            deadline=None,
            suppress_health_check=SUPPRESSED_HEALTH_CHECKS,
            phases=(hypothesis.Phase.generate,),
            report_multiple_bugs=False,
            verbosity=hypothesis.Verbosity.quiet,
            print_blob=False,
        )
        try:
            run_state_machine_as_test(hypothesis.seed(self.bounds.seed)(Machine), settings=settings)
        except (_Stop, hypothesis.errors.HypothesisException):
            # Hypothesis replays a failing scenario; the replay stops at once (nothing more is
            # sent), which it reports as flaky. The verdict was recorded before.
            if self.result.violation is None and not self.result.budget_exhausted:
                raise
        return self.result

    def _step(self, input: StepInput) -> StepOutput:
        if self.result.violation is not None or self.result.budget_exhausted:
            raise _Stop
        case = input.case
        label = str(case.operation.label)
        operation_id = case.operation.definition.raw.get("operationId", "")
        if input.transition is None and operation_id in self.bodies:
            case.body = copy.deepcopy(self.bodies[operation_id])  # business-valid root body
        if len(self.result.steps) >= self.bounds.max_requests:
            self.result.budget_exhausted = True
            raise _Stop
        progress(
            f"{len(self.result.steps)} of at most {self.bounds.max_requests} requests along "
            f"the OpenAPI links, now {label}"
        )
        prepared = prepare(case, self.document.server_url())
        headers = {k: v for k, v in prepared.headers.items() if k.lower() != "content-length"}
        auth = self._protected.get((case.operation.method.upper(), str(case.operation.path)), False)
        exchange = self.client.request(
            str(prepared.method),
            str(prepared.url),
            headers=headers,
            body=prepared.body,
            auth=auth,
            follow_redirects=False,
        )
        link = input.transition.id if input.transition is not None else None
        parent = input.transition.parent_id if input.transition is not None else None
        step = Step(label, exchange, link, parent)
        self.result.steps.append(step)
        self._by_case[case.id] = step
        if link is not None and input.is_applied:
            self.result.links_followed.add(
                f"{self._by_case[parent].operation} → {label}" if parent in self._by_case else label
            )
        self._judge(input, step)
        return StepOutput(as_schemathesis_response(exchange), case)

    def _judge(self, input: StepInput, step: Step) -> None:
        exchange, case = step.exchange, input.case
        method = exchange.method.upper()
        if method == "DELETE" and 200 <= exchange.status < 300:
            self._deleted.add(exchange.url)
        if method != "GET":
            return
        if exchange.url in self._deleted and 200 <= exchange.status < 300:
            self._violate(
                f"GET {exchange.url} answered {exchange.status} after a successful DELETE of it: "
                "a deleted resource must be gone (404 or 410)",
                step,
            )
        parent = self._by_case.get(step.parent or "")
        if parent is None or not input.is_applied or exchange.status not in (404, 410):
            return
        path_names = {p.name for p in case.operation.iter_parameters() if p.location == "path"}
        applied = {name for _, name in input.applied_parameters}
        created = parent.exchange.method.upper() == "POST" and 200 <= parent.exchange.status < 300
        if created and path_names <= applied:
            self._violate(
                f"the link {step.link} from {parent.operation} (answered "
                f"{parent.exchange.status}) led to {step.operation} = GET {exchange.url}, which "
                f"answered {exchange.status}: a resource just created is not retrievable along "
                "the declared link (OpenAPI 3.1 §4.8.20 Link Object)",
                parent,
                step,
            )

    def _violate(self, message: str, *steps: Step) -> None:
        self.result.violation = message
        self.result.violation_steps = list(steps)
        raise _Stop
