"""DATA-XML-01 and DATA-XML-02 (conformance/data/xml.py): the licence XSD and Schematron over the
XML case suites (xml/), hostile payloads and guarded imports, and the Schematron engine
(conformance/documents/schematron.py) under both query bindings."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
import yaml
from checks_support import Faulted, run

from conformance.core.model import Outcome
from conformance.documents import schematron, xmlsafe
from conformance.engine import Engine
from conformance.inputs.profile import load_profile
from conformance.inputs.target import Target

from .requirement_sets import DOCUMENT_CHECKS, PAYLOAD_CHECKS
from .sites import Routes, loopback_target, serving

XML_DIR = Path(__file__).resolve().parent / "xml" / "license"
CASES_DIR = Path(__file__).resolve().parent / "xml" / "license-schematron"

CASES: dict[str, dict[str, Any]] = yaml.safe_load((CASES_DIR / "cases.yaml").read_text("utf-8"))

SECRET_MARKER = "MARKER-7f3c-do-not-leak"


def agency_schema_file(name: str) -> bytes:
    """A schema file the reference agency ships (license.xsd, license.sch, ...)."""
    import reference_agency

    return (Path(reference_agency.__file__).parent / "schemas" / name).read_bytes()


def license_xsd() -> bytes:
    """The reference agency's licence XSD, as shipped."""
    return agency_schema_file("license.xsd")


def license_rules(binding: str) -> schematron.Schematron:
    """The agency's licence Schematron, declared with `binding` (its rules are XPath 1 and 2)."""
    data = agency_schema_file("license.sch").replace(
        b'queryBinding="xslt"', f'queryBinding="{binding}"'.encode()
    )
    return schematron.load(data)


@pytest.fixture(scope="module", params=["xslt", "xslt2"])
def rules(request: pytest.FixtureRequest) -> schematron.Schematron:
    return license_rules(request.param)


# -- DATA-XML-01 on the faulted agency ------------------------------------------------------


def test_xml_failure_carries_line_and_path(faulted: Faulted) -> None:
    result = faulted("DATA-XML-01", PAYLOAD_CHECKS)["DATA-XML-01"]
    notes = [e.detail for e in result.evidence if e.kind == "validation"]
    assert notes
    assert all(n["line"] > 0 and n["path"] for n in notes)
    assert "status" in notes[0]["message"]


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


# -- DATA-XML-02: the XML case suite, XSD and Schematron verdicts -----------------------------


@pytest.mark.parametrize("name", sorted(CASES))
def test_case_suite_verdicts(name: str, rules: schematron.Schematron) -> None:
    expected = CASES[name]
    tree = xmlsafe.parse((CASES_DIR / f"{name}.xml").read_bytes())
    xsd = xmlsafe.load_schema(agency_schema_file("license.xsd"), base_url="file:///", fetch=None)
    assert (xmlsafe.validate(xsd, tree) == []) == (expected["xsd"] == "valid")
    findings = rules.validate(tree)
    assert sorted(f.rule_id for f in findings) == sorted(expected["fires"])
    assert all(f.kind == "failed-assert" and f.line == expected["line"] for f in findings)
    assert all("license" in f.location for f in findings)


def test_case_suite_covers_every_rule_both_ways() -> None:
    fired = {rule for case in CASES.values() for rule in case["fires"]}
    rule_ids = {
        a.get("id")
        for a in xmlsafe.parse(agency_schema_file("license.sch")).iter(
            f"{{{schematron.SCH}}}assert"
        )
    }
    assert fired == rule_ids
    assert any(not c["fires"] and c["xsd"] == "valid" for c in CASES.values())
    assert any(c["xsd"] == "invalid" for c in CASES.values())


def test_schematron_failure_names_rule_line_and_xpath(faulted: Faulted) -> None:
    result = faulted("DATA-XML-02", DOCUMENT_CHECKS)["DATA-XML-02"]
    assert "division-in-code" in result.message
    assert "line 2" in result.message
    notes = [e.detail for e in result.evidence if e.kind == "validation"]
    assert notes
    assert notes[0]["id"] == "division-in-code"
    assert notes[0]["line"] == 2
    assert "license" in notes[0]["location"]


# -- the Schematron engine --------------------------------------------------------------------


