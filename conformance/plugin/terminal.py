"""What a conformance session prints on pytest's terminal, at the terminal's width.

- A long check's progress, as lines wrapped to the width, stepping out of pytest's output
  capture while a requirement item runs.
- Each fail or error of a requirement once: in the conformance summary (requirement, target,
  message; with `-vv` its evidence and how to reproduce it too). pytest's FAILURES and ERRORS
  sections and its short test summary leave requirement items out (their JUnit failure text,
  `RequirementItem.repr_failure`, is unchanged); other tests of the session keep them.
- The conformance summary last, just above pytest's final counts line.

pytest's terminal writer knows the width: the terminal's, else COLUMNS, else 80.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Generator
from io import StringIO
from typing import TYPE_CHECKING, Any

import pytest

from conformance.client.progress import terminal_lines

if TYPE_CHECKING:
    from conformance.core.model import Report

# pytest's report lists that its FAILURES/ERRORS sections and short test summary read
_SHOWN_BY_PYTEST = ("failed", "error")


def is_requirement_report(report: Any) -> bool:
    """Whether `report` is the call report of a requirement item (it carries the outcome)."""
    return getattr(report, "when", None) == "call" and "outcome" in dict(
        getattr(report, "user_properties", ())
    )


def progress_lines(text: str, width: int) -> list[str]:
    """`text` as terminal lines of at most `width` columns: two spaces in, four on the lines
    it wraps onto."""
    return terminal_lines("  " + text, width, indent=4)


class TerminalOutput:
    """Registered by the plugin for a conformance session: its progress lines, and its summary
    in place of pytest's own failure reports for requirement items."""

    def __init__(self, config: pytest.Config, report: Callable[[], Report | None]) -> None:
        self.config = config
        self._report = report  # the session's report, once it is written
        self._lock = threading.Lock()  # progress comes from checks' threads too
        self._in_item = False  # a requirement item runs: pytest captures output

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_call(self, item: pytest.Item) -> Generator[None, None, None]:
        """Note when an item runs (pytest then captures output, which progress steps out of)."""
        self._in_item = True
        try:
            return (yield)
        finally:
            self._in_item = False

    def say(self, text: str) -> None:
        """A long check's progress, on lines of its own that fit the terminal."""
        terminal = self.config.pluginmanager.get_plugin("terminalreporter")
        if terminal is None:
            return
        capture = self.config.pluginmanager.get_plugin("capturemanager")
        width = self.config.get_terminal_writer().fullwidth
        with self._lock:
            # inside an item the check runs in pytest's output capture: step out of it, as a
            # debugger does (outside items, as with --conformance-concurrency, there is none)
            quiet = (
                capture.global_and_fixture_disabled()
                if capture is not None and self._in_item
                else contextlib.nullcontext()
            )
            with quiet:
                for line in progress_lines(text, width):
                    terminal.write_line(line)

    @pytest.hookimpl(wrapper=True, tryfirst=True)
    def pytest_terminal_summary(
        self, terminalreporter: Any, config: pytest.Config
    ) -> Generator[None, None, None]:
        """Keep requirement items out of pytest's failure sections and short summary (their
        one place is the conformance summary), then print the conformance summary."""
        stats: dict[str, list[Any]] = terminalreporter.stats
        kept = {key: stats[key] for key in _SHOWN_BY_PYTEST if key in stats}
        for key, reports in kept.items():
            stats[key] = [r for r in reports if not is_requirement_report(r)]
        try:
            return (yield)
        finally:
            stats.update(kept)  # pytest's final counts line still counts them
            self._summary(terminalreporter)

    def _summary(self, terminalreporter: Any) -> None:
        """The conformance summary section, rendered by rich at the terminal's width."""
        report = self._report()
        if report is None:
            return
        terminalreporter.write_sep("=", "conformance summary")
        terminalreporter.write(
            render_summary(
                report,
                width=self.config.get_terminal_writer().fullwidth,
                color=bool(terminalreporter.hasmarkup),
                details=self.config.option.verbose >= 2,
            )
        )
        out = self.config.option.conformance_out
        if out:
            terminalreporter.write_line(f"reports written to {out}")


def render_summary(report: Report, *, width: int, color: bool, details: bool = False) -> str:
    """The conformance summary as text of at most `width` columns (ANSI colours if `color`)."""
    from rich.console import Console

    from conformance.reports.console import print_summary

    buffer = StringIO()
    console = Console(file=buffer, width=width, force_terminal=color)
    print_summary(report, console, details=details)
    return buffer.getvalue()
