"""The requirement catalogue: every baseline requirement of SPEC.md, declared once, as data."""

from __future__ import annotations

import functools
from collections.abc import Iterator, Mapping
from importlib import resources
from typing import Any

import yaml

from conformance.core.errors import UsageError, did_you_mean
from conformance.core.model import Keyword, Level, Parameter, Requirement, SafetyClass

CATALOGUE_RESOURCE = "requirements.yaml"


class Catalogue(Mapping[str, Requirement]):
    """Requirements by ID, in catalogue order."""

    def __init__(self, requirements: list[Requirement]) -> None:
        self._by_id = {r.id: r for r in requirements}
        if len(self._by_id) != len(requirements):
            raise ValueError("duplicate requirement ID in the catalogue")

    def __getitem__(self, key: str) -> Requirement:
        return self._by_id[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._by_id)

    def __len__(self) -> int:
        return len(self._by_id)

    def get_or_raise(self, requirement_id: str) -> Requirement:
        """The requirement, or a UsageError that suggests the closest known ID."""
        try:
            return self._by_id[requirement_id]
        except KeyError:
            hint = did_you_mean(requirement_id, self._by_id)
            raise UsageError(f"unknown requirement ID {requirement_id!r}{hint}") from None


def _requirement(entry: dict[str, Any]) -> Requirement:
    params = tuple(
        Parameter(name, spec["default"], spec.get("description", ""))
        for name, spec in (entry.get("parameters") or {}).items()
    )
    return Requirement(
        id=entry["id"],
        level=Level(entry["level"]),
        keyword=Keyword(entry["keyword"]),
        statement=entry["statement"],
        source=entry["source"],
        safety=SafetyClass(entry["safety"]),
        parameters=params,
        depends_on=tuple(entry.get("depends_on") or ()),
        how_tested=entry.get("how_tested", ""),
        pending=entry.get("pending", ""),
    )


@functools.cache
def load_catalogue() -> Catalogue:
    """Load the bundled baseline catalogue (cached: it never changes during a process)."""
    text = resources.files("conformance.resources").joinpath(CATALOGUE_RESOURCE).read_text("utf-8")
    data = yaml.safe_load(text)
    return Catalogue([_requirement(entry) for entry in data["requirements"]])
