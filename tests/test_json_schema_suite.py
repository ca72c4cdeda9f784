"""The validator's verdicts agree with the official JSON Schema Test Suite (draft 2020-12).

The validator is the one response bodies are judged with: schemathesis validates OpenAPI 3.1
bodies with `jsonschema_rs.Draft202012Validator` (DATA-SCH-01), and DATA-FMT-01 asserts formats
with the same class. Every case of `tests/draft2020-12/*.json` runs with format as an annotation
(the default of 2020-12); `optional/format/*.json` runs with format asserted, as DATA-FMT-01
does; the other `optional/*.json` files run as the required ones. Nothing is excluded: the
validator meets every case. Remote references (`http://localhost:1234/...`) are served from the
suite's `remotes/` directory, never fetched. The corpus is read in place (see its SOURCE.txt).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema_rs
import pytest
from schemathesis.specs.openapi.adapter import v3_1

from conformance.data import formats

CORPUS = Path(__file__).parents[1] / ".." / "shared" / "corpora" / "json-schema-test-suite"
DRAFT = CORPUS / "tests" / "draft2020-12"
REMOTE = "http://localhost:1234/"


def groups(pattern: str, asserted_formats: bool) -> list[Any]:
    """One pytest param per schema group of the files matching `pattern` under draft2020-12."""
    if not DRAFT.is_dir():
        reason = f"the JSON Schema Test Suite is not at {CORPUS.resolve()}"
        return [pytest.param(None, None, asserted_formats, marks=pytest.mark.skip(reason=reason))]
    params = []
    for path in sorted(DRAFT.glob(pattern)):
        name = path.relative_to(DRAFT).as_posix()
        for index, group in enumerate(json.loads(path.read_text("utf-8"))):
            params.append(pytest.param(name, group, asserted_formats, id=f"{name}#{index}"))
    return params


def retrieve(uri: str) -> Any:
    """The suite's remote schemas, from its remotes/ directory (nothing goes to the network)."""
    if not uri.startswith(REMOTE):
        raise ValueError(f"no remote {uri} in the suite")
    return json.loads((CORPUS / "remotes" / uri[len(REMOTE) :]).read_text("utf-8"))


CASES = [
    *groups("*.json", asserted_formats=False),
    *groups("optional/*.json", asserted_formats=False),
    *groups("optional/format/*.json", asserted_formats=True),
]


def test_the_suite_validator_is_schemathesis_validator() -> None:
    assert v3_1.jsonschema_validator_cls is jsonschema_rs.Draft202012Validator
    assert formats.jsonschema_rs.Draft202012Validator is jsonschema_rs.Draft202012Validator


@pytest.mark.parametrize(("name", "group", "asserted_formats"), CASES)
def test_validator_verdicts_agree(name: str, group: dict[str, Any], asserted_formats: bool) -> None:
    validator = jsonschema_rs.Draft202012Validator(
        group["schema"], validate_formats=asserted_formats or None, retriever=retrieve
    )
    wrong = [
        f"{test['description']}: expected {'valid' if test['valid'] else 'invalid'}"
        for test in group["tests"]
        if validator.is_valid(test["data"]) is not test["valid"]
    ]
    assert not wrong, f"{name}: {group['description']}: {wrong}"


@pytest.mark.skipif(not DRAFT.is_dir(), reason="the JSON Schema Test Suite is absent")
def test_the_corpus_is_the_recorded_commit() -> None:
    source = (CORPUS / "SOURCE.txt").read_text("utf-8")
    assert "json-schema-org/JSON-Schema-Test-Suite" in source
    assert len([c for c in CASES if c.values[0]]) > 400  # every group, not a sample
