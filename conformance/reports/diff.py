"""What changed between two runs: regressions, fixes, requirements added or removed."""

from __future__ import annotations

from dataclasses import dataclass

from conformance.core.model import Outcome, Report, Result, Verdict

Key = tuple[str, str]  # (requirement, target)

WORSE_THAN_PASS = frozenset({Outcome.FAIL, Outcome.ERROR, Outcome.WARN})
BROKEN = frozenset({Outcome.FAIL, Outcome.ERROR})


@dataclass(frozen=True, slots=True)
class Change:
    """One requirement on one target whose outcome moved between the two runs."""

    requirement: str
    target: str
    old: Outcome | None
    new: Outcome | None
    message: str = ""

    def describe(self) -> str:
        """`NET-HSTS-01 [agency]: pass → fail: <message>`."""
        old = self.old.value if self.old else "(absent)"
        new = self.new.value if self.new else "(absent)"
        tail = f": {self.message}" if self.message else ""
        return f"{self.requirement} [{self.target}]: {old} → {new}{tail}"


@dataclass(frozen=True, slots=True)
class ReportDiff:
    """The difference between an old and a new report, keyed by (requirement, target)."""

    old_verdict: Verdict
    new_verdict: Verdict
    regressed: tuple[Change, ...] = ()
    fixed: tuple[Change, ...] = ()
    changed: tuple[Change, ...] = ()
    added: tuple[Change, ...] = ()
    removed: tuple[Change, ...] = ()

    @property
    def has_regressions(self) -> bool:
        """True when something that passed no longer does."""
        return bool(self.regressed)


def diff_reports(old: Report, new: Report) -> ReportDiff:
    """Compare two reports result by result (requirement × target)."""
    before, after = _index(old), _index(new)
    regressed: list[Change] = []
    fixed: list[Change] = []
    changed: list[Change] = []
    for key in sorted(before.keys() & after.keys()):
        a, b = before[key], after[key]
        if a.outcome is b.outcome:
            continue
        change = Change(key[0], key[1], a.outcome, b.outcome, b.message)
        if a.outcome is Outcome.PASS and b.outcome in WORSE_THAN_PASS:
            regressed.append(change)
        elif a.outcome in BROKEN and b.outcome is Outcome.PASS:
            fixed.append(change)
        else:
            changed.append(change)
    added = [
        Change(k[0], k[1], None, after[k].outcome, after[k].message)
        for k in sorted(after.keys() - before.keys())
    ]
    removed = [
        Change(k[0], k[1], before[k].outcome, None) for k in sorted(before.keys() - after.keys())
    ]
    return ReportDiff(
        old.verdict, new.verdict, tuple(regressed), tuple(fixed), tuple(changed),
        tuple(added), tuple(removed),
    )  # fmt: skip


def format_diff(d: ReportDiff) -> str:
    """The diff as plain text, regressions first."""
    lines = [f"verdict: {d.old_verdict.value} → {d.new_verdict.value}"]
    sections = (
        ("regressed", d.regressed),
        ("fixed", d.fixed),
        ("other changes", d.changed),
        ("new requirements", d.added),
        ("removed requirements", d.removed),
    )
    for title, changes in sections:
        if changes:
            lines.append(f"{title} ({len(changes)}):")
            lines += [f"  {c.describe()}" for c in changes]
    if len(lines) == 1:
        lines.append("no outcome changed")
    return "\n".join(lines) + "\n"


def _index(report: Report) -> dict[Key, Result]:
    """The results of a report by (requirement, target)."""
    return {(r.requirement, r.target): r for r in report.results}
