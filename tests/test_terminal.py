"""The terminal as users meet it: `conformance run`, `run --jobs` and `list` in a real pseudo-
terminal of 80 (and 200) columns, against the reference agency. No line is wider than the
terminal, a failure is printed once, and a run leaves nothing in its folder but the reports."""

from __future__ import annotations

import fcntl
import os
import pty
import re
import struct
import subprocess
import sys
import termios
import time
from pathlib import Path

import pytest
from cli_support import free_port
from rich.cells import cell_len

from conformance.reference import target_file_text

# CSI (colours, cursor) and OSC (titles, links) escape sequences
ANSI = re.compile(r"\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)")


def in_terminal(*args: str, cwd: Path, columns: int, timeout: float = 300) -> tuple[int, list[str]]:
    """Run `conformance ARGS` in `cwd` with a pseudo-terminal of `columns` columns as its stdin,
    stdout and stderr (TERM=xterm, no COLUMNS; caches beside `cwd`): its exit code and the
    lines it displayed, without
    escape sequences (a line pytest rewrote with a carriage return counts as its widest part)."""
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, columns, 0, 0))
    env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES", "NO_COLOR")}
    env |= {"TERM": "xterm", "XDG_CACHE_HOME": str(cwd.parent / "cache")}
    child = subprocess.Popen(
        [sys.executable, "-m", "conformance", *args],
        cwd=cwd,
        env=env,
        stdin=slave,
        stdout=slave,
        stderr=slave,
    )
    os.close(slave)
    chunks: list[bytes] = []
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            try:
                data = os.read(master, 65536)
            except OSError:  # EIO: the child closed the terminal
                break
            if not data:
                break
            chunks.append(data)
        code = child.wait(timeout=max(deadline - time.monotonic(), 1))
    finally:
        child.kill()
        os.close(master)
    text = ANSI.sub("", b"".join(chunks).decode("utf-8", "replace"))
    lines = text.replace("\r\n", "\n").split("\n")
    return code, [max(line.split("\r"), key=cell_len) for line in lines]


def words(lines: list[str]) -> str:
    """The displayed text with every run of white space (wrapping, padding) as one space."""
    return " ".join(" ".join(lines).split())


def too_wide(lines: list[str], columns: int) -> list[str]:
    """The lines wider than `columns` display columns."""
    return [line for line in lines if cell_len(line) > columns]


@pytest.mark.parametrize("columns", [80, 200])
def test_run_fits_the_terminal_and_prints_a_failure_once(tmp_path, columns):
    folder = tmp_path / "work"
    folder.mkdir()
    code, lines = in_terminal(
        "run",
        "--fault",
        "DEP-CAT-01",
        *("--requirement", "DEP-CAT-01", "--requirement", "DEP-HLT-01"),
        *("--requirement", "NET-HSTS-01", "--requirement", "DATA-SCH-01"),
        cwd=folder,
        columns=columns,
    )
    text = "\n".join(lines)
    assert code == 1, text  # DEP-CAT-01 fails: not conformant
    assert not too_wide(lines, columns), text
    assert any("conformance summary" in line for line in lines), text
    assert words(lines).count("answered 406, expected 200") == 1, text  # the failure, once
    assert "FAILURES" not in text, text
    assert "short test summary" not in text, text
    failure = next(i for i, line in enumerate(lines) if "FAIL  DEP-CAT-01" in line)
    if columns == 200:  # room for the whole line
        assert "answered 406, expected 200" in lines[failure], text
    else:  # wrapped under the message, not under the margin
        assert all(line.startswith(" " * 8) for line in lines[failure + 1 : failure + 3]), text
    # nothing in the folder the run was started from but the reports (no .hypothesis, no
    # .pytest_cache, no allure results outside reports/)
    assert sorted(p.name for p in folder.iterdir()) == ["reports"]
    assert {p.name for p in (folder / "reports").iterdir()} >= {"run.json", "allure-results"}


def test_list_fits_80_columns(tmp_path):
    (tmp_path / "work").mkdir()
    code, lines = in_terminal("list", cwd=tmp_path / "work", columns=80)
    text = "\n".join(lines)
    assert code == 0, text
    assert not too_wide(lines, 80), text
    assert any(line.lstrip().startswith("BUS-ASYNC-01") for line in lines), text
    assert "poll_interval_s=0.2" in text  # the parameters column wraps rather than cuts
    assert "…" not in text


def test_run_jobs_fits_80_columns_with_the_agency_table(reference_target, tmp_path):
    folder = tmp_path / "work"
    folder.mkdir()
    (folder / "agency.yaml").write_text(target_file_text(reference_target), "utf-8")
    down = f"https://127.0.0.1:{free_port()}/"
    code, lines = in_terminal(
        *("run", "--target", "agency.yaml", "--target", down, "--jobs", "2", "--seed", "5"),
        *("--profile", "departmental", "--requirement", "DEP-CAT-01"),
        cwd=folder,
        columns=80,
    )
    text = "\n".join(lines)
    assert code == 2, text  # one agency is down
    assert not too_wide(lines, 80), text
    assert "Conformance by agency" in text
    row = next(line for line in lines if line.lstrip().startswith(reference_target.name))
    assert "incomplete" in row  # its verdict in full, never "incompl…"
    assert "…" not in text
    assert words(lines).count("is unreachable") == 1, text  # the agency that is down: once


def test_a_shard_that_wrote_no_report_is_said_in_lines_that_fit(tmp_path, monkeypatch):
    from conformance.core.errors import UsageError
    from conformance.parallel import run_shards

    monkeypatch.setenv("COLUMNS", "60")  # how a CI log or a pipe sets the width
    said: list[str] = []
    with pytest.raises(UsageError, match="no shard wrote a report"):
        run_shards(
            ["--profile", "no-such-profile", "--target", "https://127.0.0.1:9", "--seed", "1"],
            2,
            tmp_path / "a-long-folder-name-for-the-shards-of-this-run",
            None,
            said.append,
        )
    assert sum("wrote no report" in line for line in said) == 2, said
    assert any("no-such-profile" in line for line in said), said  # the end of its log
    assert not too_wide(said, 60), said


def test_shell_completion_prints_a_script_and_completes_commands(tmp_path):
    command = str(Path(sys.executable).parent / "conformance")  # the installed script
    env = {k: v for k, v in os.environ.items() if not k.startswith("_CONFORMANCE")}
    script = subprocess.run(
        [command],
        env={**env, "_CONFORMANCE_COMPLETE": "bash_source"},
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    assert script.returncode == 0, script.stderr
    assert "complete -o nosort -F _conformance_completion conformance" in script.stdout
    words = {"COMP_WORDS": "conformance run --level ", "COMP_CWORD": "3"}
    completed = subprocess.run(
        [command],
        env={**env, **words, "_CONFORMANCE_COMPLETE": "bash_complete"},
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    assert completed.stdout.split() == [
        "plain,departmental", "plain,network", "plain,data", "plain,business",
    ]  # fmt: skip
