"""Fleet files: many targets in one run (`conformance run --fleet FILE`), and their shards
(`--shard K/N`: one of N parts, each run on its own machine, merged by `conformance merge`)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from conformance.core.errors import TargetError, UsageError
from conformance.inputs.target import Target
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


#: where `--shard auto` reads its part: (index variable, count variable, index base)
SHARD_ENVIRONMENTS = (
    ("JOB_COMPLETION_INDEX", "JOB_COMPLETIONS", 0),  # a Kubernetes Indexed Job (0-based)
    ("CONFORMANCE_SHARD", "CONFORMANCE_SHARDS", 1),  # any CI matrix (1-based, set by the job)
)


def shard_from_environment(environ: Mapping[str, str]) -> tuple[int, int]:
    """`--shard auto`: K/N from a Kubernetes Indexed Job (JOB_COMPLETION_INDEX, 0-based, and
    JOB_COMPLETIONS) or a CI matrix's CONFORMANCE_SHARD (1-based) and CONFORMANCE_SHARDS."""
    for index_name, count_name, base in SHARD_ENVIRONMENTS:
        if index_name in environ:
            index, count = environ.get(index_name, ""), environ.get(count_name, "")
            if not (index.isdigit() and count.isdigit()):
                raise UsageError(
                    f"--shard auto: {index_name}={index!r} and {count_name}={count!r} must both "
                    "be whole numbers"
                )
            return parse_shard(f"{int(index) + 1 - base}/{count}")
    names = " or ".join(f"{i} and {c}" for i, c, _ in SHARD_ENVIRONMENTS)
    raise UsageError(f"--shard auto: set {names} (a Kubernetes Indexed Job sets the first)")


def parse_shard(text: str) -> tuple[int, int]:
    """``K/N`` as (K, N), 1 <= K <= N (``auto``: from the environment); UsageError otherwise."""
    if text == "auto":
        return shard_from_environment(os.environ)
    k, _, n = text.partition("/")
    if not (k.isdigit() and n.isdigit()) or not 1 <= int(k) <= int(n):
        raise UsageError(f"--shard {text!r}: expected K/N with 1 <= K <= N, e.g. 2/4")
    return int(k), int(n)


def shard_of(specs: list[str], k: int, n: int) -> list[str]:
    """The K-th of N parts of `specs`: every N-th spec from the K-th, so parts differ in size by
    at most one and every spec is in exactly one part. UsageError when the part is empty."""
    part = specs[k - 1 :: n]
    if not part:
        raise _empty_shard(k, n, len(specs))
    return part


def resolve_fleet(specs: list[str]) -> tuple[list[Target], dict[str, str], list[str]]:
    """The targets of `specs` with distinct names, the targets that could not be loaded (name →
    why), and notes for the user.

    One target whose file is malformed is the user's mistake: TargetError, before any request.
    In a fleet, it is that agency's `error` in the report while the others are tested. Entries
    with the same name (every file `serve-reference` writes is named reference-agency) are told
    apart by host and port, and the note says so."""
    from conformance.inputs.target import resolve_target

    if len(specs) == 1:
        return [resolve_target(specs[0])], {}, []
    targets: list[Target] = []
    broken: dict[str, str] = {}
    for spec in specs:
        try:
            targets.append(resolve_target(spec))
        except TargetError as exc:
            name = _unique(Path(spec).stem or spec, {t.name for t in targets} | set(broken))
            broken[name] = f"the target could not be loaded: {exc}"
            targets.append(Target(name=name, base_url=f"unloadable:{spec}"))
    renamed, broken, notes = distinct_names(targets, broken)
    return renamed, broken, [*notes, *(f"note: {name}: {why}" for name, why in broken.items())]


def distinct_names(
    targets: list[Target], broken: dict[str, str]
) -> tuple[list[Target], dict[str, str], list[str]]:
    """`targets` renamed where two share a name ("name (host:port)"), with notes saying so."""
    import dataclasses
    from collections import Counter
    from urllib.parse import urlsplit

    counts = Counter(t.name for t in targets)
    renamed: list[Target] = []
    notes: list[str] = []
    taken: set[str] = {t.name for t in targets if counts[t.name] == 1}
    for target in targets:
        if counts[target.name] == 1:
            renamed.append(target)
            continue
        where = urlsplit(target.base_url).netloc or target.base_url
        name = _unique(f"{target.name} ({where})", taken)
        taken.add(name)
        notes.append(f"note: two fleet entries are named {target.name!r}: this one is {name!r}")
        if target.name in broken:
            broken[name] = broken.pop(target.name)
        renamed.append(dataclasses.replace(target, name=name))
    return renamed, broken, notes


def _unique(name: str, taken: set[str]) -> str:
    candidate, n = name, 2
    while candidate in taken:
        candidate, n = f"{name} #{n}", n + 1
    return candidate


def _empty_shard(k: int, n: int, count: int) -> UsageError:
    return UsageError(
        f"shard {k}/{n} has no targets: there are only {count}; use at most {count} shards"
    )


def balanced_shard_of(
    specs: list[str], names: list[str], seconds: dict[str, float], k: int, n: int
) -> list[str]:
    """The K-th of N parts of `specs`, balanced by how long each target took before (`seconds`
    by target name, from a previous run.json): longest first, each to the part with the least
    so far (ties to the lower part), so parts finish close together. A target the previous run
    did not have counts as the median. Deterministic: every machine computes the same parts."""
    known = sorted(seconds.values())
    median = known[len(known) // 2] if known else 1.0
    cost = [seconds.get(name, median) for name in names]
    order = sorted(range(len(specs)), key=lambda i: (-cost[i], i))
    loads = [0.0] * n
    parts: list[list[int]] = [[] for _ in range(n)]
    for i in order:
        least = min(range(n), key=lambda p: (loads[p], p))
        loads[least] += cost[i]
        parts[least].append(i)
    part = sorted(parts[k - 1])
    if not part:
        raise _empty_shard(k, n, len(specs))
    return [specs[i] for i in part]


def seconds_by_target(report: dict[str, Any]) -> dict[str, float]:
    """How long each target's checks took in a run.json (its results' durations summed)."""
    found: dict[str, float] = {}
    for result in report.get("results", []):
        name = str(result.get("target", ""))
        found[name] = found.get(name, 0.0) + float(result.get("duration_s") or 0.0)
    return found


def needing_rerun(report: dict[str, Any]) -> set[str]:
    """The targets of a run.json that ended in `error`: untested, or with a result in error."""
    names = {str(t["name"]) for t in report.get("targets", []) if t.get("untested")}
    names |= {str(r["target"]) for r in report.get("results", []) if r.get("outcome") == "error"}
    return names
