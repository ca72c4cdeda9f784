"""Report writers: every format is written from the one report model
(`conformance.core.model.Report`).

Allure results are written by allure-pytest through the pytest plugin, not here.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import partial
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from conformance.core.errors import UsageError
from conformance.core.model import Report
from conformance.reports.earl import write_earl
from conformance.reports.html import write_html
from conformance.reports.json_report import read_json, validate_report_dict, write_json
from conformance.reports.junit import write_junit
from conformance.reports.sarif import write_sarif

Writer = Callable[[Report, Path], Path]

WRITERS: dict[str, Writer] = {
    "json": write_json,
    "junit": write_junit,
    "html": write_html,
    "sarif": write_sarif,
    "earl": write_earl,
}
FILE_NAMES: dict[str, str] = {
    "json": "run.json",
    "junit": "junit.xml",
    "html": "report.html",
    "sarif": "conformance.sarif",
    "earl": "conformance.earl.jsonld",
}
# Formats written elsewhere (allure, by allure-pytest through the plugin): accepted, not written.
WRITTEN_ELSEWHERE = frozenset({"allure"})

__all__ = [
    "FILE_NAMES",
    "WRITERS",
    "WRITTEN_ELSEWHERE",
    "read_json",
    "validate_report_dict",
    "write_earl",
    "write_html",
    "write_json",
    "write_junit",
    "write_reports",
    "write_sarif",
]


def write_reports(
    report: Report,
    out_dir: Path,
    formats: Iterable[str],
    signing_key: Ed25519PrivateKey | None = None,
) -> dict[str, Path]:
    """Write each requested format into `out_dir` (created if needed); return format → path.

    With `signing_key`, run.json carries its signature (the other formats are views of it)."""
    names = (f.strip().lower() for f in formats)
    wanted = [f for f in names if f and f not in WRITTEN_ELSEWHERE]
    unknown = [f for f in wanted if f not in WRITERS]
    if unknown:
        known = ", ".join(sorted([*WRITERS, *WRITTEN_ELSEWHERE]))
        raise UsageError(f"unknown report format {unknown[0]!r}: expected one of {known}")
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    writers = dict(WRITERS)
    if signing_key is not None:
        writers["json"] = partial(write_json, signing_key=signing_key)
    return {f: writers[f](report, out / FILE_NAMES[f]) for f in dict.fromkeys(wanted)}
