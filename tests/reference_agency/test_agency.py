"""Smoke tests of the bundled reference agency: real servers over real TLS, no mocks."""

from __future__ import annotations

import base64
import datetime as dt
import json
import os
import re
import socket
import ssl
import subprocess
import sys
import time
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from cryptography import x509
from joserfc import jwk as jose_jwk
from joserfc import jws
from joserfc.errors import BadSignatureError
from lxml import etree, isoschematron
from openapi_spec_validator import validate
from reference_agency import FAULTS, ReferenceAgency
from reference_agency.identifiers import (
    citizen_id_check_char,
    corrupt_check_char,
    is_valid_citizen_id,
    is_valid_uscc,
    make_citizen_id,
    make_uscc,
    organisation_code_check_char,
    uscc_check_char,
)
from signxml.exceptions import InvalidSignature as InvalidXmlSignature
from signxml.verifier import XMLVerifier

SCHEMAS = Path(__file__).parents[2] / "fixtures" / "reference_agency" / "schemas"
TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736"
TRACEPARENT = f"00-{TRACE_ID}-00f067aa0ba902b7-01"
APPLICATION: dict[str, Any] = {
    "applicant": {"name": "张三", "id_number": "11010519491231002X"},
    "enterprise": {
        "name": "北京示例科技有限公司",
        "division_code": "110105",
        "registered_capital": {"amount": 1000000, "currency": "CNY"},
    },
}
PROBLEM = "application/problem+json"


# -- helpers -------------------------------------------------------------------------------
def session_for(agency: ReferenceAgency) -> requests.Session:
    """A requests session trusting only the agency's CA (environment CA settings ignored)."""
    session = requests.Session()
    session.trust_env = False
    session.verify = str(agency.ca_bundle)
    return session


def get_token(agency: ReferenceAgency, scope: str | None = None, client: int = 0) -> str:
    """A bearer token for one of the agency's OAuth2 clients."""
    oauth = agency.clients[client]
    data = {"grant_type": "client_credentials"}
    if scope:
        data["scope"] = scope
    with session_for(agency) as http:
        answer = http.post(
            agency.token_url, data=data, auth=(oauth.client_id, oauth.client_secret), timeout=10
        )
    assert answer.status_code == 200, answer.text
    token: str = answer.json()["access_token"]
    return token


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def submit(
    agency: ReferenceAgency,
    http: requests.Session,
    token: str,
    body: dict[str, Any] | None = None,
    key: str | None = None,
) -> requests.Response:
    headers = {**bearer(token), "traceparent": TRACEPARENT}
    if key is not None:
        headers["Idempotency-Key"] = key
    return http.post(
        f"{agency.base_url}/v1/applications", json=body or APPLICATION, headers=headers, timeout=10
    )


def follow(http: requests.Session, location: str, token: str, reads: int) -> list[dict[str, Any]]:
    """Read an application ``reads`` times; return each answer body."""
    bodies = []
    for _ in range(reads):
        answer = http.get(location, headers=bearer(token), timeout=10)
        assert answer.status_code == 200, answer.text
        bodies.append(answer.json())
    return bodies


def licensed(
    agency: ReferenceAgency, http: requests.Session, token: str, body: dict[str, Any] | None = None
) -> dict[str, Any]:
    created = submit(agency, http, token, body)
    assert created.status_code == 201, created.text
    return follow(http, created.headers["Location"], token, 3)[-1]


def handshake(port: int, version: ssl.TLSVersion, ciphers: str = "DEFAULT@SECLEVEL=0") -> str:
    """Negotiated protocol of a TLS handshake pinned to ``version`` ("" when refused)."""
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        ctx.minimum_version = version
        ctx.maximum_version = version
    ctx.set_ciphers(ciphers)
    try:
        with (
            socket.create_connection(("127.0.0.1", port), timeout=5) as raw,
            ctx.wrap_socket(raw) as tls,
        ):
            return tls.version() or ""
    except (ssl.SSLError, OSError):
        return ""


def port_of(url: str) -> int:
    return int(url.rsplit(":", 1)[1])


def xsd() -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(SCHEMAS / "license.xsd")))


def schematron() -> isoschematron.Schematron:
    return isoschematron.Schematron(etree.parse(str(SCHEMAS / "license.sch")))


def license_xml(agency: ReferenceAgency, http: requests.Session, code: str) -> etree._Element:
    answer = http.get(
        f"{agency.base_url}/v1/licenses/{code}", headers={"Accept": "application/xml"}, timeout=10
    )
    assert answer.status_code == 200
    assert answer.headers["Content-Type"].startswith("application/xml")
    return etree.fromstring(answer.content)


def first_license(agency: ReferenceAgency, http: requests.Session) -> dict[str, Any]:
    items: list[dict[str, Any]] = http.get(f"{agency.base_url}/v1/licenses").json()["items"]
    return items[0]


# -- fixtures ------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def agency() -> Iterator[ReferenceAgency]:
    """A conformant reference agency for the whole module."""
    with ReferenceAgency() as running:
        yield running


@pytest.fixture
def http(agency: ReferenceAgency) -> Iterator[requests.Session]:
    with session_for(agency) as session:
        yield session


@pytest.fixture(scope="module")
def token(agency: ReferenceAgency) -> str:
    return get_token(agency)


