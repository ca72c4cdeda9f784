"""The values of an OpenAPI document checked against their schemas (DEP-OAS-01,
conformance/departmental/oas_values.py), both ways: defaults and enum values that do not conform
fail, examples that contradict their schema are reported, a conformant document passes; and
DEP-OAS-01 end to end on a loopback site, with the `$ref` to an unreachable host an error."""

from __future__ import annotations

import copy
import json
import socket
from collections.abc import Iterator
from typing import Any

import pytest
from checks_support import Answer, loopback_http

from conformance.client.http import HttpClient
from conformance.core.errors import Inconclusive
from conformance.core.model import Outcome, Result
from conformance.departmental import oas_value_walk
from conformance.departmental.oas_validation import validate_openapi
from conformance.departmental.oas_values import ValueCheck, check_values
from conformance.engine import Engine
from conformance.inputs.profile import load_profile
from conformance.inputs.target import Target

URL = "https://api.example/openapi.json"

# the reviewer's case: no value of this schema can be valid, and its default is not an integer
BAD_PROPERTY = {"type": "integer", "enum": [[1], [2]], "default": [1]}


def bad() -> dict[str, Any]:
    """A fresh copy of BAD_PROPERTY (one object met twice is walked once, as YAML aliases are)."""
    return copy.deepcopy(BAD_PROPERTY)


def document(version: str, **extra: Any) -> dict[str, Any]:
    """A minimal OpenAPI document of `version`, with `extra` top-level fields."""
    doc: dict[str, Any] = {"openapi": version, "info": {"title": "t", "version": "1"}}
    return {"paths": {}, **doc, **extra}


def with_schemas(version: str, **schemas: Any) -> dict[str, Any]:
    return document(version, components={"schemas": schemas})


def operation(**spec: Any) -> dict[str, Any]:
    """The paths of one GET /things operation with `spec` merged in."""
    responses = {"200": {"description": "ok"}}
    return {"/things": {"get": {"responses": responses, **spec}}}


def paths(result: ValueCheck, kind: str = "") -> list[str]:
    found = result.errors + result.examples
    return [f.json_path for f in found if not kind or f.kind == kind]


# -- unit: defaults and enum values --------------------------------------------------------------


@pytest.mark.parametrize("version", ["3.0.3", "3.1.0"])
def test_an_enum_of_arrays_and_an_array_default_on_an_integer_fail(version):
    doc = with_schemas(version, Thing={"type": "object", "properties": {"n": BAD_PROPERTY}})
    result = check_values(doc, URL, version)
    at = "$.components.schemas.Thing.properties.n"
    assert paths(result) == [f"{at}.default", f"{at}.enum[0]", f"{at}.enum[1]"]
    assert [f.kind for f in result.errors] == ["default", "enum", "enum"]
    assert result.errors[0].message == "[1] is not of type 'integer'"
    assert result.errors[0].value == "[1]"
    assert result.error_count == 3
    assert not result.examples


@pytest.mark.parametrize("version", ["3.0.3", "3.1.0"])
def test_integer_enum_and_default_pass(version):
    good = {"type": "integer", "enum": [1, 2], "default": 1}
    result = check_values(with_schemas(version, Thing={"properties": {"n": good}}), URL, version)
    assert not result.errors
    assert not result.examples
    assert not result.unchecked
    assert result.checked == 3


def test_the_bad_property_is_found_wherever_the_schema_is():
    """Under additionalProperties, items, allOf, a request body, a response header: places
    openapi-spec-validator's own default check does not reach."""
    nested = {
        "type": "object",
        "additionalProperties": bad(),
        "properties": {"list": {"type": "array", "items": {"allOf": [bad()]}}},
    }
    header = {"schema": bad()}
    response = {"description": "ok", "headers": {"X-N": header}}
    body = {"content": {"application/json": {"schema": nested}}}
    doc = document(
        "3.0.3", paths=operation(requestBody=body, responses={"200": response, "x-no": {}})
    )
    result = check_values(doc, URL, "3.0.3")
    at = "$.paths['/things'].get"
    media = f"{at}.requestBody.content['application/json'].schema"
    defaults = paths(result, "default")
    assert defaults == [
        f"{at}.requestBody.content['application/json'].schema.additionalProperties.default",
        f"{media}.properties.list.items.allOf[0].default",
        f"{at}.responses['200'].headers['X-N'].schema.default",
    ]


