"""conformance.earl.jsonld: W3C EARL 1.0 (Evaluation and Report Language) as JSON-LD, the
conformance-report vocabulary of OGC's TEAM Engine and of W3C's implementation reports.

One `earl:Assertion` per requirement × target result, asserted by the suite (an `earl:Software`,
a `doap:Project` with its name and release), `earl:mode earl:automatic`:

- `earl:subject`, the target: an `earl:TestSubject` named `urn:interop-conformance:target:NAME`
  (names are unique in a report, base URLs need not be), with its name as `dct:title` and its
  base URL as `dct:source`;
- `earl:test`, the requirement: an `earl:TestRequirement` (and `earl:TestCase`: the suite runs
  one check per requirement) named `urn:interop-conformance:requirement:ID`, with the ID as
  `dct:identifier`, ID and keyword as `dct:title` (`DEP-OAS-03 (SHOULD)`), the catalogue's
  statement as `dct:description` and its source as `dct:source`;
- `earl:result`, an `earl:TestResult`: `earl:outcome` (`OUTCOMES`), the message as
  `dct:description`, the run's end as `dct:date` (the model keeps no time per result), the
  evidence summaries, the reproduction line and any waiver as `earl:info`, and the URLs the
  evidence requested as `earl:pointer`s (`ptr:Pointer`, `ptr:reference`).

A `warn` is a SHOULD not met: EARL has no outcome for it, so it is `earl:failed` (the rule was
not met) and its description starts with the keyword, `SHOULD not met (a warning: it fails no
level)`; `earl:cantTell` would say the suite could not decide, which it did. An `error` (the
suite could not decide) is `earl:cantTell`; `skip` and `not-implemented` are `earl:untested`.

The context is inline (nothing to fetch); every IRI is made IRI-safe (`[REDACTED]` in a query
is percent-encoded).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit, urlunsplit

from conformance.core.catalogue import load_catalogue
from conformance.core.model import Outcome, Report, Result
from conformance.core.version import HOMEPAGE

CONTEXT = {
    "earl": "http://www.w3.org/ns/earl#",
    "dct": "http://purl.org/dc/terms/",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "doap": "http://usefulinc.com/ns/doap#",
    "ptr": "http://www.w3.org/2009/pointers#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
}
#: our outcome → EARL outcome value (a warn is a SHOULD not met: failed, keyword recorded)
OUTCOMES = {
    Outcome.PASS: "earl:passed",
    Outcome.FAIL: "earl:failed",
    Outcome.WARN: "earl:failed",
    Outcome.ERROR: "earl:cantTell",
    Outcome.SKIP: "earl:untested",
    Outcome.NOT_APPLICABLE: "earl:inapplicable",
    Outcome.NOT_IMPLEMENTED: "earl:untested",
}
URN = "urn:interop-conformance"
SUITE_ID = f"{URN}:suite"
MAX_POINTERS = 5
# what a URL's path, query and fragment keep as they are: the reserved and unreserved characters
# and existing %-escapes; anything else (`[REDACTED]`'s brackets, spaces, non-ASCII) is %-encoded
_IRI_SAFE = "/?#@!$&'()*+,;=:%~-._"


def requirement_iri(requirement_id: str) -> str:
    """The stable IRI of a requirement in EARL: `urn:interop-conformance:requirement:ID`."""
    return f"{URN}:requirement:{quote(requirement_id, safe='')}"


def target_iri(name: str) -> str:
    """The IRI of a target (test subject) of a report: `urn:interop-conformance:target:NAME`."""
    return f"{URN}:target:{quote(name, safe='')}"


def earl_document(report: Report) -> dict[str, Any]:
    """The EARL 1.0 JSON-LD document of a report: the suite, the targets, the requirements and
    one assertion per result."""
    version = report.suite.get("version", "")
    suite: dict[str, Any] = {
        "@id": SUITE_ID,
        "@type": ["earl:Software", "earl:Assertor", "doap:Project"],
        "doap:name": report.suite.get("name", "interop-conformance"),
        "doap:homepage": {"@id": HOMEPAGE},
    }
    if version:
        suite["doap:release"] = {"@type": "doap:Version", "doap:revision": version}
    graph: list[dict[str, Any]] = [suite]
    graph += [_subject(name, base) for name, base in _targets(report).items()]
    graph += [_test(rid) for rid in dict.fromkeys(r.requirement for r in report.results)]
    graph += [_assertion(r, report.finished) for r in report.results]
    return {"@context": CONTEXT, "@graph": graph}


def write_earl(report: Report, path: Path) -> Path:
    """Write conformance.earl.jsonld (EARL 1.0 as JSON-LD) to `path` and return it."""
    path = Path(path)
    text = json.dumps(earl_document(report), indent=2, ensure_ascii=False) + "\n"
    path.write_text(text, "utf-8")
    return path


def _targets(report: Report) -> dict[str, str]:
    """Each target named by the report or a result, with its base URL ('' when unknown)."""
    found = {t.name: t.base_url for t in report.targets}
    for r in report.results:
        found.setdefault(r.target, "")
    return found


def _subject(name: str, base_url: str) -> dict[str, Any]:
    subject: dict[str, Any] = {
        "@id": target_iri(name),
        "@type": "earl:TestSubject",
        "dct:title": name,
    }
    if base_url:
        subject["dct:source"] = _link(base_url)
    return subject


def _test(requirement_id: str) -> dict[str, Any]:
    test: dict[str, Any] = {
        "@id": requirement_iri(requirement_id),
        "@type": ["earl:TestRequirement", "earl:TestCase"],
        "dct:identifier": requirement_id,
        "dct:title": requirement_id,
    }
    requirement = load_catalogue().get(requirement_id)
    if requirement is not None:
        test["dct:title"] = f"{requirement_id} ({requirement.keyword.value})"
        test["dct:description"] = requirement.statement
        test["dct:source"] = requirement.source
    return test


def _assertion(result: Result, date: str) -> dict[str, Any]:
    message = result.message
    if result.outcome is Outcome.WARN:
        message = f"{result.keyword.value} not met (a warning: it fails no level): {message}"
    info = [f"{e.kind}: {e.summary}" for e in result.evidence]
    if result.reproduce:
        info.append(f"reproduce: {result.reproduce}")
    if result.waiver is not None:
        w = result.waiver
        info.append(f"waived until {w.get('expires')} by {w.get('owner')}: {w.get('reason')}")
    outcome: dict[str, Any] = {
        "@type": "earl:TestResult",
        "earl:outcome": {"@id": OUTCOMES[result.outcome]},
        "dct:description": message,
    }
    if date:
        outcome["dct:date"] = {"@value": date, "@type": "xsd:dateTime"}
    if info:
        outcome["earl:info"] = info
    pointers = [
        {"@type": "ptr:Pointer", "ptr:reference": _link(url)}
        for url in result.requested_urls()[:MAX_POINTERS]
    ]
    if pointers:
        outcome["earl:pointer"] = pointers
    return {
        "@type": "earl:Assertion",
        "earl:assertedBy": {"@id": SUITE_ID},
        "earl:subject": {"@id": target_iri(result.target)},
        "earl:test": {"@id": requirement_iri(result.requirement)},
        "earl:mode": {"@id": "earl:automatic"},
        "earl:result": outcome,
    }


def _link(url: str) -> dict[str, str]:
    """A URL as an IRI node, or as a plain string when it is not absolute (an unloadable
    target's `unloadable:FILE` is absolute, so it stays an IRI)."""
    try:
        parts = urlsplit(url)
    except ValueError:  # e.g. an unclosed IPv6 bracket
        return {"@value": url}
    if not parts.scheme:
        return {"@value": url}
    path, query, fragment = (quote(p, safe=_IRI_SAFE) for p in parts[2:])
    return {"@id": urlunsplit((parts.scheme, parts.netloc, path, query, fragment))}
