"""Nightly run reports of a fleet, built in memory, for the tests of the trend page.

Imported as `from nightly_runs import night, write_nights`, as cli_support is (pytest's
"prepend" import mode puts this directory on sys.path).
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from conformance.core.catalogue import load_catalogue
from conformance.core.model import Outcome, Report, Result, TargetSummary
from conformance.core.summary import level_verdicts, overall_verdict
from conformance.reports.json_report import write_json


def night(day: str, outcomes: dict[tuple[str, str], Outcome]) -> Report:
    """The run of night `day` (YYYY-MM-DD): each (agency, requirement) with its outcome, the
    requirement's level and keyword taken from the catalogue, and each agency's verdicts."""
    catalogue = load_catalogue()
    results = tuple(
        Result(
            rid, catalogue[rid].level, catalogue[rid].keyword, agency, outcome,
            f"{rid} {outcome.value}",
        )
        for (agency, rid), outcome in outcomes.items()
    )  # fmt: skip
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


def write_nights(reports: Iterable[Report], folder: Path) -> Path:
    """Write each report as FOLDER/<its day>/run.json (a folder of nightly runs); `folder`."""
    for report in reports:
        day = folder / report.finished[:10]
        day.mkdir(parents=True)
        write_json(report, day / "run.json")
    return folder