def test_a_nullable_default_of_null_passes_in_3_0():
    nullable = {"type": "string", "nullable": True, "default": None}
    with_enum = {"type": "string", "nullable": True, "enum": ["a", None], "default": None}
    doc = with_schemas("3.0.3", A={"properties": {"a": nullable, "b": with_enum}})
    result = check_values(doc, URL, "3.0.3")
    assert not result.errors
    assert not result.unchecked
    assert result.checked == 4  # two defaults, two enum values


def test_a_default_of_null_without_nullable_fails_in_3_0_and_3_1():
    for version in ("3.0.3", "3.1.0"):
        doc = with_schemas(version, A={"type": "string", "default": None})
        [finding] = check_values(doc, URL, version).errors
        assert finding.json_path == "$.components.schemas.A.default"
        assert "None" in finding.message


def test_a_3_1_type_with_null_allows_a_null_default():
    doc = with_schemas("3.1.0", A={"type": ["string", "null"], "default": None})
    result = check_values(doc, URL, "3.1.0")
    assert not result.errors
    assert result.checked == 1


def test_a_default_is_validated_through_the_document_s_refs():
    """`$ref`s resolve in the document: the default's `code` is checked against Code's format."""
    code = {"type": "string", "format": "uuid"}
    thing = {
        "type": "object",
        "properties": {"code": {"$ref": "#/components/schemas/Code"}},
        "default": {"code": "not-a-uuid"},
    }
    result = check_values(with_schemas("3.1.0", Code=code, Thing=thing), URL, "3.1.0")
    [finding] = result.errors
    assert finding.json_path == "$.components.schemas.Thing.default.code"
    assert finding.message == "'not-a-uuid' is not a 'uuid'"


def test_recursive_schemas_end():
    node = {
        "type": "object",
        "properties": {
            "children": {"type": "array", "items": {"$ref": "#/components/schemas/Node"}},
            "name": {"type": "string", "default": "root"},
        },
        "default": {"name": "a", "children": [{"name": "b", "children": [{"name": 3}]}]},
    }
    result = check_values(with_schemas("3.0.3", Node=node), URL, "3.0.3")
    [finding] = result.errors
    assert finding.json_path == "$.components.schemas.Node.default.children[0].children[0].name"


def test_the_siblings_of_a_ref_are_ignored_in_3_0_but_not_in_3_1():
    schemas = {"Code": {"type": "string"}, "A": {"$ref": "#/components/schemas/Code", "default": 1}}
    assert not check_values(with_schemas("3.0.3", **schemas), URL, "3.0.3").errors
    [finding] = check_values(with_schemas("3.1.0", **schemas), URL, "3.1.0").errors
    assert finding.json_path == "$.components.schemas.A.default"


def test_a_ref_to_nothing_in_the_document_is_a_finding():
    thing = {"properties": {"a": {"$ref": "#/components/schemas/Missing"}}, "default": {"a": 1}}
    [finding] = check_values(with_schemas("3.0.3", Thing=thing), URL, "3.0.3").errors
    assert finding.kind == "reference"
    assert "#/components/schemas/Missing resolves to nothing" in finding.message


# -- unit: examples --------------------------------------------------------------------------


@pytest.mark.parametrize("version", ["3.0.3", "3.1.0"])
def test_an_example_contradicting_its_format_is_reported_not_an_error(version):
    day = {"type": "string", "format": "date", "example": "31/12/2024"}
    result = check_values(with_schemas(version, Day=day), URL, version)
    assert not result.errors
    [finding] = result.examples
    assert (finding.kind, finding.json_path) == ("example", "$.components.schemas.Day.example")
    assert finding.value == '"31/12/2024"'
    assert finding.message == "'31/12/2024' is not a 'date'"
    assert result.example_count == 1
    assert "1 example(s) contradict their schema" in result.describe()