# -- identifiers ---------------------------------------------------------------------------
def test_identifier_check_characters() -> None:
    assert citizen_id_check_char("11010519491231002") == "X"
    assert is_valid_citizen_id("11010519491231002X")
    assert not is_valid_citizen_id("110105194912310021")
    assert not is_valid_citizen_id("11010519491231002x")
    assert is_valid_uscc("91350100M000100Y43")  # the GB 32100 example
    assert is_valid_uscc("914403001922038216")
    assert uscc_check_char("91350100M000100Y4") == "3"
    assert not is_valid_uscc("91350100M000100Y44")
    assert not is_valid_uscc("91350100M000100Y4I")  # I is not in the alphabet
    assert organisation_code_check_char("M000100Y") == "4"
    assert is_valid_citizen_id(make_citizen_id("110108", "19800312", 11))
    code = make_uscc("110108", 12345678)
    assert is_valid_uscc(code)
    assert code[2:8] == "110108"
    wrong = corrupt_check_char(code)
    assert wrong != code
    assert re.fullmatch(r"^[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}$", wrong)
    assert not is_valid_uscc(wrong)


# -- lifecycle -----------------------------------------------------------------------------
def test_lifecycle_and_unknown_fault(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match=r"NET-HSTS-1.*did you mean 'NET-HSTS-01'"):
        ReferenceAgency(faults=("NET-HSTS-1",))
    agency = ReferenceAgency(workdir=tmp_path)
    with pytest.raises(RuntimeError):
        _ = agency.base_url
    agency.start()
    assert agency.base_url.startswith("https://127.0.0.1:")
    assert agency.http_url.startswith("http://127.0.0.1:")
    assert agency.peer_url.startswith("https://127.0.0.1:")
    assert agency.token_url == agency.base_url + "/v1/oauth2/token"
    assert agency.faults == frozenset()
    assert agency.ca_bundle.is_file()
    assert agency.client_cert.is_file()
    with session_for(agency) as http:
        assert http.get(agency.base_url + "/v1/health").status_code == 200
    assert agency.request_count("/v1/health") == 1
    base = agency.base_url
    began = time.monotonic()
    agency.stop()
    agency.stop()
    assert time.monotonic() - began < 2
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(("127.0.0.1", port_of(base)), timeout=1).close()


def test_secret_is_random_per_start() -> None:
    with ReferenceAgency() as one, ReferenceAgency() as two:
        assert one.client_secret != two.client_secret
        assert one.base_url != two.base_url


# -- departmental --------------------------------------------------------------------------
def test_api_catalog(agency: ReferenceAgency, http: requests.Session) -> None:
    answer = http.get(agency.base_url + "/.well-known/api-catalog")
    assert answer.status_code == 200
    assert answer.headers["Content-Type"].split(";")[0] == "application/linkset+json"
    context = answer.json()["linkset"][0]
    base = agency.base_url
    assert context["anchor"] == f"{base}/v1/"
    assert context["service-desc"][0]["href"] == f"{base}/v1/openapi.json"
    for relation in ("service-desc", "service-doc", "status", "service-meta"):
        assert http.get(context[relation][0]["href"]).status_code == 200
    sla = context["service-level"]
    assert sla["availability"] == 0.995
    assert sla["p95_latency_ms"] == 800
    (agreement,) = context["data-sharing-agreements"]
    today = dt.date.today().isoformat()
    assert agreement["valid_from"] <= today <= agreement["valid_until"]
    assert agency.peer_url in {party["url"] for party in agreement["parties"]}
    head = http.head(agency.base_url + "/.well-known/api-catalog")
    assert head.status_code == 200
    assert head.content == b""


def test_openapi_document(agency: ReferenceAgency, http: requests.Session) -> None:
    answer = http.get(agency.base_url + "/v1/openapi.json")
    assert answer.status_code == 200
    doc = answer.json()
    validate(doc)
    assert doc["openapi"] == "3.1.0"
    assert doc["servers"] == [{"url": agency.base_url + "/v1"}]
    assert {"name", "email", "url"} <= doc["info"]["contact"].keys()
    assert answer.headers["API-Version"] == doc["info"]["version"]
    operations = {op["operationId"]: op for item in doc["paths"].values() for op in item.values()}
    for op in operations.values():
        assert op["summary"]
        problems = [code for code in op["responses"] if code.startswith("4")]
        assert problems
        for code in problems:
            assert PROBLEM in op["responses"][code]["content"]
    links = operations["createApplication"]["responses"]["201"]["links"]
    assert links["GetApplication"]["parameters"] == {"id": "$response.body#/id"}
    links = operations["getApplication"]["responses"]["200"]["links"]
    assert links["GetLicense"]["parameters"] == {"code": "$response.body#/license_code"}
    assert operations["getEnterprise"]["deprecated"] is True
    docs = http.get(agency.base_url + "/v1/docs")
    assert docs.status_code == 200
    assert docs.headers["Content-Type"].startswith("text/html")
    health = http.get(agency.base_url + "/v1/health")
    assert health.headers["Content-Type"] == "application/health+json"
    assert health.json()["status"] == "pass"
    services = http.get(agency.base_url + "/v1/public-services")
    assert services.headers["Content-Type"] == "application/ld+json"
    assert "cv:hasLegalResource" in services.json()["@graph"][0]


def test_errors_are_problem_details(agency: ReferenceAgency, http: requests.Session) -> None:
    for method, path, status in (
        ("GET", "/nowhere", 404),
        ("DELETE", "/v1/licenses", 405),
        ("GET", "/v1/licenses/", 404),
        ("GET", "/v1/applications/x", 401),
    ):
        answer = http.request(method, agency.base_url + path, allow_redirects=False)
        assert answer.status_code == status
        assert answer.headers["Content-Type"] == PROBLEM
        body = answer.json()
        assert body["status"] == status
        assert body["type"]
        assert body["title"]
        assert body["detail"]
        assert answer.headers["API-Version"] == "1.4.0"
    assert http.delete(agency.base_url + "/v1/licenses").headers["Allow"] == "GET, HEAD"
    assert (
        http.get(agency.base_url + "/v1/licenses", headers={"Accept": "text/csv"}).status_code
        == 406
    )


