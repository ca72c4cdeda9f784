"""The nightly trend of a fleet (`conformance trend`): one self-contained HTML page from many runs.

Each agency's verdict night by night (with its level verdicts), the requirements ordered by how
many agencies fail them on the latest night (the adoption view the Dutch API register shows for
its rules), the regressions and recoveries since the night before (agency, level, requirement,
outcome before and after), and two plots drawn as inline SVG by pygal (no script or style
fetched at view time) with their count axes in whole agencies. tests/test_trend_browser.py
checks it as Chromium renders it.
"""

from __future__ import annotations

import html
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from conformance.core.model import Outcome, Report, Verdict
from conformance.core.summary import level_verdicts, overall_verdict

SYMBOLS = {Verdict.CONFORMANT: "✔", Verdict.NOT_CONFORMANT: "✘", Verdict.INCOMPLETE: "?"}


@dataclass(frozen=True, slots=True)
class Change:
    """A requirement on an agency whose outcome changed from one night to the next."""

    agency: str
    level: str
    requirement: str
    before: str
    after: str


@dataclass(frozen=True, slots=True)
class Trend:
    """What the page shows, computed from the runs (oldest first)."""

    nights: tuple[str, ...]
    agencies: tuple[str, ...]
    #: agency → one verdict per night (None: not in that night's run)
    verdicts: dict[str, tuple[Verdict | None, ...]]
    #: agency → its level verdicts, one mapping per night (empty: not in that night's run)
    levels: dict[str, tuple[dict[str, Verdict], ...]]
    #: requirement → how many agencies failed it, one count per night
    failing: dict[str, tuple[int, ...]]
    regressions: tuple[Change, ...]
    recoveries: tuple[Change, ...]


def trend_of(reports: Sequence[Report]) -> Trend:
    """The trend of `reports`, taken in the order they finished."""
    runs = sorted(reports, key=lambda r: r.finished)
    nights = tuple(r.finished[:16].replace("T", " ") for r in runs)
    agencies = tuple(dict.fromkeys(t.name for r in runs for t in r.targets))
    standings = {a: [_standing(r, a) for r in runs] for a in agencies}
    verdicts = {a: tuple(verdict for verdict, _ in s) for a, s in standings.items()}
    levels = {a: tuple(levels for _, levels in s) for a, s in standings.items()}
    failing_sets = [_failing(r) for r in runs]
    names = sorted({rid for night in failing_sets for rid in night})
    failing = {rid: tuple(night[rid] for night in failing_sets) for rid in names}
    last = failing_sets[-1] if failing_sets else Counter()
    failing = dict(sorted(failing.items(), key=lambda kv: (-last[kv[0]], kv[0])))
    regressions, recoveries = _changes(runs[-2], runs[-1]) if len(runs) > 1 else ((), ())
    return Trend(nights, agencies, verdicts, levels, failing, regressions, recoveries)


def _standing(report: Report, agency: str) -> tuple[Verdict | None, dict[str, Verdict]]:
    """An agency's verdict and level verdicts in one run (None and {}: not in that run); from
    its results where the report predates per-agency verdicts."""
    for target in report.targets:
        if target.name == agency:
            if target.verdict is not None and target.levels:
                return target.verdict, dict(target.levels)
            own = level_verdicts(r for r in report.results if r.target == agency)
            verdict = target.verdict
            if verdict is None:
                verdict = overall_verdict(own, report.complete)
            return verdict, dict(target.levels) or own
    return None, {}


def _failing(report: Report) -> Counter[str]:
    return Counter(
        r.requirement
        for r in {(r.requirement, r.target): r for r in report.results}.values()
        if r.outcome is Outcome.FAIL and r.waiver is None
    )


def _changes(before: Report, after: Report) -> tuple[tuple[Change, ...], tuple[Change, ...]]:
    old = {(r.target, r.requirement): r.outcome for r in before.results}
    worse, better = [], []
    for r in after.results:
        was = old.get((r.target, r.requirement))
        if was is None or was is r.outcome:
            continue
        change = Change(r.target, r.level.value, r.requirement, was.value, r.outcome.value)
        if r.outcome is Outcome.FAIL and was is not Outcome.FAIL:
            worse.append(change)
        elif was is Outcome.FAIL and r.outcome is Outcome.PASS:
            better.append(change)
    return tuple(worse), tuple(better)


def runs_in(paths: Iterable[Path]) -> list[Path]:
    """The run.json files named, or found under the folders named (a folder of nightly runs)."""
    found: list[Path] = []
    for path in paths:
        found += sorted(path.rglob("run.json")) if path.is_dir() else [path]
    return found


def render_trend(trend: Trend) -> str:
    """The page, as one string (inline CSS and SVG)."""
    e = html.escape
    head = "".join(f'<th scope="col">{e(n)}</th>' for n in trend.nights)
    rows = "".join(
        f'<tr><th scope="row">{e(a)}</th>'
        + "".join(_cell(v, lv) for v, lv in zip(trend.verdicts[a], trend.levels[a], strict=True))
        + "</tr>"
        for a in trend.agencies
    )
    requirement_rows = "".join(
        f'<tr><th scope="row">{e(rid)}</th>' + "".join(f"<td>{n}</td>" for n in counts) + "</tr>"
        for rid, counts in trend.failing.items()
    )
    return "\n".join(
        [
            "<!DOCTYPE html>",
            '<html lang="en"><head><meta charset="utf-8">',
            "<title>Conformance trend</title>",
            f"<style>{_CSS}</style></head><body><main>",
            f"<h1>Conformance trend: {len(trend.agencies)} agencies, {len(trend.nights)} runs</h1>",
            f'<figure id="plot-conformant">{_plot_conformant(trend)}</figure>',
            '<h2 id="agencies">Agencies, run by run</h2>',
            # one column a night: a month of nights scrolls in its box, the names staying put
            '<div class="nights"><table id="agency-nights">'
            f'<thead><tr><th scope="col">agency</th>{head}</tr></thead>'
            f"<tbody>{rows}</tbody></table></div>",
            _change_list("regressions", "Regressions since the run before", trend.regressions),
            _change_list("recoveries", "Recoveries since the run before", trend.recoveries),
            '<h2 id="requirements">Requirements by agencies failing them (latest run first)</h2>',
            f'<figure id="plot-failing">{_plot_failing(trend)}</figure>',
            '<div class="nights"><table id="requirement-nights">'
            f'<thead><tr><th scope="col">requirement</th>{head}</tr></thead>'
            f"<tbody>{requirement_rows}</tbody></table></div>",
            "</main></body></html>",
            "",
        ]
    )


