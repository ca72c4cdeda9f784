"""The XSLT 2 Schematron path agrees with the EN 16931 (UBL) rule-level unit tests.

Corpus: ../shared/corpora/en16931 (see its SOURCE.txt): the preprocessed EN 16931 UBL Schematron
(queryBinding xslt2) and vefa test sets. Each <test> names one rule under <success> (it must not
fire), <error> (it must fire with flag fatal) or <warning> (it must fire with flag warning); the
embedded documents are fragments, so only the named rule is scored, never whole-document
validity. Skipped, with the reason, where the corpus is absent.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import pytest
from lxml import etree

from conformance.documents import schematron, xmlsafe

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpora" / "en16931"
RULES = CORPUS / "ubl" / "schematron" / "preprocessed" / "EN16931-UBL-validation-preprocessed.sch"
TESTS = CORPUS / "test" / "Invoice-unit-UBL"
VEFA = "http://difi.no/xsd/vefa/validator/1.0"
EXPECTED_FLAG = {"error": "fatal", "warning": "warning"}

pytestmark = pytest.mark.skipif(
    not RULES.is_file(), reason=f"EN 16931 corpus absent (expected {RULES})"
)


@cache
def rules() -> schematron.Schematron:
    return schematron.load(RULES.read_bytes(), base_url=RULES.as_uri())


def expectations(path: Path) -> list[tuple[str, str, Any]]:
    """(verdict, rule id, embedded document) for each assertion of each test of a test set."""
    found = []
    for test in xmlsafe.parse(path.read_bytes()).getroot().iter(f"{{{VEFA}}}test"):
        assertion = test.find(f"{{{VEFA}}}assert")
        document = next(
            c for c in test if isinstance(c.tag, str) and etree.QName(c).namespace != VEFA
        )
        for expected in assertion if assertion is not None else ():
            verdict = etree.QName(expected).localname
            if verdict in {"success", "error", "warning"}:
                found.append((verdict, (expected.text or "").strip(), document))
    return found


def disagreements(path: Path) -> tuple[int, list[str]]:
    """How many rule verdicts a test set holds, and those the suite's Schematron gets wrong."""
    scored, wrong = 0, []
    for verdict, rule_id, document in expectations(path):
        tree = xmlsafe.parse(etree.tostring(document))
        flags = {f.flag for f in rules().validate(tree) if f.rule_id == rule_id}
        agrees = not flags if verdict == "success" else EXPECTED_FLAG[verdict] in flags
        scored += 1
        if not agrees:
            wrong.append(f"{rule_id}: expected {verdict}, fired with flags {sorted(flags)}")
    return scored, wrong


TEST_SETS = sorted(TESTS.glob("*.xml")) if TESTS.is_dir() else []


@pytest.mark.parametrize("path", TEST_SETS, ids=lambda p: p.stem)
def test_named_rule_verdicts_agree(path: Path) -> None:
    scored, wrong = disagreements(path)
    assert scored, f"{path.name} names no rule"
    assert not wrong


def test_the_corpus_is_what_source_txt_describes() -> None:
    assert rules().binding == "xslt2"
    total = sum(len(expectations(p)) for p in TEST_SETS)
    assert total >= 900, f"only {total} rule-level verdicts found"
    kinds = {verdict for p in TEST_SETS for verdict, _rule, _doc in expectations(p)}
    assert kinds == {"success", "error", "warning"}
