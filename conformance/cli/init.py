"""`conformance init URL --write-target FILE`: a target file started from what the agency
publishes (its api-catalog, its OpenAPI documents, a sample of its collections), every inferred
value commented with where it came from, the rest left commented to fill in."""

from __future__ import annotations

import contextlib
import os
import tempfile
from dataclasses import replace
from pathlib import Path

import click

from conformance.cli.base import clean_errors, main
from conformance.cli.target_draft import Draft, draft_target
from conformance.client.survey import survey
from conformance.core.errors import TargetError, UsageError
from conformance.inputs.target import ClientCertificate, Target, load_target_file, resolve_target

_FILE = click.Path(exists=True, dir_okay=False, path_type=Path)


@main.command(name="init")
@click.argument("url")
@click.option(
    "--write-target",
    "destination",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="the target file to write",
)
@click.option("--ca-bundle", type=_FILE, help="trust anchors of the agency's TLS certificate")
@click.option("--client-cert", type=_FILE, help="a client certificate, for mutual TLS")
@click.option("--client-key", type=_FILE, help="the client certificate's key")
@click.option(
    "--openapi",
    help="the OpenAPI document (URL or file), for an agency without an api-catalog",
)
@click.option("--force", is_flag=True, help="overwrite the target file if it exists")
@clean_errors
def init(
    url: str,
    destination: Path,
    ca_bundle: Path | None,
    client_cert: Path | None,
    client_key: Path | None,
    openapi: str | None,
    force: bool,
) -> None:
    """Write a target file from what the agency at URL publishes.

    Reads (GET only, at the default rate cap) the base URL, /.well-known/api-catalog, the
    OpenAPI documents it links (or, without one, a few usual places) and a collection and item
    of each resource the documents describe. The file loads and runs as written; what could not
    be read is left commented. Secrets are never written: only the environment variables they
    would be read from.

    \b
    Exit codes: 0 written, 2 error (the file exists, the URL cannot be read); nothing is
    written on an error.
    """
    if destination.exists() and not force:
        raise UsageError(f"{destination} exists: choose another file, or --force to overwrite it")
    if not destination.resolve().parent.is_dir():
        raise UsageError(f"cannot write {destination}: its folder does not exist")
    if (client_cert is None) != (client_key is None):
        raise UsageError("--client-cert and --client-key go together")
    if not url.startswith(("http://", "https://")):
        raise UsageError(f"expected the agency's http(s) base URL, got {url!r}")
    cert = None
    if client_cert is not None and client_key is not None:
        cert = ClientCertificate(client_cert.resolve(), client_key.resolve())
    target = replace(
        resolve_target(url),
        ca_bundle=ca_bundle.resolve() if ca_bundle else None,
        client_certificate=cert,
        openapi=_openapi(openapi),
    )
    draft = draft_target(survey(target), destination, cert)
    _write_checked(draft, destination)
    _summary(draft, destination, target)


def _openapi(value: str | None) -> tuple[str, ...]:
    if value is None:
        return ()
    if value.startswith(("http://", "https://")):
        return (value,)
    path = Path(value)
    if not path.is_file():
        raise UsageError(f"--openapi {value!r} is neither an http(s) URL nor an existing file")
    return (str(path.resolve()),)


def _write_checked(draft: Draft, destination: Path) -> Target:
    """Load the draft with the project's own target loader beside `destination` (so that its
    relative paths resolve as they will), then move it into place; a refusal is init's bug."""
    folder = destination.resolve().parent
    handle, name = tempfile.mkstemp(prefix=f".{destination.name}.", suffix=".yaml", dir=folder)
    temporary = Path(name)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as file:
            file.write(draft.text)
        try:
            loaded = load_target_file(temporary)
        except TargetError as exc:
            raise TargetError(
                f"conformance init drafted a target file its own loader refuses (a bug in init): "
                f"{exc}"
            ) from None
        os.replace(temporary, destination)
        return loaded
    finally:
        with contextlib.suppress(FileNotFoundError):
            temporary.unlink()


def _summary(draft: Draft, destination: Path, target: Target) -> None:
    click.echo(f"wrote {destination}: a target file for {target.base_url}")
    click.echo("found:")
    for line in draft.found or ["nothing beyond the base URL"]:
        click.echo(f"  {line}")
    if not draft.found:  # e.g. pygeoapi's API is under /v1, its host's root serves nothing
        click.echo(
            "  no api-catalog and no OpenAPI document here: if the API is under a path (such "
            "as /v1), give that URL; or name the document with --openapi"
        )
    inputs = [m.removeprefix("inputs.") for m in draft.missing if m.startswith("inputs.")]
    rest = [m for m in draft.missing if not m.startswith("inputs.")]
    click.echo("still to fill in (commented in the file):")
    for line in rest:
        click.echo(f"  {line}")
    if inputs:
        click.echo(f"  inputs: {', '.join(inputs)}")
    click.echo(f"run it: conformance run --target {destination} --profile departmental")
