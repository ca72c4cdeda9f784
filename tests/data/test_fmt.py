"""DATA-FMT-01 (conformance/data/fmt.py): a timestamp without offset; an answer too deep to
parse."""

from __future__ import annotations

from pathlib import Path

import pytest
from agencies import Answer, agency, document, ok_json, operation, target
from checks_support import Faulted

from conformance.core.model import Outcome
from conformance.engine import Engine
from conformance.inputs.profile import load_profile
from conformance.reports import write_reports

from .requirement_sets import FAST


def test_a_timestamp_without_offset_is_named_with_its_pointer(faulted: Faulted) -> None:
    result = faulted("DATA-FMT-01", FAST)["DATA-FMT-01"]
    notes = [e.detail for e in result.evidence if e.kind == "format"]
    assert {"pointer": "/items/0/issued_at", "value": "2024-05-01T09:30:00"}.items() <= notes[
        0
    ].items()
    assert "RFC 3339 §5.6" in result.message


def test_an_answer_nested_100k_deep_is_an_error_and_every_report_is_written(
    tmp_path: Path,
) -> None:
    # RFC 8259 §9 lets a parser limit nesting; the suite's limit turns such an answer into an
    # error naming it (not a RecursionError), the other answer is still judged, and the HTML
    # writer (which re-indents JSON bodies) still writes its report.
    deep = b"[" * 100_000 + b"]" * 100_000

    def answer(path: str, _: dict[str, str]) -> Answer:
        if path == "/deep":
            return 200, {"Content-Type": "application/json"}, deep
        return ok_json({"issued_at": "2024-05-01T09:30:00Z"})

    with agency(answer) as (base, _):
        doc = document(
            base,
            {
                "/deep": {"get": operation({"type": "array"}, operationId="deep")},
                "/fine": {"get": operation({"type": "object"}, operationId="fine")},
            },
        )
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(
                "conformance.client.discovery.Discovery.openapi_documents", lambda self: [doc]
            )
            report = Engine(load_profile("data"), [target(base)], only=["DATA-FMT-01"]).run()
    result = report.results[0]
    assert result.outcome is Outcome.ERROR, result.message
    assert "1 of 2 answer(s) could not be judged" in result.message
    assert "nests deeper than 100 levels" in result.message
    written = write_reports(report, tmp_path, ["json", "junit", "html"])
    assert all(path.is_file() for path in written.values())


@pytest.mark.parametrize(
    ("body", "schema", "outcome"),
    [
        ({"name": "x"}, {"type": "object"}, Outcome.NOT_APPLICABLE),  # nothing to break
        ({"at": "2024-05-01T09:30:00Z"}, {"type": "object"}, Outcome.PASS),  # a timestamp
        ({"mail": "a@b.example"}, {"properties": {"mail": {"format": "email"}}}, Outcome.PASS),
    ],
)
def test_answers_with_nothing_a_format_could_break_are_not_a_pass(body, schema, outcome) -> None:
    # An agency answering `{}` to everything passed: "every timestamp RFC 3339, every declared
    # format holds" of answers that had neither. That says nothing about the agency.
    with agency(lambda _path, _headers: ok_json(body)) as (base, _):
        doc = document(base, {"/things": {"get": operation(schema, operationId="things")}})
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(
                "conformance.client.discovery.Discovery.openapi_documents", lambda self: [doc]
            )
            report = Engine(load_profile("data"), [target(base)], only=["DATA-FMT-01"]).run()
    result = report.results[0]
    assert result.outcome is outcome, result.message
    if outcome is Outcome.NOT_APPLICABLE:
        assert "carry no timestamp and their schemas declare no format" in result.message
