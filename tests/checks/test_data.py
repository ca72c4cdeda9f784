"""Data checks: generated requests (schemathesis), XML against the XSD, identifiers; both ways."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from checks_support import Faulted, agency_schema_file, loopback_http, run

from conformance.client.generated import Plan, PositiveRunner
from conformance.client.http import Exchange, HttpClient, recording
from conformance.core.model import Outcome
from conformance.documents import xmlsafe
from conformance.documents.openapi import OpenApiDocument
from conformance.engine import Engine
from conformance.inputs.profile import load_profile
from conformance.inputs.secrets import SecretRef
from conformance.inputs.target import SafetyPolicy, Target

PAYLOAD_CHECKS = ("DATA-SCH-01", "DATA-XML-01", "DATA-ID-01")
XML_DIR = Path(__file__).resolve().parents[1] / "data" / "xml" / "license"
SECRET_MARKER = "MARKER-7f3c-do-not-leak"


def license_xsd() -> bytes:
    """The reference agency's licence XSD, as shipped."""
    return agency_schema_file("license.xsd")


# -- a tiny loopback server for what the reference agency never does ---------------------------
Routes = dict[str, tuple[int, str, bytes]]


@contextmanager
def serving(routes: Routes) -> Iterator[tuple[str, list[str]]]:
    """Serve `routes` (path -> status, content type, body) on loopback; yield base URL and log."""
    seen: list[str] = []

    def answer(path: str) -> tuple[int, dict[str, str], bytes]:
        seen.append(path)
        status, media, body = routes.get(
            path.split("?")[0], (404, "application/problem+json", b"{}")
        )
        return status, {"Content-Type": media}, body

    with loopback_http(answer) as base_url:
        yield base_url, seen


def loopback_target(base_url: str, **fields: Any) -> Target:
    return Target(name="loopback", base_url=base_url, safety=SafetyPolicy(max_rps=500.0), **fields)


# -- every check both ways on the reference agency ---------------------------------------------
def test_clean_agency_passes(clean: Target) -> None:
    results = run(clean, PAYLOAD_CHECKS)
    for rid in PAYLOAD_CHECKS:
        assert results[rid].outcome is Outcome.PASS, (rid, results[rid].message)
    generation = results["DATA-SCH-01"].evidence[0]
    assert generation.detail["seed"] == 1
    assert generation.detail["requests"] > 0
    assert "GET /licenses" in generation.detail["exercised"]
    # The reference target allows write, yet DATA-SCH-01 stays read-only unless include_writes.
    assert generation.detail["methods"] == "GET, HEAD"
    assert not [o for o in generation.detail["exercised"] if not o.startswith(("GET", "HEAD"))]


def test_schema_failure_names_the_operation_the_pointer_and_a_replay(faulted: Faulted) -> None:
    result = faulted("DATA-SCH-01", PAYLOAD_CHECKS)["DATA-SCH-01"]
    assert "GET /licenses" in result.message
    assert "/issued_at" in result.message
    assert "not of type" in result.message
    assert "seed 1" in result.message
    note = next(e for e in result.evidence if e.kind == "validation")
    assert note.detail["check"] == "response_schema_conformance"
    assert note.detail["instance_path"] == "/items/0/issued_at"
    assert note.detail["schema_path"].startswith("/components/schemas/License/")
    assert note.detail["request"]["method"] == "GET"
    assert note.detail["seed"] == 1
    assert note.detail["curl"].startswith("curl ")
    assert result.reproduce.startswith("curl ")


def test_identifier_failure_lists_each_bad_value(faulted: Faulted) -> None:
    result = faulted("DATA-ID-01", PAYLOAD_CHECKS)["DATA-ID-01"]
    bad = [e.detail for e in result.evidence if e.kind == "identifier"]
    assert len(bad) == 3
    assert {b["pointer"] for b in bad} == {"/code"}
    assert all(b["reason"].startswith("check character is") and b["value"] for b in bad)
    assert bad[0]["url"] in result.message
    assert repr(bad[0]["value"]) in result.message
    assert "3 invalid identifier(s)" in result.message
    assert "expected" in result.message


def test_xml_failure_carries_line_and_path(faulted: Faulted) -> None:
    result = faulted("DATA-XML-01", PAYLOAD_CHECKS)["DATA-XML-01"]
    notes = [e.detail for e in result.evidence if e.kind == "validation"]
    assert notes
    assert all(n["line"] > 0 and n["path"] for n in notes)
    assert "status" in notes[0]["message"]