def write_trend(reports: Sequence[Report], path: Path) -> Path:
    """Write the trend page of `reports` to `path` and return it."""
    path = Path(path)
    path.write_text(render_trend(trend_of(reports)), encoding="utf-8")
    return path


def _cell(verdict: Verdict | None, levels: dict[str, Verdict]) -> str:
    """A night's verdict of an agency, naming the levels that made it (every level's verdict
    in the cell's title): `✘ not-conformant: network, data`."""
    if verdict is None:
        return "<td>-</td>"
    word = html.escape(verdict.value)
    why = [name for name, v in levels.items() if v is verdict and v is not Verdict.CONFORMANT]
    shown = f"{word}: {', '.join(why)}" if why else word
    title = html.escape("; ".join(f"{name} {v.value}" for name, v in levels.items()) or word)
    return f'<td class="v-{word}" title="{title}">{SYMBOLS[verdict]} {shown}</td>'


def _change_list(key: str, title: str, changes: Sequence[Change]) -> str:
    e = html.escape
    rows = "".join(
        f'<tr><th scope="row">{e(c.agency)}</th><td>{e(c.level)}</td><td>{e(c.requirement)}</td>'
        f'<td class="o-{e(c.before)}">{e(c.before)}</td>'
        f'<td class="o-{e(c.after)}">{e(c.after)}</td></tr>'
        for c in changes
    )
    table = (
        '<table><thead><tr><th scope="col">agency</th><th scope="col">level</th>'
        '<th scope="col">requirement</th><th scope="col">was</th><th scope="col">now</th>'
        f"</tr></thead><tbody>{rows}</tbody></table>"
    )
    return (
        f'<section id="{key}"><h2>{e(title)} ({len(changes)})</h2>'
        f"{table if changes else '<p>none</p>'}</section>"
    )


#: at most this many labels along an axis of 800 px (more would overlap)
MAX_LABELS = 8


def count_ticks(most: int) -> list[int]:
    """Whole-number ticks from 0 to `most` or just above (a count of agencies): at most 11,
    a step of 1, 2 or 5 times a power of ten."""
    most = max(most, 1)
    step = next(m * 10**e for e in range(19) for m in (1, 2, 5) if most <= 10 * m * 10**e)
    top = -(-most // step) * step
    return list(range(0, top + step, step))


def _chart(kind: str, title: str, colour: str, agencies: int) -> Any:
    import pygal  # a well-kept SVG plotting library; only the trend page needs it
    from pygal.style import DefaultStyle

    ticks = count_ticks(agencies)
    return getattr(pygal, kind)(
        # js=[]: no script fetched at view time (pygal's tooltips come from a CDN otherwise)
        js=[],
        disable_xml_declaration=True,
        width=800,
        height=300,
        title=title,
        show_legend=False,
        style=DefaultStyle(colors=(colour,), label_font_size=12, major_label_font_size=12),
        # the count axis in whole agencies, from 0 to the fleet's size
        range=(0, ticks[-1]),
        y_labels=ticks,
    )


def _plot_conformant(trend: Trend) -> str:
    chart = _chart("Line", "Agencies conformant, run by run", "#2e7d32", len(trend.agencies))
    chart.x_labels = list(trend.nights)
    # slanted, so that the last night's label is not cut at the edge; every k-th night labelled
    chart.x_label_rotation = 30
    chart.x_labels_major_every = max(1, -(-len(trend.nights) // MAX_LABELS))
    chart.show_minor_x_labels = False
    counts = [
        sum(1 for a in trend.agencies if trend.verdicts[a][i] is Verdict.CONFORMANT)
        for i in range(len(trend.nights))
    ]
    chart.add("conformant", counts)
    return str(chart.render(is_unicode=True))


def _plot_failing(trend: Trend) -> str:
    title = "Agencies failing each requirement, latest run"
    chart = _chart("HorizontalBar", title, "#c62828", len(trend.agencies))
    top = list(trend.failing.items())[:15][::-1]  # pygal draws the first bar at the bottom
    chart.x_labels = [rid for rid, _ in top]
    chart.add("failing", [counts[-1] for _, counts in top])
    return str(chart.render(is_unicode=True))


_CSS = (
    "body{font-family:system-ui,sans-serif;margin:2rem;color:#1b1b1b}"
    "table{border-collapse:collapse;margin:1rem 0}"
    "td,th{border:1px solid #ccc;padding:.3rem .6rem;white-space:nowrap}"
    ".nights{overflow-x:auto}.nights tr>:first-child{position:sticky;left:0;background:#fff}"
    ".v-conformant{background:#e6f4ea}.v-not-conformant{background:#fce8e6}"
    ".v-incomplete{background:#fef7e0}.o-fail{background:#fce8e6}.o-pass{background:#e6f4ea}"
    "figure{margin:1rem 0}svg{max-width:100%;height:auto}"
)
