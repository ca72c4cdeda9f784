"""DATA-SCH-02, DATA-NEG-01, DATA-NEG-02, DATA-CNEG-01, DATA-FMT-01, DATA-ENC-01 both ways."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest
import requests
from checks_support import Faulted, run
from lxml import etree

from conformance.client.http import Exchange
from conformance.core.model import Outcome, SafetyClass
from conformance.data import field_map, formats, text_roundtrip
from conformance.documents.openapi import OpenApiDocument
from conformance.inputs.target import Target

FAST = ("DATA-NEG-02", "DATA-CNEG-01", "DATA-FMT-01", "DATA-ENC-01")
GENERATED = ("DATA-SCH-02", "DATA-NEG-01")
GENERATED_AND_FAST = GENERATED + FAST


# -- both ways on the reference agency ---------------------------------------------------------
def test_clean_agency_passes_the_fast_checks(clean: Target) -> None:
    results = run(clean, FAST)
    for rid in FAST:
        assert results[rid].outcome is Outcome.PASS, (rid, results[rid].message)


@pytest.mark.slow
def test_clean_agency_passes_the_generated_checks(clean: Target) -> None:
    results = run(clean, GENERATED)
    for rid in GENERATED:
        assert results[rid].outcome is Outcome.PASS, (rid, results[rid].message)
    generation = results["DATA-NEG-01"].evidence[0].detail
    assert generation["seed"] == 1
    assert "POST /applications" in generation["exercised"]
    assert generation["skipped"]["GET /health"] == "nothing in its request can violate the schema"


@pytest.mark.slow
def test_a_server_error_names_the_request_its_replay_and_the_seed(faulted: Faulted) -> None:
    result = faulted("DATA-SCH-02", GENERATED)["DATA-SCH-02"]
    assert "GET /licenses/{code}" in result.message
    assert "answered 500" in result.message
    assert "seed 1" in result.message
    note = next(e for e in result.evidence if e.kind == "validation")
    assert note.detail["check"] == "not_a_server_error"
    assert note.detail["request"]["url"].split("/v1/licenses/")[1]  # the generated code
    assert result.reproduce.startswith("curl ")
    assert "/v1/licenses/" in result.reproduce


@pytest.mark.slow
def test_an_accepted_violation_names_what_was_violated(faulted: Faulted) -> None:
    result = faulted("DATA-NEG-01", GENERATED)["DATA-NEG-01"]
    assert "POST /applications" in result.message
    assert "unexpected properties" in result.message
    assert "expected 4xx" in result.message
    note = next(e for e in result.evidence if e.kind == "validation")
    assert note.detail["check"] == "negative_data_rejection"
    assert "x-schemathesis-unknown-property" in (note.detail["request"]["body"] or "")
    assert "$CONFORMANCE_TOKEN" in result.reproduce  # the bearer token never appears


def test_negative_generation_stays_read_only_without_write(clean: Target) -> None:
    read_only = replace(clean, safety=replace(clean.safety, allow=frozenset({SafetyClass.READ})))
    results = run(read_only, ("DATA-NEG-01",))
    generation = results["DATA-NEG-01"].evidence[0].detail
    assert results["DATA-NEG-01"].outcome is Outcome.PASS, results["DATA-NEG-01"].message
    assert set(generation["methods"]) <= {"GET", "HEAD"}


def test_broken_requests_name_status_and_rule(faulted: Faulted) -> None:
    result = faulted("DATA-NEG-02", FAST)["DATA-NEG-02"]
    assert "malformed JSON body" in result.message
    assert "malformed XML body" in result.message
    assert "answered 422, expected 400 (RFC 9110 §15.5.1)" in result.message
    assert result.reproduce.startswith("curl ")


def test_field_differences_name_pointer_and_xpath(faulted: Faulted) -> None:
    result = faulted("DATA-CNEG-01", FAST)["DATA-CNEG-01"]
    notes = [e.detail for e in result.evidence if e.kind == "field"]
    assert {n["pointer"] for n in notes} == {"/enterprise_name"}
    assert all(n["xml"] == n["json"] + "（分公司）" for n in notes)
    assert "/lic:license/lic:enterprise_name" in result.message


def test_a_timestamp_without_offset_is_named_with_its_pointer(faulted: Faulted) -> None:
    result = faulted("DATA-FMT-01", FAST)["DATA-FMT-01"]
    notes = [e.detail for e in result.evidence if e.kind == "format"]
    assert {"pointer": "/items/0/issued_at", "value": "2024-05-01T09:30:00"}.items() <= notes[
        0
    ].items()
    assert "RFC 3339 §5.6" in result.message


def test_mojibake_is_shown_with_code_points(faulted: Faulted) -> None:
    result = faulted("DATA-ENC-01", FAST)["DATA-ENC-01"]
    notes = {
        (e.detail["pointer"], e.summary.split(" ")[0]) for e in result.evidence if e.kind == "text"
    }
    assert ("/enterprise/name", "read") in notes
    assert ("/enterprise/name", "write") in notes
    sent = next(e.detail for e in result.evidence if e.kind == "text")
    assert sent["sent_code_points"].startswith("U+")
    assert "U+20BB7" in next(
        e.detail["sent_code_points"]
        for e in result.evidence
        if e.kind == "text" and e.detail["pointer"] == "/enterprise/name"
    )


def test_no_declared_field_map_is_a_skip(clean: Target) -> None:
    resources = {
        name: {k: v for k, v in spec.items() if k != "field_map"}
        for name, spec in clean.inputs["resources"].items()
    }
    results = run(replace(clean, inputs={**clean.inputs, "resources": resources}), FAST)
    assert results["DATA-CNEG-01"].outcome is Outcome.SKIP
    assert "field_map" in results["DATA-CNEG-01"].message


# -- the parts, on their own -------------------------------------------------------------------
NS = {"l": "urn:x"}
XML = b'<l xmlns="urn:x"><n>3.50</n><b>1</b><s>\xe5\x8c\x97\xe4\xba\xac</s><e/></l>'


@pytest.mark.parametrize(
    ("document", "fields", "reason"),
    [
        (
            {"n": 3.5, "b": True, "s": "北京"},
            {"/n": "/l:l/l:n", "/b": "/l:l/l:b", "/s": "/l:l/l:s"},
            None,
        ),
        ({"n": 3.6}, {"/n": "/l:l/l:n"}, "different values"),
        ({"s": "北京 "}, {"/s": "/l:l/l:s"}, "different values"),
        ({"x": "a"}, {"/x": "/l:l/l:x"}, "present in the JSON, absent from the XML"),
        ({}, {"/s": "/l:l/l:s"}, "absent from the JSON, present in the XML"),
        ({"s": "北京"}, {"/s": "string(/l:l/l:s)"}, None),
    ],
)
def test_field_map_comparison(document: Any, fields: dict[str, str], reason: str | None) -> None:
    mismatches, compared = field_map.compare(document, etree.fromstring(XML), fields, NS)
    assert compared == len(fields)
    assert [m.reason for m in mismatches] == ([reason] if reason else [])


def test_field_map_absent_on_both_sides_is_not_compared() -> None:
    mismatches, compared = field_map.compare({}, etree.fromstring(XML), {"/z": "/l:l/l:z"}, NS)
    assert (mismatches, compared) == ([], 0)


@pytest.mark.parametrize(
    ("value", "valid"),
    [
        ("2024-05-01T09:30:00+08:00", True),
        ("2024-05-01t01:30:00.25z", True),
        ("2016-12-31T23:59:60Z", True),
        ("2024-05-01T09:30:00", False),
        ("2024-05-01 09:30:00+08:00", False),
        ("2024-02-30T09:30:00Z", False),
        ("2024-05-01T09:30:00+0800", False),
    ],
)
def test_rfc3339_needs_the_offset(value: str, valid: bool) -> None:
    assert formats.is_rfc3339(value) is valid


def test_declared_formats_are_asserted_and_other_keywords_ignored() -> None:
    document = OpenApiDocument(
        "https://x.test/openapi.json",
        {
            "openapi": "3.1.0",
            "components": {
                "schemas": {
                    "T": {
                        "type": "object",
                        "properties": {
                            "id": {"type": "string", "format": "uuid"},
                            "mail": {"type": "string", "format": "email"},
                            "n": {"type": "integer"},
                        },
                    }
                }
            },
        },
    )
    schema = {"$ref": "#/components/schemas/T"}
    body = {"id": "not-a-uuid", "mail": "ok@example.org", "n": "a string"}
    problems = formats.declared_format_problems(document, schema, body)
    assert [(p.pointer, p.expected) for p in problems] == [("/id", "uuid")]


def exchange(body: bytes, content_type: str) -> Exchange:
    headers = requests.structures.CaseInsensitiveDict({"Content-Type": content_type})
    return Exchange("GET", "https://x.test/a", {}, None, 200, headers, body, 0.01)


@pytest.mark.parametrize(
    ("body", "content_type", "problem"),
    [
        ("北京".encode(), "application/json", ""),
        ("北京".encode(), "application/json; charset=utf-8", ""),
        ("北京".encode("gb18030"), "application/json", "the body is not UTF-8"),
        (b"{}", "application/json; charset=iso-8859-1", "charset=iso-8859-1"),
        (b"\xef\xbb\xbf{}", "application/json", "byte order mark"),
    ],
)
def test_answers_must_be_utf8(body: bytes, content_type: str, problem: str) -> None:
    found = text_roundtrip.encoding_problem(exchange(body, content_type))
    assert (problem in found and bool(found)) if problem else found == ""


def test_only_non_ascii_strings_are_round_tripped() -> None:
    body = {"a": "ascii", "b": {"c/d": "北京"}, "e": ["x", "𠮷"], "f": 1}
    assert text_roundtrip.non_ascii_strings(body) == {"/b/c~1d": "北京", "/e/1": "𠮷"}
