"""The terminal summary: a per-level table of outcome counts, the problems, the overall verdict."""

from __future__ import annotations

from collections import Counter

from rich.console import Console
from rich.table import Table
from rich.text import Text

from conformance.core.model import Level, Outcome, Report, Verdict
from conformance.core.summary import outcome_counts

# The summary columns, in the order a reader scans them.
COLUMNS: tuple[tuple[str, Outcome], ...] = (
    ("pass", Outcome.PASS),
    ("fail", Outcome.FAIL),
    ("warn", Outcome.WARN),
    ("error", Outcome.ERROR),
    ("skip", Outcome.SKIP),
    ("n/a", Outcome.NOT_APPLICABLE),
    ("not-impl", Outcome.NOT_IMPLEMENTED),
)
OUTCOME_STYLES = {
    Outcome.PASS: "green",
    Outcome.FAIL: "bold red",
    Outcome.WARN: "yellow",
    Outcome.ERROR: "bold magenta",
    Outcome.SKIP: "dim",
    Outcome.NOT_APPLICABLE: "dim",
    Outcome.NOT_IMPLEMENTED: "cyan",
}
VERDICT_STYLES = {
    Verdict.CONFORMANT: "bold green",
    Verdict.NOT_CONFORMANT: "bold red",
    Verdict.INCOMPLETE: "bold yellow",
}
# Outcomes listed under the table, worst first.
PROBLEMS = frozenset({Outcome.FAIL, Outcome.ERROR, Outcome.WARN})


def summary_table(report: Report) -> Table:
    """Per level: how many results of each outcome, and the level verdict; then a total row."""
    table = Table(title="Conformance by level", show_footer=True, title_justify="left")
    table.add_column("level", footer="total")
    counts = outcome_counts(report.results)
    total: Counter[Outcome] = Counter()
    for c in counts.values():
        total.update(c)
    for name, outcome in COLUMNS:
        footer = _count(total[outcome], outcome)
        table.add_column(name, justify="right", footer=footer)
    table.add_column("verdict", footer=_verdict(report.verdict))
    for level in Level:
        if level not in counts:
            continue
        cells = [_count(counts[level][outcome], outcome) for _, outcome in COLUMNS]
        verdict = report.levels.get(level.value)
        table.add_row(level.value, *cells, _verdict(verdict) if verdict else Text("-"))
    return table


def print_summary(report: Report, console: Console) -> None:
    """Print the table, every fail/error/warn (ID, target, message), and the overall verdict."""
    console.print(summary_table(report))
    if len(report.targets) > 1:
        console.print(agency_table(report))
    untested = {t.name for t in report.targets if t.untested}
    for target in report.targets:
        if target.untested:  # one line, not a line per requirement
            console.print(Text(f"  UNTESTED {target.name}: {target.untested}"), overflow="fold")
    problems = sorted(
        (r for r in report.results if r.outcome in PROBLEMS and r.target not in untested),
        key=lambda r: (r.outcome.rank, r.requirement, r.target),
    )
    for r in problems:
        line = Text("  ")
        line.append(f"{r.outcome.value.upper():<5}", style=OUTCOME_STYLES[r.outcome])
        line.append(f" {r.requirement} ", style="bold")
        line.append(f"[{r.target}] ", style="dim")
        line.append(r.message)
        console.print(line, overflow="fold")
    console.print(_verdict_line(report))


def agency_table(report: Report) -> Table:
    """One row per agency: its verdict on each level, and its own verdict."""
    levels = [lvl.value for lvl in Level if any(lvl.value in t.levels for t in report.targets)]
    table = Table(title="Conformance by agency", title_justify="left")
    table.add_column("agency")
    for level in levels:
        table.add_column(level)
    table.add_column("verdict")
    for target in report.targets:
        cells = [_verdict_cell(target.levels.get(level)) for level in levels]
        table.add_row(target.name, *cells, _verdict_cell(target.verdict))
    return table


def _verdict_cell(verdict: Verdict | None) -> Text:
    if verdict is None:
        return Text("-")
    return Text(verdict.value, style=VERDICT_STYLES[verdict])


def _verdict_line(report: Report) -> Text:
    """`verdict: not-conformant (profile full, 2 targets, seed 1)` plus an incomplete warning."""
    line = Text("verdict: ")
    line.append(report.verdict.value, style=VERDICT_STYLES[report.verdict])
    targets = len(report.targets)
    line.append(
        f"  (profile {report.profile.get('name', '?')}, {targets} target"
        f"{'s' if targets != 1 else ''}, {len(report.results)} results, seed {report.seed})"
    )
    if not report.complete:
        line.append("  run incomplete: not every planned check ran", style="bold yellow")
    return line


def _count(n: int, outcome: Outcome) -> Text:
    """A count cell, coloured only when it is not zero."""
    return Text(str(n), style=OUTCOME_STYLES[outcome] if n else "dim")


def _verdict(verdict: Verdict) -> Text:
    """A coloured verdict cell."""
    return Text(verdict.value, style=VERDICT_STYLES[verdict])
