"""The OpenAPI checks against government OpenAPI documents as they are published.

The documents (tests/bench/openapi/, sources and licences in SOURCE.txt) are served unchanged by
a loopback stand-in agency (standin.py) at their repository paths, so relative $refs between
files resolve as they do where they are published; the target names the root document with
`openapi:` (none of these agencies has an RFC 9727 catalogue on the stand-in). The checks that
read the documents are run on each: DEP-OAS-01/02/03, DEP-VER-02 and DEP-DEP-01.

For the data checks, a stand-in test system of developer.overheid.nl's API register publishes
the same document with `servers` pointing at itself (the only change: a deployment names its own
server) and answers with bodies written by hand, valid or broken on purpose.

Every verdict was worked out by hand from the document (the file and line are named), with an
independent reading of the rule in requirements.yaml; where the suite disagrees the test asserts
the right verdict (a strict xfail naming the suite bug until it is fixed).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from conformance.core.model import Outcome
from conformance.inputs.target import Target

from .standin import Answer, Logged, StandIn, json_answer, problem, serving
from .support import (
    BENCH,
    NOT_JUDGED,
    BenchRun,
    assert_sound,
    run_suite,
    verdicts,
    write_target,
)

PASS, FAIL, WARN, SKIP, ERROR = (
    Outcome.PASS,
    Outcome.FAIL,
    Outcome.WARN,
    Outcome.SKIP,
    Outcome.ERROR,
)

OPENAPI = BENCH / "openapi"
# the departmental checks that read OpenAPI documents (DEP-DEP-01 also calls deprecated GETs)
DOCUMENT_CHECKS = ("DEP-OAS-01", "DEP-OAS-02", "DEP-OAS-03", "DEP-VER-02", "DEP-DEP-01")
RULES = DOCUMENT_CHECKS[1:]  # without DEP-OAS-01, which the others depend on

API_REGISTER = "don-api-register/api/openapi.json"
GOVUK_PAY = "pay-publicapi/openapi/publicapi_spec.json"
REISDOCUMENTEN = "reisdocumenten-bevragen/specificatie/openapi.yaml"
X_ROAD = "x-road/src/central-server/openapi-model/src/main/resources/openapi-definition.yaml"


def _media_type(path: Path) -> str:
    return "application/json" if path.suffix == ".json" else "application/yaml"


@contextmanager
def published(root: str) -> Iterator[tuple[StandIn, str]]:
    """A stand-in publishing every file of `root`'s folder (tests/bench/openapi/<folder>/…) at
    /<folder>/<its path>, unchanged; yields it and the root document's URL."""
    folder = OPENAPI / root.split("/", 1)[0]
    with serving(StandIn()) as standin:
        for file in sorted(p for p in folder.rglob("*") if p.is_file()):
            standin.publish(f"/{file.relative_to(OPENAPI).as_posix()}", file, _media_type(file))
        yield standin, f"{standin.base_url}/{root}"


def _target(tmp_path: Path, base_url: str, openapi: str, extra: str = "") -> Target:
    text = (
        f"name: stand-in\nbase_url: {base_url}\nopenapi: {openapi}\n{extra}"
        "safety: {max_rps: 500, timeout_s: 10}\n"
    )
    return write_target(tmp_path, "stand-in", text)


def _read_only(standin: StandIn, run: BenchRun) -> None:
    """The document checks sent nothing but GETs of the published files (DEP-VER-02 and the
    rules send no request at all; DEP-OAS-01 fetches the document and what its $refs name)."""
    port = int(standin.base_url.rsplit(":", 1)[1])
    assert_sound(run, [port])
    published_files = set(standin.routes)
    other = [(e.method, e.path) for e in standin.log if e.method != "GET"]
    other += [(e.method, e.path) for e in standin.log if e.path not in published_files]
    assert not other, f"requests beyond the published files: {other}"


def _fetched(standin: StandIn) -> set[str]:
    return {e.path.rsplit("/", 1)[1] for e in standin.log}


def _findings(run: BenchRun, requirement: str) -> list[str]:
    """The JSON paths of a document rule's findings (its validation evidence)."""
    for evidence in run.results[requirement].evidence:
        if evidence.kind == "validation" and "findings" in evidence.detail:
            return [f["json_path"] for f in evidence.detail["findings"]]
    return []


