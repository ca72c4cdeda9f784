"""Configuration discovery: `[tool.conformance]` in pyproject.toml or a conformance.toml, found from
the working folder upward; CONFORMANCE_* variables over the file, flags over both; and
`conformance config`, which says where each value came from."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from agencies import agency
from checks_support import Answer
from click.testing import CliRunner

from conformance.cli import main
from conformance.cli.base import FORMATS
from conformance.cli.configured import command_line_only
from conformance.cli.run import run
from conformance.core.errors import UsageError
from conformance.inputs.config_file import discover, read_config


def not_found(_path: str, _headers: dict[str, str]) -> Answer:
    return 404, {"Content-Type": "text/plain"}, b"no such thing"


def conformance_env(*args: str, cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    """`conformance ARGS` in `cwd` (as cli_support.conformance) with `env` added to the
    environment, and none of the CONFORMANCE_* variables this process may have."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith("CONFORMANCE_")}
    return subprocess.run(
        [sys.executable, "-m", "conformance", *args],
        cwd=cwd,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def report_in(folder: Path) -> dict:
    return json.loads((folder / "run.json").read_text("utf-8"))


def test_pyproject_gives_run_its_target_profile_and_out_the_environment_and_flags_override(
    tmp_path,
):
    with agency(not_found) as (base_url, seen):
        (tmp_path / "agency.yaml").write_text(f"name: cfg-agency\nbase_url: {base_url}\n")
        (tmp_path / "pyproject.toml").write_text(
            "[project]\nname = 'an-agency-project'\n\n"
            "[tool.conformance]\n"
            'target = "agency.yaml"        # relative to this file, not to the working folder\n'
            'profile = "departmental"\n'
            'out = "conformance-reports"\n'
            'requirement = ["DEP-CAT-01"]\n'
            'format = ["json"]\n'
            "quiet = true\n"
        )
        deeper = tmp_path / "src" / "deeper"  # run from a subfolder: the file is found upward
        deeper.mkdir(parents=True)
        done = conformance_env("run", cwd=deeper)
        assert done.returncode == 1, done.stdout[-3000:] + done.stderr[-3000:]  # DEP-CAT-01 fails
        report = report_in(tmp_path / "conformance-reports")
        assert report["profile"]["name"] == "departmental"
        assert [(t["name"], t["base_url"]) for t in report["targets"]] == [("cfg-agency", base_url)]
        assert [r["requirement"] for r in report["results"]] == ["DEP-CAT-01"]
        assert "/.well-known/api-catalog" in seen  # the agency of the file was the one tested
        assert not (deeper / "conformance-reports").exists()

        # CONFORMANCE_PROFILE over the file; --out over CONFORMANCE_OUT over the file
        done = conformance_env(
            "run", "--out", "flag-out", cwd=deeper,
            CONFORMANCE_PROFILE="full", CONFORMANCE_OUT="env-out",
        )  # fmt: skip
        assert done.returncode == 1, done.stdout[-3000:] + done.stderr[-3000:]  # DEP-CAT-01 fails
        report = report_in(deeper / "flag-out")  # a flag's path: relative to the working folder
        assert report["profile"]["name"] == "full"
        assert report["targets"][0]["name"] == "cfg-agency"
        assert not (deeper / "env-out").exists()

        # and --profile over CONFORMANCE_PROFILE
        done = conformance_env(
            "run", "--profile", "departmental", cwd=deeper, CONFORMANCE_PROFILE="full"
        )
        assert done.returncode == 1, done.stdout[-3000:] + done.stderr[-3000:]  # DEP-CAT-01 fails
        assert report_in(tmp_path / "conformance-reports")["profile"]["name"] == "departmental"


@pytest.mark.parametrize(
    ("line", "says"),
    [
        ("max_rps = 5", "pyproject.toml:5: max_rps: unknown key (did you mean max-rps?)"),
        ('seed = "7"', "pyproject.toml:5: seed: expected a whole number, not a string"),
        ("quiet = 1", "pyproject.toml:5: quiet: expected true or false, not an integer"),
        ('level = ["net"]', "pyproject.toml:5: level: 'net' is not one of 'departmental'"),
        ('format = "json,pdf"', "pyproject.toml:5: format: unknown report format 'pdf'"),
    ],
    ids=["unknown-key", "wrong-type", "wrong-flag-type", "wrong-choice", "unknown-format"],
)
def test_a_file_mistake_is_one_line_naming_file_line_and_key_before_any_request(
    tmp_path, line, says
):
    with agency(not_found) as (base_url, seen):
        (tmp_path / "pyproject.toml").write_text(
            f'[tool.conformance]\ntarget = "{base_url}"\nprofile = "departmental"\n\n{line}\n'
        )
        done = conformance_env("run", cwd=tmp_path)
        assert done.returncode == 2, done.stdout + done.stderr
        [error] = done.stderr.strip().splitlines()
        assert error.startswith(f"error: {tmp_path / 'pyproject.toml'}:5: ")
        assert says in error
        assert seen == []  # no request was sent
    assert not (tmp_path / "reports").exists()


def test_conformance_config_names_each_source(tmp_path):
    (tmp_path / "fleet.yaml").write_text("targets: [https://a.example]\n")
    (tmp_path / "conformance.toml").write_text(
        '# a comment\nprofile = "data"\n\nfleet = "fleet.yaml"\nmax-rps = 5\n'
    )
    (tmp_path / "pyproject.toml").write_text('[tool.conformance]\nprofile = "network"\n')
    sub = tmp_path / "sub"
    sub.mkdir()
    env = {
        "CONFORMANCE_MAX_RPS": "2",
        "CONFORMANCE_LEVEL": "network, data",
        "CONFORMANCE_WAIVERS": "w1.yaml,w2.yaml w3.yaml",  # a path list: not split at ':'
    }
    done = conformance_env("config", cwd=sub, **env)
    assert done.returncode == 0, done.stderr
    rows = {line.split()[0]: line.split()[1:] for line in done.stdout.splitlines()[2:]}
    config = tmp_path / "conformance.toml"
    assert done.stdout.splitlines()[0] == f"configuration file: {config}"
    assert f"wins over {tmp_path / 'pyproject.toml'}" in done.stdout  # the more specific file
    assert rows["profile"] == ["data", f"{config}:2"]
    assert rows["fleet"] == [str(tmp_path / "fleet.yaml"), f"{config}:4"]  # beside the file
    assert rows["max-rps"] == ["2.0", "environment", "CONFORMANCE_MAX_RPS"]
    assert rows["jobs"] == ["1", "default"]
    assert "note: --shard is not read from the environment" in done.stdout

    as_json = json.loads(
        conformance_env("config", "--json", cwd=sub, CONFORMANCE_SHARD="2", **env).stdout
    )
    assert as_json["file"] == str(config)
    options = as_json["options"]
    assert options["level"] == {
        "value": ["network", "data"],  # a list variable: split at spaces and commas
        "source": "environment",
        "where": "CONFORMANCE_LEVEL",
    }
    assert options["waivers"]["value"] == ["w1.yaml", "w2.yaml", "w3.yaml"]
    assert options["max-rps"]["value"] == 2.0
    assert options["profile"]["where"] == f"{config}:2"
    # CONFORMANCE_SHARD is the K of `--shard auto`, never --shard itself
    assert options["shard"] == {"value": None, "source": "default", "where": None}


def test_without_a_file_config_says_where_it_looked(tmp_path):
    done = conformance_env("config", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "configuration file: none (looked for conformance.toml" in done.stdout
    assert f"in {tmp_path} and each folder above it up to /" in done.stdout
    rows = done.stdout.splitlines()[2:-1]  # after the file and the header, before the note
    assert rows
    assert all(row.endswith(" default") for row in rows), rows


def test_the_nearest_folder_wins_and_a_pyproject_without_the_table_is_passed_over(tmp_path):
    (tmp_path / "conformance.toml").write_text('profile = "data"\n')
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "pyproject.toml").write_text("[tool.ruff]\nline-length = 100\n")
    (tmp_path / "a" / "b").mkdir()
    found = discover(tmp_path / "a" / "b", {}).found
    assert found is not None
    assert found.path == tmp_path / "conformance.toml"
    (tmp_path / "a" / "pyproject.toml").write_text('[tool.conformance]\nprofile = "network"\n')
    nearest = discover(tmp_path / "a" / "b", {})
    assert nearest.found is not None
    assert nearest.found.path == tmp_path / "a" / "pyproject.toml"
    assert nearest.looked_in == (tmp_path / "a" / "b", tmp_path / "a")
    assert nearest.found.values == {"profile": "network"}
    assert discover(tmp_path / "a" / "b", {"CONFORMANCE_CONFIG": "none"}).found is None
    named = discover(tmp_path / "a", {"CONFORMANCE_CONFIG": "../conformance.toml"}).found
    assert named is not None
    assert named.path == tmp_path / "conformance.toml"


def test_the_line_of_a_key_is_found_in_each_toml_spelling(tmp_path):
    path = tmp_path / "pyproject.toml"
    path.write_text(
        "[tool.ruff]\nprofile = 'not ours'\n"  # a key of the same name in another table
        "[tool.conformance]\n"
        "'quoted-key' = 1\n"
        'profile = "data"\n'
        "[tool.conformance.nested]\n"
        "x = 1\n"
    )
    found = read_config(path, ("tool", "conformance"))
    assert found is not None
    assert (found.line("profile"), found.line("quoted-key"), found.line("nested")) == (5, 4, 6)
    assert found.line("absent") == 3  # the table's own header
    dotted = tmp_path / "dotted.toml"
    dotted.write_text('[tool]\nname = "x"\nconformance.seed = 7\n')
    in_tool = read_config(dotted, ("tool", "conformance"))
    assert in_tool is not None
    assert in_tool.line("seed") == 3
    (tmp_path / "broken.toml").write_text("[tool.conformance\n")
    with pytest.raises(UsageError, match=r"broken.toml: not valid TOML: .*line 1"):
        read_config(tmp_path / "broken.toml", ())


def test_run_help_lists_every_format_of_the_one_table():
    done = CliRunner().invoke(main, ["run", "--help"])
    assert done.exit_code == 0, done.output
    text = " ".join(done.output.split())
    assert f"comma-separated: {', '.join(FORMATS)}" in text
    assert "[env var: CONFORMANCE_MAX_RPS" in text


def test_the_shards_of_jobs_see_only_their_command_line(monkeypatch):
    monkeypatch.setenv("CONFORMANCE_JOBS", "4")
    monkeypatch.setenv("CONFORMANCE_SHARDS", "4")  # --shard auto's, not an option's: kept
    with command_line_only(run):
        assert "CONFORMANCE_JOBS" not in os.environ
        assert os.environ["CONFORMANCE_CONFIG"] == "none"
        assert os.environ["CONFORMANCE_SHARDS"] == "4"
    assert os.environ["CONFORMANCE_JOBS"] == "4"
    assert "CONFORMANCE_CONFIG" not in os.environ


def test_the_file_sets_jobs_and_the_shards_run_on_their_command_line_alone(tmp_path):
    with agency(not_found) as (one, _), agency(not_found) as (two, _):
        (tmp_path / "fleet.yaml").write_text(f"targets: [{one}, {two}]\n")
        (tmp_path / "conformance.toml").write_text(
            'fleet = "fleet.yaml"\njobs = 2\nseed = 4\nprofile = "departmental"\n'
            'requirement = ["DEP-CAT-01"]\nformat = "json"\n'
        )
        # a shard reading the file would take jobs = 2 beside its --shard, and be refused
        done = conformance_env("run", cwd=tmp_path, CONFORMANCE_CONCURRENCY="2")
    assert done.returncode == 1, done.stdout[-3000:] + done.stderr[-3000:]
    assert "running 2 shards in parallel" in done.stdout
    report = report_in(tmp_path / "reports")
    assert report["seed"] == 4
    assert sorted(t["base_url"] for t in report["targets"]) == sorted([one, two])
    assert {r["outcome"] for r in report["results"]} == {"fail"}
