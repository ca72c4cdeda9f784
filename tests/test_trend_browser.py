"""The trend page as a person sees it: `conformance trend` over three nights, in a real browser.

Debian's headless Chromium (/usr/bin/chromium: `.ci/run` installs it where it can) opens the page
the command wrote, driven by Playwright, which uses that browser and downloads none of its own.
The tests read what was rendered: the regressions and recoveries, the charts' size, series and
labels, the requests the page made (none but the page itself) and the console; and the
screenshot, a PNG in the test's tmp folder whose path is printed when a test fails.

The three nights: market-regulation regresses on NET-TLS-01 (network) on the last night,
public-security recovers on DATA-SCH-01 (data) on the last night, land-registry recovered on the
night before (so it is no recovery "since the run before"), and tax-office fails the same two
requirements every night.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from cli_support import conformance
from nightly_runs import night, write_nights
from PIL import Image
from playwright.sync_api import Browser, ConsoleMessage, Page, Route, ViewportSize, sync_playwright

from conformance.core.catalogue import load_catalogue
from conformance.core.model import Outcome, Report
from conformance.reports.trend import write_trend

CHROMIUM = Path("/usr/bin/chromium")
VIEWPORT: ViewportSize = {"width": 1280, "height": 1024}

pytestmark = pytest.mark.skipif(
    not CHROMIUM.is_file(),
    reason=f"{CHROMIUM} is absent: install Debian's chromium package to run the browser tests",
)

PASS, FAIL = Outcome.PASS, Outcome.FAIL
CAT, ERR, TLS, SCH, WF = "DEP-CAT-01", "DEP-ERR-01", "NET-TLS-01", "DATA-SCH-01", "BUS-WF-01"
STEADY = {
    ("market-regulation", CAT): PASS,
    ("public-security", CAT): PASS,
    ("land-registry", CAT): PASS,
    ("tax-office", TLS): FAIL,
    ("tax-office", ERR): FAIL,
}


def _night(day: str, tls: Outcome, sch: Outcome, wf: Outcome) -> Report:
    changing = {
        ("market-regulation", TLS): tls,
        ("public-security", SCH): sch,
        ("land-registry", WF): wf,
    }
    return night(day, STEADY | changing)


NIGHTS = [
    _night("2026-11-29", tls=PASS, sch=FAIL, wf=FAIL),
    _night("2026-11-30", tls=PASS, sch=FAIL, wf=PASS),
    _night("2026-12-01", tls=FAIL, sch=PASS, wf=PASS),
]

#: each visible text of `selector`, with the four corners of its box on the page (rotation too)
TEXT_CORNERS = """(selector) => [...document.querySelectorAll(selector)].map((t) => {
    const b = t.getBBox(), m = t.getScreenCTM();
    const at = (x, y) => { const p = new DOMPoint(x, y).matrixTransform(m); return [p.x, p.y]; };
    return {text: t.textContent, corners: [at(b.x, b.y), at(b.x + b.width, b.y),
            at(b.x + b.width, b.y + b.height), at(b.x, b.y + b.height)]};
})"""

#: the text of each element of `selector` that wraps onto more than one line
WRAPPED = """(selector) => [...document.querySelectorAll(selector)].filter((e) => {
    const range = document.createRange();
    range.selectNodeContents(e);
    return new Set([...range.getClientRects()].map((r) => Math.round(r.top))).size > 1;
}).map((e) => e.textContent)"""

#: the box of each element of `selector` on the page
BOXES = """(selector) => [...document.querySelectorAll(selector)].map((e) => {
    const r = e.getBoundingClientRect();
    return {x: r.x, y: r.y, width: r.width, height: r.height};
})"""


@dataclass
class Shown:
    """A page as the browser rendered it, and what happened while it loaded."""

    page: Page
    screenshot: Path
    #: every URL the page asked for, the page's own included
    requested: list[str] = field(default_factory=list)
    #: the requests refused, being for anything but a local file
    refused: list[str] = field(default_factory=list)
    #: console errors and uncaught exceptions
    errors: list[str] = field(default_factory=list)


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """Debian's headless Chromium, once for the module."""
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True)
        yield chromium
        chromium.close()


