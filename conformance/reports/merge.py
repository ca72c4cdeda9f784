"""One report from the reports of a sharded fleet run (`conformance merge`)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from conformance.core.errors import UsageError
from conformance.core.model import Level, Report, Verdict
from conformance.core.summary import overall_verdict

#: worst first: a level is as bad as its worst part
_SEVERITY = (Verdict.NOT_CONFORMANT, Verdict.INCOMPLETE, Verdict.CONFORMANT)


def merge_reports(reports: Sequence[Report], names: Sequence[str] | None = None) -> Report:
    """The report of all `reports`' targets together, as if one run had tested them all.

    The parts must come from the same suite version, profile (by digest) and seed, and test
    distinct targets; `names` (e.g. file names) label the parts in error messages. Each level's
    verdict is the worst of the parts' (they were decided by the same profile rule); the merged
    run is complete only if every part was.
    """
    if not reports:
        raise UsageError("nothing to merge: give the run.json of every part")
    labels = list(names) if names is not None else [f"part {i + 1}" for i in range(len(reports))]
    first = reports[0]
    for label, part in zip(labels[1:], reports[1:], strict=True):
        for what, mine, theirs in (
            ("suite version", part.suite.get("version"), first.suite.get("version")),
            ("profile", part.profile.get("digest"), first.profile.get("digest")),
            ("seed", part.seed, first.seed),
            ("schema version", part.schema_version, first.schema_version),
        ):
            if mine != theirs:
                raise UsageError(
                    f"{label} was run with another {what} ({mine}) than {labels[0]} ({theirs}): "
                    "only the parts of one sharded run can be merged"
                )
    seen: dict[str, str] = {}
    for label, part in zip(labels, reports, strict=True):
        for target in part.targets:
            if target.name in seen:
                raise UsageError(
                    f"target {target.name!r} is in both {seen[target.name]} and {label}: "
                    "the parts of a sharded run test distinct targets"
                )
            seen[target.name] = label
    levels: dict[str, Verdict] = {}
    for part in reports:
        for level, verdict in part.levels.items():
            current = levels.get(level, Verdict.CONFORMANT)
            levels[level] = min(current, verdict, key=_SEVERITY.index)
    order = [level.value for level in Level]
    levels = {level: levels[level] for level in sorted(levels, key=order.index)}
    complete = all(part.complete for part in reports)
    scope = merged_scope([part.scope for part in reports])
    return Report(
        schema_version=first.schema_version,
        suite=dict(first.suite),
        profile=dict(first.profile),
        started=min((part.started for part in reports), key=dt.datetime.fromisoformat),
        finished=max((part.finished for part in reports), key=dt.datetime.fromisoformat),
        seed=first.seed,
        targets=tuple(t for part in reports for t in part.targets),
        results=tuple(r for part in reports for r in part.results),
        levels=levels,
        verdict=overall_verdict(levels, complete, narrowed=bool(scope.get("narrowed"))),
        complete=complete,
        scope=scope,
    )


def merged_scope(scopes: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """One scope of the parts' scopes: narrowed if any part was; what any part left out, or
    did not run, stays listed."""
    scopes = [s for s in scopes if s]
    if not scopes:
        return {}
    merged = dict(scopes[0])
    merged["narrowed"] = any(s.get("narrowed") for s in scopes)
    for key in ("left_out", "ran"):
        merged[key] = list(dict.fromkeys(x for s in scopes for x in s.get(key, [])))
    merged["not_run"] = [x for s in scopes for x in s.get("not_run", [])]
    return merged