def test_deprecated_operation(agency: ReferenceAgency, http: requests.Session) -> None:
    code = first_license(agency, http)["code"]
    answer = http.get(f"{agency.base_url}/v1/enterprises/{code}")
    assert answer.status_code == 200
    assert re.fullmatch(r"@\d+", answer.headers["Deprecation"])
    assert answer.headers["Sunset"].endswith("GMT")


# -- network -------------------------------------------------------------------------------
def test_tls_versions_and_headers(agency: ReferenceAgency, http: requests.Session) -> None:
    port = port_of(agency.base_url)
    assert handshake(port, ssl.TLSVersion.TLSv1) == ""
    assert handshake(port, ssl.TLSVersion.TLSv1_1) == ""
    assert handshake(port, ssl.TLSVersion.TLSv1_2) == "TLSv1.2"
    assert handshake(port, ssl.TLSVersion.TLSv1_3) == "TLSv1.3"
    assert handshake(port, ssl.TLSVersion.TLSv1_2, "AES128-GCM-SHA256") == ""  # no static RSA
    answer = http.get(agency.base_url + "/v1/licenses")
    assert answer.headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
    assert answer.headers["X-Content-Type-Options"] == "nosniff"
    assert answer.headers["Cache-Control"] == "no-store"


def test_plain_http_redirects(agency: ReferenceAgency, http: requests.Session) -> None:
    for host in ("127.0.0.1", "localhost"):
        url = agency.http_url.replace("127.0.0.1", host) + "/v1/licenses?x=1"
        answer = http.get(url, allow_redirects=False)
        assert answer.status_code == 308
        assert answer.content == b""
        expected = agency.base_url.replace("127.0.0.1", host) + "/v1/licenses?x=1"
        assert answer.headers["Location"] == expected


def test_oauth2_token_endpoint(agency: ReferenceAgency, http: requests.Session) -> None:
    grant = {"grant_type": "client_credentials"}
    basic = http.post(agency.token_url, data=grant, auth=(agency.client_id, agency.client_secret))
    assert basic.status_code == 200
    assert basic.headers["Cache-Control"] == "no-store"
    body = basic.json()
    assert body["token_type"] == "Bearer"
    assert body["expires_in"] == 300
    assert set(body["scope"].split()) == set(agency.scopes.split())
    form = http.post(
        agency.token_url,
        data={
            **grant,
            "client_id": agency.client_id,
            "client_secret": agency.client_secret,
            "scope": "applications:read",
        },
    )
    assert form.status_code == 200
    assert form.json()["scope"] == "applications:read"
    wrong = http.post(agency.token_url, data=grant, auth=(agency.client_id, "wrong"))
    assert wrong.status_code == 401
    assert wrong.json()["error"] == "invalid_client"
    assert wrong.headers["WWW-Authenticate"].startswith("Basic realm=")
    other = http.post(
        agency.token_url,
        data={"grant_type": "password"},
        auth=(agency.client_id, agency.client_secret),
    )
    assert other.status_code == 400
    assert other.json()["error"] == "unsupported_grant_type"
    scope = http.post(
        agency.token_url,
        data={**grant, "scope": "admin"},
        auth=(agency.client_id, agency.client_secret),
    )
    assert scope.status_code == 400
    assert scope.json()["error"] == "invalid_scope"


def test_bearer_challenges(agency: ReferenceAgency, http: requests.Session) -> None:
    url = agency.base_url + "/v1/applications"
    missing = http.post(url, json=APPLICATION)
    assert missing.status_code == 401
    assert missing.headers["WWW-Authenticate"] == 'Bearer realm="market-regulation"'
    bad = http.post(url, json=APPLICATION, headers=bearer("not-a-token"))
    assert bad.status_code == 401
    assert 'error="invalid_token"' in bad.headers["WWW-Authenticate"]
    read_only = get_token(agency, "applications:read")
    weak = http.post(url, json=APPLICATION, headers=bearer(read_only))
    assert weak.status_code == 403
    assert 'error="insufficient_scope"' in weak.headers["WWW-Authenticate"]
    assert 'scope="applications:write"' in weak.headers["WWW-Authenticate"]


def test_public_security_requires_trusted_client_certificate(agency: ReferenceAgency) -> None:
    url = agency.peer_url + "/v1/health"
    with session_for(agency) as http:
        with pytest.raises(requests.exceptions.RequestException):
            http.get(url, timeout=5)
        with pytest.raises(requests.exceptions.RequestException):
            http.get(
                url,
                timeout=5,
                cert=(str(agency.untrusted_client_cert), str(agency.untrusted_client_key)),
            )
        answer = http.get(url, timeout=5, cert=(str(agency.client_cert), str(agency.client_key)))
        assert answer.status_code == 200
        assert answer.json()["status"] == "pass"