def show(browser: Browser, page_file: Path, screenshot: Path) -> Shown:
    """`page_file` loaded in a new tab of VIEWPORT size, every request but a file's refused,
    and a screenshot of the viewport taken."""
    page = browser.new_page(viewport=VIEWPORT)
    shown = Shown(page, screenshot)
    page.on("request", lambda request: shown.requested.append(request.url))

    def console(message: ConsoleMessage) -> None:
        if message.type == "error":
            shown.errors.append(message.text)

    page.on("console", console)
    page.on("pageerror", lambda error: shown.errors.append(str(error)))

    def only_files(route: Route) -> None:
        if route.request.url.startswith("file://"):
            route.continue_()
        else:
            shown.refused.append(route.request.url)
            route.abort()

    page.route("**/*", only_files)
    page.goto(page_file.as_uri(), wait_until="load")
    page.screenshot(path=screenshot)
    return shown


@pytest.fixture(scope="module")
def dashboard(browser: Browser, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Shown]:
    """`conformance trend nights --out trend.html` over the three nights, shown in Chromium."""
    folder = tmp_path_factory.mktemp("trend")
    write_nights(NIGHTS, folder / "nights")
    done = conformance("trend", "nights", "--out", "trend.html", cwd=folder)
    assert done.returncode == 0, done.stderr
    shown = show(browser, folder / "trend.html", folder / "trend.png")
    yield shown
    shown.page.close()


@pytest.fixture
def shown(dashboard: Shown) -> Shown:
    """The dashboard, its screenshot's path printed (pytest shows it when the test fails)."""
    print(f"screenshot of the trend page: {dashboard.screenshot}")
    return dashboard


def rows(page: Page, table: str) -> list[list[str]]:
    """The cells' text of each body row of `table` (a selector), as rendered."""
    return [
        [cell.strip() for cell in row.locator("th, td").all_inner_texts()]
        for row in page.locator(f"{table} tbody tr").all()
    ]


def test_the_dashboard_shows_the_regression_and_the_recovery(shown: Shown) -> None:
    page = shown.page
    regressions, recoveries = page.locator("#regressions"), page.locator("#recoveries")
    assert regressions.is_visible()
    assert recoveries.is_visible()
    assert regressions.locator("h2").inner_text() == "Regressions since the run before (1)"
    assert rows(page, "#regressions") == [
        ["market-regulation", "network", "NET-TLS-01", "pass", "fail"]
    ]
    # land-registry's recovery was the night before: not since the run before
    assert rows(page, "#recoveries") == [["public-security", "data", "DATA-SCH-01", "fail", "pass"]]
    # each night's verdict names the levels that made it; the cell's title gives every level
    agencies = {row[0]: row[1:] for row in rows(page, "#agency-nights")}
    assert agencies["market-regulation"][-2:] == ["✔ conformant", "✘ not-conformant: network"]
    assert agencies["public-security"][-2:] == ["✘ not-conformant: data", "✔ conformant"]
    last = page.locator("#agency-nights tbody tr").first.locator("td").last
    assert last.get_attribute("title") == "departmental conformant; network not-conformant"


def test_the_charts_render_with_their_series_on_a_whole_agency_axis(shown: Shown) -> None:
    page = shown.page
    for chart in ("#plot-conformant svg", "#plot-failing svg"):
        [box] = page.evaluate(BOXES, chart)
        assert box["width"] > 600, (chart, box)
        assert box["height"] > 200, (chart, box)
    # conformant agencies per night: 1, 2, 2, on an axis of whole agencies from 0 to all four
    dots = page.evaluate(BOXES, "#plot-conformant .series .dots circle")
    assert len(dots) == 3
    assert all(d["width"] > 0 for d in dots)
    assert dots[0]["y"] > dots[1]["y"] == dots[2]["y"]  # lower on the page: fewer agencies
    y_axis = page.locator("#plot-conformant .axis.y text").all_text_contents()
    assert y_axis == ["0", "1", "2", "3", "4"]
    # the bars, most failed requirement on top, as in the table under them
    table = [row[0] for row in rows(page, "#requirement-nights")]
    assert table == [TLS, ERR, WF, SCH]  # tax-office and market-regulation fail NET-TLS-01
    labels = page.evaluate(TEXT_CORNERS, "#plot-failing .axis.y text")
    top_down = sorted(labels, key=lambda label: label["corners"][0][1])
    assert [label["text"] for label in top_down] == table
    bars = {
        rid: box["width"]
        for rid, box in zip(
            page.locator("#plot-failing .bars desc.x_label").all_text_contents(),
            page.evaluate(BOXES, "#plot-failing .bars rect.rect"),
            strict=True,
        )
    }
    assert bars[TLS] == pytest.approx(2 * bars[ERR], rel=0.02)
    assert bars[ERR] > 50
    assert bars[WF] == bars[SCH] == 0


