"""Report writers: run.json (schema, round trip), junit.xml, report.html, SARIF, EARL, console
table, diff."""

from __future__ import annotations

import dataclasses
import json
import xml.etree.ElementTree as ET
from html import escape
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from lxml import etree
from rich.console import Console

from conformance.core.catalogue import load_catalogue
from conformance.core.errors import UsageError
from conformance.core.model import (
    Evidence,
    Keyword,
    Level,
    Outcome,
    Report,
    Result,
    TargetSummary,
    Verdict,
)
from conformance.core.summary import level_verdicts, overall_verdict
from conformance.reports import FILE_NAMES, WRITERS, write_reports
from conformance.reports.console import COLUMNS, print_summary, summary_table
from conformance.reports.diff import diff_reports, format_diff
from conformance.reports.html import render_html, write_html
from conformance.reports.json_report import read_json, validate_report_dict, write_json
from conformance.reports.junit import write_junit

SCRIPT = "<script>alert(1)</script>"


def http_evidence(status: int, body: str, note: str = "") -> Evidence:
    """An HTTP exchange as HttpClient.evidence records it (credentials already redacted)."""
    return Evidence(
        "http",
        f"{note}: GET https://agency.test/v1/licenses/X → {status} text/html (12 ms)",
        {
            "request": {
                "method": "GET",
                "url": "https://agency.test/v1/licenses/X?client_secret=[REDACTED]",
                "headers": {"Authorization": "[REDACTED]", "Accept": "application/json"},
                "body": None,
            },
            "response": {
                "status": status,
                "headers": {"Content-Type": "text/html", "X-Echo": SCRIPT},
                "body": body,
                "body_truncated": False,
            },
            "elapsed_ms": 12.0,
            "curl": "curl -sS -i -X GET -H 'Accept: application/json' https://agency.test/v1/x",
        },
    )


def result(
    rid: str,
    outcome: Outcome,
    level: Level = Level.NETWORK,
    keyword: Keyword = Keyword.MUST,
    target: str = "agency",
    evidence: tuple[Evidence, ...] = (),
) -> Result:
    """A result with a message naming its outcome."""
    return Result(
        requirement=rid,
        level=level,
        keyword=keyword,
        target=target,
        outcome=outcome,
        message=f"{rid} is {outcome.value}",
        evidence=evidence,
        duration_s=0.25,
        reproduce=f"conformance run --requirement {rid} --seed 7",
    )


def sample_results() -> tuple[Result, ...]:
    """Every outcome at least once, over all four levels, with hostile and redacted evidence."""
    hostile = http_evidence(200, f"<html><body>{SCRIPT}</body></html>", "licence page")
    return (
        result("DEP-CAT-01", Outcome.PASS, Level.DEPARTMENTAL),
        result("DEP-OAS-03", Outcome.WARN, Level.DEPARTMENTAL, Keyword.SHOULD, evidence=(hostile,)),
        result("NET-TLS-01", Outcome.PASS),
        result(
            "NET-HSTS-01",
            Outcome.FAIL,
            evidence=(
                http_evidence(200, '{"title": "no hsts"}', "home"),
                Evidence("tls", "TLS 1.2 accepted", {"version": "TLSv1.2", "note": SCRIPT}),
            ),
        ),
        result("NET-RATE-01", Outcome.SKIP, keyword=Keyword.SHOULD),
        result("DATA-XML-01", Outcome.ERROR, Level.DATA, evidence=(hostile,)),
        result("DATA-RDF-01", Outcome.NOT_IMPLEMENTED, Level.DATA),
        result("DATA-CL-01", Outcome.NOT_APPLICABLE, Level.DATA),
        result("BUS-WF-01", Outcome.PASS, Level.BUSINESS),
        result("BUS-WF-01", Outcome.FAIL, Level.BUSINESS, target="peer"),
    )


