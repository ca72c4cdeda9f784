"""docs/REQUIREMENTS.md: the baseline catalogue (`conformance/resources/requirements.yaml`) as a
page to read, by level, each requirement with its keyword, statement, source, safety class, how
it is tested, parameters and defaults, and what it depends on.

Generated, never edited: `conformance catalogue --out docs/REQUIREMENTS.md` writes it, and a test
checks that the page checked in is the one the catalogue gives now. Text from the catalogue is
escaped, so it reads as written (`<name>`, `*`, `[`...`]` are not Markdown).
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from conformance.core.catalogue import Catalogue, load_catalogue
from conformance.core.model import Level, Parameter, Requirement

PAGE_PATH = "docs/REQUIREMENTS.md"
REGENERATE = f"conformance catalogue --out {PAGE_PATH}"
SOURCE_LINK = (
    "[`conformance/resources/requirements.yaml`](../conformance/resources/requirements.yaml)"
)
# characters Markdown could read as markup; `_` only where it could start or end emphasis
_SPECIAL = re.compile(r"[\\`*<>\[\]|$~&#]|(?<![0-9A-Za-z])_|_(?![0-9A-Za-z])")
_LINE_START = re.compile(r"^(\d*)([-+=.)])")


def catalogue_page(catalogue: Catalogue | None = None) -> str:
    """The Markdown page of the catalogue (the bundled one unless another is given)."""
    catalogue = load_catalogue() if catalogue is None else catalogue
    by_level = {level: [r for r in catalogue.values() if r.level is level] for level in Level}
    lines = [
        "# Baseline requirements",
        "",
        f"<!-- Generated from conformance/resources/requirements.yaml by `{REGENERATE}`: "
        "edit the catalogue, not this page. -->",
        "",
        f"The {len(catalogue)} requirements of the baseline catalogue, {SOURCE_LINK}, by level. "
        "A MUST not met fails its level; a SHOULD not met is a warning. The safety class says "
        "what a check may do to the target: only `read` checks run unless the run allows "
        "`write` or `load` (`--allow`, or `safety.allow` in the target file). `conformance "
        "explain ID` shows the same in the terminal.",
        "",
        "| level | requirements |",
        "|---|---|",
        *(f"| [{level.value}](#{level.value}) | {len(reqs)} |" for level, reqs in by_level.items()),
    ]
    for level, requirements in by_level.items():
        lines += ["", f"## {level.value}", "", " · ".join(_link(r.id) for r in requirements)]
        for requirement in requirements:
            lines += ["", *_entry(requirement)]
    return "\n".join(lines) + "\n"


def write_catalogue_page(path: Path) -> Path:
    """Write the catalogue page to `path` (its folder created if needed) and return it."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(catalogue_page(), "utf-8")
    return path


def escape(text: str) -> str:
    """Catalogue text as Markdown that shows it as written, on one line (even at the start of
    a line, where `-`, `+`, `=` and `1.` would begin a list or underline a heading)."""
    escaped = _SPECIAL.sub(lambda m: "\\" + m.group(), " ".join(text.split()))
    return _LINE_START.sub(lambda m: m.group(1) + "\\" + m.group(2), escaped)


def _entry(req: Requirement) -> list[str]:
    lines = [
        f"### {req.id}",
        "",
        f"**{req.keyword.value}** · safety class `{req.safety.value}` · "
        f"source: {escape(req.source)}",
        "",
        escape(req.statement),
        "",
    ]
    if req.how_tested:
        lines.append(f"- **How it is tested**: {escape(req.how_tested)}")
    if req.pending:
        lines.append(f"- **Not implemented yet**: {escape(req.pending)}")
    if req.parameters:
        lines.append("- **Parameters** (a profile may change them):")
        lines += [f"  - {_parameter(p)}" for p in req.parameters]
    if req.depends_on:
        skipped = ", ".join(_link(d) for d in req.depends_on)
        lines.append(f"- **Skipped when these fail**: {skipped}")
    if lines[-1] == "":
        lines.pop()
    return lines


def _parameter(parameter: Parameter) -> str:
    described = f": {escape(parameter.description)}" if parameter.description else ""
    return f"{_code(parameter.name)} = {_code(_json(parameter.default))}{described}"


def _json(value: Any) -> str:
    """A default as the catalogue's YAML would read it back (JSON is YAML)."""
    return json.dumps(value, ensure_ascii=False)


def _code(text: str) -> str:
    """An inline code span holding `text`, whatever backticks it has."""
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * (longest + 1)
    padded = f" {text} " if text.startswith("`") or text.endswith("`") else text
    return f"{fence}{padded}{fence}"


def _link(requirement_id: str) -> str:
    return f"[{requirement_id}](#{requirement_id.lower()})"
