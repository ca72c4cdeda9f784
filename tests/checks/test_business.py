"""Business-level checks, proven both ways on the reference agency."""

from __future__ import annotations

from checks_support import run_one

from conformance.core.model import Outcome, Result


def notes(result: Result) -> list[str]:
    return [e.detail.get("note", "") for e in result.evidence if e.kind == "http"]


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


def test_idempotency_key_passes_on_the_conformant_agency():
    result = run_one("BUS-IDEM-01")
    assert result.outcome is Outcome.PASS, result.message
    assert [e.detail["response"]["status"] for e in result.evidence] == [201, 201, 422]
    keys = {e.detail["request"]["headers"]["Idempotency-Key"] for e in result.evidence}
    assert len(keys) == 1


def test_an_ignored_idempotency_key_fails():
    result = run_one("BUS-IDEM-01", ("BUS-IDEM-01",))
    assert result.outcome is Outcome.FAIL
    assert "the second POST created a new resource: id " in result.message
    first, second = (e.detail["response"]["body"] for e in result.evidence[:2])
    assert first != second
