"""`conformance list`, `explain` and `catalogue`: what the catalogue asks, and how the suite
tests it."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from conformance.core.catalogue import load_catalogue

if TYPE_CHECKING:
    pass

from conformance.cli.base import clean_errors, main


@main.command(name="list")
@click.option("--profile", default="full", show_default=True, help="profile name or file")
@clean_errors
def list_requirements(profile: str) -> None:
    """List the requirements a profile selects, with their parameters (at the terminal's width:
    the parameters column wraps)."""
    from rich.console import Console

    from conformance.core.registry import registered_checks
    from conformance.inputs.profile import load_profile
    from conformance.reports.console import compact_table

    loaded, catalogue, checks = load_profile(profile), load_catalogue(), registered_checks()
    table = compact_table(f"profile {loaded.name}: {len(loaded.requirements)} requirements")
    for column in ("ID", "level", "kw", "class", "check"):
        table.add_column(column, no_wrap=True)
    table.add_column("parameters", overflow="fold")
    for rid in loaded.requirements:
        req = catalogue[rid]
        params = ", ".join(f"{k}={v}" for k, v in loaded.params_for(rid).items())
        table.add_row(
            rid,
            req.level.value,
            req.keyword.value,
            req.safety.value,
            "yes" if rid in checks else "no",
            params,
        )
    Console().print(table)


@main.command()
@click.argument("requirement_id")
@clean_errors
def explain(requirement_id: str) -> None:
    """Statement, source, how it is tested, parameters and safety class of one requirement."""
    from conformance.core.registry import registered_checks

    req = load_catalogue().get_or_raise(requirement_id.upper())
    implemented = req.id in registered_checks()
    click.echo(f"{req.id} ({req.level.value}, {req.keyword.value}, class {req.safety.value})")
    click.echo(f"  {req.statement}")
    click.echo(f"  source: {req.source}")
    if implemented:
        click.echo(f"  how it is tested: {req.how_tested or '(see the check)'}")
    else:
        click.echo(f"  not implemented yet: {req.pending}")
    for p in req.parameters:
        click.echo(f"  parameter {p.name} = {p.default!r}: {p.description}")
    if req.depends_on:
        click.echo(f"  skipped when these fail: {', '.join(req.depends_on)}")


@main.command(name="catalogue")
@click.option(
    "--out",
    type=click.Path(dir_okay=False),
    help="write the page to this file (docs/REQUIREMENTS.md is this page); default: print it",
)
@clean_errors
def catalogue_command(out: str | None) -> None:
    """Every baseline requirement, by level, as a Markdown page."""
    from pathlib import Path

    from conformance.reports.catalogue_page import catalogue_page, write_catalogue_page

    if out:
        click.echo(f"catalogue page written to {write_catalogue_page(Path(out))}")
    else:
        click.echo(catalogue_page(), nl=False)
