"""`conformance report`, `merge`, `verify`, `keygen` and `diff`: what is done with a run.json."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from conformance.core.errors import UsageError
from conformance.core.summary import EXIT_CODES

if TYPE_CHECKING:
    pass

from conformance.cli.base import clean_errors, main, parse_formats


@main.command()
@click.argument("run_json", type=click.Path(exists=True, dir_okay=False))
@click.option("--format", "formats", default="html", show_default=True)
@click.option("--out", default=None, help="folder (default: beside RUN_JSON)")
@clean_errors
def report(run_json: str, formats: str, out: str | None) -> None:
    """Re-render a saved run.json in other formats."""
    from conformance.reports import FILE_NAMES, write_reports
    from conformance.reports.json_report import read_json

    chosen = parse_formats(formats)
    if "allure" in chosen:
        raise UsageError(
            "allure results are written while a run runs (by allure-pytest), not from a "
            "run.json: use `conformance run --format allure`"
        )
    loaded = read_json(Path(run_json))
    folder = Path(out or Path(run_json).parent)
    if "json" in chosen and (folder / FILE_NAMES["json"]).resolve() == Path(run_json).resolve():
        raise UsageError(f"--format json would overwrite {run_json} itself: give another --out")
    for fmt, path in write_reports(loaded, folder, chosen).items():
        click.echo(f"{fmt}: {path}")


@main.command()
@click.argument("parts", nargs=-1, required=True, type=click.Path(dir_okay=False))
@click.option("--out", default="reports", show_default=True, help="folder for the merged report")
@click.option("--format", "formats", default="json,junit,html", show_default=True)
@click.option(
    "--sign-key",
    type=click.Path(dir_okay=False),
    help="sign the merged run.json with this Ed25519 private key (PEM)",
)
@clean_errors
def merge(parts: tuple[str, ...], out: str, formats: str, sign_key: str | None) -> None:
    """Merge the run.json of each shard (--shard K/N) into one report; exit as `run` would."""
    from conformance.reports import write_reports
    from conformance.reports.json_report import read_json
    from conformance.reports.merge import merge_reports

    key = None
    if sign_key:
        from conformance.reports.signing import load_private_key

        key = load_private_key(Path(sign_key))
    chosen = [f for f in parse_formats(formats) if f != "allure"]
    merged = merge_reports([read_json(Path(p)) for p in parts], names=parts)
    if "allure" in parse_formats(formats):
        copied = _merge_allure([Path(p).parent / "allure-results" for p in parts], Path(out))
        click.echo(f"allure: {copied} result file(s) in {Path(out) / 'allure-results'}")
    inputs = {Path(p).resolve() for p in parts}
    if "json" in chosen and (Path(out) / "run.json").resolve() in inputs:
        raise UsageError(f"--out {out} would overwrite one of the parts: choose another folder")
    for fmt, path in write_reports(merged, Path(out), chosen, key).items():
        click.echo(f"{fmt}: {path}")
    click.echo(
        f"verdict: {merged.verdict.value}  ({len(parts)} parts, {len(merged.targets)} targets, "
        f"{len(merged.results)} results)"
    )
    sys.exit(EXIT_CODES[merged.verdict])


@main.command()
@click.argument("runs", nargs=-1, required=True, type=click.Path(exists=True))
@click.option("--out", default="trend.html", show_default=True, help="the page to write")
@clean_errors
def trend(runs: tuple[str, ...], out: str) -> None:
    """Write the nightly trend of a fleet from many run.json files (or folders of them).

    Each agency's verdict run by run, the requirements by how many agencies fail them, the
    regressions and recoveries since the run before: one self-contained HTML page."""
    from conformance.reports.json_report import read_json
    from conformance.reports.trend import runs_in, write_trend

    files = runs_in(Path(r) for r in runs)
    if not files:
        raise UsageError("no run.json found in " + ", ".join(runs))
    reports = [read_json(f) for f in files]
    written = write_trend(reports, Path(out))
    click.echo(f"trend of {len(reports)} run(s) written to {written}")


def _merge_allure(folders: list[Path], out: Path) -> int:
    """The parts' allure-results (beside each part's run.json) copied into one folder; the
    parts' file names are UUIDs, so they never collide."""
    import shutil

    present = [f for f in folders if f.is_dir()]
    if not present:
        raise UsageError(
            "--format allure: no part has an allure-results folder beside its run.json (run "
            "each part with --format ...,allure)"
        )
    target = out / "allure-results"
    target.mkdir(parents=True, exist_ok=True)
    copied = 0
    for folder in present:
        for item in folder.iterdir():
            if item.is_file():
                shutil.copy2(item, target / item.name)
                copied += 1
    return copied


@main.command()
@click.argument("run_json", type=click.Path(dir_okay=False))
@click.option(
    "--public-key",
    type=click.Path(dir_okay=False),
    help="the signer's Ed25519 public key (PEM): the report must be signed with this key",
)
@clean_errors
def verify(run_json: str, public_key: str | None) -> None:
    """Check a signed run.json: exit 0 valid, 1 changed or signed by another key, 2 unusable."""
    from conformance.reports.json_report import read_json_dict
    from conformance.reports.scope import scope_lines
    from conformance.reports.signing import load_public_key, verify_report

    pinned = load_public_key(Path(public_key)) if public_key else None
    data = read_json_dict(Path(run_json))
    outcome = verify_report(data, pinned)
    if not outcome.valid:
        click.echo(f"INVALID {run_json}: {outcome.reason}", err=True)
        sys.exit(1)
    targets = ", ".join(t.get("name", "?") for t in data["targets"])
    click.echo(
        f"valid {run_json}: {outcome.reason}\n"
        f"  profile {data['profile']['name']}, target {targets}, verdict {data['verdict']}, "
        f"finished {data['finished']}"
    )
    for line in scope_lines(data.get("scope") or {}):
        click.echo(f"  {line}")
    if pinned is None:
        click.echo(
            "  the key is the report's own: pin the signer's key with --public-key to know who "
            "signed it",
            err=True,
        )


@main.command()
@click.option(
    "--out",
    default="conformance-signing",
    show_default=True,
    help="file prefix: writes PREFIX.key (private, mode 600) and PREFIX.pub",
)
@clean_errors
def keygen(out: str) -> None:
    """Make an Ed25519 key pair for signing reports (run --sign-key PREFIX.key)."""
    from conformance.reports.signing import generate_key_pair

    private, public = Path(f"{out}.key"), Path(f"{out}.pub")
    ident = generate_key_pair(private, public)
    click.echo(f"private key: {private} (keep it secret)\npublic key: {public} ({ident})")


@main.command()
@click.argument("old", type=click.Path(exists=True, dir_okay=False))
@click.argument("new", type=click.Path(exists=True, dir_okay=False))
@clean_errors
def diff(old: str, new: str) -> None:
    """What regressed and what was fixed between two runs (exit 1 when anything regressed)."""
    from conformance.reports.diff import diff_reports, format_diff
    from conformance.reports.json_report import read_json

    result = diff_reports(read_json(Path(old)), read_json(Path(new)))
    click.echo(format_diff(result))
    sys.exit(1 if result.regressed else 0)