XSLT2_RULES = b"""<?xml version="1.0"?>
<schema xmlns="http://purl.oclc.org/dsdl/schematron" queryBinding="xslt2">
  <ns prefix="o" uri="urn:order"/>
  <let name="limit" value="xs:decimal(100)"/>
  <pattern id="p1">
    <rule context="o:line">
      <let name="total" value="xs:decimal(@qty) * xs:decimal(@price)"/>
      <assert id="R1" flag="fatal" test="$total le $limit">line <value-of select="@n"/> totals
        <value-of select="$total"/> over <name/></assert>
      <report id="R2" flag="warning" test="matches(@sku, '^X-')">sku <value-of select="@sku"/>
      </report>
    </rule>
    <rule context="o:line">
      <assert id="SHADOWED" test="false()">a second rule on the same context never fires</assert>
    </rule>
  </pattern>
  <pattern id="p2">
    <rule context="o:order/@currency">
      <assert id="R3" test=". = ('EUR', 'CNY')">currency <value-of select="."/></assert>
    </rule>
  </pattern>
</schema>"""

ORDER = b"""<order xmlns="urn:order" currency="USD">
  <line n="1" qty="2" price="10" sku="A-1"/>
  <line n="2" qty="3" price="50" sku="X-9"/>
</order>"""


def test_xslt2_binding_runs_xpath2_with_lets_reports_and_first_rule_wins() -> None:
    rules = schematron.load(XSLT2_RULES)
    assert rules.binding == "xslt2"
    found = {f.rule_id: f for f in rules.validate(xmlsafe.parse(ORDER))}
    assert set(found) == {"R1", "R2", "R3"}
    assert found["R1"].message == "line 2 totals 150 over line"
    assert found["R1"].line == 3
    assert found["R1"].flag == "fatal"
    assert found["R2"].kind == "successful-report"
    assert found["R2"].flag == "warning"
    assert found["R3"].message == "currency USD"
    assert found["R3"].line == 1
    assert found["R3"].location.endswith("@currency")


def test_xslt2_message_may_hold_comments() -> None:
    data = XSLT2_RULES.replace(b"over <name/>", b"over <!-- the element --><name/>")
    found = {f.rule_id: f for f in schematron.load(data).validate(xmlsafe.parse(ORDER))}
    assert found["R1"].message == "line 2 totals 150 over line"


def test_xslt2_phase_selects_patterns() -> None:
    data = XSLT2_RULES.replace(
        b'<pattern id="p1">', b'<phase id="money"><active pattern="p2"/></phase><pattern id="p1">'
    )
    found = schematron.load(data, phase="money").validate(xmlsafe.parse(ORDER))
    assert [f.rule_id for f in found] == ["R3"]
    with pytest.raises(schematron.SchematronError, match="no phase"):
        schematron.load(data, phase="nope")


@pytest.mark.parametrize("binding", ["xslt", "xslt2"])
def test_rules_cannot_read_local_files(binding: str, tmp_path: Path) -> None:
    secret = tmp_path / "secret.xml"
    secret.write_text("<s>MARKER-sch-secret</s>", "utf-8")
    data = f"""<schema xmlns="http://purl.oclc.org/dsdl/schematron" queryBinding="{binding}">
      <pattern><rule context="/*"><assert test="false()">leak
        <value-of select="document('{secret.as_uri()}')"/></assert></rule></pattern>
    </schema>""".encode()
    rules = schematron.load(data)
    try:
        messages = [f.message for f in rules.validate(xmlsafe.parse(b"<a/>"))]
    except schematron.SchematronError as exc:
        messages = [str(exc)]
    assert all("MARKER" not in m for m in messages)


def test_unusable_rule_sets_are_refused() -> None:
    with pytest.raises(schematron.SchematronError, match="queryBinding"):
        schematron.load(b'<schema xmlns="http://purl.oclc.org/dsdl/schematron" queryBinding="x"/>')
    with pytest.raises(schematron.SchematronError, match="DOCTYPE"):
        schematron.load(b'<!DOCTYPE s [<!ENTITY e "x">]><s/>')
    with pytest.raises(schematron.SchematronError, match="sch:schema"):
        schematron.load(b"<schema/>")
    with pytest.raises(schematron.SchematronError, match="include"):
        schematron.load(
            b'<schema xmlns="http://purl.oclc.org/dsdl/schematron"><include href="x"/></schema>'
        )


def test_rule_sets_may_not_import_stylesheets() -> None:
    data = b"""<schema xmlns="http://purl.oclc.org/dsdl/schematron" queryBinding="xslt2"
      xmlns:xsl="http://www.w3.org/1999/XSL/Transform"><xsl:import href="file:///etc/x.xsl"/>
      <pattern><rule context="/"><assert test="true()">t</assert></rule></pattern></schema>"""
    with pytest.raises(schematron.SchematronError, match="xsl:import"):
        schematron.load(data)


def test_xpath3_locations_become_lxml_xpaths() -> None:
    tree = xmlsafe.parse(b'<a xmlns="urn:a"><b/><b x="1"/></a>')
    path = schematron.lxml_xpath("/Q{urn:a}a[1]/Q{urn:a}b[2]/@x")
    assert tree.xpath(path) == ["1"]
