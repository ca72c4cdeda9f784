"""`conformance serve-reference`: the bundled reference agency, started by hand."""

from __future__ import annotations

import contextlib
import signal
import tempfile
import threading
from pathlib import Path
from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:
    pass

from conformance.cli.base import clean_errors, main
from conformance.cli.run import check_faults_known


@main.command(name="serve-reference")
@click.option(
    "--fault",
    "faults",
    multiple=True,
    help="break one requirement: its ID, or ID/variant (the reference agency's README lists them)",
)
@click.option("--write-target", type=click.Path(dir_okay=False), help="write a target file here")
@click.option("--duration", type=float, default=None, help="stop after this many seconds")
@clean_errors
def serve_reference(
    faults: tuple[str, ...], write_target: str | None, duration: float | None
) -> None:
    """Start the bundled reference agency by hand (Ctrl-C stops it)."""
    from conformance.reference import running_reference, target_file_text

    check_faults_known(faults)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    with (
        tempfile.TemporaryDirectory(prefix="conformance-ref-") as tmp,
        running_reference(faults, Path(tmp)) as target,
    ):
        if write_target:
            Path(write_target).write_text(target_file_text(target), "utf-8")
        click.echo(f"reference agency: {target.base_url}  (peer, mutual TLS: {target.mtls_url})")
        click.echo(f"faults: {', '.join(faults) or 'none'}")
        if write_target:
            click.echo(f"target file: {write_target}")
        click.echo("press Ctrl-C to stop", err=True)
        with contextlib.suppress(KeyboardInterrupt):
            stop.wait(duration)