# -- 1. developer.overheid.nl API register: OpenAPI 3.1.0, JSON --------------------------------
def test_api_register(tmp_path: Path) -> None:
    with published(API_REGISTER) as (standin, url):
        run = run_suite(_target(tmp_path, standin.base_url, url), DOCUMENT_CHECKS)
    _read_only(standin, run)
    verdicts(
        run,
        {
            # openapi-spec-validator's 3.1 validator (what the catalogue names) reports nothing
            # on the file (run by hand on it: 0 errors)
            "DEP-OAS-01": PASS,
            # info has title "API register API v1", version "1.0.0" and contact with email and
            # url (lines 3-12); both servers are https://…/api-register/v1 (lines 13-22); no
            # path or operation has its own servers
            "DEP-OAS-02": PASS,
            # three operations break the rule, all else have operationId, summary and a 4xx:
            # GET /apis/_search (line 244) has no security of its own, so the global
            # `security: [{clientCredentials: []}]` (line 23) applies, and it documents 200 and
            # 400 but no 401; GET /openapi.json (line 700) and GET /organisations (line 732)
            # document 200 only. (The other operations list `{}` in their security: optional.)
            "DEP-OAS-03": WARN,
            # every path is /api-register/v1/… and info.version is 1.0.0
            "DEP-VER-02": PASS,
            # no operation is deprecated
            "DEP-DEP-01": NOT_JUDGED,
        },
    )
    assert _findings(run, "DEP-OAS-03") == [
        "$.paths['/apis/_search'].get.responses",
        "$.paths['/openapi.json'].get.responses",
        "$.paths['/organisations'].get.responses",
    ]
    assert "requires credentials but documents no 401" in run.message("DEP-OAS-03")


# -- 2. GOV.UK Pay: OpenAPI 3.0.1, JSON ---------------------------------------------------------
def test_govuk_pay(tmp_path: Path) -> None:
    with published(GOVUK_PAY) as (standin, url):
        run = run_suite(_target(tmp_path, standin.base_url, url), DOCUMENT_CHECKS)
    _read_only(standin, run)
    verdicts(
        run,
        {
            # openapi-spec-validator's 3.0 validator reports nothing (run by hand: 0 errors)
            "DEP-OAS-01": PASS,
            # info (lines 3-7) has description, title and version but no contact: a MUST of
            # the requirement (someone to reach about the API), though optional in OpenAPI
            "DEP-OAS-02": FAIL,
            # all 16 operations have an operationId and a summary and document a 4xx; the 15
            # with `security: [{BearerAuth: []}]` document 401; POST /v1/auth has no security
            "DEP-OAS-03": PASS,
            # one server, https://publicapi.payments.service.gov.uk (no path); every path starts
            # /v1/ and info.version is 1.0.3
            "DEP-VER-02": PASS,
            # only schema properties are deprecated (card_brand, lines 2017 and 2404), no
            # operation
            "DEP-DEP-01": NOT_JUDGED,
        },
    )
    assert "$.info.contact" in run.message("DEP-OAS-02")


# -- 3. Haal Centraal Reisdocumenten bevragen: OpenAPI 3.0.3, YAML, nine files -------------------
def test_reisdocumenten(tmp_path: Path) -> None:
    with published(REISDOCUMENTEN) as (standin, url):
        run = run_suite(_target(tmp_path, standin.base_url, url), DOCUMENT_CHECKS)
    _read_only(standin, run)
    verdicts(
        run,
        {
            # valid: the repository's own resolved form of these files
            # (specificatie/genereervariant/openapi.yaml) gives 0 errors by hand
            "DEP-OAS-01": PASS,
            # servers[1].url is http://localhost:5001/haalcentraal/api/reisdocumenten
            # (openapi.yaml line 8): not https
            "DEP-OAS-02": FAIL,
            # the one operation (POST /reisdocumenten) is not deprecated
            "DEP-DEP-01": NOT_JUDGED,
        },
    )
    assert "$.servers[1].url" in run.message("DEP-OAS-02")
    # the relative $refs were followed through the suite's client, on the target
    assert {"openapi.yaml", "zoek-reisdocumenten.yaml", "common.yaml"} <= _fetched(standin)


# A path item that is a $ref into another file holds the operations (it hid them once).


def test_reisdocumenten_operation_rules(tmp_path: Path) -> None:
    with published(REISDOCUMENTEN) as (standin, url):
        run = run_suite(_target(tmp_path, standin.base_url, url), ["DEP-OAS-03"])
    _read_only(standin, run)
    # POST /reisdocumenten (zoek-reisdocumenten.yaml lines 8-9, reached through the path item
    # $ref of openapi.yaml line 23) has an operationId and a description but no summary
    verdicts(run, {"DEP-OAS-03": WARN})


