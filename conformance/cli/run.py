"""`conformance run`: a profile against targets, through the pytest plugin; `--jobs` in shards."""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from conformance.core.catalogue import load_catalogue
from conformance.core.errors import UsageError
from conformance.core.model import Report
from conformance.core.summary import FAIL_ON, exit_code
from conformance.inputs.target import TLS_SCANS

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from conformance.cli.base import FORMATS, clean_errors, main, parse_formats, writable_folder
from conformance.cli.configured import (
    ConfiguredCommand,
    ListOption,
    allowed_classes,
    command_line_only,
)
from conformance.cli.targets import check_faults_known, previous_run, run_targets

__all__ = ["check_faults_known", "run"]  # check_faults_known: for serve-reference


class _ReportCatcher:
    """A pytest plugin object that hands the finished report back to the CLI."""

    report: Report | None = None

    def pytest_sessionfinish(self, session: Any) -> None:
        from conformance.plugin import SESSION_KEY

        conformance = session.config.stash.get(SESSION_KEY, None)
        if conformance is not None:
            self.report = conformance.report


@main.command(cls=ConfiguredCommand)
@click.option(
    "--profile",
    "profile",
    default="full",
    show_default=True,
    help="bundled profile (departmental, network, data, business, full) or a file",
)
@click.option(
    "--target",
    "targets",
    cls=ListOption,
    multiple=True,
    help="agency base URL or target file; none: the bundled reference agency",
)
@click.option(
    "--fleet",
    type=click.Path(exists=True, dir_okay=False),
    help="YAML file listing many targets (targets: [URL or file, ...])",
)
@click.option("--out", default="reports", show_default=True, help="folder for the reports")
@click.option(
    "--format",
    "formats",
    default="json,junit,html,allure",
    show_default=True,
    help=f"comma-separated: {', '.join(FORMATS)}",
)
@click.option(
    "--level",
    "levels",
    cls=ListOption,
    multiple=True,
    type=click.Choice(["departmental", "network", "data", "business"]),
)
@click.option(
    "--requirement", "requirements", cls=ListOption, multiple=True, help="only this requirement ID"
)
@click.option("--seed", type=int, help="seed that reproduces generated requests")
@click.option(
    "--max-rps",
    type=click.FloatRange(min=0, min_open=True),
    help="request-rate cap (lower than the target's wins)",
)
@click.option(
    "--tls-scan",
    type=click.Choice(TLS_SCANS),
    default="minimal",
    show_default=True,
    help="TLS probing: minimal (a handshake per accepted cipher suite, some 20) or full "
    "(sslyze's plugins: every suite of every protocol, some 540 handshakes per endpoint)",
)
@click.option(
    "--allow", "allow", cls=ListOption, multiple=True, help="opt in to classes: write, load"
)
@click.option(
    "--fault",
    "faults",
    cls=ListOption,
    multiple=True,
    help="reference agency only: inject this fault (a requirement ID, or ID/variant)",
)
@click.option(
    "--jobs",
    type=click.IntRange(min=1),
    default=1,
    show_default=True,
    help="test the targets in N parallel processes (shards of one run, merged into one report)",
)
@click.option(
    "--shard",
    metavar="K/N",
    help="run only the K-th of N equal parts of the targets (merge the parts with "
    "`conformance merge`); needs --seed",
)
@click.option(
    "--sign-key",
    type=click.Path(dir_okay=False),
    help="sign run.json with this Ed25519 private key (PEM; `conformance keygen` makes one)",
)
@click.option(
    "--concurrency",
    type=click.IntRange(min=1),
    default=1,
    show_default=True,
    help="test up to N agencies of a fleet at the same time, in this process",
)
@click.option(
    "--rerun-errors",
    "rerun_errors",
    type=click.Path(exists=True, dir_okay=False),
    help="test again only the agencies that ended in error in this run.json",
)
@click.option(
    "--balance",
    type=click.Path(exists=True, dir_okay=False),
    help="with --shard: balance the parts by each agency's time in this earlier run.json",
)
@click.option(
    "--waivers",
    "waiver_files",
    cls=ListOption,
    multiple=True,
    type=click.Path(dir_okay=False),
    help="a waiver file (repeatable): known failures, owned, accepted until a date",
)
@click.option(
    "--fail-on",
    type=click.Choice(FAIL_ON),
    default="fail",
    show_default=True,
    help="exit 1 on a fail, or also on a warn (a SHOULD not met)",
)
@click.option("-q", "--quiet", is_flag=True, help="no per-requirement progress lines")
@clean_errors
def run(
    profile: str,
    targets: tuple[str, ...],
    fleet: str | None,
    out: str,
    formats: str,
    levels: tuple[str, ...],
    requirements: tuple[str, ...],
    seed: int | None,
    max_rps: float | None,
    tls_scan: str,
    allow: tuple[str, ...],
    faults: tuple[str, ...],
    jobs: int,
    shard: str | None,
    sign_key: str | None,
    concurrency: int,
    rerun_errors: str | None,
    balance: str | None,
    waiver_files: tuple[str, ...],
    fail_on: str,
    quiet: bool,
) -> None:
    """Run a profile against a target and write the conformance report.

    \b
    Examples:
      conformance run                                  # the full profile, reference agency
      conformance run --target https://api.agency.example --profile data
      conformance run --target agency.yaml --waivers waivers.yaml --fail-on warn
      conformance run --fleet fleet.yaml --concurrency 4 --format json,junit,sarif
      conformance run --fleet fleet.yaml --shard auto --seed 7   # in a Kubernetes Indexed Job

    \b
    Exit codes:
      0  conformant
      1  not conformant (with --fail-on warn: also a SHOULD not met)
      2  incomplete (interrupted, narrowed, an agency not tested) or a usage error

    \b
    Configuration (flags win over variables, variables over the file):
      conformance.toml or [tool.conformance] in pyproject.toml, the nearest from here up:
        the long option names as keys (max-rps = 5, target = ["a.yaml"]; paths relative to
        the file); CONFORMANCE_<OPTION> variables (lists: space- or comma-separated);
        `conformance config` shows each value and where it came from
    """
    import pytest

    from conformance.inputs.profile import load_profile

    chosen = parse_formats(formats)
    allowed = allowed_classes(allow)
    loaded = load_profile(profile)
    catalogue = load_catalogue()
    for rid in requirements:
        catalogue.get_or_raise(rid)
        if rid not in loaded.requirements:
            raise UsageError(f"{rid} is not selected by profile {loaded.name}")
    from conformance.inputs.waivers import load_waivers

    waivers = [str(Path(f).resolve()) for f in waiver_files]
    for found in waivers:  # refuse a malformed waiver file before any request
        load_waivers(Path(found), catalogue)
    key = None
    writable_folder(Path(out))  # after the inputs are known good, before any request
    if sign_key:  # refuse a bad key before the run, not after it
        from conformance.reports.signing import load_private_key

        key = load_private_key(Path(sign_key))
    if jobs > 1:
        if shard is not None:
            raise UsageError("--jobs runs every shard here: leave out --shard")
        if faults:
            raise UsageError("--fault applies to the bundled reference agency: leave out --jobs")
        if not (targets or fleet):
            raise UsageError("--jobs splits the targets of --fleet or --target: none given")
        from conformance.inputs.fleet import load_fleet

        count = len(targets) + (len(load_fleet(Path(fleet))) if fleet else 0)
        if count > 1:
            _run_parallel(
                [
                    *("--profile", profile),
                    *(a for t in targets for a in ("--target", t)),
                    *(("--fleet", fleet) if fleet else ()),
                    *(a for lvl in levels for a in ("--level", lvl)),
                    *(a for rid in requirements for a in ("--requirement", rid)),
                    *(("--max-rps", str(max_rps)) if max_rps else ()),
                    *("--tls-scan", tls_scan),
                    *(a for x in allowed for a in ("--allow", x)),
                    *(a for w in waivers for a in ("--waivers", w)),
                    *(("--rerun-errors", rerun_errors) if rerun_errors else ()),
                    *(("--balance", balance) if balance else ()),
                    *("--concurrency", str(concurrency)),
                ],
                min(jobs, count),
                seed,
                Path(out),
                chosen,
                key,
                fail_on,
            )
    part = None
    if shard is not None:
        from conformance.inputs.fleet import parse_shard

        part = parse_shard(shard)
        if seed is None:
            raise UsageError("--shard needs --seed: the merged report has one seed for all parts")
        if not (targets or fleet):
            raise UsageError("--shard splits the targets of --fleet or --target: none given")
    with (
        run_targets(
            targets, fleet, faults, part, previous_run(rerun_errors), previous_run(balance)
        ) as specs,
        tempfile.TemporaryDirectory() as empty,
    ):
        ini = Path(empty) / "pytest.ini"
        ini.write_text("[pytest]\n", "utf-8")
        args = [
            empty,
            "-c",
            str(ini),
            "--rootdir",
            os.getcwd(),  # node IDs then read as they are: full::DEP-CAT-01[target]
            "-p",
            "no:cacheprovider",
            # Only the suite's own plugins: a run's verdict must not depend on whichever pytest
            # plugins happen to be installed beside it (and loading them all costs seconds).
            "--disable-plugin-autoload",
            "-p",
            "conformance.plugin",
            "-p",
            "no:unraisableexception",  # its gc passes at exit cost a run ~0.4 s, and decide nothing
            "--no-header",
            "-q" if quiet else "-v",
            "--tb=short",
            "-W",
            "ignore::DeprecationWarning",
            "-W",
            "ignore::pytest.PytestAssertRewriteWarning",
            "--conformance-profile",
            profile,
            "--conformance-out",
            out,
            "--conformance-format",
            ",".join(chosen),
        ]
        args += [a for spec in specs for a in ("--conformance-target", spec)]
        args += [a for rid in requirements for a in ("--conformance-requirement", rid)]
        args += [a for lvl in levels for a in ("--conformance-level", lvl)]
        if seed is not None:
            args += ["--conformance-seed", str(seed)]
        if max_rps:
            args += ["--conformance-max-rps", str(max_rps)]
        args += ["--conformance-tls-scan", tls_scan]
        if allowed:
            args += ["--conformance-allow", ",".join(allowed)]
        if sign_key:
            args += ["--conformance-sign-key", str(Path(sign_key).resolve())]
        args += [a for w in waivers for a in ("--conformance-waivers", w)]
        args += ["--conformance-fail-on", fail_on]
        args += ["--conformance-concurrency", str(concurrency)]
        if "allure" in chosen:
            args += ["-p", "allure_pytest.plugin"]
            args += ["--alluredir", str(Path(out) / "allure-results"), "--clean-alluredir"]
        catcher = _ReportCatcher()
        code = pytest.main(args, plugins=[catcher])
    if catcher.report is None:
        click.echo(
            f"error: the run did not produce a report (pytest exit code {int(code)})", err=True
        )
        sys.exit(2)
    sys.exit(exit_code(catcher.report.verdict, catcher.report.results, fail_on))


def _run_parallel(
    run_args: list[str],
    jobs: int,
    seed: int | None,
    out: Path,
    formats: list[str],
    key: Ed25519PrivateKey | None,
    fail_on: str = "fail",
) -> None:
    """`run --jobs`: the shards as child processes, merged; print the summary and exit."""
    import random

    from rich.console import Console

    from conformance.parallel import run_shards
    from conformance.reports import write_reports
    from conformance.reports.console import print_summary

    seed = seed if seed is not None else random.SystemRandom().randrange(2**31)
    allure = out / "allure-results" if "allure" in formats else None
    if allure is not None and allure.exists():
        shutil.rmtree(allure)
    with command_line_only(run):  # the shards get all they need on their command line
        merged = run_shards(
            [*run_args, "--seed", str(seed)], jobs, out / "shards", allure, click.echo
        )
    written = write_reports(merged, out, [f for f in formats if f != "allure"], key)
    print_summary(merged, Console())
    click.echo(f"reports written to {out} ({', '.join(written)}{', allure' if allure else ''})")
    sys.exit(exit_code(merged.verdict, merged.results, fail_on))
