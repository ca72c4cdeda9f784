"""What checking the values of an OpenAPI document finds (part of DEP-OAS-01), and how it is told.

A value that does not conform to its schema is a ValueFinding, one the suite did not check an
Unchecked (with the reason); a ValueCheck counts both for one document and keeps the first
MAX_LISTED of each list. `rule` states the rule each kind of finding breaks, for the failure
message, and `json_path_of` writes a place in the document as a JSONPath, the way jsonschema does.
The walk that finds the values is `oas_value_walk`, their validation `oas_values`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

#: how many findings (and unchecked values) of each list a ValueCheck keeps
MAX_LISTED = 100

#: the property names jsonschema writes as .name in a JSONPath (others as ['name'])
_NAME = re.compile(r"^[a-zA-Z][a-zA-Z0-9_]*$")


@dataclass(frozen=True, slots=True)
class ValueFinding:
    """A value that does not conform to its schema: what it is, where, and the validator's word.

    `kind` is "default", "enum", "example" or "reference" (a `$ref` of the schema resolving to
    nothing in the document)."""

    kind: str
    json_path: str
    value: str
    message: str

    def __str__(self) -> str:
        return f"{self.json_path}: {self.message}"

    def to_dict(self) -> dict[str, str]:
        """The evidence form: path, value (JSON, shortened), message."""
        return {
            "kind": self.kind,
            "json_path": self.json_path,
            "value": self.value,
            "message": self.message,
        }


@dataclass(frozen=True, slots=True)
class Unchecked:
    """A value (or an object holding values) the suite did not check, and why."""

    json_path: str
    reason: str

    def to_dict(self) -> dict[str, str]:
        """The evidence form."""
        return {"json_path": self.json_path, "reason": self.reason}


@dataclass(slots=True)
class ValueCheck:
    """What checking the values of one document found.

    `errors` (defaults, enum values, `$ref`s) make DEP-OAS-01 fail; `examples` are reported.
    Each list keeps at most MAX_LISTED entries; the counts are complete."""

    version: str
    checked: int = 0
    errors: list[ValueFinding] = field(default_factory=list)
    error_count: int = 0
    examples: list[ValueFinding] = field(default_factory=list)
    example_count: int = 0
    unchecked: list[Unchecked] = field(default_factory=list)
    unchecked_count: int = 0
    #: why not every value was checked (a bound reached), or ""
    incomplete: str = ""

    def add(self, finding: ValueFinding) -> None:
        """Count a finding, and keep it while the list has room."""
        if finding.kind == "example":
            self.example_count += 1
            if len(self.examples) < MAX_LISTED:
                self.examples.append(finding)
        else:
            self.error_count += 1
            if len(self.errors) < MAX_LISTED:
                self.errors.append(finding)

    def skip(self, item: Unchecked) -> None:
        """Count a value that was not checked, and keep it while the list has room."""
        self.unchecked_count += 1
        if len(self.unchecked) < MAX_LISTED:
            self.unchecked.append(item)

    def describe(self) -> str:
        """What was checked, for the pass message: '12 default, enum and example value(s)
        checked, 2 example(s) contradict their schema, 1 value(s) not checked'."""
        parts = [f"{self.checked} default, enum and example value(s) checked"]
        if self.example_count:
            parts.append(f"{self.example_count} example(s) contradict their schema")
        if self.unchecked_count:
            parts.append(f"{self.unchecked_count} value(s) not checked")
        text = ", ".join(parts)
        return f"{text}; {self.incomplete}" if self.incomplete else text


def rule(kind: str, version: str) -> str:
    """The rule a finding of `kind` breaks, as the failure message states it."""
    if kind == "default":
        if version.startswith("3.0"):
            return (
                'OpenAPI 3.0.3 §4.7.24.1: a default "MUST conform to the defined type for the '
                'Schema Object defined at the same level"'
            )
        return (
            "a default must be valid against its schema: JSON Schema 2020-12 RECOMMENDS it, and "
            "the suite requires it, since generated clients and the suite's own generated "
            "requests send defaults"
        )
    if kind == "enum":
        return (
            "an enum value must be of its schema's type: a value of another type can never be "
            "valid, so the schema does not allow the values it lists"
        )
    if kind == "reference":
        return "a $ref must resolve: it points to nothing in the document"
    return "an example SHOULD match its schema"


def json_path_of(at: Iterable[str | int]) -> str:
    """A JSONPath the way jsonschema writes them: $.paths['/x'].get.parameters[0].schema."""
    path = "$"
    for segment in at:
        if isinstance(segment, int):
            path += f"[{segment}]"
        elif _NAME.match(segment):
            path += f".{segment}"
        else:
            path += "['" + segment.replace("\\", "\\\\").replace("'", "\\'") + "']"
    return path
