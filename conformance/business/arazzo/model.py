"""The parts of an Arazzo 1.0 document the runner executes, validated and with their lines."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from conformance.business.arazzo.expressions import Condition
from conformance.core.errors import ProfileError, did_you_mean


@dataclass(frozen=True, slots=True)
class Criterion:
    """One success or action criterion: a simple condition, or a regex over a context."""

    condition: str
    type: str
    context: str | None
    parsed: Condition | None

    def __str__(self) -> str:
        if self.type == "regex":
            return f"{self.context} matches /{self.condition}/"
        return self.condition


@dataclass(frozen=True, slots=True)
class Action:
    """A success or failure action: end, goto a step, or (failure only) retry."""

    name: str
    type: str
    step_id: str | None
    retry_after: float | None
    retry_limit: int
    criteria: tuple[Criterion, ...]


@dataclass(frozen=True, slots=True)
class Parameter:
    """A step parameter: where it goes and its (possibly expression) value."""

    name: str
    location: str
    value: Any


@dataclass(frozen=True, slots=True)
class Step:
    """One step: an operation (by operationId or operationPath) with what to check after it."""

    step_id: str
    operation_id: str | None
    operation_path: tuple[str, str] | None
    parameters: tuple[Parameter, ...]
    request_body: dict[str, Any] | None
    success_criteria: tuple[Criterion, ...]
    on_success: tuple[Action, ...]
    on_failure: tuple[Action, ...]
    outputs: dict[str, str]
    line: int | None
    field: str

    @property
    def operation(self) -> str:
        """How the step names its operation (for messages)."""
        if self.operation_id:
            return self.operation_id
        method, path = self.operation_path or ("", "")
        return f"{method.upper()} {path}"


@dataclass(frozen=True, slots=True)
class Workflow:
    """One workflow: ordered steps, the workflows it depends on, its inputs and outputs."""

    workflow_id: str
    summary: str
    steps: tuple[Step, ...]
    depends_on: tuple[str, ...]
    inputs_schema: dict[str, Any]
    outputs: dict[str, str]
    line: int | None

    def step_index(self, step_id: str) -> int:
        """The position of a step by its stepId."""
        return next(i for i, s in enumerate(self.steps) if s.step_id == step_id)


@dataclass(frozen=True, slots=True)
class ArazzoDocument:
    """A loaded and validated Arazzo document."""

    file: str
    title: str
    workflows: dict[str, Workflow]

    def check_operations(self, known: Iterable[str]) -> None:
        """ProfileError for a step whose operationId the target's OpenAPI does not declare."""
        operation_ids = set(known)
        for workflow in self.workflows.values():
            for step in workflow.steps:
                if step.operation_id and step.operation_id not in operation_ids:
                    hint = did_you_mean(step.operation_id, operation_ids)
                    raise ProfileError(
                        self.file,
                        step.line,
                        f"{step.field}.operationId",
                        f"unknown operationId {step.operation_id!r}: the target's OpenAPI "
                        f"does not declare it{hint}",
                    )

    def ordered(self) -> list[Workflow]:
        """Every workflow, each after the workflows it depends on."""
        done: dict[str, Workflow] = {}

        def visit(workflow: Workflow) -> None:
            for dep in workflow.depends_on:
                if dep not in done:
                    visit(self.workflows[dep])
            done.setdefault(workflow.workflow_id, workflow)

        for workflow in self.workflows.values():
            visit(workflow)
        return list(done.values())