# -- data and business ---------------------------------------------------------------------
def test_workflow_to_licensed(agency: ReferenceAgency, http: requests.Session, token: str) -> None:
    before = len(agency.peer_requests)
    created = submit(agency, http, token)
    assert created.status_code == 201
    assert created.headers["Cache-Control"] == "no-store"
    app = created.json()
    assert app["state"] == "submitted"
    assert app["trace_id"] == TRACE_ID
    assert created.headers["Location"] == f"{agency.base_url}/v1/applications/{app['id']}"
    assert dt.datetime.fromisoformat(app["submitted_at"]).utcoffset() is not None
    states = [b["state"] for b in follow(http, created.headers["Location"], token, 4)]
    assert states == ["verifying", "approved", "licensed", "licensed"]
    (call,) = agency.peer_requests[before:]
    version, trace_id, parent_id, _flags = call["traceparent"].split("-")
    assert (version, trace_id) == ("00", TRACE_ID)
    assert parent_id != "00f067aa0ba902b7"
    assert "market-regulation-client" in call["client_cert_subject"]
    assert call["body"] == APPLICATION["applicant"]
    final = http.get(created.headers["Location"], headers=bearer(token)).json()
    code = final["license_code"]
    assert is_valid_uscc(code)
    assert code[2:8] == "110105"
    items = http.get(agency.base_url + "/v1/licenses").json()["items"]
    registry = {lic["code"]: lic for lic in items}
    licence = registry[code]
    assert licence["enterprise_name"] == "北京示例科技有限公司"
    assert licence["legal_representative"] == APPLICATION["applicant"]
    xml = license_xml(agency, http, code)
    xsd().assertValid(xml)
    assert schematron().validate(xml), schematron().error_log
    ns = {"l": "urn:example:market-regulation:license:1"}
    assert xml.findtext("l:enterprise_name", namespaces=ns) == licence["enterprise_name"]
    assert xml.findtext("l:issued_at", namespaces=ns) == licence["issued_at"]


@pytest.mark.parametrize(
    "id_number", [make_citizen_id("110105", "19700101", 999), "110105194912310021"]
)
def test_unverified_person_is_rejected(
    agency: ReferenceAgency, http: requests.Session, token: str, id_number: str
) -> None:
    body = json.loads(json.dumps(APPLICATION))
    body["applicant"]["id_number"] = id_number  # unknown person; wrong check character
    created = submit(agency, http, token, body)
    assert created.status_code == 201
    states = [b["state"] for b in follow(http, created.headers["Location"], token, 3)]
    assert states == ["verifying", "rejected", "rejected"]


def test_seeded_licenses(agency: ReferenceAgency, http: requests.Session) -> None:
    items = http.get(agency.base_url + "/v1/licenses").json()["items"]
    assert len(items) >= 3
    for lic in items[:3]:
        assert is_valid_uscc(lic["code"])
        assert is_valid_citizen_id(lic["legal_representative"]["id_number"])
        assert lic["issued_at"].endswith("+08:00")
        xml = license_xml(agency, http, lic["code"])
        xsd().assertValid(xml)
        assert schematron().validate(xml)


def test_idempotency_key(agency: ReferenceAgency, http: requests.Session, token: str) -> None:
    first = submit(agency, http, token, key="k-1")
    again = submit(agency, http, token, key="k-1")
    assert first.status_code == again.status_code == 201
    assert first.content == again.content
    assert first.headers["Location"] == again.headers["Location"]
    other = json.loads(json.dumps(APPLICATION))
    other["enterprise"]["name"] = "上海示例贸易有限公司"
    clash = submit(agency, http, token, other, key="k-1")
    assert clash.status_code == 422
    assert clash.headers["Content-Type"] == PROBLEM
    fresh = submit(agency, http, token, key="k-2")
    assert fresh.json()["id"] != first.json()["id"]


def test_request_validation(agency: ReferenceAgency, http: requests.Session, token: str) -> None:
    url = agency.base_url + "/v1/applications"
    auth = bearer(token)
    cases: list[tuple[dict[str, str], bytes, int]] = [
        ({"Content-Type": "application/json"}, b'{"applicant": ', 400),
        ({"Content-Type": "application/xml"}, b"<application><applicant>", 400),
        ({"Content-Type": "text/plain"}, b"hello", 415),
        (
            {"Content-Type": "application/json", "Accept": "application/xml"},
            json.dumps(APPLICATION).encode(),
            406,
        ),
        ({"Content-Type": "application/json"}, b'{"applicant": {}}', 422),
        ({"Content-Type": "application/json"}, b"x" * (1024 * 1024 + 1), 413),
    ]
    extra = {**APPLICATION, "unexpected": 1}
    cases.append(({"Content-Type": "application/json"}, json.dumps(extra).encode(), 422))
    for headers, body, status in cases:
        answer = http.post(url, data=body, headers={**auth, **headers})
        assert answer.status_code == status, (headers, answer.text)
        assert answer.headers["Content-Type"] == PROBLEM
    xml = (
        "<application xmlns='urn:example:market-regulation:application:1'>"
        "<applicant><name>李四</name><id_number>11010519491231002X</id_number></applicant>"
        "<enterprise><name>杭州示例网络有限公司</name><division_code>330106</division_code>"
        "<registered_capital><amount>500000</amount><currency>CNY</currency>"
        "</registered_capital></enterprise></application>"
    ).encode()
    answer = http.post(url, data=xml, headers={**auth, "Content-Type": "application/xml"})
    assert answer.status_code == 201, answer.text
    assert answer.json()["applicant"]["name"] == "李四"
    xxe = (
        b'<?xml version="1.0"?><!DOCTYPE a [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        + xml.replace("李四".encode(), b"&x;")
    )
    answer = http.post(url, data=xxe, headers={**auth, "Content-Type": "application/xml"})
    assert "root:" not in answer.text


def test_other_client_cannot_read_application(
    agency: ReferenceAgency, http: requests.Session, token: str
) -> None:
    location = submit(agency, http, token).headers["Location"]
    other = get_token(agency, client=1)
    assert http.get(location, headers=bearer(other)).status_code == 404