def make_report(results: tuple[Result, ...] | None = None, *, complete: bool = True) -> Report:
    """A report whose verdicts come from the real summariser."""
    chosen = sample_results() if results is None else results
    levels = level_verdicts(chosen)
    return Report(
        schema_version="1.0",
        suite={"name": "interop-conformance", "version": "0.1.0"},
        profile={"name": "full", "digest": "sha256:abc", "source": "profiles/full.yaml"},
        started="2025-01-02T03:04:05+00:00",
        finished="2025-01-02T03:05:05+00:00",
        seed=7,
        targets=(
            TargetSummary("agency", "https://agency.test/v1/"),
            TargetSummary("peer", "https://peer.test/"),
        ),
        results=chosen,
        levels=levels,
        verdict=overall_verdict(levels, complete),
        complete=complete,
    )


@pytest.fixture
def report() -> Report:
    """The sample report with every outcome, interrupted before the end."""
    return make_report(complete=False)


# run.json ------------------------------------------------------------------------------------


def test_run_json_validates_and_round_trips(report: Report, tmp_path: Path) -> None:
    path = write_json(report, tmp_path / "run.json")
    data = json.loads(path.read_text("utf-8"))
    assert validate_report_dict(data) == []
    assert list(data) == list(report.to_dict())
    assert read_json(path) == report
    assert SCRIPT in path.read_text("utf-8")  # stored as data; only renderers escape


def test_run_json_keeps_non_ascii_text(tmp_path: Path) -> None:
    named = dataclasses.replace(
        result("DATA-ENC-01", Outcome.FAIL, Level.DATA), message="名称 read back as 名?"
    )
    path = write_json(make_report((named,)), tmp_path / "run.json")
    assert "名称 read back as 名?" in path.read_text("utf-8")
    assert read_json(path).results[0].message == "名称 read back as 名?"


def _broken(report: Report, tmp_path: Path, change: Any) -> Path:
    data = report.to_dict()
    change(data)
    path = tmp_path / "run.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def test_read_json_refuses_missing_key_naming_it(report: Report, tmp_path: Path) -> None:
    path = _broken(report, tmp_path, lambda d: d.pop("verdict"))
    with pytest.raises(UsageError, match=r"\$: 'verdict' is a required property"):
        read_json(path)


def test_read_json_refuses_bad_outcome_naming_its_path(report: Report, tmp_path: Path) -> None:
    path = _broken(report, tmp_path, lambda d: d["results"][3].update(outcome="passed"))
    with pytest.raises(UsageError, match=r"\$\.results\[3\]\.outcome: 'passed' is not one of"):
        read_json(path)


@pytest.mark.parametrize(
    ("change", "where"),
    [
        (lambda d: d.update(started="yesterday"), r"\$\.started"),
        (lambda d: d.update(seed="7"), r"\$\.seed"),
        (lambda d: d.update(extra=1), r"\$: Additional properties"),
        (
            lambda d: d["results"][0].update(requirement="dep-cat-1"),
            r"\$\.results\[0\]\.requirement",
        ),
        (lambda d: d["results"][0].update(colour="red"), r"\$\.results\[0\]: Additional"),
        (lambda d: d["levels"].update(legal="conformant"), r"\$\.levels"),
        (lambda d: d["levels"].update(data="fine"), r"\$\.levels\.data"),
        (lambda d: d["results"][1]["evidence"][0].pop("detail"), r"evidence\[0\]: 'detail'"),
    ],
)
def test_read_json_refuses_schema_violations(
    report: Report, tmp_path: Path, change: Any, where: str
) -> None:
    with pytest.raises(UsageError, match=where):
        read_json(_broken(report, tmp_path, change))


def test_read_json_refuses_non_json(tmp_path: Path) -> None:
    path = tmp_path / "run.json"
    path.write_text('{"schema_version": ', encoding="utf-8")
    with pytest.raises(UsageError, match=r"run\.json:1:\d+: not valid JSON"):
        read_json(path)


# junit.xml -----------------------------------------------------------------------------------