def test_the_page_fetches_nothing_and_logs_no_error(shown: Shown) -> None:
    assert shown.requested == [(shown.screenshot.parent / "trend.html").as_uri()]
    assert shown.refused == []
    assert shown.page.evaluate("performance.getEntriesByType('resource').length") == 0
    assert shown.errors == []


def test_the_screenshot_is_a_picture_of_the_page(shown: Shown) -> None:
    with Image.open(shown.screenshot) as image:
        assert image.format == "PNG"
        assert image.size == (VIEWPORT["width"], VIEWPORT["height"])
        colours = image.convert("RGB").getcolors(maxcolors=1 << 16)
    assert colours is not None  # more than 65536 colours: not this page either
    count, background = max(colours)
    assert background == (255, 255, 255)
    assert count < 0.9 * VIEWPORT["width"] * VIEWPORT["height"]  # not blank
    assert len(colours) > 50  # text, the charts' backgrounds, the verdict colours
    # the conformant line's green, as drawn (at the top of the page)
    assert (46, 125, 50) in {rgb for _, rgb in colours}


def _overlap(a: list[list[float]], b: list[list[float]]) -> bool:
    """Whether two convex quadrilaterals (corners in order) overlap, by separating axes."""
    for quad in (a, b):
        for (x1, y1), (x2, y2) in zip(quad, quad[1:] + quad[:1], strict=True):
            normal = (y1 - y2, x2 - x1)
            pa = [normal[0] * x + normal[1] * y for x, y in a]
            pb = [normal[0] * x + normal[1] * y for x, y in b]
            if max(pa) <= min(pb) or max(pb) <= min(pa):
                return False
    return True


def test_a_month_of_nights_keeps_labels_apart_and_wide_tables_in_their_box(
    browser: Browser, tmp_path: Path
) -> None:
    requirements = list(load_catalogue())[:20]
    agencies = [f"agency-{i}" for i in range(12)]
    month = [
        night(
            f"2026-11-{day:02d}",
            {
                (a, rid): FAIL if (day + i * 7 + j * 3) % 5 == 0 else PASS
                for i, a in enumerate(agencies)
                for j, rid in enumerate(requirements)
            },
        )
        for day in range(1, 31)
    ]
    write_trend(month, tmp_path / "trend.html")  # the command's own route is the dashboard's
    shown = show(browser, tmp_path / "trend.html", tmp_path / "month.png")
    print(f"screenshot of the trend page: {shown.screenshot}")
    try:
        for chart in ("#plot-conformant", "#plot-failing"):
            [svg] = shown.page.evaluate(BOXES, f"{chart} svg")
            for axis in ("x", "y"):
                labels: list[dict[str, Any]] = shown.page.evaluate(
                    TEXT_CORNERS, f"{chart} .axis.{axis} text"
                )
                assert len(labels) > 4, (chart, axis)
                for label in labels:  # none cut at the chart's edge
                    for x, y in label["corners"]:
                        assert svg["x"] - 1 <= x <= svg["x"] + svg["width"] + 1, (chart, label)
                        assert svg["y"] - 1 <= y <= svg["y"] + svg["height"] + 1, (chart, label)
                for i, a in enumerate(labels):  # none over another
                    for b in labels[i + 1 :]:
                        assert not _overlap(a["corners"], b["corners"]), (chart, a, b)
        # a column a night: the tables scroll in their box, the page does not; no cell wraps
        page_width = shown.page.evaluate("document.documentElement.scrollWidth")
        assert page_width == VIEWPORT["width"]
        assert shown.page.evaluate(WRAPPED, "#agency-nights th, #agency-nights td") == []
        assert shown.page.evaluate(WRAPPED, "#requirement-nights th, #requirement-nights td") == []
        [box] = shown.page.evaluate(BOXES, "#agency-nights")
        assert box["width"] > VIEWPORT["width"]  # so this was worth asking
        nights = shown.page.locator("#plot-conformant .axis.x text").all_text_contents()
        assert len(nights) <= 8  # every 4th night labelled
        assert nights[0].startswith("2026-11-01")
    finally:
        shown.page.close()