# -- faults --------------------------------------------------------------------------------
FaultCheck = Callable[[ReferenceAgency, requests.Session], None]
FAULT_CHECKS: dict[str, FaultCheck] = {}


def fault(name: str) -> Callable[[FaultCheck], FaultCheck]:
    def register(check: FaultCheck) -> FaultCheck:
        FAULT_CHECKS[name] = check
        return check

    return register


@fault("DEP-CAT-01")
def _cat(agency: ReferenceAgency, http: requests.Session) -> None:
    answer = http.get(agency.base_url + "/.well-known/api-catalog")
    assert answer.headers["Content-Type"] == "application/json"
    assert "service-desc" in answer.json()["linkset"][0]


@fault("DEP-OAS-01")
def _oas1(agency: ReferenceAgency, http: requests.Session) -> None:
    with pytest.raises(Exception, match="description"):
        validate(http.get(agency.base_url + "/v1/openapi.json").json())


@fault("DEP-OAS-02")
def _oas2(agency: ReferenceAgency, http: requests.Session) -> None:
    servers = http.get(agency.base_url + "/v1/openapi.json").json()["servers"]
    assert servers[0]["url"].startswith("https://")
    assert servers[-1]["url"].startswith("http://")


@fault("DEP-OAS-03")
def _oas3(agency: ReferenceAgency, http: requests.Session) -> None:
    op = http.get(agency.base_url + "/v1/openapi.json").json()["paths"]["/licenses"]["get"]
    assert "operationId" not in op
    assert "summary" not in op


@fault("DEP-SVC-01")
def _svc(agency: ReferenceAgency, http: requests.Session) -> None:
    graph = http.get(agency.base_url + "/v1/public-services").json()["@graph"]
    assert "cv:hasLegalResource" not in graph[0]


@fault("DEP-SLA-01")
def _sla(agency: ReferenceAgency, http: requests.Session) -> None:
    context = http.get(agency.base_url + "/.well-known/api-catalog").json()["linkset"][0]
    assert "service-level" not in context


@fault("DEP-AGR-01")
def _agr(agency: ReferenceAgency, http: requests.Session) -> None:
    context = http.get(agency.base_url + "/.well-known/api-catalog").json()["linkset"][0]
    assert context["data-sharing-agreements"][0]["valid_until"] < dt.date.today().isoformat()


@fault("DEP-SLA-02")
def _sla2(agency: ReferenceAgency, http: requests.Session) -> None:
    assert http.get(agency.base_url + "/v1/health").elapsed.total_seconds() >= 0.9


@fault("DEP-VER-02")
def _ver2(agency: ReferenceAgency, http: requests.Session) -> None:
    doc = http.get(agency.base_url + "/v1/openapi.json").json()
    assert doc["paths"]["/licenses"]["servers"][0]["url"].endswith("/v1.4")
    assert http.get(agency.base_url + "/v1.4/licenses").status_code == 200


@fault("DEP-VER-01")
def _ver(agency: ReferenceAgency, http: requests.Session) -> None:
    assert "API-Version" not in http.get(agency.base_url + "/v1/health").headers


@fault("DEP-DEP-01")
def _dep(agency: ReferenceAgency, http: requests.Session) -> None:
    code = first_license(agency, http)["code"]
    answer = http.get(f"{agency.base_url}/v1/enterprises/{code}")
    assert answer.status_code == 200
    assert "Deprecation" not in answer.headers
    assert "Sunset" not in answer.headers


@fault("DEP-ERR-01")
def _err(agency: ReferenceAgency, http: requests.Session) -> None:
    answer = http.get(agency.base_url + "/nowhere")
    assert answer.status_code == 404
    assert answer.headers["Content-Type"] == "application/json"
    assert set(answer.json()) == {"error"}


@fault("DEP-HLT-01")
def _hlt(agency: ReferenceAgency, http: requests.Session) -> None:
    assert http.get(agency.base_url + "/v1/health").json()["status"] == "fail"


@fault("DEP-DOC-01")
def _doc(agency: ReferenceAgency, http: requests.Session) -> None:
    assert http.get(agency.base_url + "/v1/docs").status_code == 404


@fault("NET-TLS-01")
def _tls1(agency: ReferenceAgency, http: requests.Session) -> None:
    assert handshake(port_of(agency.base_url), ssl.TLSVersion.TLSv1) == "TLSv1"
    assert handshake(port_of(agency.base_url), ssl.TLSVersion.TLSv1_1) == "TLSv1.1"


@fault("NET-TLS-02")
def _tls2(agency: ReferenceAgency, http: requests.Session) -> None:
    assert handshake(port_of(agency.base_url), ssl.TLSVersion.TLSv1_3) == ""
    assert handshake(port_of(agency.base_url), ssl.TLSVersion.TLSv1_2) == "TLSv1.2"


@fault("NET-TLS-03")
def _tls3(agency: ReferenceAgency, http: requests.Session) -> None:
    port = port_of(agency.base_url)
    assert handshake(port, ssl.TLSVersion.TLSv1_2, "AES128-GCM-SHA256") == "TLSv1.2"


@fault("NET-CRT-01")
def _crt1(agency: ReferenceAgency, http: requests.Session) -> None:
    cert = (str(agency.client_cert), str(agency.client_key))
    with pytest.raises(requests.exceptions.SSLError):
        requests.get(agency.peer_url + "/v1/health", verify=str(agency.ca_bundle), cert=cert)
    assert http.get(agency.base_url + "/v1/health").status_code == 200


def peer_certificate(agency: ReferenceAgency) -> x509.Certificate:
    """The certificate Public Security's listener sends (read without verifying it)."""
    pem = ssl.get_server_certificate(("127.0.0.1", port_of(agency.peer_url)))
    return x509.load_pem_x509_certificate(pem.encode())


