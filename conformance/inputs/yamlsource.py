"""YAML documents that remember the line of every key, so errors can name file, line and field."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

Path_ = tuple[str | int, ...]


@dataclass(frozen=True)
class YamlDocument:
    """Parsed YAML data with the 1-based line of each key path."""

    file: str
    data: Any
    lines: dict[Path_, int]

    def line(self, *path: str | int) -> int | None:
        """The line of `path`, or of its nearest ancestor that has one."""
        for end in range(len(path), -1, -1):
            if path[:end] in self.lines:
                return self.lines[path[:end]]
        return None


def _index(node: yaml.Node, path: Path_, lines: dict[Path_, int]) -> None:
    lines.setdefault(path, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            key = key_node.value
            lines[(*path, key)] = key_node.start_mark.line + 1
            _index(value_node, (*path, key), lines)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            _index(item, (*path, i), lines)


def load_yaml(path: Path, error: Callable[[str, int | None, str, str], Exception]) -> YamlDocument:
    """Read a YAML file; syntax errors become `error(file, line, field, problem)`-style messages.

    `error` is called as ``error(file, line, field, problem)``.
    """
    try:
        text = path.read_text("utf-8")
    except OSError as exc:
        raise error(str(path), None, "file", f"cannot read: {exc.strerror or exc}") from None
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        line = mark.line + 1 if mark else None
        raise error(str(path), line, "syntax", str(exc.problem)) from None
    lines: dict[Path_, int] = {}
    if node is not None:
        _index(node, (), lines)
    return YamlDocument(str(path), data, lines)
