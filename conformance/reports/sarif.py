"""conformance.sarif: SARIF 2.1.0, the format GitHub code scanning (and most CI dashboards) read.

One result per requirement × target that failed (`error`) or warned (`warning`); `ruleId` is the
requirement ID, and the rules carry each requirement's statement, source and keyword. Locations
are the URLs concerned: the requests of the result's evidence, else the target's base URL. A
waived failure is kept, with an external suppression saying whose waiver and until when.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from conformance.core.catalogue import load_catalogue
from conformance.core.model import Outcome, Report, Result
from conformance.core.version import HOMEPAGE

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
LEVELS = {Outcome.FAIL: "error", Outcome.WARN: "warning"}
MAX_LOCATIONS = 5


def sarif_log(report: Report) -> dict[str, Any]:
    """The SARIF log of a report."""
    catalogue = load_catalogue()
    findings = [r for r in report.results if r.outcome in LEVELS]
    rule_ids = list(dict.fromkeys(r.requirement for r in findings))
    rules = []
    for rid in rule_ids:
        requirement = catalogue.get(rid)
        statement = requirement.statement if requirement else rid
        rules.append(
            {
                "id": rid,
                "name": rid.replace("-", ""),
                "shortDescription": {"text": statement},
                "fullDescription": {
                    "text": f"{statement} ({requirement.source})" if requirement else statement
                },
                "help": {"text": requirement.how_tested if requirement else statement},
                "properties": {
                    "level": requirement.level.value if requirement else "",
                    "keyword": requirement.keyword.value if requirement else "",
                    "source": requirement.source if requirement else "",
                },
            }
        )
    bases = {t.name: t.base_url for t in report.targets}
    return {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": report.suite.get("name", "interop-conformance"),
                        "version": report.suite.get("version", ""),
                        "informationUri": HOMEPAGE,
                        "rules": rules,
                    }
                },
                "results": [
                    _result(r, rule_ids.index(r.requirement), bases.get(r.target, ""))
                    for r in findings
                ],
                "properties": {
                    "profile": report.profile.get("name", ""),
                    "seed": report.seed,
                    "verdict": report.verdict.value,
                    "complete": report.complete,
                },
            }
        ],
    }


def write_sarif(report: Report, path: Path) -> Path:
    """Write conformance.sarif to `path` and return it."""
    path = Path(path)
    path.write_text(json.dumps(sarif_log(report), indent=2, ensure_ascii=False), "utf-8")
    return path


def _result(result: Result, index: int, base_url: str) -> dict[str, Any]:
    found: dict[str, Any] = {
        "ruleId": result.requirement,
        "ruleIndex": index,
        "level": LEVELS[result.outcome],
        "message": {"text": f"[{result.target}] {result.message}"},
        "locations": [
            {"physicalLocation": {"artifactLocation": {"uri": url}}}
            for url in (result.requested_urls() or [base_url])[:MAX_LOCATIONS]
        ],
        "properties": {"target": result.target, "outcome": result.outcome.value},
    }
    if result.waiver is not None:
        w = result.waiver
        found["suppressions"] = [
            {
                "kind": "external",
                "status": "accepted",
                "justification": f"waived until {w.get('expires')} by {w.get('owner')}: "
                f"{w.get('reason')}",
            }
        ]
    return found
