"""The command line as users meet it: real processes, real reference agency, real reports."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import jsonschema
import pytest
from cli_support import conformance, free_port

from conformance.core.catalogue import load_catalogue
from conformance.core.registry import registered_checks

SCHEMA = json.loads(
    (Path(__file__).parents[1] / "conformance/resources/run.schema.json").read_text()
)


def one_line_error(proc: subprocess.CompletedProcess[str]) -> str:
    assert proc.returncode == 2, proc.stdout + proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith("error: ")
    assert "Traceback" not in proc.stderr
    return lines[0]


def test_malformed_profile_is_one_line_and_exit_2(tmp_path):
    (tmp_path / "bad.yaml").write_text(
        "name: bad\nextends: full\nparameters:\n  NET-HSTS-01: {max: 1}\n"
    )
    line = one_line_error(conformance("run", "--profile", "bad.yaml", cwd=tmp_path))
    assert "bad.yaml:4: parameters.NET-HSTS-01.max: unknown parameter" in line
    assert not (tmp_path / "reports").exists()


def test_unknown_requirement_is_one_line_and_exit_2(tmp_path):
    line = one_line_error(conformance("run", "--requirement", "NET-HSTS-1", cwd=tmp_path))
    assert "unknown requirement ID 'NET-HSTS-1' (did you mean NET-HSTS-01?)" in line


def test_unreachable_target_is_one_line_exit_2_and_a_report_of_errors(tmp_path):
    url = f"https://127.0.0.1:{free_port()}"
    line = one_line_error(conformance("run", "--target", url, "-q", cwd=tmp_path))
    assert "is unreachable" in line
    report = json.loads((tmp_path / "reports" / "run.json").read_text("utf-8"))
    assert report["verdict"] == "incomplete"
    assert {r["outcome"] for r in report["results"]} <= {"error", "skip", "not-implemented"}
    assert any("is unreachable" in r["message"] for r in report["results"])
    assert (tmp_path / "reports" / "junit.xml").is_file()


def test_list_and_explain(tmp_path):
    listed = conformance("list", "--profile", "network", cwd=tmp_path)
    assert listed.returncode == 0
    assert "NET-TLS-01" in listed.stdout
    assert "DEP-CAT-01" not in listed.stdout
    explained = conformance("explain", "NET-HSTS-01", cwd=tmp_path)
    assert explained.returncode == 0
    assert "RFC 6797" in explained.stdout
    assert "min_max_age = 31536000" in explained.stdout
    pending = [rid for rid, req in load_catalogue().items() if req.pending]
    if pending:
        assert "not implemented yet" in conformance("explain", pending[0], cwd=tmp_path).stdout
    one_line_error(conformance("explain", "NOPE-01", cwd=tmp_path))


@pytest.mark.slow
def test_run_without_target_tests_the_reference_agency_and_writes_every_report(tmp_path):
    proc = conformance("run", cwd=tmp_path)
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-4000:]
    out = tmp_path / "reports"
    for name in ("run.json", "junit.xml", "report.html"):
        assert (out / name).is_file(), name
    assert list((out / "allure-results").glob("*-result.json"))
    report = json.loads((out / "run.json").read_text("utf-8"))
    jsonschema.Draft202012Validator(SCHEMA).validate(report)
    outcomes = {r["requirement"]: r["outcome"] for r in report["results"]}
    assert list(outcomes) == list(load_catalogue())
    implemented = registered_checks()
    for rid, outcome in outcomes.items():
        assert outcome == ("pass" if rid in implemented else "not-implemented"), rid
    assert report["verdict"] == "conformant"
    assert "conformance summary" in proc.stdout
    secret_files = list(tmp_path.rglob("*"))
    assert secret_files  # the reports exist; none may hold a bearer token
    for path in out.rglob("*"):
        if path.is_file():
            assert "Bearer ey" not in path.read_text("utf-8", errors="replace")


@pytest.mark.slow
def test_serve_reference_with_a_fault_and_run_against_its_target_file(tmp_path):
    target = tmp_path / "t.yaml"
    server = subprocess.Popen(
        [sys.executable, "-m", "conformance", "serve-reference", "--fault", "NET-HSTS-01",
         "--write-target", str(target), "--duration", "300"],
        cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        for _ in range(300):
            if target.exists() and target.stat().st_size:
                break
            time.sleep(0.1)
        proc = conformance(
            "run", "--target", str(target), "--profile", "network",
            "--requirement", "NET-HSTS-01", "--format", "json", cwd=tmp_path,
        )  # fmt: skip
        assert proc.returncode == 1, proc.stdout[-3000:] + proc.stderr[-3000:]
        report = json.loads((tmp_path / "reports" / "run.json").read_text("utf-8"))
        [result] = report["results"]
        assert (result["requirement"], result["outcome"]) == ("NET-HSTS-01", "fail")
        assert "86400" in result["message"]
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
    assert server.returncode == 0


@pytest.mark.slow
@pytest.mark.parametrize("stop", [signal.SIGINT, signal.SIGTERM], ids=["ctrl-c", "sigterm"])
def test_a_run_stopped_early_writes_every_report_listing_what_did_not_run(tmp_path, stop):
    # SIGTERM is how CI cancels a job and Kubernetes stops a pod: the same as Ctrl-C.
    proc = subprocess.Popen(
        [sys.executable, "-m", "conformance", "run", "--format", "json,junit,html"],
        cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
        # as from a terminal: a test worker (xdist) may run with SIGINT ignored, and a child
        # inherits that, so Ctrl-C would never reach the run
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )  # fmt: skip
    assert proc.stdout is not None
    seen, interrupted = False, False
    for line in proc.stdout:
        # the verdict can land on a line of its own when a log line interleaves (stderr merged)
        seen = seen or "DEP-OAS-01" in line
        if seen and "PASS" in line:
            proc.send_signal(stop)
            interrupted = True
            break
    rest = proc.stdout.read()
    assert interrupted, f"DEP-OAS-01 never passed: {rest[-2000:]}"
    assert proc.wait(timeout=120) == 2
    report = json.loads((tmp_path / "reports" / "run.json").read_text("utf-8"))
    assert report["complete"] is False
    assert report["verdict"] == "incomplete"
    ran = [r["requirement"] for r in report["results"] if not r["message"].startswith("not run")]
    assert ran[:2] == ["DEP-CAT-01", "DEP-OAS-01"]
    assert len(ran) < len(load_catalogue())
    not_run = report["scope"]["not_run"]
    assert not_run
    assert len(ran) + len(not_run) == len(report["results"])
    junit = (tmp_path / "reports" / "junit.xml").read_text("utf-8")
    assert junit.count("<error") >= len(not_run)  # CI sees the run as not green
    assert (tmp_path / "reports" / "report.html").is_file()


def test_an_unwritable_report_folder_is_one_line_before_any_request(tmp_path):
    (tmp_path / "taken").write_text("a file, not a folder", "utf-8")
    line = one_line_error(
        conformance(
            "run", "--target", "https://127.0.0.1:9", "--out", "taken/reports", cwd=tmp_path
        )
    )
    assert "cannot write the reports to taken/reports" in line


@pytest.mark.parametrize(
    ("flag", "words"),
    [("--max-rps=0", "--max-rps"), ("--fail-on=never", "--fail-on")],
)
def test_out_of_range_options_are_refused_before_any_request(tmp_path, flag, words):
    done = conformance("run", "--target", "https://127.0.0.1:9", flag, cwd=tmp_path)
    assert done.returncode == 2
    assert words in done.stderr
    assert "Traceback" not in done.stderr
    assert not (tmp_path / "reports").exists()


def test_a_run_leaves_no_hypothesis_folder_where_it_was_started(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    done = conformance(
        "run", "--profile", "data", "--requirement", "DATA-SCH-01", "-q", cwd=tmp_path
    )
    assert done.returncode == 2, done.stdout + done.stderr  # narrowed: incomplete
    assert not (tmp_path / ".hypothesis").exists()
    assert (tmp_path / "cache" / "interop-conformance" / "hypothesis").is_dir()


def test_allure_from_a_run_json_is_refused_and_merge_gathers_the_parts_results(tmp_path):
    (tmp_path / "p1" / "allure-results").mkdir(parents=True)
    (tmp_path / "p1" / "allure-results" / "a-result.json").write_text("{}", "utf-8")
    (tmp_path / "p2" / "allure-results").mkdir(parents=True)
    (tmp_path / "p2" / "allure-results" / "b-result.json").write_text("{}", "utf-8")
    from test_reports import make_report  # the report the writer tests use

    from conformance.reports import write_json

    report = make_report()
    write_json(report, tmp_path / "p1" / "run.json")
    refused = conformance("report", "p1/run.json", "--format", "allure", cwd=tmp_path)
    assert refused.returncode == 2
    assert "allure results are written while a run runs" in refused.stderr
    import dataclasses

    other = dataclasses.replace(
        report, targets=(), results=tuple(r for r in report.results if r.target == "none")
    )
    write_json(other, tmp_path / "p2" / "run.json")
    merged = conformance(
        "merge", "p1/run.json", "p2/run.json", "--format", "json,allure", "--out", "all",
        cwd=tmp_path,
    )  # fmt: skip
    assert "allure: 2 result file(s)" in merged.stdout, merged.stdout + merged.stderr
    assert sorted(p.name for p in (tmp_path / "all" / "allure-results").iterdir()) == [
        "a-result.json",
        "b-result.json",
    ]


def test_report_and_merge_write_every_format_of_the_writers_table(tmp_path):
    # --format takes its choices from the writers' table: each one chosen must be written,
    # none a silent no-op (EARL, SARIF and any format added later)
    from test_reports import make_report

    from conformance.reports import FILE_NAMES, WRITERS, write_json

    (tmp_path / "part").mkdir()
    write_json(make_report(), tmp_path / "part" / "run.json")
    every = ",".join(WRITERS)
    rendered = conformance(
        "report", "part/run.json", "--format", every, "--out", "re", cwd=tmp_path
    )
    merged = conformance("merge", "part/run.json", "--format", every, "--out", "all", cwd=tmp_path)
    for done, folder in ((rendered, "re"), (merged, "all")):
        assert "Traceback" not in done.stderr, done.stderr
        for fmt, name in FILE_NAMES.items():
            assert f"{fmt}: {Path(folder) / name}" in done.stdout, done.stdout + done.stderr
            assert (tmp_path / folder / name).stat().st_size > 0, (folder, name)
    assert rendered.returncode == 0, rendered.stderr
