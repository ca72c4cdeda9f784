"""The shipped Kubernetes Indexed Job and GitHub Actions matrix run a fleet in shards the way
`--shard auto` reads them (no cluster or runner here: the wiring is what these tests check)."""

from __future__ import annotations

from pathlib import Path

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