def test_parameter_header_and_media_type_examples_are_checked():
    uuid = {"type": "string", "format": "uuid"}
    parameter = {
        "name": "id",
        "in": "query",
        "schema": uuid,
        "example": "123",
        "examples": {
            "ok": {"value": "0b7a1d1c-5c4e-4f0e-9b39-6f8a3e1e2d10"},
            "ref": {"$ref": "#/components/examples/Bad"},
        },
    }
    person = {"type": "object", "properties": {"mail": {"type": "string", "format": "email"}}}
    content = {
        "application/json": {"schema": person, "examples": {"one": {"value": {"mail": "nobody"}}}},
        "application/xml": {"schema": person, "example": "<person/>"},
    }
    header = {"schema": {"type": "integer", "minimum": 0}, "example": -1}
    response = {"description": "ok", "headers": {"X-Left": header}, "content": content}
    doc = document(
        "3.0.3",
        paths=operation(parameters=[parameter], responses={"200": response}),
        components={"examples": {"Bad": {"value": "xyz"}}},
    )
    result = check_values(doc, URL, "3.0.3")
    assert not result.errors
    at = "$.paths['/things'].get"
    assert [(f.json_path, f.message) for f in result.examples] == [
        (f"{at}.parameters[0].example", "'123' is not a 'uuid'"),
        (
            "$.components.examples.Bad.value",
            f"'xyz' is not a 'uuid' (the example of {at}.parameters[0])",
        ),
        (f"{at}.responses['200'].headers['X-Left'].example", "-1 is less than the minimum of 0"),
        (
            f"{at}.responses['200'].content['application/json'].examples.one.value.mail",
            "'nobody' is not a 'email'",
        ),
    ]
    [xml] = result.unchecked
    assert xml.json_path == f"{at}.responses['200'].content['application/xml'].example"
    assert "serialized form" in xml.reason


def test_3_1_schema_examples_are_an_array():
    day = {"type": "string", "format": "date", "examples": ["2024-12-31", "tomorrow"]}
    result = check_values(with_schemas("3.1.0", Day=day), URL, "3.1.0")
    assert paths(result) == ["$.components.schemas.Day.examples[1]"]


def test_a_valid_document_has_no_findings():
    person = {
        "type": "object",
        "required": ["id"],
        "properties": {
            "id": {"type": "string", "format": "uuid", "readOnly": True},
            "born": {"type": "string", "format": "date", "example": "1990-04-01"},
            "mail": {"type": "string", "format": "email", "nullable": True, "default": None},
            "kind": {"type": "string", "enum": ["citizen", "resident"], "default": "citizen"},
        },
        "example": {"id": "0b7a1d1c-5c4e-4f0e-9b39-6f8a3e1e2d10", "born": "1990-04-01"},
    }
    parameter = {"name": "q", "in": "query", "schema": {"type": "string"}, "example": "x"}
    body = {
        "content": {
            "application/json": {
                "schema": {"$ref": "#/components/schemas/Person"},
                "example": {"born": "2000-01-31"},
            }
        }
    }
    doc = document(
        "3.0.3",
        paths=operation(parameters=[parameter], requestBody=body),
        components={"schemas": {"Person": person}},
    )
    result = check_values(doc, URL, "3.0.3")
    assert not result.errors
    assert not result.examples
    assert not result.unchecked
    assert not result.incomplete
    assert result.checked == 8
    assert result.describe() == "8 default, enum and example value(s) checked"


# -- unit: what is not checked -----------------------------------------------------------------


def test_a_ref_to_another_document_is_unchecked_not_a_finding():
    thing = {
        "type": "object",
        "properties": {"owner": {"$ref": "https://elsewhere.example/schemas.json#/Owner"}},
        "example": {"owner": {"name": 1}},
    }
    parameter = {"$ref": "parameters.yaml#/Id"}
    doc = document(
        "3.1.0",
        paths=operation(parameters=[parameter]),
        components={"schemas": {"Thing": thing}},
    )
    result = check_values(doc, URL, "3.1.0")
    assert not result.errors
    assert not result.examples
    reasons = {u.json_path: u.reason for u in result.unchecked}
    assert reasons == {
        "$.components.schemas.Thing.example": "its schema refers to "
        "https://elsewhere.example/schemas.json, another document: not fetched",
        "$.paths['/things'].get.parameters[0]": "the parameter is a $ref to another "
        "document (parameters.yaml#/Id): not fetched",
    }
    assert "2 value(s) not checked" in result.describe()


