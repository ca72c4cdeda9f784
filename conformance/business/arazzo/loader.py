"""Load an Arazzo 1.0 document and validate it before anything is sent.

Errors are :class:`ProfileError`\\s naming the file, the line and the field: a broken runtime
expression or condition, a goto to an unknown step, a `dependsOn` cycle, steps that would loop
forever on success, and constructs this runner does not execute (steps calling workflows,
JSONPath/XPath criteria). Operation IDs are checked against the target's OpenAPI when a run
starts (:meth:`ArazzoDocument.check_operations`).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, NoReturn

from conformance.business.arazzo.expressions import (
    ExpressionError,
    expressions_in,
    parse_condition,
    parse_expression,
)
from conformance.business.arazzo.model import (
    Action,
    ArazzoDocument,
    Criterion,
    Parameter,
    Step,
    Workflow,
)
from conformance.core.errors import ProfileError, did_you_mean
from conformance.inputs.yamlsource import YamlDocument, load_yaml

Path_ = tuple[str | int, ...]
LOCATIONS = ("path", "query", "header", "cookie")
_OPERATION_PATH = re.compile(r"^\{\$sourceDescriptions\.([A-Za-z0-9_\-]+)\.url\}#(/paths/.+)$")


def load_arazzo(path: str | Path) -> ArazzoDocument:
    """Read and validate the Arazzo document at `path`."""
    return _Loader(load_yaml(Path(path), ProfileError)).document()


def _field(path: Path_) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else part)
    return out


class _Loader:
    def __init__(self, doc: YamlDocument) -> None:
        self.doc = doc
        self.data = doc.data
        self.sources: set[str] = set()
        self.components: dict[str, Any] = {}

    def fail(self, path: Path_, problem: str) -> NoReturn:
        raise ProfileError(self.doc.file, self.doc.line(*path), _field(path) or "document", problem)

    def get(self, obj: Any, path: Path_, key: str, kind: type | tuple[type, ...]) -> Any:
        if not isinstance(obj, dict) or key not in obj:
            self.fail(path, f"required field {key!r} is missing")
        value = obj[key]
        if not isinstance(value, kind) or (isinstance(value, list | str) and not value):
            self.fail((*path, key), f"must be a non-empty {_kind_name(kind)}")
        return value

    def document(self) -> ArazzoDocument:
        data = self.data
        if not isinstance(data, dict):
            self.fail((), "an Arazzo document is a mapping")
        version = str(self.get(data, (), "arazzo", (str, float)))
        if not re.fullmatch(r"1\.0\.\d+(-.+)?", version):
            self.fail(("arazzo",), f"version {version!r} is not Arazzo 1.0.x")
        info = self.get(data, (), "info", dict)
        title = str(self.get(info, ("info",), "title", str))
        self.get(info, ("info",), "version", (str, int, float))
        for i, source in enumerate(self.get(data, (), "sourceDescriptions", list)):
            self.sources.add(self.get(source, ("sourceDescriptions", i), "name", str))
            self.get(source, ("sourceDescriptions", i), "url", str)
        self.components = data.get("components") or {}
        workflows: dict[str, Workflow] = {}
        for i, raw in enumerate(self.get(data, (), "workflows", list)):
            workflow = self.workflow(raw, ("workflows", i))
            if workflow.workflow_id in workflows:
                self.fail(("workflows", i, "workflowId"), "duplicate workflowId")
            workflows[workflow.workflow_id] = workflow
        self.check_depends_on(workflows)
        return ArazzoDocument(self.doc.file, title, workflows)

    # -- workflows ------------------------------------------------------------------------
    def workflow(self, raw: Any, path: Path_) -> Workflow:
        workflow_id = self.get(raw, path, "workflowId", str)
        shared_params = self.parameters(raw.get("parameters") or [], (*path, "parameters"))
        shared_ok = self.actions(raw.get("successActions") or [], (*path, "successActions"), False)
        shared_ko = self.actions(raw.get("failureActions") or [], (*path, "failureActions"), True)
        steps: list[Step] = []
        for i, step_raw in enumerate(self.get(raw, path, "steps", list)):
            step = self.step(step_raw, (*path, "steps", i), shared_params, shared_ok, shared_ko)
            if any(s.step_id == step.step_id for s in steps):
                self.fail((*path, "steps", i, "stepId"), f"duplicate stepId {step.step_id!r}")
            steps.append(step)
        workflow = Workflow(
            workflow_id=workflow_id,
            summary=str(raw.get("summary") or ""),
            steps=tuple(steps),
            depends_on=tuple(self.depends_on(raw, path)),
            inputs_schema=raw.get("inputs") or {},
            outputs=self.outputs(raw.get("outputs") or {}, (*path, "outputs")),
            line=self.doc.line(*path),
        )
        self.check_gotos(workflow, path)
        return workflow

    def depends_on(self, raw: dict[str, Any], path: Path_) -> list[str]:
        deps = raw.get("dependsOn") or []
        if not isinstance(deps, list) or not all(isinstance(d, str) for d in deps):
            self.fail((*path, "dependsOn"), "must be a list of workflowIds")
        return list(deps)

    def check_depends_on(self, workflows: dict[str, Workflow]) -> None:
        index = {wid: i for i, wid in enumerate(workflows)}
        for wid, workflow in workflows.items():
            for dep in workflow.depends_on:
                if dep not in workflows:
                    hint = did_you_mean(dep, workflows)
                    self.fail(
                        ("workflows", index[wid], "dependsOn"), f"unknown workflow {dep!r}{hint}"
                    )
        for wid in workflows:
            cycle = _find_cycle(wid, {w: list(f.depends_on) for w, f in workflows.items()})
            if cycle:
                self.fail(
                    ("workflows", index[wid], "dependsOn"),
                    f"dependsOn cycle: {' → '.join(cycle)}",
                )

    def check_gotos(self, workflow: Workflow, path: Path_) -> None:
        ids = [s.step_id for s in workflow.steps]
        for i, step in enumerate(workflow.steps):
            for kind, actions in (("onSuccess", step.on_success), ("onFailure", step.on_failure)):
                for action in actions:
                    if action.step_id is not None and action.step_id not in ids:
                        hint = did_you_mean(action.step_id, ids)
                        self.fail(
                            (*path, "steps", i, kind),
                            f"action {action.name!r} goes to unknown step {action.step_id!r}{hint}",
                        )
        # Unconditional successors on success: a cycle there never ends while steps succeed.
        successor: dict[str, list[str]] = {}
        for i, step in enumerate(workflow.steps):
            first = step.on_success[0] if step.on_success else None
            if first is None:
                successor[step.step_id] = ids[i + 1 : i + 2]
            elif not first.criteria:
                successor[step.step_id] = [first.step_id] if first.step_id else []
        for i, step in enumerate(workflow.steps):
            if not step.on_success or step.on_success[0].criteria or not step.on_success[0].step_id:
                continue
            cycle = _find_cycle(step.step_id, successor)
            if cycle:
                self.fail(
                    (*path, "steps", i, "onSuccess"),
                    f"goto cycle without criteria: {' → '.join(cycle)} would repeat forever",
                )

    # -- steps ----------------------------------------------------------------------------
    def step(
        self,
        raw: Any,
        path: Path_,
        shared_params: tuple[Parameter, ...],
        shared_ok: tuple[Action, ...],
        shared_ko: tuple[Action, ...],
    ) -> Step:
        step_id = self.get(raw, path, "stepId", str)
        if "workflowId" in raw:
            self.fail((*path, "workflowId"), "steps that call workflows are not supported")
        operation_id, operation_path = self.operation(raw, path)
        own = self.parameters(raw.get("parameters") or [], (*path, "parameters"))
        keys = {(p.name, p.location) for p in own}
        params = own + tuple(p for p in shared_params if (p.name, p.location) not in keys)
        return Step(
            step_id=step_id,
            operation_id=operation_id,
            operation_path=operation_path,
            parameters=params,
            request_body=self.request_body(raw.get("requestBody"), (*path, "requestBody")),
            success_criteria=self.criteria(raw.get("successCriteria"), (*path, "successCriteria")),
            on_success=_merge(
                self.actions(raw.get("onSuccess") or [], (*path, "onSuccess"), False), shared_ok
            ),
            on_failure=_merge(
                self.actions(raw.get("onFailure") or [], (*path, "onFailure"), True), shared_ko
            ),
            outputs=self.outputs(raw.get("outputs") or {}, (*path, "outputs")),
            line=self.doc.line(*path, "operationId" if operation_id else "operationPath"),
            field=_field(path),
        )

    def operation(
        self, raw: dict[str, Any], path: Path_
    ) -> tuple[str | None, tuple[str, str] | None]:
        has_id, has_path = "operationId" in raw, "operationPath" in raw
        if has_id == has_path:
            self.fail(path, "a step names exactly one of operationId or operationPath")
        if has_id:
            value = self.get(raw, path, "operationId", str)
            if value.startswith("$sourceDescriptions."):
                parts = value.split(".")
                if len(parts) != 3 or parts[1] not in self.sources:
                    self.fail(
                        (*path, "operationId"), f"{value!r} names no declared source description"
                    )
                return parts[2], None
            if value.startswith("$"):
                self.fail(
                    (*path, "operationId"),
                    f"{value!r} is not $sourceDescriptions.<name>.<operationId>",
                )
            return value, None
        value = self.get(raw, path, "operationPath", str)
        match = _OPERATION_PATH.match(value)
        if not match or match.group(1) not in self.sources:
            self.fail(
                (*path, "operationPath"),
                f"{value!r} is not '{{$sourceDescriptions.<name>.url}}#/paths/<path>/<method>' "
                "with a declared source",
            )
        pointer = match.group(2).split("/")
        if len(pointer) != 4:
            self.fail((*path, "operationPath"), f"{value!r} does not point at one operation")
        api_path = pointer[2].replace("~1", "/").replace("~0", "~")
        return None, (pointer[3].lower(), api_path)

    def parameters(self, raw: Any, path: Path_) -> tuple[Parameter, ...]:
        if not isinstance(raw, list):
            self.fail(path, "must be a list of parameters")
        params: list[Parameter] = []
        for i, item in enumerate(raw):
            item = self.reusable(item, (*path, i), "parameters")
            name = self.get(item, (*path, i), "name", str)
            location = self.get(item, (*path, i), "in", str)
            if location not in LOCATIONS:
                self.fail((*path, i, "in"), f"{location!r} is not one of {', '.join(LOCATIONS)}")
            if "value" not in item:
                self.fail((*path, i), "required field 'value' is missing")
            self.expressions(item["value"], (*path, i, "value"))
            if any(p.name == name and p.location == location for p in params):
                self.fail((*path, i), f"duplicate parameter {name!r} in {location}")
            params.append(Parameter(name, location, item["value"]))
        return tuple(params)

    def reusable(self, item: Any, path: Path_, kind: str) -> Any:
        if not isinstance(item, dict) or "reference" not in item:
            return item
        reference = item["reference"]
        prefix = f"$components.{kind}."
        if not isinstance(reference, str) or not reference.startswith(prefix):
            self.fail((*path, "reference"), f"{reference!r} is not {prefix}<name>")
        found = (self.components.get(kind) or {}).get(reference[len(prefix) :])
        if not isinstance(found, dict):
            self.fail((*path, "reference"), f"{reference!r} is not defined in components")
        return {**found, "value": item["value"]} if "value" in item else found

    def request_body(self, raw: Any, path: Path_) -> dict[str, Any] | None:
        if raw is None:
            return None
        if not isinstance(raw, dict) or "payload" not in raw:
            self.fail(path, "a requestBody needs a payload")
        self.expressions(raw["payload"], (*path, "payload"))
        for i, replacement in enumerate(raw.get("replacements") or []):
            target = self.get(replacement, (*path, "replacements", i), "target", str)
            if not target.startswith("/"):
                self.fail((*path, "replacements", i, "target"), f"{target!r} is not a JSON pointer")
            self.expressions(replacement.get("value"), (*path, "replacements", i, "value"))
        return dict(raw)

    def criteria(self, raw: Any, path: Path_) -> tuple[Criterion, ...]:
        if raw is None:
            return ()
        if not isinstance(raw, list):
            self.fail(path, "must be a list of criteria")
        return tuple(self.criterion(item, (*path, i)) for i, item in enumerate(raw))

    def criterion(self, raw: Any, path: Path_) -> Criterion:
        condition = self.get(raw, path, "condition", str)
        kind = raw.get("type", "simple")
        context = raw.get("context")
        if context is not None:
            self.expressions(context, (*path, "context"), whole=True)
        if kind == "simple":
            try:
                return Criterion(condition, kind, context, parse_condition(condition))
            except ExpressionError as exc:
                self.fail((*path, "condition"), str(exc))
        if kind == "regex":
            if context is None:
                self.fail(path, "a regex criterion needs a context")
            self.expressions(condition, (*path, "condition"))
            try:
                re.compile(condition)
            except re.error as exc:
                self.fail((*path, "condition"), f"not a regular expression: {exc}")
            return Criterion(condition, kind, context, None)
        self.fail(
            (*path, "type"), f"criterion type {kind!r} is not supported (use simple or regex)"
        )

    def actions(self, raw: Any, path: Path_, failure: bool) -> tuple[Action, ...]:
        if not isinstance(raw, list):
            self.fail(path, "must be a list of actions")
        kind = "failureActions" if failure else "successActions"
        types = ("end", "goto", "retry") if failure else ("end", "goto")
        actions = []
        for i, item in enumerate(raw):
            item = self.reusable(item, (*path, i), kind)
            name = self.get(item, (*path, i), "name", str)
            action_type = self.get(item, (*path, i), "type", str)
            if action_type not in types:
                self.fail((*path, i, "type"), f"{action_type!r} is not one of {', '.join(types)}")
            if "workflowId" in item:
                self.fail(
                    (*path, i, "workflowId"), "actions that go to workflows are not supported"
                )
            step_id = item.get("stepId")
            if action_type == "goto" and not isinstance(step_id, str):
                self.fail((*path, i), "a goto action needs a stepId")
            if action_type == "retry" and step_id is not None:
                self.fail((*path, i, "stepId"), "retry through another step is not supported")
            actions.append(self.action(item, (*path, i), name, action_type, step_id))
        return tuple(actions)

    def action(
        self, item: dict[str, Any], path: Path_, name: str, kind: str, step_id: Any
    ) -> Action:
        retry_after = item.get("retryAfter")
        if retry_after is not None and (
            not isinstance(retry_after, int | float) or retry_after < 0
        ):
            self.fail((*path, "retryAfter"), "must be a non-negative number of seconds")
        retry_limit = item.get("retryLimit", 1)
        if not isinstance(retry_limit, int) or retry_limit < 0:
            self.fail((*path, "retryLimit"), "must be a non-negative integer")
        criteria = self.criteria(item.get("criteria"), (*path, "criteria"))
        return Action(name, kind, step_id, retry_after, retry_limit, criteria)

    def outputs(self, raw: Any, path: Path_) -> dict[str, str]:
        if not isinstance(raw, dict):
            self.fail(path, "must map names to runtime expressions")
        for name, value in raw.items():
            if not isinstance(value, str) or not re.fullmatch(r"[A-Za-z0-9.\-_]+", str(name)):
                self.fail((*path, name), "an output maps a name to a runtime expression")
            self.expressions(value, (*path, name), whole=not value.count("{$"))
        return {str(k): str(v) for k, v in raw.items()}

    def expressions(self, value: Any, path: Path_, whole: bool = False) -> None:
        if whole and not (isinstance(value, str) and value.startswith("$")):
            self.fail(path, f"{value!r} is not a runtime expression")
        for text in expressions_in(value):
            try:
                parse_expression(text)
            except ExpressionError as exc:
                self.fail(path, str(exc))


def _merge(own: tuple[Action, ...], shared: tuple[Action, ...]) -> tuple[Action, ...]:
    names = {a.name for a in own}
    return own + tuple(a for a in shared if a.name not in names)


def _find_cycle(start: str, edges: dict[str, list[str]]) -> list[str] | None:
    """A path start → ... → start along `edges`, or None."""
    stack: list[tuple[str, list[str]]] = [(start, [start])]
    seen: set[str] = set()
    while stack:
        node, trail = stack.pop()
        for nxt in edges.get(node, []):
            if nxt == start:
                return [*trail, start]
            if nxt not in seen:
                seen.add(nxt)
                stack.append((nxt, [*trail, nxt]))
    return None


def _kind_name(kind: type | tuple[type, ...]) -> str:
    kinds = kind if isinstance(kind, tuple) else (kind,)
    names = {dict: "mapping", list: "list", str: "string", int: "number", float: "number"}
    return " or ".join(dict.fromkeys(names.get(k, k.__name__) for k in kinds))