# The Jenkins/Surefire junit-10.xsd shape, with the per-testcase <properties> that Jenkins and
# GitLab read (pytest's xunit1 family writes them too).
JUNIT_XSD = """<?xml version="1.0" encoding="UTF-8"?>
<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema">
  <xs:simpleType name="SUREFIRE_TIME"><xs:restriction base="xs:string">
    <xs:pattern value="(([0-9]{0,3},)*[0-9]{3}|[0-9]{0,3})*(\\.[0-9]{0,3})?"/>
  </xs:restriction></xs:simpleType>
  <xs:complexType name="outcome" mixed="true">
    <xs:attribute name="type" type="xs:string"/><xs:attribute name="message" type="xs:string"/>
  </xs:complexType>
  <xs:element name="failure" type="outcome"/><xs:element name="error" type="outcome"/>
  <xs:element name="skipped" type="outcome"/>
  <xs:element name="system-out" type="xs:string"/><xs:element name="system-err" type="xs:string"/>
  <xs:element name="property"><xs:complexType>
    <xs:attribute name="name" type="xs:string" use="required"/>
    <xs:attribute name="value" type="xs:string" use="required"/>
  </xs:complexType></xs:element>
  <xs:element name="properties"><xs:complexType><xs:sequence>
    <xs:element ref="property" minOccurs="0" maxOccurs="unbounded"/>
  </xs:sequence></xs:complexType></xs:element>
  <xs:element name="testcase"><xs:complexType><xs:sequence>
    <xs:element ref="properties" minOccurs="0"/>
    <xs:choice minOccurs="0" maxOccurs="unbounded">
      <xs:element ref="skipped"/><xs:element ref="error"/><xs:element ref="failure"/>
      <xs:element ref="system-out"/><xs:element ref="system-err"/>
    </xs:choice></xs:sequence>
    <xs:attribute name="name" type="xs:string" use="required"/>
    <xs:attribute name="time" type="xs:string"/><xs:attribute name="classname" type="xs:string"/>
  </xs:complexType></xs:element>
  <xs:element name="testsuite"><xs:complexType>
    <xs:choice minOccurs="0" maxOccurs="unbounded">
      <xs:element ref="properties"/><xs:element ref="testcase"/>
      <xs:element ref="system-out"/><xs:element ref="system-err"/>
    </xs:choice>
    <xs:attribute name="name" type="xs:string" use="required"/>
    <xs:attribute name="tests" type="xs:string" use="required"/>
    <xs:attribute name="failures" type="xs:string" use="required"/>
    <xs:attribute name="errors" type="xs:string" use="required"/>
    <xs:attribute name="time" type="SUREFIRE_TIME"/><xs:attribute name="skipped" type="xs:string"/>
    <xs:attribute name="timestamp" type="xs:string"/>
  </xs:complexType></xs:element>
  <xs:element name="testsuites"><xs:complexType><xs:sequence>
    <xs:element ref="testsuite" minOccurs="0" maxOccurs="unbounded"/></xs:sequence>
    <xs:attribute name="name" type="xs:string"/><xs:attribute name="time" type="SUREFIRE_TIME"/>
    <xs:attribute name="tests" type="xs:string"/><xs:attribute name="failures" type="xs:string"/>
    <xs:attribute name="errors" type="xs:string"/>
  </xs:complexType></xs:element>
</xs:schema>
"""


def _cases(root: ET.Element) -> dict[str, ET.Element]:
    return {c.get("name", ""): c for c in root.iter("testcase")}


def _props(case: ET.Element) -> dict[str, str]:
    return {p.get("name", ""): p.get("value", "") for p in case.findall("properties/property")}


def test_junit_is_valid_and_has_one_testcase_per_result(report: Report, tmp_path: Path) -> None:
    path = write_junit(report, tmp_path / "junit.xml")
    schema = etree.XMLSchema(etree.fromstring(JUNIT_XSD.encode()))
    document = etree.parse(str(path))
    assert schema.validate(document), schema.error_log
    root = ET.parse(path).getroot()
    assert root.tag == "testsuites"
    cases = _cases(root)
    assert len(list(root.iter("testcase"))) == len(report.results) == len(cases)
    assert set(cases) == {f"{r.requirement}[{r.target}]" for r in report.results}
    assert (root.get("tests"), root.get("failures"), root.get("errors")) == ("10", "2", "1")


