"""Waivers (conformance/inputs/waivers.py): known failures that keep running and stay visible
but gate nothing until they expire; and `--fail-on warn`."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from pathlib import Path

import pytest

from conformance.core.catalogue import load_catalogue
from conformance.core.errors import NonConformance, ProfileError
from conformance.core.model import Outcome, Verdict
from conformance.core.summary import exit_code
from conformance.engine import Engine
from conformance.inputs.profile import load_profile
from conformance.inputs.target import Target
from conformance.inputs.waivers import Waiver, load_waivers

TARGET = Target(name="agency-a", base_url="https://agency-a.test")
TODAY = dt.date(2026, 12, 1)


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "waivers.yaml"
    path.write_text(text, "utf-8")
    return path


GOOD = """waivers:
  - requirement: DEP-ERR-01
    target: "agency-*"
    reason: error bodies move to problem+json in release 4.2
    owner: platform-team@agency.example
    ticket: OPS-1234
    expires: 2027-03-31
"""


def test_a_waiver_file_is_read_with_every_field(tmp_path):
    (waiver,) = load_waivers(write(tmp_path, GOOD), load_catalogue())
    assert waiver.requirement == "DEP-ERR-01"
    assert waiver.expires == dt.date(2027, 3, 31)
    assert waiver.matches("DEP-ERR-01", "agency-a")
    assert not waiver.matches("DEP-ERR-01", "other")
    assert waiver.source.endswith("waivers.yaml:2")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("waiver: []\n", ":1: waiver: unknown key (did you mean waivers?)"),
        (
            GOOD.replace("DEP-ERR-01", "DEP-ERR-1"),
            "unknown requirement ID 'DEP-ERR-1' (did you mean",
        ),
        (GOOD.replace("    owner: platform-team@agency.example\n", ""), "owner is required"),
        (GOOD.replace("2027-03-31", "next spring"), ":7: waivers.0.expires: expected a date"),
        (
            GOOD.replace("    ticket:", "    tiket:"),
            ":6: waivers.0.tiket: unknown key (did you mean ticket?)",
        ),
    ],
    ids=["top-key", "requirement", "owner", "date", "entry-key"],
)
def test_a_malformed_waiver_names_file_line_and_key(tmp_path, text, expected):
    with pytest.raises(ProfileError) as info:
        load_waivers(write(tmp_path, text), load_catalogue())
    assert str(write(tmp_path, text)) in str(info.value)
    assert expected in str(info.value)


def failing(ctx):
    raise NonConformance("error bodies are text/html")


def passing(ctx):
    return "fine"


def run(waivers, checks=None):
    profile = load_profile("departmental")
    checks = checks or {**dict.fromkeys(profile.requirements, passing), "DEP-ERR-01": failing}
    engine = Engine(profile, [TARGET], checks=checks, seed=1, waivers=waivers, today=TODAY)
    return engine.run()


def waiver(**changes) -> Waiver:
    fields = {
        "requirement": "DEP-ERR-01",
        "reason": "fix in 4.2",
        "owner": "platform-team",
        "expires": dt.date(2027, 3, 31),
        "source": "w.yaml:2",
    }
    return Waiver(**{**fields, **changes})


def test_a_waived_fail_still_runs_stays_fail_and_gates_nothing():
    report = run([waiver()])
    result = next(r for r in report.results if r.requirement == "DEP-ERR-01")
    assert result.outcome is Outcome.FAIL
    assert result.waiver is not None
    assert result.waiver["owner"] == "platform-team"
    assert report.levels["departmental"] is Verdict.CONFORMANT
    assert report.verdict is Verdict.CONFORMANT
    applied = report.scope["waivers"]["applied"]
    assert applied[0]["results"] == ["DEP-ERR-01[agency-a]"]
    assert json.loads(json.dumps(report.to_dict()))["results"]  # run.json carries it


def test_an_expired_waiver_no_longer_applies_and_is_listed():
    report = run([waiver(expires=dt.date(2026, 11, 30))])
    assert report.verdict is Verdict.NOT_CONFORMANT
    assert report.scope["waivers"]["expired"][0]["expires"] == "2026-11-30"
    assert all(r.waiver is None for r in report.results)


def test_a_waiver_that_matched_nothing_is_listed_as_unused():
    report = run([waiver(), waiver(requirement="DEP-OAS-01", source="w.yaml:9")])
    assert [w["requirement"] for w in report.scope["waivers"]["unused"]] == ["DEP-OAS-01"]
    other = run([waiver(target="agency-b")])
    assert other.verdict is Verdict.NOT_CONFORMANT  # the pattern does not name agency-a
    assert other.scope["waivers"]["unused"]


def test_fail_on_warn_fails_a_pipeline_on_an_unwaived_should():
    profile = load_profile("departmental")

    def should_not_met(ctx):
        raise NonConformance("no summary on 2 operations")

    checks = {**dict.fromkeys(profile.requirements, passing), "DEP-OAS-03": should_not_met}
    report = Engine(profile, [TARGET], checks=checks, seed=1, today=TODAY).run()
    assert report.verdict is Verdict.CONFORMANT  # a SHOULD never fails a level
    assert exit_code(report.verdict, report.results) == 0
    assert exit_code(report.verdict, report.results, "warn") == 1
    waived = Engine(
        profile,
        [TARGET],
        checks=checks,
        seed=1,
        today=TODAY,
        waivers=[waiver(requirement="DEP-OAS-03")],
    ).run()
    assert exit_code(waived.verdict, waived.results, "warn") == 0


@pytest.mark.slow
def test_a_waived_run_says_so_in_every_report_and_in_verify(tmp_path):
    # The reference agency with DEP-ERR-01 broken, the failure waived: exit 0, the fail is
    # visible in run.json, JUnit (skipped, type waived) and the HTML, and verify names it.
    (tmp_path / "w.yaml").write_text(GOOD.replace("agency-*", "*"), "utf-8")
    env_python = [sys.executable, "-m", "conformance"]
    subprocess.run([*env_python, "keygen", "--out", "k"], cwd=tmp_path, check=True)
    run = subprocess.run(
        [*env_python, "run", "--profile", "departmental", "--fault", "DEP-ERR-01",
         "--waivers", "w.yaml", "--sign-key", "k.key", "-q"],
        cwd=tmp_path, capture_output=True, text=True,
    )  # fmt: skip
    assert run.returncode == 0, run.stdout + run.stderr
    data = json.loads((tmp_path / "reports" / "run.json").read_text("utf-8"))
    (err,) = [r for r in data["results"] if r["requirement"] == "DEP-ERR-01"]
    assert err["outcome"] == "fail"
    assert err["waiver"]["ticket"] == "OPS-1234"
    assert 'type="waived"' in (tmp_path / "reports" / "junit.xml").read_text("utf-8")
    assert "Waived until 2027-03-31" in (tmp_path / "reports" / "report.html").read_text("utf-8")
    verify = subprocess.run(
        [*env_python, "verify", "reports/run.json", "--public-key", "k.pub"],
        cwd=tmp_path, capture_output=True, text=True,
    )  # fmt: skip
    assert verify.returncode == 0, verify.stderr
    assert "waivers applied (failures shown, not gating): 1: DEP-ERR-01" in verify.stdout


def test_a_profile_carries_waivers_and_the_engine_applies_them(tmp_path):
    (tmp_path / "p.yaml").write_text(
        "name: with-waivers\nextends: departmental\n"
        + GOOD.replace("agency-*", "*").replace("waivers:\n", "waivers:\n", 1),
        "utf-8",
    )
    profile = load_profile(str(tmp_path / "p.yaml"))
    assert [w.requirement for w in profile.waivers] == ["DEP-ERR-01"]
    checks = {**dict.fromkeys(profile.requirements, passing), "DEP-ERR-01": failing}
    report = Engine(profile, [TARGET], checks=checks, seed=1, today=TODAY).run()
    assert report.verdict is Verdict.CONFORMANT
    assert report.scope["waivers"]["applied"][0]["source"].endswith("p.yaml:4")


@pytest.mark.parametrize(
    ("parameter", "expected"),
    [
        ("DEP-SLA-02: {samples: -5}", r"expected a positive number \(default 20\), got -5"),
        ("DATA-SCH-01: {min_coverage: 1.5}", "expected a share from 0 to 1, got 1.5"),
    ],
)
def test_parameters_have_their_ranges(tmp_path, parameter, expected):
    (tmp_path / "p.yaml").write_text(
        f"name: p\nextends: full\nparameters:\n  {parameter}\n", "utf-8"
    )
    with pytest.raises(ProfileError, match=expected):
        load_profile(str(tmp_path / "p.yaml"))
