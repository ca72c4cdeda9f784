"""The targets of `conformance run`: given, from a fleet, narrowed to a shard or to the agencies
to test again, or the bundled reference agency started for the run."""

from __future__ import annotations

import contextlib
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import click

from conformance.core.errors import TargetError, UsageError


def spec_name(spec: str) -> str:
    """The name a target spec gets in reports (a file that cannot be loaded: its stem)."""
    from conformance.inputs.target import resolve_target

    try:
        return resolve_target(spec).name
    except TargetError:
        return Path(spec).stem or spec


def previous_run(path: str | None) -> dict[str, Any] | None:
    """A run.json given to --rerun-errors or --balance, read and checked."""
    if path is None:
        return None
    from conformance.reports.json_report import read_json_dict

    return read_json_dict(Path(path))


@contextlib.contextmanager
def run_targets(
    specs: tuple[str, ...],
    fleet: str | None,
    faults: tuple[str, ...],
    shard: tuple[int, int] | None = None,
    rerun: dict[str, Any] | None = None,
    balance: dict[str, Any] | None = None,
) -> Iterator[list[str]]:
    """Target specs to hand to the plugin; with none, the reference agency (started here).

    A lone --target that cannot be reached is said in one line, and its report lists every
    requirement as `error` (exit 2); in a fleet or a shard, the engine reports it as `error` in
    the report and tests the others."""
    from conformance.client.preflight import check_reachable
    from conformance.inputs.fleet import (
        balanced_shard_of,
        load_fleet,
        needing_rerun,
        seconds_by_target,
        shard_of,
    )
    from conformance.inputs.target import resolve_target

    lone = len(specs) == 1 and not fleet and shard is None
    specs = specs + tuple(load_fleet(Path(fleet)) if fleet else ())
    if specs and faults:
        raise UsageError("--fault applies to the bundled reference agency: leave out --target")
    if rerun is not None:  # only the agencies that ended in error last time
        wanted = needing_rerun(rerun)
        specs = tuple(s for s in specs if spec_name(s) in wanted)
        if not specs:
            raise UsageError("--rerun-errors: no agency of these targets ended in error there")
    if shard is not None and balance is not None:
        names = [spec_name(s) for s in specs]
        specs = tuple(balanced_shard_of(list(specs), names, seconds_by_target(balance), *shard))
    elif shard is not None:
        specs = tuple(shard_of(list(specs), *shard))
    if specs:
        # one malformed target file is the user's mistake (one line, before any request); in a
        # fleet that agency is an error in the report and the others are tested
        resolved = [resolve_target(specs[0])] if len(specs) == 1 else []
        if lone:
            try:
                check_reachable(resolved[0])
            except TargetError as exc:
                click.echo(f"error: {exc}; the report lists every requirement as error", err=True)
        yield list(specs)
        return
    from conformance.reference import running_reference, target_file_text

    check_faults_known(faults)
    with tempfile.TemporaryDirectory(prefix="conformance-run-") as tmp:
        click.echo("No --target: starting the bundled reference agency on loopback...", err=True)
        with running_reference(faults, Path(tmp)) as target:
            path = Path(tmp) / "reference-target.yaml"
            path.write_text(target_file_text(target), "utf-8")
            yield [str(path)]


def check_faults_known(faults: tuple[str, ...]) -> None:
    """Refuse a --fault the reference agency does not know, with the closest one."""
    from reference_agency import FAULTS

    from conformance.core.errors import did_you_mean

    for fault in faults:
        if fault not in FAULTS:
            raise UsageError(f"unknown fault {fault!r}{did_you_mean(fault, FAULTS)}")
