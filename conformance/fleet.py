"""Fleet files: many targets in one run (`conformance run --fleet FILE`)."""

from __future__ import annotations

from pathlib import Path

from conformance.errors import TargetError
from conformance.yamlsource import load_yaml


def load_fleet(path: Path) -> list[str]:
    """Target specs (URLs, or target-file paths relative to the fleet file) from `targets:`."""
    doc = load_yaml(path, lambda f, line, fld, p: TargetError(f"{f}:{line or ''}: {fld}: {p}"))
    targets = doc.data.get("targets") if isinstance(doc.data, dict) else None
    if not isinstance(targets, list) or not targets or not all(isinstance(t, str) for t in targets):
        line = doc.line("targets")
        raise TargetError(
            f"{path}:{line or ''}: targets: expected a non-empty list of URLs or files"
        )
    return [t if t.startswith(("http://", "https://")) else str(path.parent / t) for t in targets]
