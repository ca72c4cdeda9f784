"""The pytest plugin, from outside (pytester), against the real reference agency."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

import pytest


@pytest.mark.slow
def test_plugin_turns_requirements_into_items(pytester):
    result = pytester.runpytest_subprocess(
        "--conformance-profile=departmental",
        "--conformance-requirement=DEP-CAT-01",
        "--conformance-requirement=DEP-HLT-01",
        "-v",
        "--junitxml=junit.xml",
        "-p",
        "no:cacheprovider",
    )
    result.stdout.fnmatch_lines(
        [
            "*DEP-CAT-01?reference-agency? PASS*",
            "*DEP-HLT-01?reference-agency? PASS*",
            "*conformance summary*",
        ]
    )
    assert result.ret == 2  # two requirements of the profile: the verdict is incomplete
    testcase = ET.parse(pytester.path / "junit.xml").getroot().find(".//testcase")
    assert testcase is not None
    props = {p.get("name"): p.get("value") for p in testcase.iter("property")}
    assert props["requirement"] == "DEP-CAT-01"
    assert props["outcome"] == "pass"


@pytest.mark.slow
def test_plugin_reports_a_failure_once_with_requirement_message_and_evidence(pytester):
    pytester.makepyfile(test_other="def test_other():\n    assert 1 == 2\n")
    result = pytester.runpytest_subprocess(
        "--conformance-profile=departmental",
        "--conformance-requirement=DEP-CAT-01",
        "--conformance-fault=DEP-CAT-01",
        "--conformance-out=out",
        "--junitxml=junit.xml",
        "-vv",  # the conformance summary then shows each problem's evidence
        "-p",
        "no:cacheprovider",
        "test_other.py",
    )
    result.stdout.fnmatch_lines(
        [
            "*FAILURES*",
            "*test_other*",  # an ordinary test keeps pytest's failure section
            "*conformance summary*",
            "*FAIL  DEP-CAT-01 ?reference-agency? *",
            "*evidence: api-catalog: GET*",
        ]
    )
    text = result.stdout.str()
    assert " ".join(text.split()).count("answered 406, expected 200") == 1, text
    assert "DEP-CAT-01 (MUST) fail" not in text  # not in pytest's sections: printed once
    assert result.ret == 1
    assert (pytester.path / "out" / "run.json").is_file()
    junit = ET.parse(pytester.path / "junit.xml").getroot()
    case = next(c for c in junit.iter("testcase") if "DEP-CAT-01" in c.get("name", ""))
    failure = case.find("failure")
    assert failure is not None  # JUnit keeps the requirement, message and evidence
    assert "DEP-CAT-01 (MUST) fail" in (failure.text or "")
    assert "evidence: api-catalog: GET" in (failure.text or "")


def test_markers_select_by_level(pytester):
    result = pytester.runpytest_subprocess(
        "--conformance-profile=full",
        "--co",
        "-q",
        "-m",
        "network and must",
        "-p",
        "no:cacheprovider",
    )
    collected = [line for line in result.stdout.lines if "::" in line]
    assert collected
    assert all("NET-" in line for line in collected)


def test_malformed_profile_is_a_usage_error(pytester):
    pytester.makefile(".yaml", bad="select: ['NOPE-*']\n")
    result = pytester.runpytest_subprocess(
        "--conformance-profile=bad.yaml", "--conformance-target=https://127.0.0.1:9"
    )
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*bad.yaml:1: select.0: 'NOPE-*' matches no requirement*"])


@pytest.mark.slow
def test_a_deselected_requirement_is_in_the_scope_and_the_exit_code_follows_the_verdict(
    pytester,
):
    result = pytester.runpytest_subprocess(
        "--conformance-profile=departmental",
        "--conformance-requirement=DEP-CAT-01",
        "--conformance-requirement=DEP-HLT-01",
        "-k",
        "not DEP-HLT-01",
        "--conformance-out=out",
        "-p",
        "no:cacheprovider",
    )
    assert result.ret == 2, result.stdout.str()
    data = json.loads((pytester.path / "out" / "run.json").read_text())
    assert data["verdict"] == "incomplete"
    assert data["complete"] is True  # nothing was interrupted: it was narrowed
    assert data["scope"]["narrowed"] is True
    assert data["scope"]["narrowing"]["deselected"] == ["DEP-HLT-01"]
    assert data["scope"]["ran"] == ["DEP-CAT-01"]
