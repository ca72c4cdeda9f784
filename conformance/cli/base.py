"""The `conformance` command group, and how every command reports a user's mistake."""

from __future__ import annotations

import sys
import tempfile
from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from conformance.core.errors import ConformanceError, UsageError
from conformance.core.version import __version__
from conformance.reports import WRITERS, WRITTEN_ELSEWHERE

if TYPE_CHECKING:
    pass


#: every report format, from the writers' own table (allure is written by allure-pytest)
FORMATS = (*WRITERS, *sorted(WRITTEN_ELSEWHERE))
F = TypeVar("F", bound=Callable[..., Any])


def clean_errors(fn: F) -> F:
    """Our own errors end the command with one clear line and exit code 2."""

    @wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except ConformanceError as exc:
            click.echo(f"error: {exc}", err=True)
            sys.exit(2)
        except OSError as exc:  # a file the user named cannot be read or written
            where = f" {exc.filename}" if exc.filename else ""
            click.echo(f"error: cannot use{where}: {exc.strerror or exc}", err=True)
            sys.exit(2)

    return wrapper  # type: ignore[return-value]


@click.group()
@click.version_option(__version__, prog_name="conformance")
def main() -> None:
    """Conformance tests for government interoperability: departmental, network, data, business."""


def parse_formats(value: str) -> list[str]:
    chosen = [f.strip() for f in value.split(",") if f.strip()]
    unknown = [f for f in chosen if f not in FORMATS]
    if unknown:
        raise UsageError(f"unknown report format {unknown[0]!r}; choose from {', '.join(FORMATS)}")
    return chosen


def writable_folder(out: Path) -> None:
    """Refuse, in one line and before any request, a report folder that cannot be written."""
    try:
        out.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=out, prefix=".conformance-write-test-"):
            pass
    except OSError as exc:
        raise UsageError(
            f"cannot write the reports to {out}: {exc.strerror or exc} (choose --out)"
        ) from None
