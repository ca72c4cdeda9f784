"""The nightly trend page (conformance/reports/trend.py, `conformance trend`)."""

from __future__ import annotations

import dataclasses
import re

from cli_support import conformance

from conformance.core.model import Keyword, Level, Outcome, Report, Result, TargetSummary, Verdict
from conformance.core.summary import level_verdicts, overall_verdict
from conformance.reports.json_report import write_json
from conformance.reports.trend import render_trend, trend_of


def night(day: str, outcomes: dict[tuple[str, str], Outcome]) -> Report:
    results = tuple(
        Result(rid, Level.DEPARTMENTAL, Keyword.MUST, agency, outcome, f"{rid} {outcome.value}")
        for (agency, rid), outcome in outcomes.items()
    )
    targets = []
    for agency in dict.fromkeys(a for a, _ in outcomes):
        levels = level_verdicts(r for r in results if r.target == agency)
        targets.append(
            TargetSummary(agency, f"https://{agency}.test", overall_verdict(levels), levels)
        )
    levels = level_verdicts(results)
    return Report(
        "1.0", {"name": "interop-conformance", "version": "0.1.0"},
        {"name": "full", "digest": "sha256:x", "source": "full"},
        f"{day}T01:00:00+00:00", f"{day}T01:10:00+00:00", 1, tuple(targets), results,
        levels, overall_verdict(levels),
    )  # fmt: skip


PASS, FAIL = Outcome.PASS, Outcome.FAIL
CAT, ERR = "DEP-CAT-01", "DEP-ERR-01"
NIGHTS = [
    night("2026-11-29", {("a", CAT): PASS, ("b", CAT): FAIL, ("b", ERR): FAIL}),
    night("2026-11-30", {("a", CAT): PASS, ("b", CAT): PASS, ("b", ERR): FAIL}),
    night("2026-12-01", {("a", CAT): FAIL, ("b", CAT): PASS, ("b", ERR): FAIL}),
]


def test_the_trend_follows_each_agency_and_ranks_requirements_by_failing_agencies():
    trend = trend_of(list(reversed(NIGHTS)))  # taken in the order the runs finished
    assert trend.nights[0].startswith("2026-11-29")
    assert trend.verdicts["a"] == (Verdict.CONFORMANT, Verdict.CONFORMANT, Verdict.NOT_CONFORMANT)
    assert trend.verdicts["b"][-1] is Verdict.NOT_CONFORMANT
    assert trend.failing == {"DEP-CAT-01": (1, 0, 1), "DEP-ERR-01": (1, 1, 1)}
    assert [(c.agency, c.requirement) for c in trend.regressions] == [("a", "DEP-CAT-01")]
    assert trend.recoveries == ()  # b recovered on the 30th, not since the night before


def test_the_page_is_self_contained_with_inline_svg():
    page = render_trend(trend_of(NIGHTS))
    assert page.count("<svg") == 2
    assert "DEP-CAT-01 on a: pass → fail" in page
    assert not re.findall(r'(?:src|href)="(?:https?:)?//', page)  # nothing fetched at view time


def test_conformance_trend_reads_a_folder_of_nightly_runs(tmp_path):
    for report in NIGHTS:
        folder = tmp_path / "nights" / report.finished[:10]
        folder.mkdir(parents=True)
        write_json(dataclasses.replace(report), folder / "run.json")
    done = conformance("trend", "nights", "--out", "trend.html", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "trend of 3 run(s)" in done.stdout
    assert "Regressions since the run before (1)" in (tmp_path / "trend.html").read_text("utf-8")
    empty = conformance("trend", str(tmp_path / "trend.html"), cwd=tmp_path)
    assert empty.returncode == 2  # not a run.json: one line
