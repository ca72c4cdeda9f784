"""The Arazzo executor: runtime expressions, the loader's errors, the runner on the real agency."""

from __future__ import annotations

import re
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

from conformance.business.arazzo import StepRecord, WorkflowFailed, WorkflowRunner, load_arazzo
from conformance.business.arazzo.expressions import (
    ExpressionError,
    Message,
    Scope,
    Unresolved,
    parse_condition,
    parse_expression,
    resolve,
)
from conformance.business.arazzo.runner import Limits
from conformance.client.discovery import Discovery
from conformance.client.http import HttpClient
from conformance.core.errors import ProfileError
from conformance.core.inputs import local_file
from conformance.documents.openapi import OpenApiDocument
from conformance.inputs.target import Target
from conformance.reference import reference_inputs


def scope() -> Scope:
    return Scope(
        inputs={"name": "张三", "amount": 1000},
        steps={"submit": {"id": "a-1", "items": [{"code": "X1"}]}},
        url="https://agency.example/v1/applications",
        method="POST",
        status_code=201,
        request=Message({"Accept": "application/json"}, {"applicant": {"name": "张三"}}, True),
        response=Message(
            {"Location": "https://agency.example/v1/applications/a-1"},
            {"id": "a-1", "state": "Submitted", "tags/x": 3, "count": "12"},
            True,
        ),
    )


# -- runtime expressions ------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("$statusCode", 201),
        ("$method", "POST"),
        ("$url", "https://agency.example/v1/applications"),
        ("$response.header.location", "https://agency.example/v1/applications/a-1"),
        ("$response.body#/id", "a-1"),
        ("$response.body#/tags~1x", 3),
        ("$request.header.Accept", "application/json"),
        ("$request.body#/applicant/name", "张三"),
        ("$inputs.amount", 1000),
        ("$steps.submit.outputs.id", "a-1"),
        ("$steps.submit.outputs.items#/0/code", "X1"),
    ],
)
def test_expressions_read_the_value_with_its_type(text, expected):
    assert parse_expression(text).evaluate(scope()) == expected


@pytest.mark.parametrize(
    "text", ["$resposne.body#/id", "$statuscode", "$steps.submit.id", "$inputs.", "$response.bdy"]
)
def test_broken_expressions_are_refused(text):
    with pytest.raises(ExpressionError, match="not a runtime expression"):
        parse_expression(text)


def test_absent_values_are_unresolved_not_none():
    with pytest.raises(Unresolved, match="nothing at #/license_code"):
        parse_expression("$response.body#/license_code").evaluate(scope())
    with pytest.raises(Unresolved, match="no completed step 'later'"):
        parse_expression("$steps.later.outputs.id").evaluate(scope())


def test_resolve_keeps_types_and_embeds_text_recursively():
    payload = {
        "who": "$inputs.name",
        "n": ["$inputs.amount"],
        "at": "/a/{$steps.submit.outputs.id}",
    }
    assert resolve(payload, scope()) == {"who": "张三", "n": [1000], "at": "/a/a-1"}
    xml = resolve("<n>{$inputs.name}&{$inputs.amount}</n>", scope(), escape=lambda s: s + "!")
    assert xml == "<n>张三!&1000!</n>"


@pytest.mark.parametrize(
    ("condition", "holds"),
    [
        ("$statusCode == 201", True),
        ("$statusCode == 200", False),
        ("$statusCode >= 200 && $statusCode < 300", True),
        ("$statusCode == 500 || $response.body#/id == 'a-1'", True),
        ("!($statusCode == 201)", False),
        ("$response.body#/state == 'submitted'", True),  # string comparison ignores case
        ("$response.body#/count > 9", True),  # loose: a numeric string compares as a number
        ("$response.body#/missing == null", False),  # absent is not null
        ("$response.body#/missing != 'x'", False),
        ("'it''s' == 'IT''S'", True),
        ("$response.body#/id == $steps.submit.outputs.id", True),
    ],
)
def test_simple_conditions(condition, holds):
    assert parse_condition(condition).evaluate(scope())[0] is holds


def test_condition_reports_what_it_saw():
    holds, seen = parse_condition("$response.body#/state == 'licensed'").evaluate(scope())
    assert not holds
    assert seen == ["$response.body#/state was 'Submitted'"]


@pytest.mark.parametrize(
    ("condition", "problem"),
    [
        ("$statusCode === 200", "cannot read '= 200' at column 15"),
        ("$statusCode == ", "ends where a value was expected"),
        ("($statusCode == 200", "missing ')'"),
        ("$statusCode == 'open", "cannot read"),
        ("$statsCode == 200", "not a runtime expression"),
    ],
)
def test_malformed_conditions(condition, problem):
    with pytest.raises(ExpressionError, match=re.escape(problem)):
        parse_condition(condition)