def test_a_ref_naming_the_document_itself_is_local():
    schemas = {
        "Code": {"type": "string", "maxLength": 2},
        "Thing": {
            "properties": {"c": {"$ref": "openapi.json#/components/schemas/Code"}},
            "default": {"c": "abc"},
        },
    }
    [finding] = check_values(with_schemas("3.0.3", **schemas), URL, "3.0.3").errors
    assert finding.json_path == "$.components.schemas.Thing.default.c"


def test_yaml_1_1_booleans_where_strings_are_expected_are_not_blamed():
    """`enum: [NO, SE]` read by PyYAML: NO is False; YAML 1.2 reads the string "NO"."""
    country = {"type": "string", "enum": [False, "SE"], "default": "SE"}
    doc = with_schemas("3.0.3", Country=country)
    from_yaml = check_values(doc, URL, "3.0.3", yaml_11=True)
    assert not from_yaml.errors
    [unchecked] = from_yaml.unchecked
    assert unchecked.json_path == "$.components.schemas.Country.enum[0]"
    assert "quote it" in unchecked.reason
    # the same value in JSON is what the agency wrote
    assert paths(check_values(doc, URL, "3.0.3"), "enum") == [
        "$.components.schemas.Country.enum[0]"
    ]


def test_yaml_dates_and_integer_keys_read_as_json_would():
    day = {"type": "string", "format": "date", "default": __import__("datetime").date(2024, 12, 31)}
    responses = {200: {"description": "ok", "content": {"application/json": {"schema": day}}}}
    doc = document("3.1.0", paths=operation(responses=responses))
    result = check_values(doc, URL, "3.1.0")
    assert not result.errors
    assert result.checked == 1


def test_a_3_1_ref_cycle_is_walked_once():
    node = {
        "type": "object",
        "properties": {"next": {"$ref": "#/components/schemas/Node"}},
        "default": {"next": {"next": {}}},
    }
    result = check_values(with_schemas("3.1.0", Node=node), URL, "3.1.0")
    assert not result.errors
    assert result.checked == 1


def test_the_walk_is_bounded_and_says_so(monkeypatch):
    monkeypatch.setattr(oas_value_walk, "MAX_SCHEMAS", 1)
    schemas = {"A": {"type": "string", "default": 1}, "B": {"type": "string", "default": 2}}
    result = check_values(with_schemas("3.0.3", **schemas), URL, "3.0.3")
    assert paths(result) == ["$.components.schemas.A.default"]
    assert result.incomplete == "only the first 1 schemas were walked"
    assert result.describe().endswith("; only the first 1 schemas were walked")


def test_the_document_is_not_changed():
    doc = with_schemas("3.0.3", Thing={"properties": {"n": BAD_PROPERTY}})
    before = copy.deepcopy(doc)
    check_values(doc, URL, "3.0.3")
    assert doc == before


# -- unit: $refs openapi-spec-validator fetches -----------------------------------------------


