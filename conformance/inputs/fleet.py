"""Fleet files: many targets in one run (`conformance run --fleet FILE`), and their shards
(`--shard K/N`: one of N parts, each run on its own machine, merged by `conformance merge`)."""

from __future__ import annotations

from pathlib import Path

from conformance.core.errors import TargetError, UsageError
from conformance.inputs.yamlsource import load_yaml


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


def parse_shard(text: str) -> tuple[int, int]:
    """``K/N`` as (K, N), 1 <= K <= N; UsageError otherwise."""
    k, _, n = text.partition("/")
    if not (k.isdigit() and n.isdigit()) or not 1 <= int(k) <= int(n):
        raise UsageError(f"--shard {text!r}: expected K/N with 1 <= K <= N, e.g. 2/4")
    return int(k), int(n)


def shard_of(specs: list[str], k: int, n: int) -> list[str]:
    """The K-th of N parts of `specs`: every N-th spec from the K-th, so parts differ in size by
    at most one and every spec is in exactly one part. UsageError when the part is empty."""
    part = specs[k - 1 :: n]
    if not part:
        raise UsageError(
            f"shard {k}/{n} has no targets: there are only {len(specs)}; use at most "
            f"{len(specs)} shards"
        )
    return part
