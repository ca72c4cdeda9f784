"""The commented target file `conformance init` writes (cli/target_draft.py): it loads even when
nothing was found, lists every declared input, and each commented example has its input's shape.
The drafts of real agencies are tested end to end in tests/test_init.py."""

from __future__ import annotations

from pathlib import Path

import jsonschema
import pytest

from conformance.cli.target_draft import draft_target, env_prefix, example
from conformance.client.survey import Survey
from conformance.core import inputs as core_inputs
from conformance.core.inputs import declare_input, declared_inputs
from conformance.inputs.target import Target, load_target_file


def test_a_survey_that_found_nothing_still_drafts_a_file_that_loads(tmp_path: Path) -> None:
    found = Survey(Target(name="agency.example", base_url="https://agency.example"))
    found.catalog_problem = "the api-catalog answered 404"
    found.openapi_problem = "no api-catalog; none at /openapi.json"
    path = tmp_path / "t.yaml"
    path.write_text(draft_target(found, path).text, "utf-8")
    target = load_target_file(path)
    assert target.base_url == "https://agency.example"
    assert target.inputs == {}
    assert target.name == "agency.example"  # no OpenAPI title: the host
    text = path.read_text("utf-8")
    for name, declared in declared_inputs().items():
        assert f"  # {name}: {declared.description}\n  # {name}:" in text, name
    assert "\ncredentials:\n" in text  # the headers stay, their entries commented
    assert "  # bearer_token: {env: AGENCY_EXAMPLE_TOKEN}" in text


def test_a_newly_declared_input_shows_up_in_the_draft(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    declared_inputs()  # the bundled declarations first, so the new one is only added
    monkeypatch.setattr(core_inputs, "_DECLARED", dict(core_inputs._DECLARED))
    declare_input(
        "zz_sample",
        {"type": "object", "required": ["operation"], "properties": {"operation": {}}},
        description="a sample input declared by this test",
    )
    found = Survey(Target(name="agency.example", base_url="https://agency.example"))
    text = draft_target(found, tmp_path / "t.yaml").text
    assert "  # zz_sample: a sample input declared by this test\n  # zz_sample: {operation:" in text


@pytest.mark.parametrize("name", sorted(declared_inputs()))
def test_the_commented_example_of_each_input_has_the_shape_its_schema_asks(name: str) -> None:
    declared = declared_inputs()[name]
    jsonschema.Draft202012Validator(declared.schema).validate(example(declared.schema))


def test_environment_variable_names_start_with_the_target_name_in_capitals() -> None:
    assert env_prefix("market-regulation-enterprise-establishment") == "MARKET_REGULATION"
    assert env_prefix("drinking-water-taps-bench") == "DRINKING_WATER_TAPS"
    assert env_prefix("127.0.0.1:8443") == "AGENCY"  # a variable cannot start with a digit
