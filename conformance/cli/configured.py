"""Options from a configuration file and the environment, by click's own mechanism.

`ConfiguredCommand` gives each option of a command the environment variable `CONFORMANCE_` + its
long name (`--max-rps`: `CONFORMANCE_MAX_RPS`; a repeatable option's variable holds a list split
at whitespace and commas) and, before click parses the command line, fills the context's
`default_map` from the configuration file (`conformance.inputs.config_file`). Click then takes
each value from the command line, else the variable, else the file, else the option's default,
and `ctx.get_parameter_source` says which: `conformance config` shows it.

The file's keys are the long option names (`max-rps`, `target`, ...); it is checked whole before
any request: an unknown key, a value of the wrong TOML type or one the option refuses is one
line naming the file, the line and the key. Paths in it are relative to the file's folder.
"""

from __future__ import annotations

import contextlib
import os
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click
from click.core import ParameterSource

from conformance.cli.base import clean_errors, parse_formats
from conformance.core.errors import ConformanceError, UsageError, did_you_mean
from conformance.inputs.config_file import CONFIG_VARIABLE, ConfigFile, Discovery, discover

ENV_PREFIX = "CONFORMANCE_"
#: options read from the configuration file but not from the environment, and why
NOT_FROM_ENVIRONMENT = {
    "shard": "CONFORMANCE_SHARD is the 1-based K that `--shard auto` reads, with "
    "CONFORMANCE_SHARDS (a CI matrix sets them): use --shard or the file",
}
#: where the context keeps the configuration it read (`Discovery`)
DISCOVERY = "conformance.discovery"
#: options whose array value in the file is joined with commas (the option takes a list in one)
_JOINED = frozenset({"format"})


def allowed_classes(values: Sequence[str]) -> list[str]:
    """The safety classes of `--allow` values ("write", "load", or both comma-separated)."""
    chosen = [v.strip() for value in values for v in value.split(",") if v.strip()]
    for v in chosen:
        if v not in ("write", "load"):
            raise UsageError(f"--allow takes write and/or load, not {v!r}")
    return chosen


def _requirements_known(values: Sequence[str]) -> None:
    from conformance.core.catalogue import load_catalogue

    catalogue = load_catalogue()
    for rid in values:
        catalogue.get_or_raise(rid)


#: what the run checks of an option's value after click (said at the file's line when it is there)
_CHECKS: dict[str, Callable[[Any], object]] = {
    "format": parse_formats,
    "allow": allowed_classes,
    "requirement": _requirements_known,
}


class ListOption(click.Option):
    """A repeatable option whose environment variable holds a list, split at whitespace and commas
    (click splits at whitespace, or at ':' for paths)."""

    def value_from_envvar(self, ctx: click.Context) -> Any:
        """The variable's items, or None when it is unset or empty."""
        raw = self.resolve_envvar_value(ctx)
        items = tuple(item for item in re.split(r"[\s,]+", raw or "") if item)
        return items or None


def key_of(option: click.Option) -> str:
    """The option's name in the configuration file: its long name without the dashes."""
    longs = [o for o in option.opts if o.startswith("--")]
    return (longs[0] if longs else option.opts[0]).lstrip("-")


def configurable(command: click.Command) -> list[click.Option]:
    """The options of `command` that the file and the environment can set (all but --help)."""
    return [
        p
        for p in command.params
        if isinstance(p, click.Option) and p.name and p.name != "help" and p.expose_value
    ]


class ConfiguredCommand(click.Command):
    """A command whose options also come from `CONFORMANCE_*` variables and a configuration
    file, flags over variables over the file over the defaults."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for option in configurable(self):
            if option.multiple and not isinstance(option, ListOption):
                raise TypeError(f"--{key_of(option)}: a repeatable option must be a ListOption")
            if key_of(option) not in NOT_FROM_ENVIRONMENT:
                option.envvar = ENV_PREFIX + key_of(option).upper().replace("-", "_")
                option.show_envvar = True

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        """Fill the context's default map from the configuration file, then parse as click does
        (not for --help or shell completion: a broken file must not hide the help)."""
        if not ctx.resilient_parsing and not set(args) & set(ctx.help_option_names):
            clean_errors(self._configure)(ctx)
        return super().parse_args(ctx, args)

    def _configure(self, ctx: click.Context) -> None:
        discovery = discover(Path.cwd(), os.environ)
        ctx.meta[DISCOVERY] = discovery
        if discovery.found is not None:
            ctx.default_map = {**(ctx.default_map or {}), **settings(self, ctx, discovery.found)}


def _expected(option: click.Option) -> tuple[tuple[type, ...], str]:
    """The TOML types an option takes in the file, and their description."""
    if option.is_flag:
        return (bool,), "true or false"
    if option.multiple or key_of(option) in _JOINED:
        return (str, list), "a string or an array of strings"
    if isinstance(option.type, click.types.IntParamType):
        return (int,), "a whole number"
    if isinstance(option.type, click.types.FloatParamType):
        return (int, float), "a number"
    return (str,), "a string"


def _anchored(option: click.Option, value: str, folder: Path) -> str:
    """A path in the file, relative to the file's folder (URLs and bundled profiles as they are)."""
    from conformance.inputs.profile import BUNDLED

    key = key_of(option)
    if key == "target" and value.startswith(("http://", "https://")):
        return value
    if key == "profile" and value in BUNDLED:
        return value
    if key in ("target", "profile", "out") or isinstance(option.type, click.Path):
        return str(folder / value)
    return value