# -- loader ---------------------------------------------------------------------------------
HEADER = """\
arazzo: 1.0.1
info: {title: t, version: "1"}
sourceDescriptions: [{name: api, url: /openapi.json, type: openapi}]
workflows:
"""


def write(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "flow.arazzo.yaml"
    path.write_text(HEADER + textwrap.dedent(body), "utf-8")
    return path


def test_a_broken_runtime_expression_names_file_line_and_field(tmp_path):
    path = write(
        tmp_path,
        """\
        - workflowId: w
          steps:
            - stepId: a
              operationId: getHealth
              successCriteria:
                - condition: $statusCode == 200
              outputs:
                state: $resposne.body#/state
        """,
    )
    with pytest.raises(ProfileError) as info:
        load_arazzo(path)
    assert info.value.file == str(path)
    assert info.value.line == 12
    assert info.value.field == "workflows[0].steps[0].outputs.state"
    assert "$resposne.body#/state" in info.value.problem


def test_a_broken_condition_is_refused_at_load(tmp_path):
    path = write(
        tmp_path,
        """\
        - workflowId: w
          steps:
            - stepId: a
              operationId: getHealth
              successCriteria:
                - condition: $statusCode = 200
        """,
    )
    with pytest.raises(ProfileError, match=r"flow.arazzo.yaml:10: .*successCriteria\[0\]"):
        load_arazzo(path)


def test_a_depends_on_cycle_is_refused(tmp_path):
    path = write(
        tmp_path,
        """\
        - workflowId: first
          dependsOn: [second]
          steps: [{stepId: a, operationId: getHealth}]
        - workflowId: second
          dependsOn: [first]
          steps: [{stepId: a, operationId: getHealth}]
        """,
    )
    with pytest.raises(ProfileError) as info:
        load_arazzo(path)
    assert info.value.line == 6
    assert "dependsOn cycle: first → second → first" in info.value.problem


def test_a_goto_cycle_without_criteria_is_refused(tmp_path):
    path = write(
        tmp_path,
        """\
        - workflowId: w
          steps:
            - stepId: a
              operationId: getHealth
            - stepId: b
              operationId: getHealth
              onSuccess:
                - {name: again, type: goto, stepId: a}
        """,
    )
    with pytest.raises(ProfileError) as info:
        load_arazzo(path)
    assert info.value.line == 11
    assert "b → a → b would repeat forever" in info.value.problem


def test_a_goto_to_an_unknown_step_is_refused(tmp_path):
    path = write(
        tmp_path,
        """\
        - workflowId: w
          steps:
            - stepId: poll
              operationId: getHealth
              onFailure:
                - {name: back, type: goto, stepId: pol}
        """,
    )
    with pytest.raises(ProfileError, match="unknown step 'pol' \\(did you mean poll\\?\\)"):
        load_arazzo(path)


def test_an_unknown_operation_id_is_refused_at_run_start(tmp_path):
    path = write(
        tmp_path,
        """\
        - workflowId: w
          steps:
            - stepId: a
              operationId: getHealth
            - stepId: b
              operationId: getLicence
        """,
    )
    document = load_arazzo(path)
    with pytest.raises(ProfileError) as info:
        document.check_operations(["getHealth", "getLicense"])
    assert info.value.line == 10
    assert info.value.field == "workflows[0].steps[1].operationId"
    assert "unknown operationId 'getLicence'" in info.value.problem
    assert "did you mean getLicense?" in info.value.problem


def test_unsupported_constructs_are_refused_not_skipped(tmp_path):
    path = write(
        tmp_path,
        """\
        - workflowId: w
          steps:
            - stepId: a
              operationId: getHealth
              successCriteria:
                - {context: $response.body, condition: "$[?@.status]", type: jsonpath}
        """,
    )
    with pytest.raises(ProfileError, match="criterion type 'jsonpath' is not supported"):
        load_arazzo(path)


def bundled_workflows() -> list[Path]:
    """The reference agency's workflows (file:// URIs in its inputs) as files."""
    return [Path(str(local_file(uri))) for uri in reference_inputs()["workflows"]]


def test_the_bundled_workflows_load():
    paths = bundled_workflows()
    assert [p.name for p in paths] == ["enterprise-establishment.arazzo.yaml"]
    document = load_arazzo(paths[0])
    assert list(document.workflows) == ["establishEnterpriseJson", "establishEnterpriseXml"]
    by_path = document.workflows["establishEnterpriseXml"].steps[-1]
    assert by_path.operation_path == ("get", "/licenses/{code}")
    assert by_path.operation == "GET /licenses/{code}"


# -- runner on the real agency --------------------------------------------------------------
@pytest.fixture(scope="module")
def agency(reference_target: Target) -> Iterator[tuple[HttpClient, list[OpenApiDocument]]]:
    client = HttpClient(reference_target)
    yield client, Discovery(client).openapi_documents()
    client.close()


def run(agency, path: Path, limits: Limits) -> tuple[dict, list[StepRecord]]:
    client, openapi = agency
    records: list[StepRecord] = []
    runner = WorkflowRunner(client, openapi, limits, records.append)
    return runner.run_document(load_arazzo(path)), records


def test_the_bundled_workflows_run_on_the_reference_agency(agency):
    outputs, records = run(agency, bundled_workflows()[0], Limits())
    assert set(outputs) == {"establishEnterpriseJson", "establishEnterpriseXml"}
    assert outputs["establishEnterpriseJson"]["license_code"].startswith("9111010")
    polls = [r for r in records if r.step_id == "waitUntilLicensed"]
    assert [r.passed for r in polls] == [False] * (len(polls) - 1) + [True]
    assert records[-1].note == "establishEnterpriseXml step readLicenceXml: criteria met"


POLL = """\
- workflowId: w
  steps:
    - stepId: submit
      operationId: createApplication
      requestBody:
        payload:
          applicant: {name: 李四, id_number: 11010519491231002X}
          enterprise:
            name: 示例
            division_code: "110105"
            registered_capital: {amount: 10, currency: CNY}
      successCriteria: [{condition: $statusCode == 201}]
      outputs: {id: $response.body#/id}
    - stepId: poll
      operationId: getApplication
      parameters: [{name: id, in: path, value: $steps.submit.outputs.id}]
      successCriteria: [{condition: $response.body#/state == '%s'}]
      onFailure: [{name: again, type: retry, retryAfter: 0, retryLimit: %d}]
"""


def test_a_retry_is_bounded_by_max_polls_whatever_the_retry_limit(agency, tmp_path):
    path = write(tmp_path, POLL % ("dissolved", 1000))
    with pytest.raises(WorkflowFailed) as info:
        run(agency, path, Limits(max_polls=4, poll_interval_s=0))
    assert info.value.step_id == "poll"
    assert "did not hold after 4 polls (the run's max_polls bound)" in info.value.message
    assert "$response.body#/state was 'licensed'" in info.value.message


def test_a_retry_ends_at_its_retry_limit(agency, tmp_path):
    path = write(tmp_path, POLL % ("licensed", 1))
    with pytest.raises(WorkflowFailed, match=r"after 2 polls: .*was 'approved'"):
        run(agency, path, Limits())


def test_goto_loops_are_bounded_by_max_steps(agency, tmp_path):
    path = write(
        tmp_path,
        """\
        - workflowId: w
          steps:
            - stepId: a
              operationId: getHealth
              successCriteria: [{condition: $statusCode == 200}]
              onSuccess:
                - name: again
                  type: goto
                  stepId: a
                  criteria: [{condition: $response.body#/status == 'pass'}]
        """,
    )
    with pytest.raises(WorkflowFailed, match="not finished after 5 steps"):
        run(agency, path, Limits(max_steps=5))


def test_end_and_goto_actions_and_outputs_flow_between_workflows(agency, tmp_path):
    path = write(
        tmp_path,
        """\
        - workflowId: registry
          steps:
            - stepId: list
              operationId: listLicenses
              successCriteria: [{condition: $statusCode == 200}]
              outputs: {first: $response.body#/items/0/code}
          outputs: {first: $steps.list.outputs.first}
        - workflowId: lookup
          dependsOn: [registry]
          steps:
            - stepId: missing
              operationId: getLicense
              parameters: [{name: code, in: path, value: NOPE}]
              successCriteria: [{condition: $statusCode == 200}]
              onFailure:
                - name: found404
                  type: goto
                  stepId: read
                  criteria: [{condition: $statusCode == 404}]
            - stepId: never
              operationId: getHealth
            - stepId: read
              operationId: getLicense
              parameters:
                - {name: code, in: path, value: $workflows.registry.outputs.first}
              successCriteria:
                - condition: $response.body#/code == $workflows.registry.outputs.first
              onSuccess: [{name: done, type: end}]
            - stepId: after
              operationId: getHealth
        """,
    )
    outputs, records = run(agency, path, Limits())
    assert [(r.step_id, r.passed) for r in records] == [
        ("list", True),
        ("missing", False),
        ("read", True),
    ]
    assert outputs["registry"]["first"].startswith("91")
    assert "criteria failed: $statusCode == 200 ($statusCode was 404)" in records[1].note


def test_an_absent_output_fails_the_step_and_keeps_its_exchange(agency, tmp_path):
    path = write(
        tmp_path,
        """\
        - workflowId: w
          steps:
            - stepId: health
              operationId: getHealth
              outputs: {uptime: $response.body#/uptime}
        """,
    )
    client, openapi = agency
    records: list[StepRecord] = []
    with pytest.raises(WorkflowFailed, match="an output is absent: nothing at #/uptime"):
        WorkflowRunner(client, openapi, Limits(), records.append).run_document(load_arazzo(path))
    assert [(r.step_id, r.passed, r.exchange.status) for r in records] == [("health", False, 200)]
