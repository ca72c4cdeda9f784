"""report.html: one self-contained page a person reads, failures first, every byte escaped."""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterable, Mapping
from html import escape
from pathlib import Path
from typing import Any

from conformance.core.catalogue import load_catalogue
from conformance.core.model import Evidence, Level, Outcome, Report, Result, Verdict
from conformance.core.summary import outcome_counts
from conformance.reports.html_agencies import (
    VERDICT_WORDS,
    agency_anchor,
    agency_matrix,
    untested_agencies,
    verdict_text,
)
from conformance.reports.html_style import CSS
from conformance.reports.scope import scope_lines

OUTCOME_TITLES = {
    Outcome.FAIL: "Failed: a MUST is not met",
    Outcome.ERROR: "Errors: the suite could not decide",
    Outcome.WARN: "Warnings: a SHOULD is not met",
    Outcome.NOT_IMPLEMENTED: "Not implemented by the suite",
    Outcome.SKIP: "Skipped: a precondition is absent",
    Outcome.NOT_APPLICABLE: "Not applicable",
    Outcome.PASS: "Passed",
}
COLUMN_NAMES = {
    Outcome.PASS: "Pass",
    Outcome.FAIL: "Fail",
    Outcome.WARN: "Warn",
    Outcome.ERROR: "Error",
    Outcome.SKIP: "Skip",
    Outcome.NOT_APPLICABLE: "N/A",
    Outcome.NOT_IMPLEMENTED: "Not impl.",
}
HTTP_PARTS = ("request", "response", "curl")


def write_html(report: Report, path: Path) -> Path:
    """Write report.html to `path` and return it."""
    path = Path(path)
    path.write_text(render_html(report), encoding="utf-8")
    return path


def render_html(report: Report) -> str:
    """The whole page as one string (inline CSS, no script, no external asset)."""
    title = f"Conformance report: {report.profile.get('name', '')}: {_verdict_word(report.verdict)}"
    return "\n".join(
        [
            "<!DOCTYPE html>",
            '<html lang="en">',
            "<head>",
            '<meta charset="utf-8">',
            '<meta name="viewport" content="width=device-width, initial-scale=1">',
            f"<title>{_e(title)}</title>",
            f"<style>{CSS}</style>",
            "</head>",
            "<body>",
            _header(report),
            "<main>",
            agency_matrix(report),
            _summary(report),
            untested_agencies(report),
            _findings(report),
            "</main>",
            _footer(report),
            "</body>",
            "</html>",
            "",
        ]
    )


def _header(report: Report) -> str:
    """Title, overall verdict, the incomplete banner, and the facts of the run."""
    verdict = report.verdict
    counts = _overall_counts(report.results)
    tally = ", ".join(f"{counts[o]} {o.value}" for o in Outcome if counts.get(o))
    parts = [
        "<header>",
        "<h1>Interoperability conformance report</h1>",
        f'<p class="verdict-banner v-{verdict.value}">Overall verdict: '
        f"{_e(_verdict_word(verdict))} <small>{_e(tally or 'no results')}</small></p>",
    ]
    if not report.complete:
        parts.append(
            '<div class="incomplete" role="alert"><strong>Incomplete run.</strong> The run stopped'
            " before every planned check had executed, so these results are partial and the run"
            " cannot be declared conformant. Run it again to completion.</div>"
        )
    parts += [_facts(report), "</header>"]
    return "\n".join(parts)


def _facts(report: Report) -> str:
    """The run's identity: profile, targets, seed, times, suite version."""
    targets = "".join(
        f"<li>{_e(t.name)}: <span class=mono>{_e(t.base_url)}</span></li>" for t in report.targets
    )
    profile = report.profile
    source = f"<span class=meta>({_e(profile.get('source', ''))})</span>"
    rows = [
        ("Profile", f"{_e(profile.get('name', ''))} {source}"),
        ("Profile digest", f"<code>{_e(profile.get('digest', ''))}</code>"),
        ("Targets", f"<ul>{targets}</ul>" if targets else "none"),
        ("Seed", f"<code>{report.seed}</code>"),
        ("Started", _e(report.started)),
        ("Finished", _e(report.finished) + _e(_duration(report.started, report.finished))),
        ("Suite", _e(f"{report.suite.get('name', '')} {report.suite.get('version', '')}")),
        ("Scope", "<br>".join(_e(line) for line in scope_lines(report.scope))),
    ]  # fmt: skip
    body = "".join(f"<dt>{name}</dt><dd>{value}</dd>" for name, value in rows)
    return f'<dl class="facts">{body}</dl>'


