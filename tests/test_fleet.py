"""Fleets: an agency that is down does not hold up the others; shards run apart and merge into
one report."""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable
from pathlib import Path

import pytest
from agencies import agency
from checks_support import Answer
from cli_support import conformance, free_port
from hypothesis import given
from hypothesis import strategies as st

from conformance.core.errors import UsageError
from conformance.core.model import Keyword, Level, Outcome, Report, Result, TargetSummary, Verdict
from conformance.core.summary import level_verdicts, overall_verdict
from conformance.engine import Engine
from conformance.inputs.fleet import (
    balanced_shard_of,
    needing_rerun,
    parse_shard,
    seconds_by_target,
    shard_from_environment,
    shard_of,
)
from conformance.inputs.profile import load_profile
from conformance.inputs.target import Target
from conformance.reference import target_file_text
from conformance.reports.html import render_html
from conformance.reports.json_report import validate_report_dict
from conformance.reports.merge import merge_reports


# -- shards ------------------------------------------------------------------------------------
@given(st.lists(st.text(min_size=1), min_size=1, max_size=40, unique=True), st.data())
def test_shards_cover_every_target_once_in_near_equal_parts(specs, data):
    n = data.draw(st.integers(min_value=1, max_value=len(specs)))
    parts = [shard_of(specs, k, n) for k in range(1, n + 1)]
    assert sorted(s for part in parts for s in part) == sorted(specs)
    assert max(map(len, parts)) - min(map(len, parts)) <= 1


@pytest.mark.parametrize("text", ["0/2", "3/2", "1/0", "a/b", "2", "-1/2", ""])
def test_bad_shard_is_refused(text):
    with pytest.raises(UsageError, match="expected K/N"):
        parse_shard(text)


def test_empty_shard_is_refused():
    assert parse_shard("2/3") == (2, 3)
    with pytest.raises(UsageError, match="shard 3/3 has no targets: there are only 2"):
        shard_of(["a", "b"], 3, 3)


# -- merging -----------------------------------------------------------------------------------
def result(target: str, outcome: Outcome, level: Level = Level.NETWORK) -> Result:
    return Result("NET-HSTS-01", level, Keyword.MUST, target, outcome, "m")


def part(
    *results: Result, seed: int = 3, digest: str = "sha256:p", complete: bool = True
) -> Report:
    levels = level_verdicts(results)
    names = dict.fromkeys(r.target for r in results)
    return Report(
        schema_version="1.0",
        suite={"name": "interop-conformance", "version": "0.1.0"},
        profile={"name": "network", "digest": digest, "source": "profiles/network.yaml"},
        started=f"2026-11-29T0{seed}:00:00+00:00",
        finished=f"2026-11-29T0{seed}:30:00+00:00",
        seed=seed,
        targets=tuple(TargetSummary(n, f"https://{n}.test/") for n in names),
        results=results,
        levels=levels,
        verdict=overall_verdict(levels, complete),
        complete=complete,
    )


def test_merged_report_is_the_worst_of_its_parts():
    one = part(result("a", Outcome.PASS), result("a", Outcome.PASS, Level.DATA))
    two = part(result("b", Outcome.FAIL), result("b", Outcome.ERROR, Level.DATA))
    merged = merge_reports([one, two])
    assert [t.name for t in merged.targets] == ["a", "b"]
    assert len(merged.results) == 4
    assert merged.levels == {"network": Verdict.NOT_CONFORMANT, "data": Verdict.INCOMPLETE}
    assert merged.verdict is Verdict.NOT_CONFORMANT
    assert merge_reports([one]).verdict is Verdict.CONFORMANT


def test_an_interrupted_part_makes_the_merged_run_incomplete():
    merged = merge_reports([part(result("a", Outcome.PASS)), part(result("b", Outcome.PASS))])
    assert merged.complete
    assert merged.verdict is Verdict.CONFORMANT
    cut = part(result("b", Outcome.PASS), complete=False)
    merged = merge_reports([part(result("a", Outcome.PASS)), cut])
    assert not merged.complete
    assert merged.verdict is Verdict.INCOMPLETE


