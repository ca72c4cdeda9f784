"""The nightly trend page (conformance/reports/trend.py, `conformance trend`)."""

from __future__ import annotations

import re

import pytest
from cli_support import conformance
from nightly_runs import night, write_nights

from conformance.core.model import Outcome, Verdict
from conformance.reports.trend import count_ticks, render_trend, trend_of

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
    assert [(c.agency, c.level, c.requirement, c.before, c.after) for c in trend.regressions] == [
        ("a", "departmental", "DEP-CAT-01", "pass", "fail")
    ]
    assert trend.recoveries == ()  # b recovered on the 30th, not since the night before


def test_the_page_is_self_contained_with_inline_svg():
    page = render_trend(trend_of(NIGHTS))
    assert page.count("<svg") == 2
    regressions = page[page.index('<section id="regressions">') :].split("</section>")[0]
    assert (
        '<th scope="row">a</th><td>departmental</td><td>DEP-CAT-01</td>'
        '<td class="o-pass">pass</td><td class="o-fail">fail</td>'
    ) in regressions
    recoveries = page[page.index('<section id="recoveries">') :].split("</section>")[0]
    assert "<p>none</p>" in recoveries
    assert not re.findall(r'(?:src|href)="(?:https?:)?//', page)  # nothing fetched at view time


@pytest.mark.parametrize("most", [0, 1, 3, 10, 11, 25, 99, 101, 1234, 10**7 + 1])
def test_the_count_axis_is_whole_agencies_from_zero_to_the_fleet(most):
    ticks = count_ticks(most)
    step = ticks[1] - ticks[0]
    assert ticks[0] == 0
    assert ticks == list(range(0, ticks[-1] + 1, step))  # whole numbers, evenly spaced
    assert ticks[-1] >= most > ticks[-1] - step or most == 0  # up to the fleet, no further
    assert len(ticks) <= 11  # a readable axis
    assert str(step).strip("0") in {"1", "2", "5"}


def test_conformance_trend_reads_a_folder_of_nightly_runs(tmp_path):
    write_nights(NIGHTS, tmp_path / "nights")
    done = conformance("trend", "nights", "--out", "trend.html", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "trend of 3 run(s)" in done.stdout
    assert "Regressions since the run before (1)" in (tmp_path / "trend.html").read_text("utf-8")
    empty = conformance("trend", str(tmp_path / "trend.html"), cwd=tmp_path)
    assert empty.returncode == 2  # not a run.json: one line