def _summary(report: Report) -> str:
    """The per-level table: counts per outcome and the level verdict, with a total row."""
    counts = outcome_counts(report.results)
    total = _overall_counts(report.results)
    head = "".join(f'<th scope="col">{COLUMN_NAMES[o]}</th>' for o in COLUMN_NAMES)
    rows = []
    for level in Level:
        if level in counts:
            verdict = report.levels.get(level.value)
            rows.append(
                f'<tr><th scope="row">{level.value}</th>{_count_cells(counts[level])}'
                f"<td>{verdict_text(verdict)}</td></tr>"
            )
    return (
        '<section aria-labelledby="summary"><h2 id="summary">Summary by level</h2>'
        '<table class="summary"><caption>Results per interoperability level (one result is one'
        " requirement on one target). A failed SHOULD is a warning and never fails a level."
        f'</caption><thead><tr><th scope="col">Level</th>{head}<th scope="col">Verdict</th>'
        f"</tr></thead><tbody>{''.join(rows)}</tbody>"
        f'<tfoot><tr><th scope="row">Total</th>{_count_cells(total)}'
        f"<td>{verdict_text(report.verdict)}</td></tr></tfoot></table>"
        f"{_jump_links(total)}</section>"
    )


def _count_cells(counts: Mapping[Outcome, int]) -> str:
    """One right-aligned cell per outcome column, zero cells greyed."""
    return "".join(
        f'<td class="n{"" if counts.get(o) else " zero"}">{counts.get(o, 0)}</td>'
        for o in COLUMN_NAMES
    )


def _jump_links(total: Mapping[Outcome, int]) -> str:
    """Links to each outcome section, worst first."""
    items = "".join(
        f'<li><a href="#{o.value}">{_e(OUTCOME_TITLES[o])} ({total[o]})</a></li>'
        for o in Outcome
        if total.get(o)
    )
    return f'<nav class="jump" aria-label="Findings by outcome"><ul>{items}</ul></nav>'


def _findings(report: Report) -> str:
    """One section per outcome, worst first; inside, results by level, requirement, target."""
    levels = list(Level)
    order = {rid: i for i, rid in enumerate(load_catalogue())}
    untested = {t.name for t in report.targets if t.untested}  # said once, in their own section
    ordered = sorted(
        (r for r in report.results if r.target not in untested),
        key=lambda r: (
            r.outcome.rank,
            levels.index(r.level),
            order.get(r.requirement, len(order)),
            r.target,
        ),
    )
    sections = []
    anchored: set[str] = set()  # the matrix links each agency to its first (worst) result
    for outcome in Outcome:
        group = [r for r in ordered if r.outcome is outcome]
        if group:
            title = f"{OUTCOME_TITLES[outcome]} ({len(group)})"
            parts = []
            for r in group:
                if r.target not in anchored:
                    anchored.add(r.target)
                    parts.append(f'<a id="{agency_anchor(r.target)}"></a>')
                parts.append(_result(r))
            articles = "\n".join(parts)
            sections.append(
                f'<section aria-labelledby="{outcome.value}">'
                f'<h2 id="{outcome.value}">{_e(title)}</h2>\n{articles}</section>'
            )
    return "\n".join(sections)


def _result(result: Result) -> str:
    """One requirement on one target: badge, ID, keyword, message, evidence, replay line."""
    o = result.outcome.value
    parts = [
        f'<article class="result b-{o}" id="{_anchor(result)}">',
        f'<h3><span class="badge o-{o}">{_e(o)}</span> <span class="rid">'
        f"{_e(result.requirement)}</span> <span class=meta>{_e(result.keyword.value)} · "
        f"{_e(result.level.value)} · target {_e(result.target)} · "
        f"{result.duration_s:.2f} s</span></h3>",
        f'<p class="message">{_e(result.message)}</p>',
    ]
    requirement = load_catalogue().get(result.requirement)
    if requirement is not None:
        parts.insert(
            2,
            f'<p class="meta">{_e(requirement.statement)} <span class=meta>'
            f"[{_e(requirement.source)}]</span></p>",
        )
    if result.waiver is not None:
        w = result.waiver
        ticket = f", {w['ticket']}" if w.get("ticket") else ""
        parts.append(
            f'<p class="label">Waived until {_e(str(w.get("expires")))} by '
            f"{_e(str(w.get('owner')))}{_e(ticket)}: {_e(str(w.get('reason')))} "
            f"<span class=meta>({_e(str(w.get('source', '')))})</span></p>"
        )
    parts += [_evidence(e) for e in result.evidence]
    if result.reproduce:
        parts.append(f'<p class="label">Reproduce</p><pre class="cmd">{_e(result.reproduce)}</pre>')
    parts.append("</article>")
    return "\n".join(parts)


