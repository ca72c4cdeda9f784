"""The nightly trend of a fleet (`conformance trend`): one self-contained HTML page from many runs.

Each agency's verdict night by night (with its level verdicts), the requirements ordered by how
many agencies fail them on the latest night (the adoption view the Dutch API register shows for
its rules), the regressions and recoveries since the night before, and two plots drawn as inline
SVG by pygal (no script or style fetched at view time).
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
    #: requirement → how many agencies failed it, one count per night
    failing: dict[str, tuple[int, ...]]
    regressions: tuple[Change, ...]
    recoveries: tuple[Change, ...]


def trend_of(reports: Sequence[Report]) -> Trend:
    """The trend of `reports`, taken in the order they finished."""
    runs = sorted(reports, key=lambda r: r.finished)
    nights = tuple(r.finished[:16].replace("T", " ") for r in runs)
    agencies = tuple(dict.fromkeys(t.name for r in runs for t in r.targets))
    verdicts = {a: tuple(_verdict(r, a) for r in runs) for a in agencies}
    failing_sets = [_failing(r) for r in runs]
    names = sorted({rid for night in failing_sets for rid in night})
    failing = {rid: tuple(night[rid] for night in failing_sets) for rid in names}
    last = failing_sets[-1] if failing_sets else Counter()
    failing = dict(sorted(failing.items(), key=lambda kv: (-last[kv[0]], kv[0])))
    regressions, recoveries = _changes(runs[-2], runs[-1]) if len(runs) > 1 else ((), ())
    return Trend(nights, agencies, verdicts, failing, regressions, recoveries)


def _verdict(report: Report, agency: str) -> Verdict | None:
    for target in report.targets:
        if target.name == agency:
            if target.verdict is not None:
                return target.verdict
            own = [r for r in report.results if r.target == agency]  # a report from before
            return overall_verdict(level_verdicts(own), report.complete)
    return None


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
        change = Change(r.target, r.requirement, was.value, r.outcome.value)
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
        f'<tr><th scope="row">{e(a)}</th>' + "".join(_cell(v) for v in trend.verdicts[a]) + "</tr>"
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
            _plot_conformant(trend),
            '<h2 id="agencies">Agencies, run by run</h2>',
            f'<table><thead><tr><th scope="col">agency</th>{head}</tr></thead>'
            f"<tbody>{rows}</tbody></table>",
            _change_list("Regressions since the run before", trend.regressions),
            _change_list("Recoveries since the run before", trend.recoveries),
            '<h2 id="requirements">Requirements by agencies failing them (latest run first)</h2>',
            _plot_failing(trend),
            f'<table><thead><tr><th scope="col">requirement</th>{head}</tr></thead>'
            f"<tbody>{requirement_rows}</tbody></table>",
            "</main></body></html>",
            "",
        ]
    )


def write_trend(reports: Sequence[Report], path: Path) -> Path:
    """Write the trend page of `reports` to `path` and return it."""
    path = Path(path)
    path.write_text(render_trend(trend_of(reports)), encoding="utf-8")
    return path


def _cell(verdict: Verdict | None) -> str:
    if verdict is None:
        return "<td>-</td>"
    word = html.escape(verdict.value)
    return f'<td class="v-{word}" title="{word}">{SYMBOLS[verdict]} {word}</td>'


def _change_list(title: str, changes: Sequence[Change]) -> str:
    e = html.escape
    items = "".join(
        f"<li>{e(c.requirement)} on {e(c.agency)}: {e(c.before)} → {e(c.after)}</li>"
        for c in changes
    )
    return f"<h2>{e(title)} ({len(changes)})</h2><ul>{items or '<li>none</li>'}</ul>"


def _chart(kind: str, title: str) -> Any:
    import pygal  # a well-kept SVG plotting library; only the trend page needs it

    chart_type = getattr(pygal, kind)
    # js=[]: no script fetched at view time (pygal's tooltips come from a CDN otherwise)
    return chart_type(
        js=[], disable_xml_declaration=True, width=800, height=300, title=title, show_legend=False
    )


def _plot_conformant(trend: Trend) -> str:
    chart = _chart("Line", "Agencies conformant, run by run")
    chart.x_labels = list(trend.nights)
    counts = [
        sum(1 for a in trend.agencies if trend.verdicts[a][i] is Verdict.CONFORMANT)
        for i in range(len(trend.nights))
    ]
    chart.add("conformant", counts)
    return str(chart.render(is_unicode=True))


def _plot_failing(trend: Trend) -> str:
    chart = _chart("HorizontalBar", "Agencies failing each requirement, latest run")
    top = list(trend.failing.items())[:15]
    chart.x_labels = [rid for rid, _ in top]
    chart.add("failing", [counts[-1] for _, counts in top])
    return str(chart.render(is_unicode=True))


_CSS = (
    "body{font-family:system-ui,sans-serif;margin:2rem;color:#1b1b1b}"
    "table{border-collapse:collapse;margin:1rem 0}td,th{border:1px solid #ccc;padding:.3rem .6rem}"
    ".v-conformant{background:#e6f4ea}.v-not-conformant{background:#fce8e6}"
    ".v-incomplete{background:#fef7e0}svg{max-width:100%;height:auto}"
)
