"""junit.xml: one testcase per requirement × target, one testsuite per level, for any CI system."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Sequence
from pathlib import Path

from conformance.core.model import Level, Outcome, Report, Result, TargetSummary

SKIPPED_OUTCOMES = frozenset({Outcome.SKIP, Outcome.NOT_IMPLEMENTED, Outcome.NOT_APPLICABLE})
MESSAGE_CHARS = 500
# Characters XML 1.0 cannot carry at all; an agency's body may hold them.
_NOT_XML = re.compile("[^\x09\x0a\x0d\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def junit_tree(report: Report) -> ET.ElementTree[ET.Element]:
    """The JUnit document of a report (testsuites > testsuite per level > testcase)."""
    root = ET.Element("testsuites", name=report.suite.get("name", "conformance"))
    if len(report.targets) > 1:  # a fleet: one testsuite per agency, with its own verdict
        for target in report.targets:
            own = [r for r in report.results if r.target == target.name]
            root.append(_agency_suite(report, target, own))
    else:
        by_level: dict[Level, list[Result]] = {}
        for result in report.results:
            by_level.setdefault(result.level, []).append(result)
        for level in Level:
            if level in by_level:
                root.append(_testsuite(report, level, by_level[level]))
    _set_counts(root, report.results)
    del root.attrib["skipped"]  # junit-10.xsd declares no `skipped` on <testsuites>
    ET.indent(root)
    return ET.ElementTree(root)


def write_junit(report: Report, path: Path) -> Path:
    """Write junit.xml to `path` and return it."""
    path = Path(path)
    junit_tree(report).write(path, encoding="utf-8", xml_declaration=True)
    return path


def _testsuite(report: Report, level: Level, results: Sequence[Result]) -> ET.Element:
    """The testsuite of one level, with the run's facts as suite properties."""
    suite = ET.Element("testsuite", name=level.value, timestamp=report.started)
    _set_counts(suite, results)
    properties = ET.SubElement(suite, "properties")
    verdict = report.levels.get(level.value)
    facts = {
        "profile": report.profile.get("name", ""),
        "profile_digest": report.profile.get("digest", ""),
        "seed": str(report.seed),
        "level_verdict": verdict.value if verdict else "",
        "verdict": report.verdict.value,
        "complete": str(report.complete).lower(),
    }
    for name, value in facts.items():
        ET.SubElement(properties, "property", name=name, value=value)
    for result in results:
        suite.append(_testcase(result))
    return suite


def _agency_suite(report: Report, target: TargetSummary, results: Sequence[Result]) -> ET.Element:
    """The testsuite of one agency of a fleet: its results, its verdict and level verdicts."""
    suite = ET.Element("testsuite", name=_xml(target.name), timestamp=report.started)
    _set_counts(suite, results)
    properties = ET.SubElement(suite, "properties")
    facts = {
        "base_url": target.base_url,
        "profile": report.profile.get("name", ""),
        "seed": str(report.seed),
        "verdict": target.verdict.value if target.verdict else "",
        **{f"level_verdict.{k}": v.value for k, v in target.levels.items()},
        "untested": target.untested,
        "complete": str(report.complete).lower(),
    }
    for name, value in facts.items():
        ET.SubElement(properties, "property", name=name, value=_xml(value))
    for result in results:
        suite.append(_testcase(result))
    return suite


def _testcase(result: Result) -> ET.Element:
    """One result as a testcase: failure, error, skipped, or a pass (warn noted in system-out)."""
    case = ET.Element(
        "testcase",
        classname=result.level.value,
        name=_xml(f"{result.requirement}[{result.target}]"),
        time=_seconds(result.duration_s),
    )
    properties = ET.SubElement(case, "properties")
    for name, value in (
        ("requirement", result.requirement),
        ("level", result.level.value),
        ("keyword", result.keyword.value),
        ("outcome", result.outcome.value),
    ):
        ET.SubElement(properties, "property", name=name, value=value)
    message = _short(result.message)
    if result.waiver is not None:  # known and accepted until its date: visible, not red
        w = result.waiver
        ET.SubElement(
            case,
            "skipped",
            type="waived",
            message=_short(
                f"{result.outcome.value} waived until {w.get('expires')} by {w.get('owner')}: "
                f"{w.get('reason')} ({w.get('source')}): {result.message}"
            ),
        )
        return case
    if result.outcome is Outcome.FAIL:
        failure = ET.SubElement(case, "failure", message=message, type=result.keyword.value)
        failure.text = _details(result)
    elif result.outcome is Outcome.ERROR:
        error = ET.SubElement(case, "error", message=message, type="inconclusive")
        error.text = _details(result)
    elif result.outcome in SKIPPED_OUTCOMES:
        ET.SubElement(case, "skipped", message=f"{result.outcome.value}: {message}")
    elif result.outcome is Outcome.WARN:
        out = ET.SubElement(case, "system-out")
        out.text = "WARN: " + _details(result)
    return case


def _details(result: Result) -> str:
    """The body of a failure/error: the message, the evidence summaries, the replay line."""
    lines = [result.message, ""]
    lines += [f"[{e.kind}] {e.summary}" for e in result.evidence]
    if result.reproduce:
        lines += ["", f"reproduce: {result.reproduce}"]
    return _xml("\n".join(lines).rstrip() + "\n")


def _set_counts(element: ET.Element, results: Iterable[Result]) -> None:
    """The tests/failures/errors/skipped/time attributes of a suite."""
    items = list(results)
    outcomes = [r.outcome for r in items]
    element.set("tests", str(len(items)))
    element.set("failures", str(outcomes.count(Outcome.FAIL)))
    element.set("errors", str(outcomes.count(Outcome.ERROR)))
    element.set("skipped", str(sum(o in SKIPPED_OUTCOMES for o in outcomes)))
    element.set("time", _seconds(sum(r.duration_s for r in items)))


def _seconds(value: float) -> str:
    """A time in the Surefire shape (no thousands separator, at most 3 decimals)."""
    return f"{max(value, 0.0):.3f}"


def _short(text: str) -> str:
    """A one-line message attribute of bounded length."""
    line = _xml(" ".join(text.split()))
    return line if len(line) <= MESSAGE_CHARS else line[: MESSAGE_CHARS - 1] + "…"


def _xml(text: str) -> str:
    """Text with the characters XML 1.0 forbids replaced, so the file always parses."""
    return _NOT_XML.sub("\ufffd", text)