def peer_still_called(agency: ReferenceAgency, http: requests.Session) -> None:
    """Market Regulation, lenient about the peer's certificate fault, still gets to licensed."""
    assert licensed(agency, http, get_token(agency))["state"] == "licensed"


@fault("NET-CRT-01/wrong-host")
def _crt1_host(agency: ReferenceAgency, http: requests.Session) -> None:
    cert = (str(agency.client_cert), str(agency.client_key))
    with pytest.raises(requests.exceptions.SSLError, match="match"):
        requests.get(agency.peer_url + "/v1/health", verify=str(agency.ca_bundle), cert=cert)
    names = peer_certificate(agency).extensions.get_extension_for_class(x509.SubjectAlternativeName)
    assert names.value.get_values_for_type(x509.DNSName) == ["public-security.example"]
    peer_still_called(agency, http)


@fault("NET-CRT-02/expired")
def _crt2_expired(agency: ReferenceAgency, http: requests.Session) -> None:
    expired = peer_certificate(agency).not_valid_after_utc
    assert dt.timedelta(days=1) < dt.datetime.now(dt.UTC) - expired < dt.timedelta(days=3)
    peer_still_called(agency, http)


@fault("NET-CRT-02/not-yet-valid")
def _crt2_early(agency: ReferenceAgency, http: requests.Session) -> None:
    starts = peer_certificate(agency).not_valid_before_utc
    assert dt.timedelta(days=1) < starts - dt.datetime.now(dt.UTC) < dt.timedelta(days=3)
    peer_still_called(agency, http)


@fault("NET-CRT-03/sha1")
def _crt3_sha1(agency: ReferenceAgency, http: requests.Session) -> None:
    chain = x509.load_pem_x509_certificates(agency.files.server_cert.read_bytes())
    assert [c.signature_hash_algorithm.name for c in chain[1:]] == ["sha1"]  # type: ignore[union-attr]
    assert http.get(agency.base_url + "/v1/health").status_code == 200


@fault("NET-CRT-03")
def _crt3(agency: ReferenceAgency, http: requests.Session) -> None:
    chain = x509.load_pem_x509_certificates(agency.files.server_cert.read_bytes())
    assert [c.public_key().key_size for c in chain[1:]] == [1024]
    assert http.get(agency.base_url + "/v1/health").status_code == 200


@fault("NET-RATE-01")
def _rate1(agency: ReferenceAgency, http: requests.Session) -> None:
    token = http.post(
        agency.token_url,
        data={"grant_type": "client_credentials"},
        auth=(agency.client_id, agency.client_secret),
    ).json()["access_token"]
    headers = {"Authorization": f"Bearer {token}"}
    statuses = {
        http.get(agency.base_url + "/v1/applications/x", headers=headers).status_code
        for _ in range(60)
    }
    assert statuses == {404}


@fault("NET-LOAD-01")
def _load1(agency: ReferenceAgency, http: requests.Session) -> None:
    from concurrent.futures import ThreadPoolExecutor

    def timed(_: int) -> float:
        started = time.monotonic()
        requests.get(agency.base_url + "/v1/health", verify=str(agency.ca_bundle), timeout=10)
        return time.monotonic() - started

    with ThreadPoolExecutor(10) as pool:
        latencies = list(pool.map(timed, range(40)))
    assert max(latencies) >= 1.0


@fault("NET-CRT-02")
def _crt2(agency: ReferenceAgency, http: requests.Session) -> None:
    ctx = ssl.create_default_context(cafile=str(agency.ca_bundle))
    with (
        socket.create_connection(("127.0.0.1", port_of(agency.base_url))) as raw,
        ctx.wrap_socket(raw, server_hostname="127.0.0.1") as tls,
    ):
        not_after = ssl.cert_time_to_seconds(tls.getpeercert()["notAfter"])  # type: ignore[index,arg-type]
    assert not_after - time.time() < 8 * 86400


@fault("NET-HTTP-01")
def _http(agency: ReferenceAgency, http: requests.Session) -> None:
    answer = http.get(agency.http_url + "/v1/licenses", allow_redirects=False)
    assert answer.status_code == 200
    assert answer.json()["items"]


@fault("NET-HSTS-01")
def _hsts(agency: ReferenceAgency, http: requests.Session) -> None:
    assert http.get(agency.base_url + "/v1/health").headers["Strict-Transport-Security"] == (
        "max-age=86400"
    )


@fault("NET-MTLS-01")
def _mtls(agency: ReferenceAgency, http: requests.Session) -> None:
    assert http.get(agency.peer_url + "/v1/health").status_code == 200


@fault("NET-AUTH-01")
def _auth1(agency: ReferenceAgency, http: requests.Session) -> None:
    answer = http.post(agency.base_url + "/v1/applications", json=APPLICATION)
    assert answer.status_code == 401
    assert "WWW-Authenticate" not in answer.headers


@fault("NET-AUTH-02")
def _auth2(agency: ReferenceAgency, http: requests.Session) -> None:
    answer = http.post(
        agency.base_url + "/v1/applications", json=APPLICATION, headers=bearer("expired-or-invalid")
    )
    assert answer.status_code == 403


@fault("NET-AUTH-03")
def _auth3(agency: ReferenceAgency, http: requests.Session) -> None:
    answer = http.post(
        agency.token_url,
        data={"grant_type": "client_credentials"},
        auth=(agency.client_id, "wrong-secret"),
    )
    assert answer.status_code == 200
    assert answer.json()["access_token"]