def _evidence(evidence: Evidence) -> str:
    """A collapsible piece of evidence: summary line, HTTP messages, curl line, other detail."""
    detail = dict(evidence.detail)
    body: list[str] = []
    request, response = detail.get("request"), detail.get("response")
    if isinstance(request, Mapping):
        body.append("<h4>Request</h4>" + _pre(_request_text(request)))
    if isinstance(response, Mapping):
        body.append("<h4>Response</h4>" + _pre(_response_text(response)))
    if isinstance(detail.get("curl"), str):
        body.append(
            f'<p class="label">Replay with curl</p><pre class="cmd">{_e(detail["curl"])}</pre>'
        )
    rest = {k: v for k, v in detail.items() if not (k in HTTP_PARTS and _rendered(k, v))}
    if rest:
        body.append('<p class="label">Detail</p>' + _pre(_json(rest)))
    inner = "".join(body) or '<p class="meta">No further detail recorded.</p>'
    return (
        '<details class="evidence"><summary><span class="kind">'
        f"{_e(evidence.kind)}</span>{_e(evidence.summary)}</summary>"
        f'<div class="evidence-body">{inner}</div></details>'
    )


def _rendered(key: str, value: Any) -> bool:
    """Whether a detail entry was already shown in its HTTP form."""
    return isinstance(value, str) if key == "curl" else isinstance(value, Mapping)


def _request_text(request: Mapping[str, Any]) -> str:
    """A request as an HTTP message: start line, headers, blank line, body."""
    start = f"{request.get('method', '?')} {request.get('url', '')}"
    return _message(start, request.get("headers"), request.get("body"), truncated=False)


def _response_text(response: Mapping[str, Any]) -> str:
    """A response as an HTTP message, noting a body cut at the evidence limit."""
    start = f"HTTP {response.get('status', '?')}"
    truncated = bool(response.get("body_truncated"))
    return _message(start, response.get("headers"), response.get("body"), truncated=truncated)


def _message(start: str, headers: Any, body: Any, *, truncated: bool) -> str:
    """Start line, `Name: value` headers, then the body (JSON pretty-printed when it parses)."""
    lines = [start, *(f"{name}: {value}" for name, value in _header_pairs(headers))]
    if body not in (None, ""):
        lines += ["", _pretty_body(body)]
    if truncated:
        lines += ["", "[body truncated at the evidence limit]"]
    return "\n".join(lines)


def _header_pairs(headers: Any) -> Iterable[tuple[str, str]]:
    """Headers as (name, value) pairs whether recorded as a mapping or as a list of pairs."""
    if isinstance(headers, Mapping):
        return [(str(k), str(v)) for k, v in headers.items()]
    if isinstance(headers, list):
        return [
            (str(p[0]), str(p[1])) for p in headers if isinstance(p, list | tuple) and len(p) == 2
        ]
    return []


def _pretty_body(body: Any) -> str:
    """A body as text; JSON is re-indented so a person can read it."""
    if not isinstance(body, str):
        return _json(body)
    if body.lstrip()[:1] in ("{", "["):
        try:
            return _json(json.loads(body))
        except (ValueError, RecursionError):  # not JSON, or nested past the parser's stack
            pass
    return body


def _footer(report: Report) -> str:
    """Where the page came from."""
    suite = f"{report.suite.get('name', '')} {report.suite.get('version', '')}"
    return (
        f"<footer>Written by {_e(suite)} from run.json schema {_e(report.schema_version)}."
        " Credentials are redacted in all evidence; agency responses are shown as text, never"
        " executed.</footer>"
    )


def _overall_counts(results: Iterable[Result]) -> dict[Outcome, int]:
    """How many results of each outcome the run has."""
    counts: dict[Outcome, int] = {}
    for r in results:
        counts[r.outcome] = counts.get(r.outcome, 0) + 1
    return counts


def _verdict_word(verdict: Verdict) -> str:
    """The human word of a verdict."""
    return VERDICT_WORDS[verdict]


def _duration(started: str, finished: str) -> str:
    """` (12.3 s)` when both times parse, else nothing."""
    try:
        seconds = (
            dt.datetime.fromisoformat(finished) - dt.datetime.fromisoformat(started)
        ).total_seconds()
    except (ValueError, TypeError):
        return ""
    return f" ({seconds:.1f} s)"


def _anchor(result: Result) -> str:
    """A stable, attribute-safe id for a result."""
    return re.sub(r"[^A-Za-z0-9_-]+", "-", f"r-{result.requirement}-{result.target}")


def _pre(text: str) -> str:
    """Escaped preformatted text."""
    return f"<pre>{_e(text)}</pre>"


def _json(value: Any) -> str:
    """Pretty JSON of anything a check recorded (unknown types as their text)."""
    return json.dumps(value, indent=2, ensure_ascii=False, default=str)


def _e(text: str) -> str:
    """HTML-escape text and attribute values (agency content is untrusted)."""
    return escape(str(text), quote=True)