# -- DATA-SCH-01: generation, minimisation, determinism, budget, credentials --------------------
NUMBERS_OPENAPI: dict[str, Any] = {
    "openapi": "3.1.0",
    "info": {"title": "numbers", "version": "1"},
    "paths": {
        "/numbers/{n}": {
            "get": {
                "operationId": "getNumber",
                "security": [{"bearer": []}],
                "parameters": [
                    {
                        "name": "n",
                        "in": "path",
                        "required": True,
                        "schema": {"type": "integer", "minimum": 0, "maximum": 1000},
                    }
                ],
                "responses": {
                    "200": {
                        "description": "the number",
                        "content": {
                            "application/json": {
                                "schema": {
                                    "type": "object",
                                    "required": ["n"],
                                    "properties": {"n": {"type": "integer"}},
                                }
                            }
                        },
                    }
                },
            }
        }
    },
    "components": {"securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}}},
}


def numbers_routes() -> Routes:
    """n < 50 answers a valid body; from 50 on, n comes back as a string (a schema violation)."""
    routes: Routes = {}
    for n in range(1001):
        body = {"n": n if n < 50 else str(n)}
        routes[f"/api/numbers/{n}"] = (200, "application/json", json.dumps(body).encode())
    return routes


@contextmanager
def numbers_runner(
    monkeypatch: pytest.MonkeyPatch, seed: int = 7, max_requests: int = 100, token: bool = True
) -> Iterator[tuple[PositiveRunner, list[Exchange]]]:
    monkeypatch.setenv("NUMBERS_TOKEN", "tok-secret-123456")
    with serving(numbers_routes()) as (base, _):
        creds = {"bearer_token": SecretRef(env="NUMBERS_TOKEN")} if token else {}
        client = HttpClient(loopback_target(base, **creds))
        document = OpenApiDocument(
            f"{base}/api/openapi.json", {**NUMBERS_OPENAPI, "servers": [{"url": f"{base}/api"}]}
        )
        plan = Plan(
            frozenset({"GET", "HEAD"}), max_examples=30, max_requests=max_requests, seed=seed
        )
        sent: list[Exchange] = []
        with recording(sent.append):
            yield PositiveRunner(client, document, plan), sent


def test_a_failing_request_is_minimised_and_redacted(monkeypatch: pytest.MonkeyPatch) -> None:
    with numbers_runner(monkeypatch) as (runner, sent):
        outcome = runner.execute()
        evidence = runner.client.evidence(outcome.violations[0].exchange)
    assert outcome.violations, "n >= 50 answers a string where the schema says integer"
    violation = outcome.violations[0]
    assert violation.exchange.url.endswith("/api/numbers/50")  # shrunk to the smallest failure
    assert violation.check == "response_schema_conformance"
    assert violation.instance_path == "/n"
    assert sent[0].request_headers["Authorization"] == "Bearer tok-secret-123456"
    assert "tok-secret-123456" not in json.dumps(evidence.to_dict())
    assert "$CONFORMANCE_TOKEN" in evidence.detail["curl"]


def test_generation_is_deterministic_for_a_seed(monkeypatch: pytest.MonkeyPatch) -> None:
    urls = []
    for _ in range(2):
        with numbers_runner(monkeypatch, seed=11) as (runner, sent):
            runner.execute()
            urls.append([x.url.split("/api/")[1] for x in sent])
    assert urls[0] == urls[1]
    assert len(urls[0]) > 3


def test_the_request_budget_bounds_generation(monkeypatch: pytest.MonkeyPatch) -> None:
    with numbers_runner(monkeypatch, max_requests=3) as (runner, sent):
        outcome = runner.execute()
    assert len(sent) == outcome.sent == 3
    assert outcome.budget_exhausted


def test_protected_operations_are_skipped_without_credentials(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with numbers_runner(monkeypatch, token=False) as (runner, sent):
        outcome = runner.execute()
    assert not sent
    assert "GET /numbers/{n}" in outcome.skipped
    assert "no credentials" in outcome.skipped["GET /numbers/{n}"]


# -- DATA-XML-01: the XSD's verdicts, hostile payloads, guarded imports -------------------------
def _schema() -> Any:
    return xmlsafe.load_schema(license_xsd(), base_url="file:///license.xsd", fetch=None)


@pytest.mark.parametrize("path", sorted((XML_DIR / "valid").glob("*.xml")), ids=lambda p: p.stem)
def test_valid_licences_pass_the_xsd(path: Path) -> None:
    assert xmlsafe.validate(_schema(), xmlsafe.parse(path.read_bytes())) == []


INVALID_ELEMENT = {
    "missing-status": "license",
    "status-not-in-enumeration": "status",
    "code-with-letter-i": "code",
    "id-number-lowercase-x": "id_number",
    "division-code-five-digits": "division_code",
    "issued-at-date-only": "issued_at",
    "empty-enterprise-name": "enterprise_name",
    "no-namespace": "license",
    "unknown-element-remark": "remark",
    "code-after-enterprise-name": "enterprise_name",
}


@pytest.mark.parametrize("path", sorted((XML_DIR / "invalid").glob("*.xml")), ids=lambda p: p.stem)
def test_invalid_licences_fail_the_xsd_at_the_broken_element(path: Path) -> None:
    errors = xmlsafe.validate(_schema(), xmlsafe.parse(path.read_bytes()))
    assert errors, f"{path.name} must break the XSD"
    element = INVALID_ELEMENT[path.stem]
    assert any(element in e.message for e in errors), errors
    assert all(e.line > 0 for e in errors)


def test_every_invalid_sample_is_covered() -> None:
    assert len(list((XML_DIR / "valid").glob("*.xml"))) >= 4
    assert {p.stem for p in (XML_DIR / "invalid").glob("*.xml")} == set(INVALID_ELEMENT)


BILLION_LAUGHS = b"""<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<license xmlns="urn:example:market-regulation:license:1"><code>&lol9;</code></license>
"""


def xxe(secret: Path) -> bytes:
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<!DOCTYPE license [<!ENTITY leak SYSTEM "{secret.as_uri()}">]>\n'
        '<license xmlns="urn:example:market-regulation:license:1">'
        "<enterprise_name>&leak;</enterprise_name></license>\n"
    ).encode()


def resources(collection: str, xsd: str) -> dict[str, Any]:
    return {
        "resources": {
            "license": {
                "collection": collection,
                "items": "/items",
                "item": "/v1/licenses/{code}",
                "key": "/code",
                "xsd": xsd,
            }
        }
    }


def test_hostile_xml_is_a_fail_and_nothing_is_expanded_or_read(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text(SECRET_MARKER, "utf-8")
    valid = (XML_DIR / "valid" / "minimal.xml").read_bytes()
    latin1 = valid.replace(b'encoding="UTF-8"', b'encoding="ISO-8859-1"')
    items = {"items": [{"code": c} for c in ("bomb", "xxe", "latin1", "ok")]}
    routes: Routes = {
        "/v1/licenses": (200, "application/json", json.dumps(items).encode()),
        "/v1/licenses/bomb": (200, "application/xml", BILLION_LAUGHS),
        "/v1/licenses/xxe": (200, "application/xml", xxe(secret)),
        "/v1/licenses/latin1": (200, "application/xml", latin1),
        "/v1/licenses/ok": (200, "application/xml; charset=utf-8", valid),
        "/v1/schemas/license.xsd": (200, "application/xml", license_xsd()),
    }
    with serving(routes) as (base, seen):
        target = loopback_target(base, inputs=resources("/v1/licenses", "/v1/schemas/license.xsd"))
        report = Engine(load_profile("full"), [target], only=["DATA-XML-01"], seed=1).run()
    result = report.results[0]
    assert result.outcome is Outcome.FAIL, result.message
    assert result.message.startswith("3 XML problem(s)")
    assert "/bomb: refused" in result.message
    assert "/xxe: refused" in result.message
    assert "'ISO-8859-1', expected UTF-8" in result.message
    assert "/v1/licenses/ok" not in result.message
    assert SECRET_MARKER not in json.dumps(report.to_dict(), ensure_ascii=False)
    assert sorted(seen) == sorted(routes)  # no request beyond the declared documents


def test_schema_includes_are_served_from_the_target_only(tmp_path: Path) -> None:
    secret = tmp_path / "secret.xsd"
    secret.write_text(f"<!-- {SECRET_MARKER} -->", "utf-8")
    ns = 'targetNamespace="urn:example:market-regulation:license:1"'
    schema = 'xmlns:xs="http://www.w3.org/2001/XMLSchema"'
    split = f'<xs:schema {schema} {ns}><xs:include schemaLocation="full.xsd"/></xs:schema>'
    hostile = (
        f'<xs:schema {schema} {ns}><xs:include schemaLocation="{secret.as_uri()}"/>'
        '<xs:include schemaLocation="http://example.invalid/x.xsd"/></xs:schema>'
    )
    items = {"items": [{"code": "ok"}]}
    routes: Routes = {
        "/v1/licenses": (200, "application/json", json.dumps(items).encode()),
        "/v1/licenses/ok": (
            200,
            "application/xml",
            (XML_DIR / "valid" / "minimal.xml").read_bytes(),
        ),
        "/v1/schemas/split.xsd": (200, "application/xml", split.encode()),
        "/v1/schemas/full.xsd": (200, "application/xml", license_xsd()),
        "/v1/schemas/hostile.xsd": (200, "application/xml", hostile.encode()),
    }
    with serving(routes) as (base, seen):
        good = run(
            loopback_target(base, inputs=resources("/v1/licenses", "/v1/schemas/split.xsd")),
            ("DATA-XML-01",),
        )["DATA-XML-01"]
        assert "/v1/schemas/full.xsd" in seen  # the include came through the suite's client
        bad = Engine(
            load_profile("full"),
            [loopback_target(base, inputs=resources("/v1/licenses", "/v1/schemas/hostile.xsd"))],
            only=["DATA-XML-01"],
            seed=1,
        ).run()
    assert good.outcome is Outcome.PASS, good.message
    result = bad.results[0]
    assert result.outcome is Outcome.ERROR
    assert "unusable" in result.message
    assert SECRET_MARKER not in json.dumps(bad.to_dict())


def test_no_declared_xsd_is_a_skip(clean: Target) -> None:
    inputs = {
        "resources": {
            "license": {k: v for k, v in clean.inputs["resources"]["license"].items() if k != "xsd"}
        }
    }
    result = run(replace(clean, inputs=inputs), ("DATA-XML-01",))["DATA-XML-01"]
    assert result.outcome is Outcome.SKIP
    assert "declares an xsd" in result.message


def test_missing_identifier_declarations_are_a_skip(clean: Target) -> None:
    inputs = {
        "resources": {
            "license": {
                k: v for k, v in clean.inputs["resources"]["license"].items() if k != "identifiers"
            }
        }
    }
    result = run(replace(clean, inputs=inputs), ("DATA-ID-01",))["DATA-ID-01"]
    assert result.outcome is Outcome.SKIP
    assert "declares identifiers" in result.message


def test_a_local_xsd_includes_only_files_beside_it(tmp_path: Path) -> None:
    (tmp_path / "secret.xsd").write_text(f"<!-- {SECRET_MARKER} -->", "utf-8")
    schemas = tmp_path / "profile" / "schemas"
    schemas.mkdir(parents=True)
    (schemas / "full.xsd").write_bytes(license_xsd())
    ns = 'targetNamespace="urn:example:market-regulation:license:1"'
    head = f'<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" {ns}>'
    (schemas / "split.xsd").write_text(f'{head}<xs:include schemaLocation="full.xsd"/></xs:schema>')
    (schemas / "escape.xsd").write_text(
        f'{head}<xs:include schemaLocation="../../secret.xsd"/></xs:schema>'
    )
    items = {"items": [{"code": "ok"}]}
    routes: Routes = {
        "/v1/licenses": (200, "application/json", json.dumps(items).encode()),
        "/v1/licenses/ok": (
            200,
            "application/xml",
            (XML_DIR / "valid" / "minimal.xml").read_bytes(),
        ),
    }
    outcomes = {}
    with serving(routes) as (base, _):
        for name in ("split", "escape"):
            profile = tmp_path / "profile" / f"{name}.yaml"
            inputs = resources("/v1/licenses", f"schemas/{name}.xsd")
            profile.write_text(
                json.dumps({"name": name, "select": ["DATA-XML-01"], "inputs": inputs})
            )
            report = Engine(load_profile(str(profile)), [loopback_target(base)], seed=1).run()
            outcomes[name] = report.results[0]
            assert SECRET_MARKER not in json.dumps(report.to_dict())
    assert outcomes["split"].outcome is Outcome.PASS, outcomes["split"].message
    assert outcomes["escape"].outcome is Outcome.ERROR
    assert "secret.xsd" in outcomes["escape"].message
