"""`conformance config`: the value each `run` option would take here, and where it comes from
(the configuration file and line, a `CONFORMANCE_*` variable, or the default)."""

from __future__ import annotations

import json
from typing import Any

import click

from conformance.cli.base import clean_errors, main
from conformance.cli.configured import (
    DISCOVERY,
    NOT_FROM_ENVIRONMENT,
    Setting,
    settings_in_force,
)
from conformance.core.errors import UsageError
from conformance.inputs.config_file import CONFIG_VARIABLE, FILE_NAME, Discovery


def _shown(value: Any) -> str:
    if value is None or value == ():
        return "(none)"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, tuple):
        return ", ".join(map(str, value))
    return str(value)


def _origin(setting: Setting) -> str:
    if setting.source == "environment":
        return f"environment {setting.where}"
    return setting.where or setting.source


def _found_lines(discovery: Discovery) -> list[str]:
    """What was found, or where it was looked for, in words."""
    found = discovery.found
    if discovery.named_by and found is None:
        return [f"configuration file: none ({CONFIG_VARIABLE}=none)"]
    if discovery.named_by and found is not None:
        return [f"configuration file: {found.where} (named by {CONFIG_VARIABLE})"]
    if found is None:
        start, top = discovery.looked_in[0], discovery.looked_in[-1]
        return [
            f"configuration file: none (looked for {FILE_NAME}, or pyproject.toml with "
            f"[tool.conformance], in {start} and each folder above it up to {top})"
        ]
    lines = [f"configuration file: {found.where}"]
    if discovery.passed_over is not None:
        lines.append(f"  ({found.path.name} wins over {discovery.passed_over} beside it)")
    return lines


def _as_json(discovery: Discovery, rows: list[Setting]) -> dict[str, Any]:
    found = discovery.found
    return {
        "file": str(found.path) if found else None,
        "table": (".".join(found.table) or None) if found else None,
        "named_by": discovery.named_by,
        "looked_in": [str(p) for p in discovery.looked_in],
        "passed_over": str(discovery.passed_over) if discovery.passed_over else None,
        "options": {
            row.key: {
                "value": list(row.value) if isinstance(row.value, tuple) else row.value,
                "source": row.source,
                "where": row.where,
            }
            for row in rows
        },
    }


@main.command(name="config")
@click.option("--json", "as_json", is_flag=True, help="as JSON, for a program")
@click.pass_context
@clean_errors
def show_config(ctx: click.Context, as_json: bool) -> None:
    """Show the value each `conformance run` option takes here, and where it comes from.

    \b
    Precedence: a flag, else its CONFORMANCE_* variable, else the configuration file (the
    nearest conformance.toml, or pyproject.toml with [tool.conformance], from the working
    folder up; CONFORMANCE_CONFIG names another, or none), else the default.
    """
    from conformance.cli.run import run

    try:
        run_ctx = run.make_context("run", [], parent=ctx)
    except click.ClickException as exc:  # a variable the option refuses: one line, as elsewhere
        raise UsageError(exc.format_message()) from None
    rows = settings_in_force(run, run_ctx)
    discovery: Discovery = run_ctx.meta[DISCOVERY]
    if as_json:
        click.echo(json.dumps(_as_json(discovery, rows), indent=2))
        return
    for line in _found_lines(discovery):
        click.echo(line)
    width = max(len(row.key) for row in rows) + 2
    value_width = max(len(_shown(row.value)) for row in rows) + 2
    click.echo(f"{'option':<{width}}{'value':<{value_width}}from")
    for row in rows:
        click.echo(f"{row.key:<{width}}{_shown(row.value):<{value_width}}{_origin(row)}")
    for key, why in NOT_FROM_ENVIRONMENT.items():
        click.echo(f"note: --{key} is not read from the environment: {why}")
