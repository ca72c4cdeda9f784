"""XSD + Schematron validations per second: the suite's hardened path next to bare lxml.

Plain script; prints one JSON object:

    python benchmarks/bench_xml.py [--seconds 2] [--repeat 3]

On the same in-memory files (the licence XML case suites under tests/data/xml), per document:
- `suite_xslt1`: `xmlsafe.parse` (hardened) + `xmlsafe.validate` (XSD) + the suite's Schematron
  (lxml ISO skeleton, run with XSLT access denied, findings located by line and XPath);
- `bare_lxml`: `etree.fromstring` + `XMLSchema.validate` + `lxml.isoschematron.Schematron`;
- `suite_xslt2`: the same licence rules declared `xslt2`, compiled by the suite and run by Saxon
  (no lxml counterpart: libxslt has no XSLT 2);
- `en16931_xslt2`: the EN 16931 UBL rules (Saxon) on the corpus' embedded invoices, where the
  corpus is present (../shared/corpora/en16931).
`ratio` is bare lxml's rate over the suite's (target: at most 1.2).

Bare and suite xslt1 are timed in many short alternating slices (`--slice` seconds each, whole
passes over the files, which of the two goes first alternating too) for `--repeat` x `--seconds`
each in total: on a shared machine, load drifts over seconds, and a slice of each side taken
back to back sees the same load. `bare_lxml_per_s` and `suite_xslt1_per_s` are the medians of
the slices' rates; `ratio` is the median of the per-slice-pair ratios, `ratio_p25_p75` their
interquartile range, and `ratio_best` the best bare slice's rate over the best suite slice's
(the figure that two best-of-`--repeat` runs of `--seconds` each gave before, too sensitive to
load on a 2-core machine). `suite_xslt2_per_s` is the best of `--repeat` runs of `--seconds`.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "fixtures")]

from lxml import etree, isoschematron  # noqa: E402

from conformance.documents import schematron, xmlsafe  # noqa: E402

CASES = [ROOT / "tests" / "data" / "xml" / "license-schematron", ROOT / "tests/data/xml/license"]
EN16931 = ROOT.parent / "shared" / "corpora" / "en16931"


def rate(work: Callable[[bytes], Any], files: list[bytes], seconds: float, repeat: int) -> float:
    """Best documents-per-second of `work` over `files`, cycling for `seconds`, `repeat` times."""
    best = 0.0
    for _ in range(repeat):
        done, start = 0, time.perf_counter()
        while (elapsed := time.perf_counter() - start) < seconds:
            for data in files:
                work(data)
            done += len(files)
        best = max(best, done / elapsed)
    return best


def paired_rates(
    bare: Callable[[bytes], Any],
    suite: Callable[[bytes], Any],
    files: list[bytes],
    total: float,
    slice_seconds: float,
) -> tuple[list[float], list[float]]:
    """Documents-per-second of `bare` and `suite`, in back-to-back slices of `slice_seconds`."""
    bare_rates: list[float] = []
    suite_rates: list[float] = []
    for number in range(max(2, round(total / slice_seconds))):
        pair = [(bare, bare_rates), (suite, suite_rates)]
        for work, rates in pair if number % 2 == 0 else pair[::-1]:
            rates.append(rate(work, files, slice_seconds, 1))
    return bare_rates, suite_rates


def licence_files() -> list[bytes]:
    return sorted(p.read_bytes() for d in CASES for p in d.rglob("*.xml"))


def agency_schema(name: str) -> bytes:
    return (ROOT / "fixtures" / "reference_agency" / "schemas" / name).read_bytes()


def en16931_documents() -> list[bytes]:
    vefa = "http://difi.no/xsd/vefa/validator/1.0"
    documents = []
    for path in sorted((EN16931 / "test" / "Invoice-unit-UBL").glob("*.xml")):
        for test in etree.parse(str(path)).getroot().iter(f"{{{vefa}}}test"):
            for child in test:
                if isinstance(child.tag, str) and etree.QName(child).namespace != vefa:
                    documents.append(etree.tostring(child))
    return documents


def main() -> None:
    """Run the benchmark and print its figures as JSON."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=2.0)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--slice", type=float, default=0.05, dest="slice_seconds")
    args = parser.parse_args()
    files = licence_files()
    xsd_bytes, sch_bytes = agency_schema("license.xsd"), agency_schema("license.sch")
    xsd = xmlsafe.load_schema(xsd_bytes, base_url="file:///license.xsd", fetch=None)
    suite_rules = schematron.load(sch_bytes)
    xslt2_rules = schematron.load(sch_bytes.replace(b'"xslt"', b'"xslt2"'))
    bare_xsd = etree.XMLSchema(etree.fromstring(xsd_bytes))
    bare_rules = isoschematron.Schematron(etree.fromstring(sch_bytes))

    def suite(rules: schematron.Schematron) -> Callable[[bytes], Any]:
        def work(data: bytes) -> Any:
            tree = xmlsafe.parse(data)
            return xmlsafe.validate(xsd, tree), rules.validate(tree)

        return work

    def bare(data: bytes) -> Any:
        tree = etree.fromstring(data).getroottree()
        return bare_xsd.validate(tree), bare_rules.validate(tree)

    figures: dict[str, Any] = {"documents": len(files), "seconds": args.seconds}
    # alternate the two in short slices so that load from other processes weighs on both alike
    bare_rates, suite_rates = paired_rates(
        bare, suite(suite_rules), files, args.seconds * args.repeat, args.slice_seconds
    )
    ratios = [b / s for b, s in zip(bare_rates, suite_rates, strict=True)]
    quartiles = statistics.quantiles(ratios, n=4, method="inclusive")
    figures["slices"] = len(ratios)
    figures["bare_lxml_per_s"] = round(statistics.median(bare_rates), 1)
    figures["suite_xslt1_per_s"] = round(statistics.median(suite_rates), 1)
    figures["ratio"] = round(quartiles[1], 3)
    figures["ratio_p25_p75"] = [round(quartiles[0], 3), round(quartiles[2], 3)]
    figures["ratio_best"] = round(max(bare_rates) / max(suite_rates), 3)
    figures["suite_xslt2_per_s"] = round(
        rate(suite(xslt2_rules), files, args.seconds, args.repeat), 1
    )
    rules_file = EN16931 / "ubl/schematron/preprocessed/EN16931-UBL-validation-preprocessed.sch"
    if rules_file.is_file():
        start = time.perf_counter()
        en_rules = schematron.load(rules_file.read_bytes())
        figures["en16931_compile_s"] = round(time.perf_counter() - start, 2)
        invoices = en16931_documents()
        figures["en16931_documents"] = len(invoices)
        figures["en16931_xslt2_per_s"] = round(
            rate(lambda d: en_rules.validate(xmlsafe.parse(d)), invoices, args.seconds, 1), 1
        )
    print(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