@fault("NET-HDR-01")
def _hdr(agency: ReferenceAgency, http: requests.Session) -> None:
    assert "X-Content-Type-Options" not in http.get(agency.base_url + "/v1/health").headers


@fault("NET-METH-01")
def _meth(agency: ReferenceAgency, http: requests.Session) -> None:
    answer = http.delete(agency.base_url + "/v1/licenses")
    assert answer.status_code == 405
    assert "Allow" not in answer.headers


@fault("NET-CORS-01")
def _cors(agency: ReferenceAgency, http: requests.Session) -> None:
    answer = http.options(
        agency.base_url + "/v1/licenses",
        headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "GET"},
    )
    assert answer.headers["Access-Control-Allow-Origin"] == "*"
    assert answer.headers["Access-Control-Allow-Credentials"] == "true"


@fault("DATA-SCH-01")
def _sch1(agency: ReferenceAgency, http: requests.Session) -> None:
    lic = first_license(agency, http)
    assert isinstance(lic["issued_at"], int)
    assert is_valid_uscc(lic["code"])
    xsd().assertValid(license_xml(agency, http, lic["code"]))


@fault("DATA-SCH-02")
def _sch2(agency: ReferenceAgency, http: requests.Session) -> None:
    assert http.get(agency.base_url + "/v1/licenses/91350100M000100Y43").status_code == 500


@fault("DATA-NEG-01")
def _neg1(agency: ReferenceAgency, http: requests.Session) -> None:
    answer = submit(agency, http, get_token(agency), {**APPLICATION, "unexpected": True})
    assert answer.status_code == 201


@fault("DATA-NEG-02")
def _neg2(agency: ReferenceAgency, http: requests.Session) -> None:
    answer = http.post(
        agency.base_url + "/v1/applications",
        data=b"{broken",
        headers={**bearer(get_token(agency)), "Content-Type": "application/json"},
    )
    assert answer.status_code == 422


@fault("DATA-XML-01")
def _xml1(agency: ReferenceAgency, http: requests.Session) -> None:
    lic = first_license(agency, http)
    assert not xsd().validate(license_xml(agency, http, lic["code"]))
    assert "status" in lic


@fault("DATA-XML-02")
def _xml2(agency: ReferenceAgency, http: requests.Session) -> None:
    xml = license_xml(agency, http, first_license(agency, http)["code"])
    xsd().assertValid(xml)
    assert not schematron().validate(xml)


@fault("DATA-CNEG-01")
def _cneg(agency: ReferenceAgency, http: requests.Session) -> None:
    lic = first_license(agency, http)
    xml = license_xml(agency, http, lic["code"])
    xsd().assertValid(xml)
    name = xml.findtext("{urn:example:market-regulation:license:1}enterprise_name")
    assert name != lic["enterprise_name"]


@fault("DATA-CL-01")
def _cl(agency: ReferenceAgency, http: requests.Session) -> None:
    lic = first_license(agency, http)
    assert lic["division_code"] == "999999"
    assert is_valid_uscc(lic["code"])


@fault("DATA-ID-01")
def _id(agency: ReferenceAgency, http: requests.Session) -> None:
    items = http.get(agency.base_url + "/v1/licenses").json()["items"]
    for lic in items:
        assert re.fullmatch(r"^[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}$", lic["code"])
        assert not is_valid_uscc(lic["code"])


@fault("DATA-FMT-01")
def _fmt(agency: ReferenceAgency, http: requests.Session) -> None:
    issued = first_license(agency, http)["issued_at"]
    assert dt.datetime.fromisoformat(issued).utcoffset() is None


@fault("DATA-RDF-01")
def _rdf(agency: ReferenceAgency, http: requests.Session) -> None:
    links = http.get(agency.base_url + "/.well-known/api-catalog").json()["linkset"][0]
    answer = http.get(links["describedby"][0]["href"], headers={"Accept": "application/ld+json"})
    assert answer.headers["Content-Type"].startswith("application/ld+json")
    dataset = answer.json()["@graph"][0]["dcat:dataset"]
    assert "dct:title" in dataset
    assert "dct:description" not in dataset


@fault("DATA-ENC-01")
def _enc(agency: ReferenceAgency, http: requests.Session) -> None:
    answer = submit(agency, http, get_token(agency))
    assert answer.json()["applicant"]["name"] != APPLICATION["applicant"]["name"]


@fault("BUS-WF-01")
def _wf(agency: ReferenceAgency, http: requests.Session) -> None:
    token = get_token(agency)
    location = submit(agency, http, token).headers["Location"]
    assert [b["state"] for b in follow(http, location, token, 4)] == ["verifying"] * 4


@fault("BUS-IDEM-01")
def _idem(agency: ReferenceAgency, http: requests.Session) -> None:
    token = get_token(agency)
    first = submit(agency, http, token, key="same")
    again = submit(agency, http, token, key="same")
    assert first.status_code == again.status_code == 201
    assert first.json()["id"] != again.json()["id"]


@fault("BUS-CORR-01")
def _corr(agency: ReferenceAgency, http: requests.Session) -> None:
    app = licensed(agency, http, get_token(agency))
    assert app["state"] == "licensed"
    assert app["trace_id"] == TRACE_ID
    assert TRACE_ID not in agency.peer_requests[-1]["traceparent"]


@fault("BUS-AUTHZ-01")
def _authz(agency: ReferenceAgency, http: requests.Session) -> None:
    location = submit(agency, http, get_token(agency)).headers["Location"]
    assert http.get(location, headers=bearer(get_token(agency, client=1))).status_code == 200