def test_junit_suites_count_per_level(report: Report, tmp_path: Path) -> None:
    # one agency: a testsuite per level
    one = dataclasses.replace(
        report,
        targets=report.targets[:1],
        results=tuple(r for r in report.results if r.target == "agency"),
    )
    root = ET.parse(write_junit(one, tmp_path / "junit.xml")).getroot()
    suites = {s.get("name"): s for s in root.findall("testsuite")}
    assert list(suites) == ["departmental", "network", "data", "business"]
    counts = {
        name: tuple(s.get(k) for k in ("tests", "failures", "errors", "skipped", "time"))
        for name, s in suites.items()
    }
    assert counts == {
        "departmental": ("2", "0", "0", "0", "0.500"),
        "network": ("3", "1", "0", "1", "0.750"),
        "data": ("3", "0", "1", "2", "0.750"),
        "business": ("1", "0", "0", "0", "0.250"),
    }
    for suite in suites.values():
        assert {c.get("classname") for c in suite.iter("testcase")} == {suite.get("name")}


def test_junit_of_a_fleet_has_a_testsuite_per_agency(report: Report, tmp_path: Path) -> None:
    root = ET.parse(write_junit(report, tmp_path / "junit.xml")).getroot()
    suites = {s.get("name"): s for s in root.findall("testsuite")}
    assert list(suites) == ["agency", "peer"]
    assert suites["peer"].get("tests") == "1"
    assert suites["peer"].get("failures") == "1"
    props = {p.get("name"): p.get("value") for p in suites["agency"].iter("property")}
    assert props["base_url"] == "https://agency.test/v1/"


def test_junit_elements_per_outcome(report: Report, tmp_path: Path) -> None:
    cases = _cases(ET.parse(write_junit(report, tmp_path / "junit.xml")).getroot())
    failure = cases["NET-HSTS-01[agency]"].find("failure")
    assert failure is not None
    assert failure.get("message") == "NET-HSTS-01 is fail"
    assert "home: GET https://agency.test/v1/licenses/X → 200" in (failure.text or "")
    assert "[tls] TLS 1.2 accepted" in (failure.text or "")
    error = cases["DATA-XML-01[agency]"].find("error")
    assert error is not None
    assert "licence page" in (error.text or "")
    for name, outcome in [
        ("NET-RATE-01[agency]", "skip"),
        ("DATA-RDF-01[agency]", "not-implemented"),
        ("DATA-CL-01[agency]", "not-applicable"),
    ]:
        skipped = cases[name].find("skipped")
        assert skipped is not None
        assert skipped.get("message", "").startswith(f"{outcome}: ")
    warn = cases["DEP-OAS-03[agency]"]
    assert [child.tag for child in warn] == ["properties", "system-out"]
    assert (warn.findtext("system-out") or "").startswith("WARN: DEP-OAS-03 is warn")
    assert _props(warn) == {
        "requirement": "DEP-OAS-03", "level": "departmental", "keyword": "SHOULD",
        "outcome": "warn",
    }  # fmt: skip
    passed = cases["NET-TLS-01[agency]"]
    assert [child.tag for child in passed] == ["properties"]
    assert _props(passed)["outcome"] == "pass"


def test_junit_survives_characters_xml_cannot_hold(tmp_path: Path) -> None:
    dirty = dataclasses.replace(result("DATA-ENC-01", Outcome.FAIL), message="bad \x00\x1b byte")
    root = ET.parse(write_junit(make_report((dirty,)), tmp_path / "junit.xml")).getroot()
    failure = root.find("testsuite/testcase/failure")
    assert failure is not None
    assert failure.get("message") == "bad \ufffd\ufffd byte"


# report.html ---------------------------------------------------------------------------------


def test_html_escapes_agency_content(report: Report) -> None:
    page = render_html(report)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<script" not in page.lower()
    assert "client_secret=[REDACTED]" in page
    assert "Authorization: [REDACTED]" in page


