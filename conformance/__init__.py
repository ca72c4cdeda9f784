"""interop-conformance: conformance tests for government interoperability.

The public API; everything else is internal and may change.
"""

from __future__ import annotations

__version__ = "0.1.0"

from conformance.catalogue import Catalogue, load_catalogue  # noqa: E402
from conformance.context import CheckContext  # noqa: E402
from conformance.engine import Engine, PlannedCheck  # noqa: E402
from conformance.errors import (  # noqa: E402
    ConformanceError,
    Inconclusive,
    NonConformance,
    PreconditionMissing,
    ProfileError,
    RegistryError,
    TargetError,
    UsageError,
)
from conformance.model import (  # noqa: E402
    Evidence,
    Keyword,
    Level,
    Outcome,
    Report,
    Requirement,
    Result,
    SafetyClass,
    Verdict,
)
from conformance.profile import Profile, load_profile  # noqa: E402
from conformance.registry import check, registered_checks  # noqa: E402
from conformance.target import Target, load_target_file, resolve_target  # noqa: E402

__all__ = [
    "Catalogue",
    "CheckContext",
    "ConformanceError",
    "Engine",
    "Evidence",
    "Inconclusive",
    "Keyword",
    "Level",
    "NonConformance",
    "Outcome",
    "PlannedCheck",
    "PreconditionMissing",
    "Profile",
    "ProfileError",
    "RegistryError",
    "Report",
    "Requirement",
    "Result",
    "SafetyClass",
    "Target",
    "TargetError",
    "UsageError",
    "Verdict",
    "__version__",
    "check",
    "load_catalogue",
    "load_profile",
    "load_target_file",
    "registered_checks",
    "resolve_target",
]