def closed_port() -> int:
    """A port on 127.0.0.1 nothing listens on (bound, then released)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_an_unreachable_ref_host_is_inconclusive_naming_the_ref():
    client = HttpClient(Target(name="t", base_url="http://127.0.0.1:9"))
    ref = f"http://127.0.0.1:{closed_port()}/schemas.json#/Pet"
    body = {"content": {"application/json": {"schema": {"$ref": ref}}}}
    doc = document("3.0.3", paths=operation(responses={"200": {"description": "d", **body}}))
    with pytest.raises(
        Inconclusive,
        match=r"\$ref to http://127\.0\.0\.1:\d+/schemas\.json.*"
        r"connection refused",
    ):
        validate_openapi(doc, "http://127.0.0.1:9/openapi.json", client, max_problems=10)


# -- end to end on a loopback site ----------------------------------------------------------------


class Site:
    """A plain-HTTP server on 127.0.0.1: path → (status, content type, body); 404 otherwise."""

    def __init__(self) -> None:
        self.routes: dict[str, tuple[int, str, bytes]] = {}
        self.base_url = ""

    def json(self, path: str, body: Any, media_type: str = "application/json") -> str:
        """Serve `body` as JSON at `path`; its URL."""
        self.routes[path] = (200, media_type, json.dumps(body).encode())
        return self.base_url + path

    def catalog(self, openapi_path: str = "/openapi.json") -> None:
        """An RFC 9727 api-catalog (a linkset) whose one API links its service-desc."""
        entry = {
            "anchor": f"{self.base_url}/api",
            "service-desc": [{"href": f"{self.base_url}{openapi_path}"}],
        }
        self.json("/.well-known/api-catalog", {"linkset": [entry]}, "application/linkset+json")


@pytest.fixture
def site() -> Iterator[Site]:
    routes = Site()

    def answer(path: str) -> Answer:
        status, media_type, body = routes.routes.get(path, (404, "text/plain", b"not found"))
        return status, {"Content-Type": media_type}, body

    with loopback_http(answer) as base_url:
        routes.base_url = base_url
        yield routes


def run_oas_01(target: Target) -> Result:
    """DEP-OAS-01's result on `target` (the engine, the full profile)."""
    report = Engine(load_profile("full"), [target], only=["DEP-OAS-01"], seed=1).run()
    [result] = [r for r in report.results if r.requirement == "DEP-OAS-01"]
    return result


def evidence(result: Result, kind: str) -> dict[str, Any]:
    [note] = [e for e in result.evidence if e.kind == kind]
    return note.detail


def test_the_bad_property_fails_dep_oas_01_through_the_catalogue(site):
    site.catalog()
    body = {
        "content": {
            "application/json": {"schema": {"type": "object", "additionalProperties": BAD_PROPERTY}}
        }
    }
    site.json("/openapi.json", document("3.0.3", paths=operation(requestBody=body)))
    result = run_oas_01(Target(name="site", base_url=site.base_url))
    assert result.outcome is Outcome.FAIL, result.message
    at = "$.paths['/things'].get.requestBody.content['application/json'].schema"
    assert f"the default at {at}.additionalProperties.default: [1] is not of type 'integer'" in (
        result.message
    )
    assert "has 3 default(s) or enum value(s) that do not conform" in result.message
    assert 'OpenAPI 3.0.3 §4.7.24.1: a default "MUST conform to the defined type' in result.message
    findings = evidence(result, "values")["findings"]
    assert [f["json_path"] for f in findings][1:] == [
        f"{at}.additionalProperties.enum[0]",
        f"{at}.additionalProperties.enum[1]",
    ]


def test_a_3_1_default_that_does_not_conform_fails_saying_which_rule(site):
    # under additionalProperties, where openapi-spec-validator does not look for defaults
    size = {"type": "integer", "minimum": 1, "default": 0}
    doc = with_schemas("3.1.0", Sizes={"type": "object", "additionalProperties": size})
    url = site.json("/openapi.json", doc)
    result = run_oas_01(Target(name="site", base_url=site.base_url, openapi=(url,)))
    assert result.outcome is Outcome.FAIL, result.message
    assert "0 is less than the minimum of 1" in result.message
    assert "JSON Schema 2020-12 RECOMMENDS it, and the suite requires it" in result.message


def test_examples_contradicting_their_schema_pass_and_are_counted(site):
    day = {"type": "string", "format": "date", "example": "31/12/2024"}
    url = site.json("/openapi.json", with_schemas("3.0.3", Day=day))
    result = run_oas_01(Target(name="site", base_url=site.base_url, openapi=(url,)))
    assert result.outcome is Outcome.PASS, result.message
    assert "OpenAPI 3.0.3" in result.message
    assert "1 example(s) contradict their schema" in result.message
    [finding] = evidence(result, "examples")["findings"]
    assert finding == {
        "kind": "example",
        "json_path": "$.components.schemas.Day.example",
        "value": '"31/12/2024"',
        "message": "'31/12/2024' is not a 'date'",
    }