def test_html_is_self_contained(report: Report) -> None:
    page = render_html(report)
    assert page.startswith("<!DOCTYPE html>")
    for external in ("<link", "src=", "@import", "url(", "http-equiv"):
        assert external not in page
    assert "<style>" in page
    assert page.count("<details") == page.count("</details>") >= 4


def test_html_names_every_requirement_failures_first(report: Report) -> None:
    page = render_html(report)
    for r in report.results:
        assert f'<span class="rid">{r.requirement}</span>' in page
    positions = [
        page.index(f'id="{o.value}"') for o in Outcome if o in {r.outcome for r in report.results}
    ]
    assert positions == sorted(positions)
    assert page.index("NET-HSTS-01 is fail") < page.index("DEP-OAS-03 is warn")
    assert page.index("DATA-XML-01 is error") < page.index("DEP-CAT-01 is pass")


def test_html_shows_summary_evidence_and_reproduction(report: Report) -> None:
    page = render_html(report)
    assert "Overall verdict: Not conformant" in page
    assert '<th scope="row">network</th><td class="n">1</td><td class="n">1</td>' in page
    assert "HTTP 200\nContent-Type: text/html" in page
    assert "&quot;title&quot;: &quot;no hsts&quot;" in page  # JSON body re-indented
    assert "curl -sS -i -X GET -H &#x27;Accept: application/json&#x27;" in page
    assert "conformance run --requirement NET-HSTS-01 --seed 7" in page
    assert "&quot;version&quot;: &quot;TLSv1.2&quot;" in page  # non-HTTP detail as JSON
    assert "https://peer.test/" in page
    assert "sha256:abc" in page


def test_html_marks_incomplete_run_only_when_incomplete(report: Report, tmp_path: Path) -> None:
    assert "Incomplete run." in write_html(report, tmp_path / "r.html").read_text("utf-8")
    assert "Incomplete run." not in render_html(make_report(complete=True))


# console -------------------------------------------------------------------------------------


def _rows(report: Report) -> dict[str, list[str]]:
    table = summary_table(report)
    cells = [[str(c) for c in column.cells] for column in table.columns]
    rows = {row[0]: list(row[1:]) for row in zip(*cells, strict=True)}
    rows["total"] = [str(column.footer) for column in table.columns[1:]]
    return rows


def test_console_table_counts(report: Report) -> None:
    assert [name for name, _ in COLUMNS] == [
        "pass", "fail", "warn", "error", "skip", "n/a", "not-impl",
    ]  # fmt: skip
    assert _rows(report) == {
        "departmental": ["1", "0", "1", "0", "0", "0", "0", "conformant"],
        "network": ["1", "1", "0", "0", "1", "0", "0", "not-conformant"],
        "data": ["0", "0", "0", "1", "0", "1", "1", "incomplete"],
        "business": ["1", "1", "0", "0", "0", "0", "0", "not-conformant"],
        "total": ["3", "2", "1", "1", "1", "1", "1", "not-conformant"],
    }


def test_print_summary_lists_problems_and_verdict(report: Report) -> None:
    buffer = StringIO()
    print_summary(report, Console(file=buffer, width=120, force_terminal=False))
    text = buffer.getvalue()
    assert "FAIL  NET-HSTS-01 [agency] NET-HSTS-01 is fail" in text
    assert "FAIL  BUS-WF-01 [peer] BUS-WF-01 is fail" in text
    assert "ERROR DATA-XML-01 [agency]" in text
    assert "WARN  DEP-OAS-03 [agency]" in text
    assert "DEP-CAT-01 is pass" not in text
    assert text.index("NET-HSTS-01 is fail") < text.index("DATA-XML-01 is error")
    assert "verdict: not-conformant" in text
    assert "run incomplete" in text


# diff ----------------------------------------------------------------------------------------