def test_reisdocumenten_version_in_path(tmp_path: Path) -> None:
    with published(REISDOCUMENTEN) as (standin, url):
        run = run_suite(_target(tmp_path, standin.base_url, url), ["DEP-VER-02"])
    _read_only(standin, run)
    # /haalcentraal/api/reisdocumenten (servers[0]) + /reisdocumenten holds no version segment,
    # though info.version is 2.0.0: the NL API Design Rules want /v2/ (a SHOULD: warn)
    verdicts(run, {"DEP-VER-02": WARN})


# -- 4. X-Road Central Server Admin API: OpenAPI 3.0.0, YAML, two files ---------------------------
def test_x_road(tmp_path: Path) -> None:
    with published(X_ROAD) as (standin, url):
        run = run_suite(_target(tmp_path, standin.base_url, url), DOCUMENT_CHECKS)
        rules = run_suite(_target(tmp_path, standin.base_url, url), RULES)
    _read_only(standin, run)
    _read_only(standin, rules)
    verdicts(
        run,
        {
            # components.schemas.ClientDeletionRequest and ClientDisableRequest require
            # `clientId` but define `client_id` (lines 5038-5057), ClientRenameRequest requires
            # `client_name` but defines `subsystem_name` (lines 5068-5080): openapi-spec-
            # validator, which the catalogue makes the judge of validity, reports all three
            "DEP-OAS-01": FAIL,
            # so the rules that depend on it are skipped
            "DEP-OAS-02": SKIP,
            "DEP-OAS-03": SKIP,
            "DEP-VER-02": SKIP,
            "DEP-DEP-01": SKIP,
        },
    )
    assert "Required list has not defined properties: ['clientId']" in run.message("DEP-OAS-01")
    assert "(and 2 more)" in run.message("DEP-OAS-01")
    # the $ref '../../../../../common/common-admin-api/…/common-openapi-definition.yaml' was
    # resolved against the document's URL and fetched from the stand-in
    assert "common-openapi-definition.yaml" in _fetched(standin)
    verdicts(
        rules,
        {
            # the one server is relative, /api/v1: resolved against the document's URL it is
            # http://127.0.0.1:PORT/api/v1 on this plain-HTTP stand-in, not https (behind
            # X-Road's own TLS it would be https)
            "DEP-OAS-02": FAIL,
            # GET /members/{member_id}/global-groups, …/owned-servers, …/used-servers (lines
            # 1829, 1857, 1885) and POST /management-services-configuration/register-provider
            # (line 2555) have no summary; GET /openapi.yaml (line 3110) is protected by the
            # global `security: [{ApiKeyAuth: []}]` (line 5268) but documents no 401
            "DEP-OAS-03": WARN,
            # /api/v1 + every path, info.version 1.0.0 (line 12)
            "DEP-VER-02": PASS,
            "DEP-DEP-01": NOT_JUDGED,
        },
    )
    assert "/api/v1 is not https" in rules.message("DEP-OAS-02")
    assert len(_findings(rules, "DEP-OAS-03")) == 5


# -- 5. data checks on a stand-in test system of the API register --------------------------------
API_VERSION = {"API-Version": "1.0.0"}
PREFIX = "/api-register/v1"
TOKEN = "bench-token-for-the-api-register"  # a test value, given through the environment


def _api(**changes: Any) -> dict[str, Any]:
    """An ApiSummary (components.schemas.ApiSummary, all its required members), hand-written."""
    api = {
        "id": "dicF0B3HR",
        "contact": {
            "email": "developer.overheid@geonovum.nl",
            "name": "Team developer.overheid.nl",
            "url": "https://developer.overheid.nl",
        },
        "title": "API register API v1",
        "description": "The API register of developer.overheid.nl",
        "organisation": {"uri": "https://www.geonovum.nl", "label": "Geonovum"},
        "adrScore": 85,
        "lifecycle": {"status": "active", "version": "1.0.0"},
    }
    api.update(changes)
    return api


FILTERS = [
    {
        "key": "status",
        "label": "Status",
        "description": "Lifecycle status",
        "type": "multi-select",
        "options": [
            {
                "value": "active",
                "label": "Active",
                "description": None,
                "count": 1,
                "selected": False,
            }
        ],
    }
]


