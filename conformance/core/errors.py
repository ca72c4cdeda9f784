"""Errors: the agency's non-conformance apart from the suite's own errors.

A check that finds the agency at fault raises :class:`NonConformance`; it becomes a ``fail`` (or
``warn`` for a SHOULD). A check that cannot decide raises :class:`Inconclusive` (``error``) or
:class:`PreconditionMissing` (``skip``). Mistakes in what the user gave us are
:class:`ConformanceError`\\s and end the run with exit code 2::

    Exception
    ├── NonConformance          the agency does not meet a requirement   -> fail / warn
    │                           (warn for a SHOULD, or when advisory=True)
    ├── PreconditionMissing     something the check needs is absent      -> skip
    ├── Inconclusive            the suite could not decide               -> error
    └── ConformanceError        our user's mistake, exit code 2
        ├── UsageError          bad command-line usage, unknown requirement ID
        ├── ProfileError        a malformed profile (file, line, field)
        ├── TargetError         a malformed target file or an unreachable target
        └── RegistryError       a check declared twice or for an unknown requirement
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from conformance.core.model import Evidence


class NonConformance(AssertionError):
    """The agency does not meet the requirement under check.

    ``advisory=True`` marks a finding below the requirement's threshold but worth a warning
    (e.g. a certificate with fewer than ``warn_days_left`` days left): ``warn`` even for a MUST.
    """

    def __init__(
        self, message: str, *, evidence: list[Evidence] | None = None, advisory: bool = False
    ) -> None:
        super().__init__(message)
        self.message = message
        self.evidence = list(evidence or [])
        self.advisory = advisory


class PreconditionMissing(Exception):
    """Something the check needs is absent (an opt-in, an input, a failed prerequisite)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class NotApplicable(Exception):
    """The agency's own documents show nothing the requirement applies to (no XML media type, no
    deprecated operation): not a pass, and not a gap in what the suite could test."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class Inconclusive(Exception):
    """The suite could not decide: unreachable, timed out, unreadable answer."""

    def __init__(self, message: str, *, evidence: list[Evidence] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.evidence = list(evidence or [])


class ConformanceError(Exception):
    """Base of the suite's own errors: what the user gave us is wrong."""


class UsageError(ConformanceError):
    """Bad command-line usage or an unknown requirement ID."""


class ProfileError(ConformanceError):
    """A malformed profile; the message names the file, the line and the field."""

    def __init__(self, file: str, line: int | None, field: str, problem: str) -> None:
        where = f"{file}:{line}" if line else file
        super().__init__(f"{where}: {field}: {problem}")
        self.file, self.line, self.field, self.problem = file, line, field, problem


class TargetError(ConformanceError):
    """A malformed target description, or a target that cannot be reached at all."""


class RegistryError(ConformanceError):
    """A check declared twice, or declared for a requirement the catalogue does not know."""


def did_you_mean(word: str, known: Any) -> str:
    """Return ' (did you mean X?)' for the closest known word, or ''."""
    import difflib

    close = difflib.get_close_matches(word, list(known), n=1, cutoff=0.6)
    return f" (did you mean {close[0]}?)" if close else ""