def settings(command: click.Command, ctx: click.Context, config: ConfigFile) -> dict[str, Any]:
    """The file's settings as a default map for `command` (option name → value), each checked:
    UsageError "file:line: key: problem" for an unknown key or a value the option refuses."""
    options = {key_of(o): o for o in configurable(command)}
    for key in config.values:
        if key not in options:
            raise config.error(key, f"unknown key{did_you_mean(key, options)}")
    defaults: dict[str, Any] = {}
    for key, value in config.values.items():
        option = options[key]
        types, described = _expected(option)
        if (
            not isinstance(value, types)
            or (bool not in types and isinstance(value, bool))
            or (isinstance(value, list) and not all(isinstance(i, str) for i in value))
        ):
            raise config.error(key, f"expected {described}, not {_toml_type(value)}")
        if isinstance(value, list):  # an array: the option's values (in one, comma-separated)
            items = [_anchored(option, item, config.folder) for item in value]
            value = items if option.multiple else ",".join(items)
        elif isinstance(value, str):
            value = _anchored(option, value, config.folder)
            value = [value] if option.multiple else value
        try:
            option.type_cast_value(ctx, value)
            if key in _CHECKS:
                _CHECKS[key](value)
        except click.BadParameter as exc:
            raise config.error(key, exc.message) from None
        except ConformanceError as exc:
            raise config.error(key, str(exc)) from None
        defaults[str(option.name)] = value
    return defaults


def _toml_type(value: Any) -> str:
    names = {bool: "a boolean", int: "an integer", float: "a float", str: "a string"}
    names.update({list: "an array", dict: "a table"})
    return next((n for t, n in names.items() if isinstance(value, t)), type(value).__name__)


@dataclass(frozen=True)
class Setting:
    """One option's value in force and where it came from."""

    key: str
    value: Any
    source: str  # "flag", "environment", "file" or "default"
    where: str | None  # the variable's name, or the file and line


def settings_in_force(command: click.Command, ctx: click.Context) -> list[Setting]:
    """Each configurable option of `command` in a parsed context `ctx`: value and origin."""
    discovery: Discovery | None = ctx.meta.get(DISCOVERY)
    found = discovery.found if discovery is not None else None
    rows = []
    for option in configurable(command):
        name = str(option.name)
        source = ctx.get_parameter_source(name)
        where = None
        if source is ParameterSource.ENVIRONMENT:
            kind, where = "environment", str(option.envvar)
        elif source is ParameterSource.DEFAULT_MAP and found is not None:
            line = found.line(key_of(option))
            kind, where = "file", f"{found.path}{f':{line}' if line else ''}"
        elif source is ParameterSource.COMMANDLINE:
            kind = "flag"
        else:
            kind = "default"
        rows.append(Setting(key_of(option), ctx.params.get(name), kind, where))
    return rows


@contextlib.contextmanager
def command_line_only(command: click.Command) -> Iterator[None]:
    """While it lasts, processes started see no configuration file and none of `command`'s
    variables: their command line alone decides (the shards of `run --jobs`, to which the parent
    passes everything it read)."""
    names = [o.envvar for o in configurable(command) if isinstance(o.envvar, str)]
    saved = {n: os.environ.pop(n) for n in [*names, CONFIG_VARIABLE] if n in os.environ}
    os.environ[CONFIG_VARIABLE] = "none"
    try:
        yield
    finally:
        os.environ.pop(CONFIG_VARIABLE, None)
        os.environ.update(saved)
