"""RDF against SHACL: parse JSON-LD or Turtle without fetching anything, validate with pyshacl.

JSON-LD naming a remote `@context` (or `@import`) is refused rather than fetched: rdflib would
otherwise open that URL itself, outside the suite's client and its limits.
"""

from __future__ import annotations

import json
import re
import warnings
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

SHAPES_DIR = Path(__file__).resolve().parents[1] / "resources" / "shapes"
BUILTIN_SHAPES = {"dcat-ap-3.0.1-subset": "dcat-ap-3.0.1-subset.ttl"}
JSON_LD = "application/ld+json"
FORMATS = {
    JSON_LD: "json-ld",
    "application/json": "json-ld",
    "text/turtle": "turtle",
    "application/n-triples": "nt",
    "application/rdf+xml": "xml",
}
SH = "http://www.w3.org/ns/shacl#"
_REMOTE_SPARQL = re.compile(r"\b(SERVICE|LOAD)\b", re.IGNORECASE)


class RdfError(ValueError):
    """The data or the shapes cannot be read as RDF."""


@dataclass(frozen=True, slots=True)
class ShapeViolation:
    """One SHACL validation result: focus node, path, value, severity, message, shape."""

    focus: str
    path: str
    value: str
    severity: str
    message: str
    shape: str
    component: str

    def to_dict(self) -> dict[str, Any]:
        """The evidence form."""
        return {
            "focus": self.focus,
            "path": self.path,
            "value": self.value,
            "severity": self.severity,
            "message": self.message,
            "shape": self.shape,
            "component": self.component,
        }


def parse_graph(data: bytes, media_type: str, base: str) -> Any:
    """An rdflib Graph from JSON-LD, Turtle, N-Triples or RDF/XML bytes (no remote loading)."""
    import rdflib

    fmt = FORMATS.get(media_type.lower())
    if fmt is None:
        raise RdfError(f"{media_type or 'no media type'!r} is not an RDF media type")
    if fmt == "json-ld":
        _refuse_remote_contexts(data)
    if fmt == "xml":
        from conformance.documents import xmlsafe

        if xmlsafe.has_doctype(data):
            raise RdfError("the RDF/XML document declares a DOCTYPE (entities): refused")
    graph = rdflib.Graph()
    try:
        with warnings.catch_warnings():
            # rdflib's JSON-LD parser warns that it uses its own deprecated ConjunctiveGraph
            warnings.simplefilter("ignore", DeprecationWarning)
            graph.parse(data=data, format=fmt, publicID=base)
    except Exception as exc:  # rdflib raises many types for bad syntax
        raise RdfError(f"not parseable as {fmt}: {exc}") from None
    return graph


def _refuse_remote_contexts(data: bytes) -> None:
    try:
        document = json.loads(data)
        remote = _remote_references(document)
    except RecursionError:
        raise RdfError("the JSON is nested too deeply to parse") from None
    except ValueError as exc:
        raise RdfError(f"not JSON: {exc}") from None
    if remote:
        raise RdfError(
            f"the JSON-LD names a remote context {remote[0]!r}; the suite does not fetch "
            "contexts (embed the context in the document)"
        )


def _remote_references(node: Any) -> list[str]:
    found: list[str] = []
    if isinstance(node, dict):
        for key, value in node.items():
            if key in {"@context", "@import"}:
                found.extend(_context_strings(value))
            found.extend(_remote_references(value))
    elif isinstance(node, list):
        for item in node:
            found.extend(_remote_references(item))
    return found


def _context_strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [v for v in value if isinstance(v, str)]
    return []


@cache
def builtin_shapes(name: str) -> Any:
    """A shipped shapes graph by name (see `BUILTIN_SHAPES`)."""
    if name not in BUILTIN_SHAPES:
        raise RdfError(f"no shipped shapes {name!r} (shipped: {', '.join(sorted(BUILTIN_SHAPES))})")
    path = SHAPES_DIR / BUILTIN_SHAPES[name]
    return parse_graph(path.read_bytes(), "text/turtle", path.as_uri())


def _refuse_remote_sparql(shapes: Any) -> None:
    """SHACL-SPARQL may name a SERVICE or LOAD a URL: rdflib would fetch it, so refuse."""
    import rdflib

    for keyword in ("select", "ask", "construct", "update"):
        for query in shapes.objects(None, rdflib.URIRef(SH + keyword)):
            if _REMOTE_SPARQL.search(str(query)):
                raise RdfError(f"a sh:{keyword} query of the shapes reaches out (SERVICE/LOAD)")


def validate(data: Any, shapes: Any) -> list[ShapeViolation]:
    """Every SHACL validation result of the data graph against the shapes graph."""
    import pyshacl
    import rdflib

    _refuse_remote_sparql(shapes)
    _conforms, report, _text = pyshacl.validate(
        data, shacl_graph=shapes, inference="none", abort_on_first=False, allow_warnings=True
    )
    sh = rdflib.Namespace(SH)
    found = []
    for result in report.subjects(rdflib.RDF.type, sh.ValidationResult):

        def one(predicate: Any, result: Any = result) -> str:
            value = report.value(result, predicate)
            return "" if value is None else str(value)

        found.append(
            ShapeViolation(
                focus=one(sh.focusNode),
                path=one(sh.resultPath),
                value=one(sh.value),
                severity=one(sh.resultSeverity).removeprefix(SH),
                message=one(sh.resultMessage),
                shape=one(sh.sourceShape),
                component=one(sh.sourceConstraintComponent).removeprefix(SH),
            )
        )
    return sorted(found, key=lambda v: (v.focus, v.path, v.component))