@fault("BUS-CONS-01")
def _cons(agency: ReferenceAgency, http: requests.Session) -> None:
    app = licensed(agency, http, get_token(agency))
    assert app["state"] == "licensed"
    assert is_valid_uscc(app["license_code"])
    assert http.get(f"{agency.base_url}/v1/licenses/{app['license_code']}").status_code == 200
    codes = {lic["code"] for lic in http.get(f"{agency.base_url}/v1/licenses").json()["items"]}
    assert app["license_code"] not in codes


@fault("BUS-XAG-01")
def _xag(agency: ReferenceAgency, http: requests.Session) -> None:
    # Point the agency at the real Public Security through the admin setting: without a
    # client certificate the handshake is refused, so the application stays verifying.
    admin = bearer(get_token(agency, scope="peer:admin"))
    body = {"url": agency.peer_url, "ca_pem": Path(agency.ca_bundle).read_text("utf-8")}
    assert http.put(f"{agency.base_url}/v1/admin/peer", json=body, headers=admin).ok
    before = len(agency.peer_requests)
    app = licensed(agency, http, get_token(agency))
    assert app["state"] == "verifying"
    assert len(agency.peer_requests) == before
    assert http.delete(f"{agency.base_url}/v1/admin/peer", headers=admin).status_code == 204


@fault("BUS-WF-02")
def _wf02(agency: ReferenceAgency, http: requests.Session) -> None:
    doc = http.get(f"{agency.base_url}/v1/openapi.json").json()
    link = doc["paths"]["/applications"]["post"]["responses"]["201"]["links"]["GetApplication"]
    assert link["parameters"]["id"] == "$response.body#/trace_id"


@fault("BUS-STATE-01")
def _state(agency: ReferenceAgency, http: requests.Session) -> None:
    token = get_token(agency)
    created = submit(agency, http, token)
    states = [app["state"] for app in follow(http, created.headers["Location"], token, 3)]
    assert states == ["verifying", "licensed", "licensed"]


@fault("BUS-SIG-01")
def _sig(agency: ReferenceAgency, http: requests.Session) -> None:
    answer = http.get(f"{agency.base_url}/v1/licenses")
    assert answer.headers["Signature"].startswith("sig1=:")
    assert "Content-Digest" in answer.headers


def published_key(agency: ReferenceAgency, http: requests.Session) -> Any:
    """The signing key of the agency's JWK Set, as joserfc reads it."""
    return jose_jwk.import_key(http.get(f"{agency.base_url}/v1/jwks.json").json()["keys"][0])


def test_licence_responses_carry_a_detached_jws(agency: ReferenceAgency, http: requests.Session):
    answer = http.get(f"{agency.base_url}/v1/licenses")
    token = answer.headers["X-JWS-Signature"]
    assert token.split(".")[1] == ""  # detached content: the body is the payload
    jws.deserialize_compact(token, published_key(agency, http), payload=answer.content)


@fault("BUS-SIG-01/jws")
def _sig_jws(agency: ReferenceAgency, http: requests.Session) -> None:
    answer = http.get(f"{agency.base_url}/v1/licenses")
    with pytest.raises(BadSignatureError):
        jws.deserialize_compact(
            answer.headers["X-JWS-Signature"], published_key(agency, http), payload=answer.content
        )


@fault("BUS-SIG-01/xml")
def _sig_xml(agency: ReferenceAgency, http: requests.Session) -> None:
    code = first_license(agency, http)["code"]
    xml = http.get(
        f"{agency.base_url}/v1/licenses/{code}", headers={"Accept": "application/xml"}
    ).content
    x5c = http.get(f"{agency.base_url}/v1/jwks.json").json()["keys"][0]["x5c"][0]
    cert = x509.load_der_x509_certificate(base64.b64decode(x5c))
    with pytest.raises(InvalidXmlSignature):
        XMLVerifier().verify(etree.fromstring(xml), x509_cert=cert)


@fault("BUS-ASYNC-01")
def _async(agency: ReferenceAgency, http: requests.Session) -> None:
    headers = {**bearer(get_token(agency)), "Prefer": "respond-async"}
    answer = http.post(f"{agency.base_url}/v1/applications", json=APPLICATION, headers=headers)
    assert answer.status_code == 202
    assert "Location" not in answer.headers


def test_every_fault_has_a_check() -> None:
    assert set(FAULT_CHECKS) == set(FAULTS)
    assert all(FAULTS.values())


@pytest.mark.parametrize("name", sorted(FAULT_CHECKS))
def test_fault_manifests(name: str) -> None:
    with ReferenceAgency(faults=(name,)) as agency, session_for(agency) as http:
        assert agency.faults == frozenset({name})
        FAULT_CHECKS[name](agency, http)


# -- schemathesis --------------------------------------------------------------------------
def test_schemathesis_finds_nothing(agency: ReferenceAgency, token: str, tmp_path: Path) -> None:
    exe = Path(sys.executable).parent / "schemathesis"
    if not exe.exists():
        pytest.skip("schemathesis CLI not installed beside the interpreter")
    command = [
        str(exe),
        "run",
        f"{agency.base_url}/v1/openapi.json",
        "--tls-verify",
        str(agency.ca_bundle),
        "-H",
        f"Authorization: Bearer {token}",
        "--include-method",
        "GET",
        "--max-examples",
        "5",
        "--seed",
        "1",
        "--phases",
        "coverage,fuzzing",
        "--report-dir",
        str(tmp_path),
    ]
    done = subprocess.run(
        command,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env={**os.environ, "NO_COLOR": "1"},
        cwd=tmp_path,
    )
    assert done.returncode == 0, done.stdout[-4000:]
