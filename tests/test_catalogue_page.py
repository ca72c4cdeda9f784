"""docs/REQUIREMENTS.md: the catalogue as a page, never stale, and read as the catalogue says."""

from __future__ import annotations

import re
from html import unescape
from pathlib import Path

from click.testing import CliRunner
from markdown_it import MarkdownIt

from conformance.cli import main
from conformance.core.catalogue import Catalogue, load_catalogue
from conformance.core.model import Keyword, Level, Parameter, Requirement, SafetyClass
from conformance.reports.catalogue_page import PAGE_PATH, REGENERATE, catalogue_page

ROOT = Path(__file__).resolve().parents[1]


def rendered_text(markdown: str) -> str:
    """What a reader sees: the page rendered (CommonMark and tables), tags dropped."""
    html = MarkdownIt("commonmark").enable("table").render(markdown)
    return unescape(re.sub(r"<[^>]+>", "", html))


def test_the_page_checked_in_is_the_one_the_catalogue_gives_now() -> None:
    checked_in = (ROOT / PAGE_PATH).read_text("utf-8")
    assert checked_in == catalogue_page(), (
        f"{PAGE_PATH} is stale: regenerate it with `.venv/bin/{REGENERATE}` and commit it"
    )


def test_every_requirement_has_its_section_under_its_level_in_catalogue_order() -> None:
    page, catalogue = catalogue_page(), load_catalogue()
    levels = re.findall(r"^## (\w+)$", page, flags=re.MULTILINE)
    assert levels == [level.value for level in Level]
    sections = re.split(r"^## \w+$", page, flags=re.MULTILINE)[1:]
    for level, section in zip(Level, sections, strict=True):
        ids = re.findall(r"^### (\S+)$", section, flags=re.MULTILINE)
        assert ids == [rid for rid, r in catalogue.items() if r.level is level], level


def test_a_requirement_shows_keyword_class_source_statement_parameters_dependencies() -> None:
    page, req = catalogue_page(), load_catalogue()["DEP-OAS-02"]
    section = page.split("### DEP-OAS-02\n", 1)[1].split("\n### ", 1)[0]
    seen = rendered_text(section)
    assert f"{req.keyword.value} · safety class {req.safety.value} · source: {req.source}" in seen
    assert req.statement in seen
    assert f"How it is tested: {req.how_tested}" in seen
    (parameter,) = req.parameters
    assert f"{parameter.name} = {parameter.default}: {parameter.description}" in seen
    assert "Skipped when these fail: DEP-OAS-01" in seen
    assert "[DEP-OAS-01](#dep-oas-01)" in section
    assert "\n### DEP-OAS-01\n" in page  # the anchor the link names


def test_catalogue_text_is_shown_as_written_not_read_as_markup() -> None:
    hostile = "- <script>x</script> *a* _b_ [c](d) `e` | f $g$ ~~h~~ &amp; #i 1. j"
    req = Requirement(
        id="DEP-XSS-01",
        level=Level.DEPARTMENTAL,
        keyword=Keyword.MUST,
        statement=hostile,
        source="1. RFC *9999*",
        safety=SafetyClass.READ,
        parameters=(Parameter("p", {"a": "`b`"}, "<name> of _it_"),),
        how_tested=f"multi-line\n{hostile}",
    )
    page = catalogue_page(Catalogue([req]))
    seen = rendered_text(page)
    assert f"\n{hostile}\n" in seen  # its own paragraph, not a list
    assert f"How it is tested: multi-line {hostile}" in seen
    assert "source: 1. RFC *9999*" in seen
    assert 'p = {"a": "`b`"}: <name> of _it_' in seen
    assert "<script>" not in MarkdownIt("commonmark").render(page)


def test_the_command_prints_the_page_or_writes_it(tmp_path: Path) -> None:
    printed = CliRunner().invoke(main, ["catalogue"])
    assert printed.exit_code == 0, printed.output
    assert printed.output == catalogue_page()
    out = tmp_path / "docs" / "REQUIREMENTS.md"
    written = CliRunner().invoke(main, ["catalogue", "--out", str(out)])
    assert written.exit_code == 0, written.output
    assert out.read_text("utf-8") == catalogue_page()
