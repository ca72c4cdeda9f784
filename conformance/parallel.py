"""A fleet across cores: `conformance run --jobs N` runs N shards as child processes and merges
their reports, exactly as N machines would (`--shard K/N`, then `conformance merge`)."""

from __future__ import annotations

import dataclasses
import shutil
import subprocess
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from conformance.client.progress import terminal_lines
from conformance.core.errors import UsageError
from conformance.core.model import Report
from conformance.core.summary import overall_verdict
from conformance.reports.json_report import read_json
from conformance.reports.merge import merge_reports


@dataclasses.dataclass(frozen=True, slots=True)
class Part:
    """One child process: its shard, where it writes, and how it ended."""

    shard: str
    out: Path
    log: Path
    returncode: int | None = None


def run_shards(
    run_args: Sequence[str],
    jobs: int,
    workdir: Path,
    allure_dir: Path | None,
    echo: Callable[[str], None],
) -> Report:
    """Run `conformance run *run_args --shard K/jobs` for K = 1..jobs in parallel (each writes
    run.json, and allure results when `allure_dir` is given, under `workdir`), wait for all of
    them (Ctrl-C reaches them too: each writes the report of what it ran) and return the merged
    report. A part that wrote no report makes the merged run incomplete."""
    if workdir.exists():  # a part's stale report must never stand in for a failed one
        shutil.rmtree(workdir)
    workdir.mkdir(parents=True)
    parts = [
        Part(f"{k}/{jobs}", workdir / f"part-{k}", workdir / f"part-{k}.log")
        for k in range(1, jobs + 1)
    ]
    children = []
    for part in parts:
        formats = "json,allure" if allure_dir is not None else "json"
        argv = [sys.executable, "-m", "conformance", "run", *run_args]
        argv += ["--shard", part.shard, "--out", str(part.out), "--format", formats, "-q"]
        with part.log.open("wb") as log:
            children.append(subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT))
    for line in _fitted(f"running {jobs} shards in parallel (logs in {workdir})"):
        echo(line)
    codes: list[int] = []
    for child in children:
        while True:
            try:
                codes.append(child.wait())
                break
            except KeyboardInterrupt:  # the children got it too: let them write their reports
                continue
    finished = [dataclasses.replace(p, returncode=c) for p, c in zip(parts, codes, strict=True)]
    reports, missing = [], []
    for part in finished:
        run_json = part.out / "run.json"
        if run_json.exists():
            reports.append(read_json(run_json))
        else:
            missing.append(part)
            tail = part.log.read_text("utf-8", "replace").strip().splitlines()[-3:]
            said = f"shard {part.shard} wrote no report (exit {part.returncode}); its log ends:"
            for line in [said, *(f"  {t}" for t in tail)]:
                for wrapped in _fitted(line):
                    echo(wrapped)
        if allure_dir is not None and (part.out / "allure-results").is_dir():
            allure_dir.mkdir(parents=True, exist_ok=True)
            for item in (part.out / "allure-results").iterdir():
                shutil.copy2(item, allure_dir / item.name)  # uuid-named: no two parts collide
    if not reports:
        raise UsageError(f"no shard wrote a report; see the logs in {workdir}")
    names = [str(p.out / "run.json") for p in finished if p not in missing]
    merged = merge_reports(reports, names=names)
    if missing:
        merged = dataclasses.replace(
            merged, complete=False, verdict=overall_verdict(merged.levels, complete=False)
        )
    return merged


def _fitted(line: str) -> list[str]:
    """`line` wrapped to the terminal's width (else COLUMNS, else 80)."""
    return terminal_lines(line, shutil.get_terminal_size().columns)