def test_started_and_finished_span_the_parts():
    merged = merge_reports([part(result("a", Outcome.PASS)), part(result("b", Outcome.PASS))])
    assert (merged.started, merged.finished) == (
        "2026-11-29T03:00:00+00:00",
        "2026-11-29T03:30:00+00:00",
    )


@pytest.mark.parametrize(
    ("other", "problem"),
    [
        (part(result("b", Outcome.PASS), seed=4), "another seed"),
        (part(result("b", Outcome.PASS), digest="sha256:q"), "another profile"),
        (part(result("a", Outcome.PASS)), "target 'a' is in both one.json and two.json"),
    ],
)
def test_parts_of_different_runs_are_refused(other, problem):
    with pytest.raises(UsageError, match=problem):
        merge_reports([part(result("a", Outcome.PASS)), other], names=["one.json", "two.json"])
    with pytest.raises(UsageError, match="nothing to merge"):
        merge_reports([])


# -- an unreachable agency in a fleet ------------------------------------------------------------
def test_an_unreachable_target_is_error_and_the_others_are_tested(reference_target):
    down = Target(name="down", base_url=f"https://127.0.0.1:{free_port()}")
    engine = Engine(
        load_profile("departmental"),
        [down, reference_target],
        only=["DEP-CAT-01", "DEP-OAS-01"],
        preflight=True,
    )
    report = engine.run()
    by_target = {(r.target, r.requirement): r for r in report.results}
    for rid in ("DEP-CAT-01", "DEP-OAS-01"):
        assert by_target[("down", rid)].outcome is Outcome.ERROR
        assert "is unreachable" in by_target[("down", rid)].message
        assert by_target[(reference_target.name, rid)].outcome is Outcome.PASS
    assert report.verdict is Verdict.INCOMPLETE


def test_cli_shards_then_merge(reference_target, tmp_path):
    (tmp_path / "agency.yaml").write_text(target_file_text(reference_target), "utf-8")
    port = free_port()
    down = f"https://127.0.0.1:{port}/"
    (tmp_path / "fleet.yaml").write_text(f"targets:\n  - agency.yaml\n  - {down}\n", "utf-8")
    common = ["--fleet", "fleet.yaml", "--profile", "departmental", "--requirement", "DEP-CAT-01"]
    refused = conformance("run", *common, "--shard", "1/2", cwd=tmp_path)
    assert refused.returncode == 2
    assert "--shard needs --seed" in refused.stderr
    for k in (1, 2):
        shard = conformance(
            "run", *common, "--shard", f"{k}/2", "--seed", "9", "--out", f"s{k}", cwd=tmp_path
        )
        assert shard.returncode == 2, shard.stdout + shard.stderr  # narrowed, or one agency down
        assert (tmp_path / f"s{k}" / "run.json").exists()
    merged = conformance("merge", "s1/run.json", "s2/run.json", "--out", "all", cwd=tmp_path)
    assert merged.returncode == 2, merged.stdout + merged.stderr  # one agency was down
    data = json.loads((tmp_path / "all" / "run.json").read_text())
    outcomes = {r["target"]: r["outcome"] for r in data["results"]}
    assert outcomes == {
        reference_target.name: "pass",
        f"127.0.0.1:{port}": "error",
    }
    assert data["verdict"] == "incomplete"
    assert (tmp_path / "all" / "junit.xml").exists()


