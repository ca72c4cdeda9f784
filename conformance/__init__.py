"""interop-conformance: conformance tests for government interoperability.

The public API; everything else is internal and may change.
"""

from __future__ import annotations

from conformance.client.context import CheckContext
from conformance.core.catalogue import Catalogue, load_catalogue
from conformance.core.errors import (
    ConformanceError,
    Inconclusive,
    NonConformance,
    PreconditionMissing,
    ProfileError,
    RegistryError,
    TargetError,
    UsageError,
)
from conformance.core.inputs import check_inputs, declare_input
from conformance.core.model import (
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
from conformance.core.registry import check, registered_checks
from conformance.core.version import __version__
from conformance.engine import Engine, PlannedCheck
from conformance.inputs.profile import Profile, load_profile
from conformance.inputs.target import Target, load_target_file, resolve_target

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
    "check_inputs",
    "declare_input",
    "load_catalogue",
    "load_profile",
    "load_target_file",
    "registered_checks",
    "resolve_target",
]