def test_diff_finds_regressions_fixes_and_membership_changes() -> None:
    old = make_report(
        (
            result("NET-HSTS-01", Outcome.PASS),
            result("NET-TLS-01", Outcome.FAIL),
            result("DEP-CAT-01", Outcome.PASS, Level.DEPARTMENTAL),
            result("DATA-XML-01", Outcome.ERROR, Level.DATA),
            result("BUS-WF-01", Outcome.PASS, Level.BUSINESS),
            result("NET-CORS-01", Outcome.SKIP),
        )
    )
    new = make_report(
        (
            result("NET-HSTS-01", Outcome.FAIL),
            result("NET-TLS-01", Outcome.PASS),
            result("DEP-CAT-01", Outcome.WARN, Level.DEPARTMENTAL),
            result("DATA-XML-01", Outcome.PASS, Level.DATA),
            result("BUS-WF-01", Outcome.PASS, Level.BUSINESS),
            result("NET-CORS-01", Outcome.PASS),
            result("NET-HSTS-01", Outcome.PASS, target="peer"),
        )
    )
    d = diff_reports(old, new)
    assert [(c.requirement, c.old, c.new) for c in d.regressed] == [
        ("DEP-CAT-01", Outcome.PASS, Outcome.WARN),
        ("NET-HSTS-01", Outcome.PASS, Outcome.FAIL),
    ]
    assert [(c.requirement, c.old, c.new) for c in d.fixed] == [
        ("DATA-XML-01", Outcome.ERROR, Outcome.PASS),
        ("NET-TLS-01", Outcome.FAIL, Outcome.PASS),
    ]
    assert [(c.requirement, c.old, c.new) for c in d.changed] == [
        ("NET-CORS-01", Outcome.SKIP, Outcome.PASS)
    ]
    assert [(c.requirement, c.target) for c in d.added] == [("NET-HSTS-01", "peer")]
    assert d.removed == ()
    assert d.has_regressions
    back = diff_reports(new, old)
    assert [(c.requirement, c.target) for c in back.removed] == [("NET-HSTS-01", "peer")]
    text = format_diff(d)
    assert text.index("regressed (2):") < text.index("fixed (2):")
    assert "NET-HSTS-01 [agency]: pass → fail: NET-HSTS-01 is fail" in text
    assert "new requirements (1):" in text


def test_diff_of_identical_reports_is_empty(report: Report) -> None:
    d = diff_reports(report, report)
    assert d.regressed == d.fixed == d.changed == d.added == d.removed == ()
    assert "no outcome changed" in format_diff(d)


# write_reports --------------------------------------------------------------------------------


def test_write_reports_writes_each_format(report: Report, tmp_path: Path) -> None:
    out = tmp_path / "nested" / "out"
    written = write_reports(report, out, ["json", "junit", "html", "sarif", "earl", "allure"])
    assert set(written) == set(WRITERS) == set(FILE_NAMES)
    names = {"run.json", "junit.xml", "report.html", "conformance.sarif", "conformance.earl.jsonld"}
    assert {p.name for p in written.values()} == names
    assert all(p.parent == out and p.stat().st_size > 0 for p in written.values())
    assert read_json(written["json"]) == report


def test_write_reports_refuses_unknown_format(report: Report, tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="unknown report format 'pdf'"):
        write_reports(report, tmp_path, ["json", "pdf"])
    assert not (tmp_path / "run.json").exists()


def test_levels_of_the_sample_cover_every_verdict(report: Report) -> None:
    # Guard for the tests above: the sample must exercise all outcomes and verdicts.
    assert {r.outcome for r in report.results} == set(Outcome)
    assert set(report.levels.values()) == set(Verdict)


def test_every_writer_survives_an_answer_body_nested_past_the_parsers_stack(
    tmp_path: Path,
) -> None:
    # The HTML writer re-indents JSON bodies: 4000 characters of "[" (an evidence body cut at
    # its limit) must not end the run without a report.
    deep = result(
        "DATA-FMT-01", Outcome.ERROR, Level.DATA, evidence=(http_evidence(200, "[" * 4000),)
    )
    written = write_reports(make_report((deep,)), tmp_path, ["json", "junit", "html"])
    assert "[[[[" in written["html"].read_text("utf-8")
    assert all(path.is_file() for path in written.values())