def test_cli_jobs_run_the_shards_in_parallel_and_merge_them(reference_target, tmp_path):
    (tmp_path / "agency.yaml").write_text(target_file_text(reference_target), "utf-8")
    ports = [free_port(), free_port()]
    (tmp_path / "fleet.yaml").write_text(
        "targets:\n  - agency.yaml\n" + "".join(f"  - https://127.0.0.1:{p}/\n" for p in ports),
        "utf-8",
    )
    args = ["--fleet", "fleet.yaml", "--profile", "departmental", "--requirement", "DEP-CAT-01"]
    proc = conformance("run", *args, "--jobs", "2", "--seed", "4", cwd=tmp_path)
    assert proc.returncode == 2, proc.stdout + proc.stderr  # two agencies are down
    assert "running 2 shards in parallel" in proc.stdout
    data = json.loads((tmp_path / "reports" / "run.json").read_text())
    assert data["seed"] == 4
    assert data["complete"] is True
    assert sorted(t["name"] for t in data["targets"]) == sorted(
        [reference_target.name, *(f"127.0.0.1:{p}" for p in ports)]
    )
    outcomes = {r["target"]: r["outcome"] for r in data["results"]}
    assert outcomes[reference_target.name] == "pass"
    assert {outcomes[f"127.0.0.1:{p}"] for p in ports} == {"error"}
    assert len(list((tmp_path / "reports" / "allure-results").glob("*-result.json"))) == 3
    both = conformance("run", *args, "--jobs", "2", "--shard", "1/2", cwd=tmp_path)
    assert both.returncode == 2
    assert "leave out --shard" in both.stderr


def test_a_malformed_fleet_entry_is_that_agencys_error_and_same_names_are_told_apart(
    reference_target, tmp_path
):
    text = target_file_text(reference_target)
    (tmp_path / "a.yaml").write_text(text, "utf-8")
    (tmp_path / "b.yaml").write_text(text, "utf-8")  # the same name: reference-agency
    (tmp_path / "bad.yaml").write_text("base_url: https://x\nsafty: {}\n", "utf-8")
    (tmp_path / "fleet.yaml").write_text("targets: [a.yaml, b.yaml, bad.yaml]\n", "utf-8")
    done = conformance(
        "run", "--fleet", "fleet.yaml", "--profile", "departmental", "-q", cwd=tmp_path
    )
    assert done.returncode == 2, done.stdout + done.stderr
    assert "two fleet entries are named 'reference-agency'" in done.stderr
    assert "bad.yaml:2: safty: unknown key (did you mean safety?)" in done.stderr
    data = json.loads((tmp_path / "reports" / "run.json").read_text())
    by_target: dict[str, set[str]] = {}
    for result in data["results"]:
        by_target.setdefault(result["target"], set()).add(result["outcome"])
    assert len(by_target) == 3
    assert by_target["bad"] == {"error"}
    tested = [name for name in by_target if name != "bad"]
    assert all("pass" in by_target[name] for name in tested), by_target


def test_each_agency_has_its_own_verdict_and_an_untested_one_is_one_line(reference_target):
    down = Target(name="down", base_url=f"https://127.0.0.1:{free_port()}")
    report = Engine(load_profile("departmental"), [down, reference_target], preflight=True).run()
    by_name = {t.name: t for t in report.targets}
    assert by_name[reference_target.name].verdict is Verdict.CONFORMANT
    assert by_name[reference_target.name].levels == {"departmental": Verdict.CONFORMANT}
    assert by_name["down"].verdict is Verdict.INCOMPLETE
    assert "is unreachable" in by_name["down"].untested
    assert report.verdict is Verdict.INCOMPLETE  # the fleet as a whole
    data = report.to_dict()
    validate_report_dict(data)
    assert data["targets"][1]["verdict"] == "conformant"
    assert Report.from_dict(data).targets == report.targets
    html = render_html(report)
    assert 'id="agencies"' in html  # the agency × level matrix
    assert html.count("is unreachable") == 1  # one line, not a card per requirement


