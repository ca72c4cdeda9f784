"""The shipped Kubernetes Indexed Job and GitHub Actions matrix run a fleet in shards the way
`--shard auto` reads them (no cluster or runner here: the wiring is what these tests check)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import yaml

from conformance.inputs.fleet import SHARD_ENVIRONMENTS, shard_from_environment

ROOT = Path(__file__).resolve().parents[1]


def test_the_indexed_job_gives_each_pod_its_shard():
    job = yaml.safe_load((ROOT / "deploy/kubernetes/fleet-indexed-job.yaml").read_text("utf-8"))
    assert (job["apiVersion"], job["kind"]) == ("batch/v1", "Job")
    spec = job["spec"]
    assert spec["completionMode"] == "Indexed"  # Kubernetes sets JOB_COMPLETION_INDEX then
    (container,) = spec["template"]["spec"]["containers"]
    args = container["args"]
    assert "--shard=auto" in args
    assert any(a.startswith("--seed=") for a in args)  # the same seed in every part
    assert any("$(JOB_COMPLETION_INDEX)" in a for a in args)  # one output folder per part
    assert SHARD_ENVIRONMENTS[0][:2] == ("JOB_COMPLETION_INDEX", "JOB_COMPLETIONS")
    # what the last pod of the Job sees:
    last = {"JOB_COMPLETION_INDEX": str(spec["completions"] - 1)}
    last["JOB_COMPLETIONS"] = str(spec["completions"])
    assert shard_from_environment(last) == (spec["completions"], spec["completions"])


def test_the_actions_matrix_sets_the_shard_variables_and_merges():
    workflow = yaml.safe_load((ROOT / "deploy/github/fleet-shards.yml").read_text("utf-8"))
    part = workflow["jobs"]["part"]
    shards = part["strategy"]["matrix"]["shard"]
    assert shards == list(range(1, len(shards) + 1))
    assert part["env"]["CONFORMANCE_SHARDS"] == len(shards)
    assert "${{ matrix.shard }}" in part["env"]["CONFORMANCE_SHARD"]
    runs = " ".join(step.get("run", "") for step in part["steps"])
    assert "--shard auto" in runs
    assert "--seed" in runs
    merge = " ".join(step.get("run", "") for step in workflow["jobs"]["merge"]["steps"])
    assert "conformance merge" in merge
    assert shard_from_environment({"CONFORMANCE_SHARD": "4", "CONFORMANCE_SHARDS": "4"}) == (4, 4)


def _run_variables() -> set[str]:
    """The environment variables `conformance run` reads, one per option (cli/configured.py)."""
    from conformance.cli.configured import configurable
    from conformance.cli.run import run

    return {str(o.envvar) for o in configurable(run) if isinstance(o.envvar, str)}


def _action() -> dict[str, Any]:
    return dict(yaml.safe_load((ROOT / "action.yml").read_text("utf-8")))


def test_the_github_action_passes_its_inputs_and_uploads_the_sarif_the_suite_writes():
    from conformance.reports import FILE_NAMES

    action = _action()
    assert action["runs"]["using"] == "composite"
    assert {"target", "fleet", "profile", "waivers", "fail-on", "formats", "sarif"} <= set(
        action["inputs"]
    )
    steps = action["runs"]["steps"]
    step = next(s for s in steps if s.get("id") == "run")
    assert "conformance run" in step["run"]
    # every input reaches the run as that option's own variable
    assert set(step["env"]) <= _run_variables()
    passed = {re.fullmatch(r"\$\{\{ inputs\.(\S+) \}\}", v)[1] for v in step["env"].values()}
    assert passed == set(action["inputs"]) - {"sarif", "python-version"}
    upload = next(s for s in steps if "upload-sarif" in s.get("uses", ""))
    assert upload["with"]["sarif_file"].endswith("/" + FILE_NAMES["sarif"])
    assert "sarif" in action["inputs"]["formats"]["default"]


def test_the_actions_run_step_runs_the_suite_as_its_inputs_say(tmp_path):
    """The step's own shell script, with its variables as a runner would set them from the
    inputs, on a loopback agency without a catalogue: the reports land where `out` says and
    the exit code goes to the step's output."""
    from agencies import agency

    action = _action()
    step = next(s for s in action["runs"]["steps"] if s.get("id") == "run")
    with agency(lambda _path, _headers: (404, {}, b"")) as (base_url, _):
        inputs = {name: str(spec.get("default", "")) for name, spec in action["inputs"].items()}
        inputs |= {"target": base_url, "out": str(tmp_path / "reports")}
        env = {
            name: re.sub(r"\$\{\{ inputs\.(\S+) \}\}", lambda m: inputs[m[1]], value)
            for name, value in step["env"].items()
        }
        scrubbed = {k: v for k, v in os.environ.items() if not k.startswith("CONFORMANCE_")}
        done = subprocess.run(
            ["bash", "-c", step["run"]],
            env={
                **scrubbed,
                **env,
                "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
                "GITHUB_OUTPUT": str(tmp_path / "output"),
                "CONFORMANCE_REQUIREMENT": "DEP-CAT-01",  # one requirement keeps it quick
            },
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=300,
        )
    assert done.returncode == 0, done.stderr  # the step itself passes; the last step fails
    assert (tmp_path / "output").read_text() == "exit-code=1\n"  # no catalogue: not conformant
    written = {p.name for p in (tmp_path / "reports").iterdir()}
    assert {"run.json", "junit.xml", "report.html", "conformance.sarif"} <= written


