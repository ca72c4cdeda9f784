"""DATA-CL-01 (conformance/data/cl.py): the failure names value, pointer and list; bindings from
the OpenAPI document; a list the profile supplies."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from checks_support import Faulted, run

from conformance.core.model import Outcome
from conformance.inputs.target import Target
from conformance.reference import running_reference

from .requirement_sets import DOCUMENT_CHECKS


def test_code_list_failure_names_value_pointer_and_list(faulted: Faulted) -> None:
    result = faulted("DATA-CL-01", DOCUMENT_CHECKS)["DATA-CL-01"]
    assert "/division_code = '999999' is not in gb2260" in result.message
    entry = next(e.detail for e in result.evidence if e.kind == "codelist")
    assert "201904" in entry["source"]


def test_x_codelist_in_the_openapi_binds_fields_without_profile_bindings() -> None:
    with running_reference(["DATA-CL-01"]) as target:
        inputs = dict(target.inputs)
        license_input = dict(inputs["resources"]["license"])
        del license_input["codelists"]
        inputs["resources"] = {"license": license_input}
        result = run(replace(target, inputs=inputs), ("DATA-CL-01",))["DATA-CL-01"]
    assert result.outcome is Outcome.FAIL
    assert "999999" in result.message


def test_profile_supplied_list_replaces_the_shipped_one(clean: Target, tmp_path: Path) -> None:
    listing = tmp_path / "divisions.csv"
    listing.write_text("# only Beijing's Dongcheng district\ncode\n110101\n", "utf-8")
    profile = tmp_path / "profile.yaml"  # names the list relative to itself
    profile.write_text("select: [DATA-CL-01]\ninputs: {codelists: {gb2260: divisions.csv}}\n")
    result = run(clean, ("DATA-CL-01",), profile=str(profile))["DATA-CL-01"]
    assert result.outcome is Outcome.FAIL
    assert "is not in gb2260" in result.message