def test_the_terminal_summary_of_a_fleet_has_a_row_per_agency(reference_target):
    from io import StringIO

    from rich.console import Console

    from conformance.reports.console import print_summary

    down = Target(name="down", base_url=f"https://127.0.0.1:{free_port()}")
    report = Engine(
        load_profile("departmental"), [down, reference_target], only=["DEP-CAT-01"], preflight=True
    ).run()
    out = StringIO()
    print_summary(report, Console(file=out, width=100))
    text = out.getvalue()
    assert "Conformance by agency" in text
    assert text.count("is unreachable") == 1
    assert "UNTESTED down" in text


@pytest.mark.parametrize(
    ("environ", "expected"),
    [
        ({"JOB_COMPLETION_INDEX": "0", "JOB_COMPLETIONS": "3"}, (1, 3)),  # Kubernetes, 0-based
        ({"JOB_COMPLETION_INDEX": "2", "JOB_COMPLETIONS": "3"}, (3, 3)),
        ({"CONFORMANCE_SHARD": "2", "CONFORMANCE_SHARDS": "4"}, (2, 4)),  # a CI matrix, 1-based
    ],
)
def test_shard_auto_reads_an_indexed_job_or_a_ci_matrix(environ, expected):
    assert shard_from_environment(environ) == expected


@pytest.mark.parametrize(
    "environ",
    [{}, {"JOB_COMPLETION_INDEX": "3", "JOB_COMPLETIONS": "3"}, {"CONFORMANCE_SHARD": "x"}],
)
def test_shard_auto_without_a_usable_environment_is_refused(environ):
    with pytest.raises(UsageError, match="--shard"):
        shard_from_environment(environ)


def test_shards_balanced_by_a_previous_run_finish_close_together():
    specs = [f"t{i}.yaml" for i in range(6)]
    names = [f"t{i}" for i in range(6)]
    seconds = {"t0": 60.0, "t1": 10.0, "t2": 10.0, "t3": 10.0, "t4": 10.0, "t5": 20.0}
    parts = [balanced_shard_of(specs, names, seconds, k, 2) for k in (1, 2)]
    assert sorted(parts[0] + parts[1]) == sorted(specs)  # every target in exactly one part
    load = [sum(seconds[s.removesuffix(".yaml")] for s in part) for part in parts]
    assert load == [60.0, 60.0]  # the slow agency alone; the rest together
    # a newcomer counts as the median (10 s); both parts then carry 60 s: the tie goes to part 1
    first = balanced_shard_of([*specs, "new.yaml"], [*names, "new"], seconds, 1, 2)
    assert first == ["t0.yaml", "new.yaml"]


def test_rerun_picks_the_agencies_that_ended_in_error():
    report = {
        "targets": [{"name": "down", "untested": "unreachable"}, {"name": "a"}, {"name": "b"}],
        "results": [
            {"target": "a", "outcome": "error", "duration_s": 1.0},
            {"target": "b", "outcome": "fail", "duration_s": 2.5},
            {"target": "b", "outcome": "pass", "duration_s": 0.5},
        ],
    }
    assert needing_rerun(report) == {"down", "a"}
    assert seconds_by_target(report) == {"a": 1.0, "b": 3.0}


def test_cli_concurrency_and_rerun_errors(reference_target, tmp_path):
    (tmp_path / "a.yaml").write_text(target_file_text(reference_target), "utf-8")
    down = f"https://127.0.0.1:{free_port()}"
    (tmp_path / "fleet.yaml").write_text(f"targets: [a.yaml, {down}]\n", "utf-8")
    common = ["--fleet", "fleet.yaml", "--profile", "departmental", "-q"]
    first = conformance("run", *common, "--concurrency", "2", "--out", "night1", cwd=tmp_path)
    assert first.returncode == 2, first.stdout + first.stderr  # one agency is down
    night1 = json.loads((tmp_path / "night1" / "run.json").read_text())
    verdicts = {t["name"]: t["verdict"] for t in night1["targets"]}
    assert verdicts[reference_target.name] == "conformant"  # tested while the other waited
    assert verdicts[f"127.0.0.1:{down.rsplit(':', 1)[1]}"] == "incomplete"
    again = conformance(
        "run", *common, "--rerun-errors", "night1/run.json", "--out", "night2", cwd=tmp_path
    )
    night2 = json.loads((tmp_path / "night2" / "run.json").read_text())
    assert [t["name"] for t in night2["targets"]] == [f"127.0.0.1:{down.rsplit(':', 1)[1]}"]
    assert again.returncode == 2