def test_the_repositorys_own_ci_uses_the_action_from_its_checkout():
    workflow = yaml.safe_load((ROOT / ".github/workflows/ci.yml").read_text("utf-8"))
    uses = [
        step
        for job in workflow["jobs"].values()
        for step in job["steps"]
        if step.get("uses") == "./"
    ]
    assert uses, "no job uses the action of this repository (uses: ./)"
    assert set(uses[0]["with"]) <= set(_action()["inputs"])
    runs = [step.get("run", "") for job in workflow["jobs"].values() for step in job["steps"]]
    assert "bash .ci/run" in runs


def test_the_gitlab_template_reports_the_junit_the_suite_writes():
    from conformance.reports import FILE_NAMES

    template = yaml.safe_load((ROOT / "deploy/gitlab/conformance.gitlab-ci.yml").read_text())
    job = template["conformance"]
    assert job["artifacts"]["reports"]["junit"].endswith("/" + FILE_NAMES["junit"])
    assert "conformance run -q" in job["script"]
    assert set(template["variables"]) <= _run_variables()
    assert job["artifacts"]["paths"] == [template["variables"]["CONFORMANCE_OUT"] + "/"]


def test_the_containerfile_installs_every_package_the_project_ships():
    import tomllib

    text = (ROOT / "Containerfile").read_text("utf-8")
    project = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))
    packages = project["tool"]["hatch"]["build"]["targets"]["wheel"]["packages"]
    for package in packages:  # conformance, fixtures/reference_agency
        assert f"COPY {package.split('/')[0]} " in text
    assert 'ENTRYPOINT ["conformance"]' in text


def test_the_image_builds_where_a_container_builder_runs(tmp_path):
    import shutil
    import subprocess

    import pytest

    docker = shutil.which("docker")
    alive = docker and subprocess.run([docker, "info"], capture_output=True).returncode == 0
    if not alive:
        pytest.skip("no container builder here (docker's daemon is not running)")
    built = subprocess.run(
        [docker, "build", "-q", "-f", "Containerfile", "-t", "interop-conformance:test", "."],
        cwd=ROOT, capture_output=True, text=True, timeout=900,
    )  # fmt: skip
    assert built.returncode == 0, built.stderr
