"""Inputs: what a profile or a target file gives the checks under `inputs:`, each name declared
once, in the module of the checks that read it.

    RESOURCES = declare_input(
        "resources", {...JSON Schema of the value...},
        paths=("/*/xsd", "/*/schematron"), description="the agency's sample resources",
    )

    spec = RESOURCES.read(ctx)      # the merged value (target over profile), validated; or None
    spec = RESOURCES.require(ctx)   # the same, or skip naming inputs.resources when absent

A name declared twice is refused when the second module is imported; a check reads an input
only through the handle its declaration returned, so it cannot read a name nobody declared. The
profile and target loaders validate `inputs` against the schema assembled from every
declaration (`inputs_schema()`: unknown names refused) with `check_inputs`.

The one path rule. `paths` are JSON-pointer patterns (`*` for any key or index), relative to the
input's value, of the string fields that may name a file. Such a string is
  - a URL (`http://`, `https://`) or a path on the target (starting with `/`): kept as it is;
  - a name the declaration's `builtins` holds (a shipped code list or shapes graph): kept;
  - anything else: a file relative to the file that declares it (profile or target file),
    anchored when that file is loaded to an absolute `file://` URI (so that it is never taken
    for a path on the target), and refused at load when it does not exist. A `file://` URI is
    already anchored.
`local_paths` are the fields whose reader reads files of this machine only (an Arazzo document,
a CA bundle, a secret): there a URL or a target path is refused at load. Readers get `file://`
URIs (`local_file` turns one into a Path) and never look anything up beside the profile.
"""

from __future__ import annotations

import copy
import functools
import sys
from collections.abc import Callable, Collection, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit
from urllib.request import url2pathname

import jsonschema

from conformance.core.errors import PreconditionMissing, RegistryError, did_you_mean
from conformance.core.registry import load_bundled_checks

if TYPE_CHECKING:
    from conformance.client.context import CheckContext

SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"
REMOTE = ("http://", "https://")

#: a place inside `inputs` (or inside one input's value): keys and list indices
Where = tuple[str | int, ...]


class InputProblem(Exception):
    """A mistake in an `inputs` mapping, at `path` inside it; the loaders add file and line."""

    def __init__(self, path: Where, problem: str) -> None:
        super().__init__(f"inputs.{'.'.join(map(str, path))}: {problem}")
        self.path, self.problem = path, problem


def local_file(value: str) -> Path | None:
    """The file of this machine a `file://` URI names; None for anything else."""
    parts = urlsplit(value)
    if parts.scheme != "file" or parts.netloc not in ("", "localhost"):
        return None
    path = Path(url2pathname(parts.path))
    return path if path.is_absolute() else None


def _steps(pattern: str) -> tuple[str, ...]:
    if pattern == "":
        return ()
    if not pattern.startswith("/"):
        raise RegistryError(f"path pattern {pattern!r} is not a JSON pointer (it starts with /)")
    return tuple(t.replace("~1", "/").replace("~0", "~") for t in pattern[1:].split("/"))


def _strings(value: Any, steps: tuple[str, ...], at: Where = ()) -> Iterator[tuple[Where, str]]:
    """Every string at the pointer pattern `steps` inside `value`, with where it is."""
    if not steps:
        if isinstance(value, str):
            yield at, value
        return
    head, rest = steps[0], steps[1:]
    if isinstance(value, dict):
        keys = list(value) if head == "*" else [head] if head in value else []
        for key in keys:
            yield from _strings(value[key], rest, (*at, key))
    elif isinstance(value, list):
        if head == "*":
            indices = list(range(len(value)))
        else:
            indices = [int(head)] if head.isdigit() and int(head) < len(value) else []
        for i in indices:
            yield from _strings(value[i], rest, (*at, i))


def _set(value: Any, where: Where, new: str) -> None:
    node = value
    for step in where[:-1]:
        node = node[step]
    node[where[-1]] = new