def _catalogue(json_instead: bool) -> Callable[[str, dict[str, str]], Answer]:
    """An agency whose api-catalog links service-desc, service-doc and status; served as
    application/json instead of application/linkset+json when `json_instead` (DEP-CAT-01)."""

    def answer(path: str, _headers: dict[str, str]) -> Answer:
        if path != "/.well-known/api-catalog":
            return 404, {"Content-Type": "text/plain"}, b"no such thing"
        links = {rel: [{"href": f"/{rel}"}] for rel in ("service-desc", "service-doc", "status")}
        body = json.dumps({"linkset": [{"anchor": "/api", **links}]}).encode()
        media = "application/json" if json_instead else "application/linkset+json"
        return 200, {"Content-Type": media}, body

    return answer


def test_ten_agencies_one_faulty_at_once_and_in_the_shards_of_an_indexed_job(tmp_path: Path):
    """Issue 15's fleet: ten agencies, the seventh faulty. One run at --concurrency 10 gives
    each its verdict (run.json, the HTML matrix, the terminal); the pods of a three-way Indexed
    Job test every third agency from their index, and their merged parts give the same."""
    (tmp_path / "catalogue.yaml").write_text('name: catalogue\nselect: ["DEP-CAT-01"]\n')
    with contextlib.ExitStack() as stack:
        urls = [stack.enter_context(agency(_catalogue(i == 6)))[0] for i in range(10)]
        (tmp_path / "fleet.yaml").write_text(json.dumps({"targets": urls}))
        common = ("--fleet", "fleet.yaml", "--profile", "catalogue.yaml", "--seed", "5")
        whole = conformance("run", *common, "--concurrency", "10", "--out", "whole", cwd=tmp_path)
        parts = [
            conformance(
                "run", *common, "--shard", "auto", "--out", f"part{index}", "--format", "json",
                cwd=tmp_path,
                env={"JOB_COMPLETION_INDEX": str(index), "JOB_COMPLETIONS": "3"},
            )
            for index in range(3)
        ]  # fmt: skip
    assert whole.returncode == 1, whole.stderr
    report = json.loads((tmp_path / "whole/run.json").read_text())
    verdicts = {t["base_url"]: t["verdict"] for t in report["targets"]}
    assert list(verdicts) == urls
    assert verdicts == {u: "not-conformant" if u == urls[6] else "conformant" for u in urls}
    html = (tmp_path / "whole/report.html").read_text()
    names = [t["name"] for t in report["targets"]]
    assert all(html.count(name) >= 2 for name in names)  # a matrix row and a section each
    agency_rows = [line for line in whole.stdout.splitlines() if any(n in line for n in names)]
    assert len({n for n in names for line in agency_rows if n in line}) == 10
    # the second pod (JOB_COMPLETION_INDEX=1) tests the second, fifth and eighth agency
    second = json.loads((tmp_path / "part1/run.json").read_text())
    assert [t["base_url"] for t in second["targets"]] == [urls[1], urls[4], urls[7]]
    assert [p.returncode for p in parts] == [1, 0, 0]  # the seventh agency is in the first part
    merged = conformance(
        "merge", *(f"part{i}/run.json" for i in range(3)), "--out", "merged", cwd=tmp_path
    )
    assert merged.returncode == 1, merged.stderr
    merged_report = json.loads((tmp_path / "merged/run.json").read_text())
    assert {t["base_url"]: t["verdict"] for t in merged_report["targets"]} == verdicts
    assert merged_report["verdict"] == report["verdict"] == "not-conformant"