def test_html_results_show_statement_and_source_in_catalogue_order() -> None:
    catalogue = load_catalogue()
    later, earlier = "NET-TLS-01", "DEP-CAT-01"  # DEP-* come first in the catalogue
    html = render_html(
        make_report(
            (
                result(later, Outcome.FAIL, Level.NETWORK),
                result(earlier, Outcome.FAIL, Level.DEPARTMENTAL),
            )
        )
    )
    assert escape(catalogue[earlier].statement, quote=True) in html
    assert escape(catalogue[earlier].source, quote=True) in html
    assert html.index(f'id="r-{earlier}') < html.index(f'id="r-{later}')


SARIF_SCHEMA = Path(__file__).parent / "data" / "sarif" / "sarif-schema-2.1.0.json"


def test_sarif_is_valid_against_the_oasis_schema_with_a_result_per_finding(
    report: Report, tmp_path: Path
) -> None:
    import jsonschema

    written = write_reports(report, tmp_path, ["sarif"])["sarif"]
    assert written.name == "conformance.sarif"
    log = json.loads(written.read_text("utf-8"))
    schema = json.loads(SARIF_SCHEMA.read_text("utf-8"))
    jsonschema.Draft4Validator(schema).validate(log)
    (run,) = log["runs"]
    found = {(r["ruleId"], r["properties"]["target"], r["level"]) for r in run["results"]}
    assert found == {
        ("DEP-OAS-03", "agency", "warning"),
        ("NET-HSTS-01", "agency", "error"),
        ("BUS-WF-01", "peer", "error"),
    }
    rules = {rule["id"]: rule for rule in run["tool"]["driver"]["rules"]}
    assert rules["NET-HSTS-01"]["shortDescription"]["text"] == (
        load_catalogue()["NET-HSTS-01"].statement
    )
    hsts = next(r for r in run["results"] if r["ruleId"] == "NET-HSTS-01")
    uris = [loc["physicalLocation"]["artifactLocation"]["uri"] for loc in hsts["locations"]]
    assert uris == ["https://agency.test/v1/licenses/X?client_secret=[REDACTED]"]


EARL = "http://www.w3.org/ns/earl#"
# the terms of EARL 1.0, Dublin Core, DOAP and Pointers in RDF the writer may use: a misspelt
# term would still parse (as an IRI nobody defines), so the test lists the real ones
EARL_TERMS = {
    *(EARL + t for t in ("Assertion", "Assertor", "Software", "TestSubject", "TestRequirement")),
    *(EARL + t for t in ("TestCase", "TestResult", "assertedBy", "subject", "test", "result")),
    *(EARL + t for t in ("mode", "outcome", "info", "pointer")),
    *("http://purl.org/dc/terms/" + t for t in ("identifier", "title", "description", "source")),
    "http://purl.org/dc/terms/date",
    *(
        "http://usefulinc.com/ns/doap#" + t
        for t in ("Project", "Version", "name", "release", "homepage")
    ),
    "http://usefulinc.com/ns/doap#revision",
    "http://www.w3.org/2009/pointers#Pointer",
    "http://www.w3.org/2009/pointers#reference",
    "http://www.w3.org/1999/02/22-rdf-syntax-ns#type",
}
EARL_ASSERTIONS = """
    PREFIX earl: <http://www.w3.org/ns/earl#>
    PREFIX dct: <http://purl.org/dc/terms/>
    SELECT ?rid ?target ?base ?outcome WHERE {
      ?assertion a earl:Assertion ; earl:test ?test ; earl:subject ?subject ;
        earl:mode earl:automatic ; earl:result ?result .
      ?result a earl:TestResult ; earl:outcome ?outcome .
      ?test a earl:TestRequirement ; dct:identifier ?rid .
      ?subject a earl:TestSubject ; dct:title ?target ; dct:source ?base .
    }"""