@dataclass(frozen=True, eq=False)
class Input:
    """One declared input: its name, the JSON Schema of its value, the fields naming files."""

    name: str
    schema: dict[str, Any]
    paths: tuple[str, ...]
    local_paths: tuple[str, ...]
    builtins: Callable[[str], bool]
    description: str
    module: str

    def read(self, ctx: CheckContext) -> Any:
        """The input's merged value (the target file's over the profile's), or None when neither
        declares it; skip (PreconditionMissing) when the value is not what the schema says."""
        value = ctx.inputs.get(self.name)
        if value is None:
            return None
        problem = self.problem(value)
        if problem is not None:
            where, message = problem
            pointer = "".join(f".{step}" for step in where)
            raise PreconditionMissing(f"inputs.{self.name}{pointer}: {message}")
        return value

    def require(self, ctx: CheckContext) -> Any:
        """The input's value; skip, naming the input, when neither profile nor target gives it."""
        value = self.read(ctx)
        if value is None:
            raise PreconditionMissing(f"the profile declares no inputs.{self.name}")
        return value

    def problem(self, value: Any) -> tuple[Where, str] | None:
        """What is wrong with a value given for this input: against the schema, or a file
        reference left unanchored (inputs built in code that bypassed `check_inputs`)."""
        errors = sorted(self._validator.iter_errors(value), key=lambda e: list(map(str, e.path)))
        if errors:
            return tuple(errors[0].absolute_path), errors[0].message
        for where, text, local_only in self.file_fields(value):
            if local_file(text) is None and (local_only or not self._kept(text)):
                return where, (
                    f"{text!r} is not anchored: a file is a file:// URI once its profile or "
                    "target file is loaded (inputs built in code go through check_inputs)"
                )
        return None

    @functools.cached_property
    def _validator(self) -> Any:
        return jsonschema.Draft202012Validator({"$schema": SCHEMA_DIALECT, **self.schema})

    def file_fields(self, value: Any) -> Iterator[tuple[Where, str, bool]]:
        """(where, string, local only) for every string of `value` at a declared path."""
        for patterns, local_only in ((self.paths, False), (self.local_paths, True)):
            for pattern in patterns:
                for where, text in _strings(value, _steps(pattern)):
                    yield where, text, local_only

    def _kept(self, text: str) -> bool:
        return text.startswith(REMOTE) or text.startswith("/") or self.builtins(text)

    def anchor(self, value: Any, base_dir: Path) -> Any:
        """A copy of `value` with each local file it names as an absolute file:// URI; an
        InputProblem (where inside the value) for a missing file or a misplaced reference."""
        anchored = copy.deepcopy(value)
        for where, text, local_only in self.file_fields(value):
            if local_only and (text.startswith(REMOTE) or text.startswith("/")):
                raise InputProblem(
                    (self.name, *where),
                    f"{text!r} is a URL or a path on the target; this field names a file of the "
                    "suite's machine: a path relative to this file, or a file:// URI",
                )
            if not local_only and self._kept(text):
                continue
            _set(anchored, where, _file_uri(text, base_dir, (self.name, *where)))
        return anchored


def _file_uri(text: str, base_dir: Path, where: Where) -> str:
    scheme = urlsplit(text).scheme
    if scheme == "file":
        path = local_file(text)
        if path is None:
            raise InputProblem(where, f"{text!r}: a file URI names an absolute path: file:///...")
    elif len(scheme) > 1:
        raise InputProblem(where, f"{text!r}: expected http(s), a /path on the target or a file")
    else:
        path = base_dir / text
    path = path.resolve()
    if not path.is_file():
        raise InputProblem(where, f"file not found: {path}")
    return path.as_uri()


_DECLARED: dict[str, Input] = {}


def declare_input(
    name: str,
    schema: dict[str, Any],
    *,
    paths: tuple[str, ...] = (),
    local_paths: tuple[str, ...] = (),
    builtins: Collection[str] | Callable[[str], bool] = (),
    description: str = "",
) -> Input:
    """Declare the input `name` (the schema of its value, the fields naming files) and return
    the handle its readers use; a name already declared by another module is refused."""
    module = str(sys._getframe(1).f_globals.get("__name__", "?"))
    existing = _DECLARED.get(name)
    if existing is not None and existing.module != module:
        raise RegistryError(f"input {name!r} is already declared in {existing.module}")
    try:
        jsonschema.Draft202012Validator.check_schema({"$schema": SCHEMA_DIALECT, **schema})
    except jsonschema.SchemaError as exc:
        raise RegistryError(f"input {name!r}: not a valid JSON Schema: {exc.message}") from None
    for pattern in (*paths, *local_paths):
        _steps(pattern)
    declared = Input(
        name=name,
        schema=schema,
        paths=tuple(paths),
        local_paths=tuple(local_paths),
        builtins=builtins if callable(builtins) else frozenset(builtins).__contains__,
        description=description,
        module=module,
    )
    _DECLARED[name] = declared
    return declared


def declared_inputs() -> dict[str, Input]:
    """Every declared input by name (importing the bundled check modules first)."""
    load_bundled_checks()
    return dict(sorted(_DECLARED.items()))


def inputs_schema() -> dict[str, Any]:
    """The JSON Schema of an `inputs` mapping: every declared input, nothing else."""
    return {
        "$schema": SCHEMA_DIALECT,
        "type": "object",
        "properties": {name: d.schema for name, d in declared_inputs().items()},
        "additionalProperties": False,
    }


def check_inputs(raw: Any, base_dir: Path) -> dict[str, Any]:
    """`raw` (the `inputs` of a file in `base_dir`) validated against the declarations, with
    the local files it names anchored; InputProblem (where inside `inputs`) for a mistake."""
    if not isinstance(raw, dict):
        raise InputProblem((), "expected a mapping of input names to values")
    declared = declared_inputs()
    for key in raw:
        if key not in declared:
            hint = did_you_mean(str(key), declared)
            known = "" if hint else f"; the checks read: {', '.join(declared)}"
            raise InputProblem((str(key),), f"unknown input{hint}{known}")
    validator = jsonschema.Draft202012Validator(inputs_schema())
    errors = sorted(validator.iter_errors(raw), key=lambda e: list(map(str, e.absolute_path)))
    if errors:
        raise InputProblem(tuple(errors[0].absolute_path), errors[0].message)
    return {key: declared[key].anchor(value, base_dir) for key, value in raw.items()}
