"""What a check gets: its requirement, parameters, the target's client and shared discovery."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NoReturn

from conformance.client.discovery import Discovery
from conformance.client.http import Exchange, HttpClient
from conformance.core.errors import NonConformance
from conformance.core.model import Evidence, Requirement, SafetyClass
from conformance.inputs.target import Target


@dataclass
class CheckContext:
    """Everything one check needs to decide one requirement on one target."""

    requirement: Requirement
    target: Target
    params: dict[str, Any]
    #: the profile's inputs with the target file's laid over; read through the handle of each
    #: input's declaration (conformance.core.inputs), never by name
    inputs: dict[str, Any]
    client: HttpClient
    discovery: Discovery
    seed: int
    allow: frozenset[SafetyClass]
    #: the profile's folder: parameters naming files (DEP-SVC-01 `shapes`) are relative to it;
    #: inputs never are (their files are file:// URIs from the moment they are loaded)
    profile_dir: Path
    evidence: list[Evidence] = field(default_factory=list)
    reproduce: str = ""

    def cite(self, exchange: Exchange, note: str = "") -> Evidence:
        """Add an exchange to the evidence (redacted) and return its evidence entry."""
        entry = self.client.evidence(exchange, note)
        self.evidence.append(entry)
        return entry

    def note(self, kind: str, summary: str, **detail: Any) -> None:
        """Add a non-HTTP fact to the evidence (a TLS fact, a validator message, a timing)."""
        self.evidence.append(Evidence(kind, summary, detail))

    def fail(self, message: str) -> NoReturn:
        """Decide that the agency does not meet the requirement."""
        raise NonConformance(message)
