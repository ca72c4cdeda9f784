"""BUS-WF-01 and BUS-WF-02 (conformance/business/wf.py): the Arazzo workflows, and the
exploration along links."""

from __future__ import annotations

from checks_support import run_one

from conformance.core.model import Outcome

from .evidence import kinds, notes


def test_workflows_pass_on_the_conformant_agency():
    result = run_one("BUS-WF-01")
    assert result.outcome is Outcome.PASS, result.message
    assert "establishEnterpriseJson, establishEnterpriseXml" in result.message
    steps = notes(result)
    for step in ("submitApplication", "readLicence", "readLicenceXml"):
        assert f" step {step}: criteria met" in "\n".join(steps)
    assert any("step waitUntilLicensed (attempt" in n and "criteria met" in n for n in steps)
    outputs = [e for e in result.evidence if e.kind == "outputs"]
    assert outputs[0].detail["outputs"]["license_code"].startswith("91")


def test_an_application_stuck_in_verifying_fails_within_the_poll_bound():
    result = run_one("BUS-WF-01", ("BUS-WF-01",))
    assert result.outcome is Outcome.FAIL
    assert "step waitUntilLicensed" in result.message
    assert "`$response.body#/state == 'licensed'` did not hold after 10 polls" in result.message
    assert "$response.body#/state was 'verifying'" in result.message
    polls = [n for n in notes(result) if "waitUntilLicensed" in n]
    assert len(polls) == 10
    assert "curl" in result.reproduce


def test_exploration_follows_links_on_the_conformant_agency():
    result = run_one("BUS-WF-02")
    assert result.outcome is Outcome.PASS, result.message
    (links,) = kinds(result, "links")
    assert "POST /applications → GET /applications/{id}" in links["links"]


def test_a_link_to_a_wrong_field_is_a_created_resource_not_retrievable():
    result = run_one("BUS-WF-02", ("BUS-WF-02",))
    assert result.outcome is Outcome.FAIL, result.message
    assert "GetApplication" in result.message
    assert "which answered 404: a resource just created is not retrievable" in result.message
    statuses = [e.detail["response"]["status"] for e in result.evidence if e.kind == "http"]
    assert statuses == [201, 404]
