"""Configuration files: `conformance.toml` (its top-level keys) or `[tool.conformance]` in a
`pyproject.toml`, found from the working folder upward; the nearest folder holding either wins,
and in one folder `conformance.toml` (the more specific file) wins over `pyproject.toml`.

A `pyproject.toml` without a `[tool.conformance]` table is passed over, as pytest and ruff pass
over one without their table. `CONFORMANCE_CONFIG` names the file to read instead of searching
(`none`: no file). tomllib gives no positions, so the line of a key is found in the text
(`ConfigFile.line`): errors name the file, the line and the key.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from conformance.core.errors import UsageError

FILE_NAME = "conformance.toml"
PYPROJECT = "pyproject.toml"
TABLE = ("tool", "conformance")
#: the variable naming the configuration file to read instead of searching, or `none`
CONFIG_VARIABLE = "CONFORMANCE_CONFIG"

_HEADER = re.compile(r"^\s*\[\[?\s*([^\]]+?)\s*\]\]?\s*(?:#.*)?$")


@dataclass(frozen=True)
class ConfigFile:
    """A configuration file's settings: the keys of its table, with the text to find lines in."""

    path: Path
    table: tuple[str, ...]  # () for conformance.toml, ("tool", "conformance") in pyproject.toml
    values: dict[str, Any]
    text: str

    @property
    def folder(self) -> Path:
        """The folder the file's relative paths are relative to: the file's own."""
        return self.path.parent

    @property
    def where(self) -> str:
        """The file and, in a pyproject.toml, its table: for messages."""
        return f"{self.path} [{'.'.join(self.table)}]" if self.table else str(self.path)

    def line(self, key: str) -> int | None:
        """The 1-based line that sets `key` of the table (or its own `[table.key]`), if found."""
        return _key_line(self.text.splitlines(), self.table, key)

    def error(self, key: str, problem: str) -> UsageError:
        """A mistake at `key`: "file:line: key: problem"."""
        line = self.line(key)
        return UsageError(f"{self.path}{f':{line}' if line else ''}: {key}: {problem}")


@dataclass(frozen=True)
class Discovery:
    """The configuration file in force (or None), and the folders searched for it."""

    found: ConfigFile | None
    looked_in: tuple[Path, ...]
    named_by: str | None = None  # CONFIG_VARIABLE when that variable chose the file
    passed_over: Path | None = None  # a pyproject.toml with a table, beside the conformance.toml


def discover(start: Path, environ: Mapping[str, str]) -> Discovery:
    """The configuration for a command started in `start`: `CONFORMANCE_CONFIG`'s file (or none),
    else the nearest `conformance.toml`, or `pyproject.toml` with `[tool.conformance]`, from
    `start` upward. UsageError for a file that is not valid TOML or not a table."""
    named = environ.get(CONFIG_VARIABLE, "").strip()
    if named.lower() == "none":
        return Discovery(None, (), CONFIG_VARIABLE)
    if named:
        path = (start / named).resolve()
        if not path.is_file():
            raise UsageError(f"{CONFIG_VARIABLE}={named}: no such file")
        table = TABLE if path.name == PYPROJECT else ()
        found = read_config(path, table)
        if found is None:
            raise UsageError(f"{CONFIG_VARIABLE}={named}: {path} has no [tool.conformance] table")
        return Discovery(found, (), CONFIG_VARIABLE)
    looked: list[Path] = []
    for folder in (start.resolve(), *start.resolve().parents):
        looked.append(folder)
        pyproject = folder / PYPROJECT
        if (folder / FILE_NAME).is_file():
            own = read_config(folder / FILE_NAME, ())
            return Discovery(own, tuple(looked), passed_over=_with_table(pyproject))
        in_pyproject = read_config(pyproject, TABLE) if pyproject.is_file() else None
        if in_pyproject is not None:
            return Discovery(in_pyproject, tuple(looked))
    return Discovery(None, tuple(looked))


def _with_table(pyproject: Path) -> Path | None:
    """`pyproject` when it has a `[tool.conformance]` table (one passed over is only noted)."""
    try:
        return pyproject if pyproject.is_file() and read_config(pyproject, TABLE) else None
    except UsageError:
        return None


def read_config(path: Path, table: tuple[str, ...]) -> ConfigFile | None:
    """The settings of `table` in the TOML file `path` (None when a pyproject.toml has none)."""
    text = path.read_text("utf-8")
    try:
        data: Any = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise UsageError(f"{path}: not valid TOML: {exc}") from None
    for part in table:
        if not isinstance(data, dict) or part not in data:
            return None
        data = data[part]
    if not isinstance(data, dict):
        raise UsageError(f"{path}: {'.'.join(table)}: expected a table of settings")
    return ConfigFile(path, table, data, text)


def _header(line: str) -> tuple[str, ...] | None:
    """The dotted path of a `[table]` or `[[array]]` header line, or None."""
    match = _HEADER.match(line)
    if match is None:
        return None
    return tuple(part.strip().strip("\"'") for part in match.group(1).split("."))


def _sets(line: str, key: str) -> bool:
    """Whether `line` assigns `key` (bare or quoted, before `=`)."""
    quoted = re.escape(key)
    return re.match(rf"""^\s*(?:{quoted}|"{quoted}"|'{quoted}')\s*=""", line) is not None


def _key_line(lines: list[str], table: tuple[str, ...], key: str) -> int | None:
    """The line of `key` in `table`: an assignment inside the table's section, the key's own
    `[table.key]` header, or (dotted keys: `conformance.out = ...` under `[tool]`) the first line
    assigning it anywhere; else the table's header."""
    section: tuple[str, ...] = ()
    table_header = None
    for number, line in enumerate(lines, 1):
        header = _header(line)
        if header is not None:
            section = header
            if header == (*table, key):
                return number
            if header == table:
                table_header = number
            continue
        if section == table and _sets(line, key):
            return number
    dotted = re.compile(rf"""^\s*[\w."'-]*\.\s*["']?{re.escape(key)}["']?\s*=""")
    for number, line in enumerate(lines, 1):
        if dotted.match(line):
            return number
    return table_header