def _register(api: dict[str, Any]) -> Any:
    """The stand-in's answers under /api-register/v1: documented bodies for the parameterless
    GETs, 404 problem details for any unknown id, 401 for /apis/_search without a token. It
    validates no query parameter (on purpose: see DATA-NEG-01)."""

    def answer(request: Logged) -> Answer | None:
        if not request.path.startswith(PREFIX):
            return None
        rest = request.path[len(PREFIX) :]
        if request.method not in ("GET", "HEAD"):
            return problem(405, "Method Not Allowed", Allow="GET, HEAD", **API_VERSION)
        if rest == "/apis":
            return json_answer(200, [api], **API_VERSION, **{"Total-Count": "1"})
        if rest == "/apis/_search" and not request.authorization:
            challenge = {"WWW-Authenticate": 'Bearer realm="api-register"'}
            return problem(401, "Unauthorized", **API_VERSION, **challenge)
        if rest == "/apis/_search":
            return json_answer(200, [api], **API_VERSION)
        if rest == "/apis/filters":
            return json_answer(200, FILTERS, **API_VERSION)
        if rest == "/organisations":
            return json_answer(200, [api["organisation"]], **API_VERSION)
        if rest == "/lint-results":
            return json_answer(200, [], **API_VERSION)
        return problem(404, "Not Found", **API_VERSION)

    return answer


@contextmanager
def register_test_system(api: dict[str, Any]) -> Iterator[tuple[StandIn, str]]:
    """The API register's document, `servers` set to the stand-in, and its answers."""
    standin = StandIn()
    standin.responders.append(_register(api))
    with serving(standin):
        document = json.loads((OPENAPI / API_REGISTER).read_text(encoding="utf-8"))
        document["servers"] = [{"url": standin.base_url + PREFIX, "description": "bench"}]
        standin.routes[PREFIX + "/openapi.json"] = json_answer(200, document, **API_VERSION)
        yield standin, standin.base_url + PREFIX + "/openapi.json"


def _data_target(tmp_path: Path, standin: StandIn, url: str) -> Target:
    credentials = "credentials: {bearer_token: {env: BENCH_REGISTER_TOKEN}}\n"
    return _target(tmp_path, standin.base_url, url, credentials)


@pytest.mark.slow
def test_api_register_data(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BENCH_REGISTER_TOKEN", TOKEN)
    with register_test_system(_api()) as (standin, url):
        run = run_suite(_data_target(tmp_path, standin, url), profile="data")
    assert_sound(run, [int(standin.base_url.rsplit(":", 1)[1])])
    assert not standin.writes(), "writes sent although write was not allowed"
    verdicts(
        run,
        {
            # the hand-written bodies follow the schemas: ApiSummary with all seven required
            # members and adrScore a number, FilterGroup/FilterOption with their required
            # members, OrganisationSummary; unknown ids get 404 application/problem+json with
            # status and title (components.responses.404, ProblemJson); API-Version 1.0.0
            # matches the documented semver pattern
            "DATA-SCH-01": PASS,
            # the stand-in never answers 5xx
            "DATA-SCH-02": PASS,
            # the stand-in validates no query parameter, so e.g. GET /apis?page=true (page is
            # an integer, minimum 1, components.parameters.Page) gets 200
            "DATA-NEG-01": FAIL,
            # every email (contact.email) and uri (organisation.uri, contact.url) is well formed
            "DATA-FMT-01": PASS,
            "DATA-NEG-02": SKIP,  # write not allowed
            "DATA-ENC-01": SKIP,  # write not allowed
        },
    )
    assert "answered 200" in run.message("DATA-NEG-01")
    assert "expected 4xx" in run.message("DATA-NEG-01")
    # the protected operation got the token every time (a 401 is not documented for it)
    searches = [e for e in standin.log if e.path == PREFIX + "/apis/_search"]
    assert searches, "GET /apis/_search was never called"
    assert all(e.authorization for e in searches)


@pytest.mark.slow
def test_api_register_data_broken(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BENCH_REGISTER_TOKEN", TOKEN)
    broken = _api(
        adrScore="85",  # a string: ApiSummary.adrScore is type [number, null]
        contact={
            "email": "developer.overheid at geonovum.nl",  # no @: format email broken
            "name": "Team developer.overheid.nl",
            "url": "https://developer.overheid.nl",
        },
    )
    with register_test_system(broken) as (standin, url):
        run = run_suite(
            _data_target(tmp_path, standin, url), ["DATA-SCH-01", "DATA-FMT-01"], profile="data"
        )
    assert_sound(run, [int(standin.base_url.rsplit(":", 1)[1])])
    verdicts(
        run,
        {
            # GET /apis (and /apis/_search) answer adrScore "85": not of type number or null
            "DATA-SCH-01": FAIL,
            # contact.email "developer.overheid at geonovum.nl" is not an email address
            "DATA-FMT-01": FAIL,
        },
    )
    assert "adrScore" in run.message("DATA-SCH-01")
    assert "developer.overheid at geonovum.nl" in run.message("DATA-FMT-01")