def test_a_conformant_document_passes(site):
    site.catalog()
    size = {"type": "integer", "minimum": 1, "default": 10, "example": 20}
    site.json("/openapi.json", with_schemas("3.1.0", Size=size))
    result = run_oas_01(Target(name="site", base_url=site.base_url))
    assert result.outcome is Outcome.PASS, result.message
    assert "(OpenAPI 3.1.0; 2 default, enum and example value(s) checked)" in result.message
    assert not [e for e in result.evidence if e.kind in ("values", "examples", "unchecked")]


def test_a_ref_to_an_unreachable_allowed_host_is_an_error_naming_it(site):
    ref = f"http://127.0.0.1:{closed_port()}/schemas.json"
    schema = {"$ref": f"{ref}#/Size"}
    url = site.json("/openapi.json", with_schemas("3.0.3", Size=schema))
    target = Target(name="site", base_url=site.base_url, openapi=(url,), extra_hosts=("127.0.0.1",))
    result = run_oas_01(target)
    assert result.outcome is Outcome.ERROR, result.message
    assert f"has a $ref to {ref}, which could not be fetched" in result.message
    assert "connection refused" in result.message


def test_a_ref_the_target_answers_404_fails(site):
    ref = f"{site.base_url}/missing.json"
    url = site.json("/openapi.json", with_schemas("3.0.3", Size={"$ref": f"{ref}#/Size"}))
    result = run_oas_01(Target(name="site", base_url=site.base_url, openapi=(url,)))
    assert result.outcome is Outcome.FAIL, result.message
    assert f"the $ref {ref} answered 404, expected 200" in result.message


def test_a_ref_the_target_serves_is_validated_and_its_values_unchecked(site):
    ref = site.json("/schemas.json", {"Size": {"type": "integer"}})
    doc = with_schemas(
        "3.1.0", Thing={"properties": {"n": {"$ref": f"{ref}#/Size"}}, "example": {"n": 1}}
    )
    url = site.json("/openapi.json", doc)
    result = run_oas_01(Target(name="site", base_url=site.base_url, openapi=(url,)))
    assert result.outcome is Outcome.PASS, result.message
    assert "1 value(s) not checked" in result.message
    [unchecked] = evidence(result, "unchecked")["values"]
    assert unchecked["json_path"] == "$.components.schemas.Thing.example"
    assert "another document: not fetched" in unchecked["reason"]


def test_a_yaml_document_s_unquoted_no_is_not_blamed_on_the_agency(site):
    """PyYAML reads `NO` (Norway) as false; YAML 1.2, which OpenAPI recommends, as "NO"."""
    yaml = b"""openapi: 3.0.3
info: {title: t, version: '1'}
paths: {}
components:
  schemas:
    Country: {type: string, enum: [NO, SE], default: SE}
"""
    site.routes["/openapi.yaml"] = (200, "application/yaml", yaml)
    url = f"{site.base_url}/openapi.yaml"
    result = run_oas_01(Target(name="site", base_url=site.base_url, openapi=(url,)))
    assert result.outcome is Outcome.PASS, result.message
    # the suite reads YAML as YAML 1.2 (discovery.load_yaml): NO is the string "NO", checked
    assert "3 default, enum and example value(s) checked)" in result.message


def test_a_local_openapi_file_is_checked_the_same_way(site, tmp_path):
    """A target may name its OpenAPI document as a local file: YAML by its suffix."""
    bad_default = tmp_path / "openapi.json"
    bad_default.write_text(json.dumps(with_schemas("3.0.3", Sizes={"additionalProperties": bad()})))
    result = run_oas_01(Target(name="site", base_url=site.base_url, openapi=(str(bad_default),)))
    assert result.outcome is Outcome.FAIL, result.message
    assert "$.components.schemas.Sizes.additionalProperties.default" in result.message
    norway = tmp_path / "openapi.yaml"
    norway.write_text(
        "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths: {}\n"
        "components: {schemas: {Country: {type: string, enum: [NO, SE]}}}\n"
    )
    result = run_oas_01(Target(name="site", base_url=site.base_url, openapi=(str(norway),)))
    assert result.outcome is Outcome.PASS, result.message
    assert "a local file; 2 default, enum and example value(s) checked)" in result.message
