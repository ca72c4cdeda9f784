"""The agencies of a report at a glance (report.html): an agency × level matrix of verdicts, and
one line for each agency on which nothing could be tested."""

from __future__ import annotations

import re
from html import escape

from conformance.core.model import Level, Report, Verdict

VERDICT_WORDS = {
    Verdict.CONFORMANT: "Conformant",
    Verdict.NOT_CONFORMANT: "Not conformant",
    Verdict.INCOMPLETE: "Incomplete",
}


def verdict_text(verdict: Verdict | None) -> str:
    """A coloured verdict word for a table cell ('-' when there is none)."""
    if verdict is None:
        return "-"
    return f'<span class="vtext-{verdict.value}">{escape(VERDICT_WORDS[verdict])}</span>'


def agency_anchor(name: str) -> str:
    """The id of an agency's first result on the page."""
    return re.sub(r"[^A-Za-z0-9_-]+", "-", f"agency-{name}")


def agency_matrix(report: Report) -> str:
    """Rows of agencies, columns of levels, each cell the level's verdict for that agency."""
    if len(report.targets) < 2:
        return ""
    levels = [
        level.value for level in Level if any(level.value in t.levels for t in report.targets)
    ]
    head = "".join(f'<th scope="col">{escape(level)}</th>' for level in levels)
    rows = []
    for target in report.targets:
        cells = "".join(_cell(target.levels.get(level)) for level in levels)
        name = escape(target.name)
        link = (
            f'<a href="#{agency_anchor(target.name)}">{name}</a>' if not target.untested else name
        )
        rows.append(
            f'<tr><th scope="row">{link}</th>{cells}{_cell(target.verdict, strong=True)}</tr>'
        )
    return (
        '<section aria-labelledby="agencies"><h2 id="agencies">Agencies</h2>'
        f'<table class="summary"><thead><tr><th scope="col">agency</th>{head}'
        f'<th scope="col">verdict</th></tr></thead><tbody>{"".join(rows)}</tbody></table>'
        "</section>"
    )


def untested_agencies(report: Report) -> str:
    """One line per agency on which no check could be run, instead of a card per requirement."""
    lines = [
        f"<li><strong>{escape(t.name)}</strong> <span class=mono>{escape(t.base_url)}</span>: "
        f"{escape(t.untested)}</li>"
        for t in report.targets
        if t.untested
    ]
    if not lines:
        return ""
    return (
        '<section aria-labelledby="untested"><h2 id="untested">Agencies not tested</h2>'
        f"<ul>{''.join(lines)}</ul></section>"
    )


def _cell(verdict: Verdict | None, *, strong: bool = False) -> str:
    text = verdict_text(verdict)
    return f"<td><strong>{text}</strong></td>" if strong and verdict else f"<td>{text}</td>"