@pytest.mark.filterwarnings("ignore:ConjunctiveGraph is deprecated:DeprecationWarning")
def test_earl_is_json_ld_with_an_assertion_per_result_linking_subject_and_test(
    report: Report, tmp_path: Path
) -> None:
    import rdflib

    written = write_reports(report, tmp_path, ["earl"])["earl"]
    assert written.name == "conformance.earl.jsonld"
    graph = rdflib.Graph().parse(written, format="json-ld")
    used = {str(p) for p in graph.predicates()} | {
        str(o) for o in graph.objects(None, rdflib.RDF.type)
    }
    assert used <= EARL_TERMS, used - EARL_TERMS
    earl_outcome = {
        Outcome.PASS: "passed", Outcome.FAIL: "failed", Outcome.WARN: "failed",
        Outcome.ERROR: "cantTell", Outcome.SKIP: "untested",
        Outcome.NOT_APPLICABLE: "inapplicable", Outcome.NOT_IMPLEMENTED: "untested",
    }  # fmt: skip
    bases = {t.name: t.base_url for t in report.targets}
    expected = [
        (r.requirement, r.target, bases[r.target], earl_outcome[r.outcome]) for r in report.results
    ]
    found = [
        (str(rid), str(target), str(base), str(outcome).removeprefix(EARL))
        for rid, target, base, outcome in graph.query(EARL_ASSERTIONS)
    ]
    assert sorted(found) == sorted(expected)  # one assertion per result, none twice
    assert ("BUS-WF-01", "peer", "https://peer.test/", "failed") in found

    (suite,) = graph.subjects(rdflib.RDF.type, rdflib.URIRef(EARL + "Software"))
    doap = rdflib.Namespace("http://usefulinc.com/ns/doap#")
    assert str(graph.value(suite, doap.name)) == "interop-conformance"
    assert str(graph.value(graph.value(suite, doap.release), doap.revision)) == "0.1.0"
    assert set(graph.subjects(rdflib.URIRef(EARL + "assertedBy"), suite)) == set(
        graph.subjects(rdflib.RDF.type, rdflib.URIRef(EARL + "Assertion"))
    )


@pytest.mark.filterwarnings("ignore:ConjunctiveGraph is deprecated:DeprecationWarning")
def test_earl_results_carry_statement_message_date_and_the_urls_requested(
    report: Report, tmp_path: Path
) -> None:
    import rdflib

    graph = rdflib.Graph().parse(
        write_reports(report, tmp_path, ["earl"])["earl"], format="json-ld"
    )
    rows = graph.query(
        """
        PREFIX earl: <http://www.w3.org/ns/earl#>
        PREFIX dct: <http://purl.org/dc/terms/>
        PREFIX ptr: <http://www.w3.org/2009/pointers#>
        SELECT ?rid ?statement ?source ?message ?date ?url WHERE {
          ?assertion earl:test ?test ; earl:result ?result .
          ?test dct:identifier ?rid ; dct:description ?statement ; dct:source ?source .
          ?result dct:description ?message ; dct:date ?date .
          OPTIONAL { ?result earl:pointer/ptr:reference ?url }
        }"""
    )
    by_id = {str(row[0]): row for row in rows}
    catalogue = load_catalogue()
    _, statement, source, message, date, url = by_id["NET-HSTS-01"]
    assert (str(statement), str(source)) == (
        catalogue["NET-HSTS-01"].statement,
        catalogue["NET-HSTS-01"].source,
    )
    assert str(message) == "NET-HSTS-01 is fail"
    assert date.datatype == rdflib.XSD.dateTime
    assert str(date) == report.finished
    assert url == rdflib.URIRef("https://agency.test/v1/licenses/X?client_secret=%5BREDACTED%5D")
    warned = str(by_id["DEP-OAS-03"][3])
    assert warned == "SHOULD not met (a warning: it fails no level): DEP-OAS-03 is warn"


def test_the_writers_name_where_the_suite_is_published():
    import tomllib

    from conformance.core.version import HOMEPAGE

    project = tomllib.loads((Path(__file__).parents[1] / "pyproject.toml").read_text("utf-8"))
    assert project["project"]["urls"]["Homepage"] == HOMEPAGE
    action = (Path(__file__).parents[1] / "action.yml").read_text("utf-8")
    assert f"uses: {HOMEPAGE.removeprefix('https://github.com/')}@" in action
