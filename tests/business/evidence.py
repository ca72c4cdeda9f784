"""A result's evidence, as the business tests read it."""

from __future__ import annotations

from conformance.core.model import Result


def notes(result: Result) -> list[str]:
    """The notes of the HTTP exchanges, one per exchange."""
    return [e.detail.get("note", "") for e in result.evidence if e.kind == "http"]


def kinds(result: Result, kind: str) -> list[dict]:
    """The details of the evidence of `kind`."""
    return [e.detail for e in result.evidence if e.kind == kind]


def note_text(result: Result) -> str:
    """The notes of the HTTP exchanges, one per line."""
    return "\n".join(e.detail.get("note", "") for e in result.evidence if e.kind == "http")
