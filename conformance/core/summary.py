"""One summariser: per-level and overall verdicts (a SHOULD never fails a level)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from conformance.core.model import Level, Outcome, Result, Verdict


def level_verdict(results: Iterable[Result], not_implemented: str = "ignore") -> Verdict:
    """A level is not conformant on any fail; incomplete on any error, when nothing in it was
    decided (every requirement skipped, not applicable or not implemented: nothing was tested)
    or, when the profile's rule says so, on any requirement not implemented; and conformant
    otherwise."""
    results = list(results)
    outcomes = {r.outcome for r in results}
    gating = {r.outcome for r in results if r.waiver is None}  # a waived fail gates nothing
    if Outcome.FAIL in gating:
        return Verdict.NOT_CONFORMANT
    if Outcome.ERROR in gating or not outcomes & {Outcome.PASS, Outcome.WARN, Outcome.FAIL}:
        return Verdict.INCOMPLETE
    if not_implemented == "incomplete" and Outcome.NOT_IMPLEMENTED in outcomes:
        return Verdict.INCOMPLETE
    return Verdict.CONFORMANT


def level_verdicts(
    results: Iterable[Result], not_implemented: str = "ignore"
) -> dict[str, Verdict]:
    """The verdict of every level that has results, in level order."""
    by_level: dict[Level, list[Result]] = {}
    for r in results:
        by_level.setdefault(r.level, []).append(r)
    return {
        level.value: level_verdict(by_level[level], not_implemented)
        for level in Level
        if level in by_level
    }


def overall_verdict(
    levels: dict[str, Verdict], complete: bool = True, narrowed: bool = False
) -> Verdict:
    """Not conformant if a level is; incomplete if a level is, if the run was interrupted, or if
    it was narrowed to less than its profile selects (a narrowed run is never conformant)."""
    values = set(levels.values())
    if Verdict.NOT_CONFORMANT in values:
        return Verdict.NOT_CONFORMANT
    if Verdict.INCOMPLETE in values or not complete or narrowed or not levels:
        return Verdict.INCOMPLETE
    return Verdict.CONFORMANT


def narrowed_levels(levels: dict[str, Verdict], cut: Iterable[str]) -> dict[str, Verdict]:
    """`levels` with every level in `cut` (some of its selected requirements did not run) at
    most incomplete."""
    cut = set(cut)
    return {
        name: Verdict.INCOMPLETE if name in cut and verdict is Verdict.CONFORMANT else verdict
        for name, verdict in levels.items()
    }


def outcome_counts(results: Iterable[Result]) -> dict[Level, Counter[Outcome]]:
    """How many results of each outcome every level has (for summary tables)."""
    counts: dict[Level, Counter[Outcome]] = {level: Counter() for level in Level}
    for r in results:
        counts[r.level][r.outcome] += 1
    return {level: c for level, c in counts.items() if c}


EXIT_CODES = {Verdict.CONFORMANT: 0, Verdict.NOT_CONFORMANT: 1, Verdict.INCOMPLETE: 2}
FAIL_ON = ("fail", "warn")


def exit_code(verdict: Verdict, results: Iterable[Result], fail_on: str = "fail") -> int:
    """The exit code of a run: its verdict's, or 1 when `fail_on` is "warn" and a SHOULD was not
    met (an unwaived warn) in a run that is otherwise conformant."""
    code = EXIT_CODES[verdict]
    unwaived_warn = any(r.outcome is Outcome.WARN and r.waiver is None for r in results)
    return 1 if code == 0 and fail_on == "warn" and unwaived_warn else code
