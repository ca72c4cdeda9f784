"""The terminal summary: a per-level table of outcome counts, the problems, the overall verdict.

Everything here fits the console's width down to 80 columns (rich takes it from the terminal,
else from COLUMNS, else 80): compact tables without vertical rules, verdict words that fit their
column, and problem lines that wrap under their message rather than under the margin.
"""

from __future__ import annotations

from collections import Counter

from rich import box
from rich.cells import cell_len
from rich.console import Console
from rich.table import Table
from rich.text import Text

from conformance.core.model import Level, Outcome, Report, Result, Verdict
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
# A level's verdict in a cell of the agency matrix, short enough for four levels in 80 columns.
LEVEL_CELLS = {Verdict.CONFORMANT: "yes", Verdict.NOT_CONFORMANT: "NO", Verdict.INCOMPLETE: "?"}
AGENCY_LEGEND = "  a level: yes conformant, NO not conformant, ? incomplete"
# Outcomes listed under the table, worst first.
PROBLEMS = frozenset({Outcome.FAIL, Outcome.ERROR, Outcome.WARN})
# How many evidence summaries a problem shows with `details`.
EVIDENCE_SHOWN = 8


def compact_table(title: str, *, show_footer: bool = False) -> Table:
    """A table for the terminal: the title on the left (never wrapped), a rule under the header
    (and over the footer), no vertical rules, two spaces between columns."""
    return Table(
        title=title,
        title_justify="left",
        min_width=cell_len(title),
        box=box.SIMPLE,
        show_edge=False,
        collapse_padding=True,
        show_footer=show_footer,
    )


def summary_table(report: Report) -> Table:
    """Per level: how many results of each outcome, and the level verdict; then a total row."""
    table = compact_table("Conformance by level", show_footer=True)
    table.add_column("level", footer="total", no_wrap=True)
    counts = outcome_counts(report.results)
    total: Counter[Outcome] = Counter()
    for c in counts.values():
        total.update(c)
    for name, outcome in COLUMNS:
        footer = _count(total[outcome], outcome)
        table.add_column(name, justify="right", footer=footer)
    table.add_column("verdict", footer=_verdict(report.verdict), no_wrap=True)
    for level in Level:
        if level not in counts:
            continue
        cells = [_count(counts[level][outcome], outcome) for _, outcome in COLUMNS]
        verdict = report.levels.get(level.value)
        table.add_row(level.value, *cells, _verdict(verdict) if verdict else Text("-"))
    return table


def print_summary(report: Report, console: Console, *, details: bool = False) -> None:
    """Print the table, every fail/error/warn once (ID, target, message; with `details`, its
    evidence and how to reproduce it too), and the overall verdict."""
    console.print(summary_table(report))
    if len(report.targets) > 1:
        console.print(agency_table(report))
        console.print(Text(AGENCY_LEGEND, style="dim"), overflow="fold")
    untested = {t.name for t in report.targets if t.untested}
    if untested:  # one line per agency, not a line per requirement
        console.print(
            _hanging(
                (Text("UNTESTED"), Text(f"{t.name}: {t.untested}"))
                for t in report.targets
                if t.untested
            )
        )
    problems = sorted(
        (r for r in report.results if r.outcome in PROBLEMS and r.target not in untested),
        key=lambda r: (r.outcome.rank, r.requirement, r.target),
    )
    if problems:
        console.print(_hanging(_problem(r, details) for r in problems))
    console.print(_verdict_line(report))


def _problem(r: Result, details: bool) -> tuple[Text, Text]:
    """`FAIL` and `DEP-CAT-01 [agency] message` (then evidence and reproduce, with `details`)."""
    word = Text(r.outcome.value.upper(), style=OUTCOME_STYLES[r.outcome])
    line = Text()
    line.append(r.requirement, style="bold")
    line.append(f" [{r.target}] ", style="dim")
    line.append(r.message)
    if details:
        for evidence in r.evidence[:EVIDENCE_SHOWN]:
            line.append(f"\nevidence: {evidence.summary}", style="dim")
        if r.reproduce:
            line.append(f"\nreproduce: {r.reproduce}", style="dim")
    return word, line


def _hanging(rows: object) -> Table:
    """Rows of (word, text) with the text wrapped under itself: two spaces of margin, the word
    in its own column (`FAIL  `, `ERROR `), long words of the text (URLs) folded."""
    grid = Table.grid(padding=(0, 1, 0, 0), pad_edge=False)
    grid.add_column(width=1)  # the margin (with the grid's padding: two spaces)
    grid.add_column(no_wrap=True, min_width=5)  # FAIL, ERROR, WARN aligned
    grid.add_column(overflow="fold")
    for word, text in rows:  # type: ignore[attr-defined]
        grid.add_row("", word, text)
    return grid


def agency_table(report: Report) -> Table:
    """One row per agency: its verdict on each level (yes, NO, ?), and its own verdict."""
    levels = [lvl.value for lvl in Level if any(lvl.value in t.levels for t in report.targets)]
    table = compact_table("Conformance by agency")
    table.add_column("agency", overflow="fold")
    for level in levels:
        table.add_column(level, no_wrap=True)
    table.add_column("verdict", no_wrap=True)
    for target in report.targets:
        cells = [_level_cell(target.levels.get(level)) for level in levels]
        table.add_row(target.name, *cells, _verdict_cell(target.verdict))
    return table


def _level_cell(verdict: Verdict | None) -> Text:
    if verdict is None:
        return Text("-")
    return Text(LEVEL_CELLS[verdict], style=VERDICT_STYLES[verdict])


def _verdict_cell(verdict: Verdict | None) -> Text:
    if verdict is None:
        return Text("-")
    return Text(verdict.value, style=VERDICT_STYLES[verdict])


def _verdict_line(report: Report) -> Text:
    """`verdict: not-conformant  (profile full, 2 targets, seed 1)`, then a line if the run is
    incomplete (the results are counted in the table's total row)."""
    line = Text("verdict: ")
    line.append(report.verdict.value, style=VERDICT_STYLES[report.verdict])
    targets = len(report.targets)
    line.append(
        f"  (profile {report.profile.get('name', '?')}, {targets} target"
        f"{'s' if targets != 1 else ''}, seed {report.seed})"
    )
    if not report.complete:
        line.append("\nrun incomplete: not every planned check ran", style="bold yellow")
    return line


def _count(n: int, outcome: Outcome) -> Text:
    """A count cell, coloured only when it is not zero."""
    return Text(str(n), style=OUTCOME_STYLES[outcome] if n else "dim")


def _verdict(verdict: Verdict) -> Text:
    """A coloured verdict cell."""
    return Text(verdict.value, style=VERDICT_STYLES[verdict])
