"""RDF against SHACL: parse JSON-LD or Turtle without fetching anything, validate with pyshacl.

JSON-LD naming a remote `@context` (or `@import`) is refused rather than fetched: rdflib would
otherwise open that URL itself, outside the suite's client and its limits. The refusal is
`RemoteContext`, one reason for every check that reads JSON-LD: the suite's limit, never a fault
of the agency.

Validation is total: whatever pyshacl raises on given shapes becomes `ShapesUnusable`, an
`Inconclusive` naming the shapes' defect. Shapes that refer to a shape they never define (the
DCAT-AP 3.0.1 `dcat-ap-SHACL.ttl` lists two property shapes of `dcat:DataServiceShape` that only
its `ranges.ttl` defines, and pyshacl raises on them) are validated with those references set
aside; `validation` lists each one (`UndefinedShape.describe`) for the evidence.
"""

from __future__ import annotations

import json
import re
import warnings
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

from conformance.core.errors import Inconclusive

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
# Where a reference to a shape the shapes never define is set aside (SHACL §4.6, §4.8): for
# sh:property pyshacl cannot apply it (a property shape needs its sh:path); an undefined shape
# is one without constraints, so sh:node of it, and sh:or listing it, hold for every node (set
# aside, nothing changes but the word said), and sh:not of it fails every node (a defect of the
# shapes, not of the data). In sh:and, sh:xone and sh:qualifiedValueShape it is left as SHACL
# reads it, a shape without constraints.
SHAPE_PARAMETERS = ("property", "node", "not")
SHAPE_LIST_PARAMETERS = ("or",)


class RdfError(ValueError):
    """The data or the shapes cannot be read as RDF."""


class RemoteContext(RdfError):
    """The JSON-LD names its context by URL, which the suite does not fetch (its limit)."""

    def __init__(self, url: str, *, on_target: bool) -> None:
        self.url = url
        self.on_target = on_target
        super().__init__(remote_context_reason(url, on_target=on_target))


class ShapesUnusable(RdfError, Inconclusive):
    """pyshacl cannot apply the shapes: a defect of the shapes, never a fault of the data."""

    def __init__(self, defect: str) -> None:
        self.defect = defect
        Inconclusive.__init__(self, self.reason())

    def reason(self, shapes: str = "") -> str:
        """The reason, naming the shapes (`shapes`) when given."""
        named = f"the SHACL shapes {shapes}" if shapes else "the SHACL shapes"
        return f"{named} are unusable: {self.defect} (not a fault of the data)"


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
        _refuse_remote_contexts(data, base)
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


def _refuse_remote_contexts(data: bytes, base: str) -> None:
    try:
        document = json.loads(data)
        remote = _remote_references(document)
    except RecursionError:
        raise RdfError("the JSON is nested too deeply to parse") from None
    except ValueError as exc:
        raise RdfError(f"not JSON: {exc}") from None
    if remote:
        url = urljoin(base, remote[0])
        host = urlsplit(base).hostname
        raise RemoteContext(url, on_target=bool(host) and urlsplit(url).hostname == host)


def remote_context_reason(url: str, *, on_target: bool) -> str:
    """Why JSON-LD naming the context `url` gets no verdict, and what the publisher can do."""
    embed = "embed the context in the document (an object under @context) to have it checked"
    if on_target:
        return (
            f"the JSON-LD names a remote context {url!r}, on the target's own host; the suite "
            "does not fetch remote contexts, even from the target (the JSON-LD parser would "
            f"load it outside the suite's client and its limits), so it was not used: {embed}"
        )
    host = urlsplit(url).hostname or url
    return (
        f"the JSON-LD names a remote context {url!r}; the suite does not fetch remote contexts, "
        f"and {host} is not the target's host, the only one it contacts: {embed}"
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
                raise ShapesUnusable(
                    f"a sh:{keyword} query of the shapes reaches out (SERVICE/LOAD), "
                    "which the suite refuses"
                )


@dataclass(frozen=True, slots=True)
class UndefinedShape:
    """A reference of the shapes to a shape they never define (no triple has it as subject)."""

    referrer: str
    parameter: str
    shape: str

    def defect(self) -> str:
        """The defect in words."""
        return (
            f"they refer to {_named(self.shape)} (sh:{self.parameter} of "
            f"{_named(self.referrer)}), which they never define"
        )

    def describe(self) -> str:
        """What setting the reference aside means for a verdict."""
        return f"the shapes {self.defect().removeprefix('they ')}; that constraint was not applied"

    def to_dict(self) -> dict[str, str]:
        """The evidence form."""
        return {"referrer": self.referrer, "parameter": self.parameter, "undefined": self.shape}


@dataclass(frozen=True, slots=True)
class Validation:
    """The SHACL results, and the references to undefined shapes that were set aside."""

    violations: tuple[ShapeViolation, ...]
    set_aside: tuple[UndefinedShape, ...]


def _named(node: str) -> str:
    return f"<{node}>" if ":" in node else f"a blank node ({node})"


# (the triple set aside, what it referred to)
_Reference = tuple[tuple[Any, Any, Any], UndefinedShape]


def _undefined_references(shapes: Any) -> list[_Reference]:
    """Every reference to a shape that is the subject of no triple of the shapes graph."""
    import rdflib

    defined = set(shapes.subjects())
    found: list[_Reference] = []
    for parameter in SHAPE_PARAMETERS + SHAPE_LIST_PARAMETERS:
        predicate = rdflib.URIRef(SH + parameter)
        for referrer, value in shapes.subject_objects(predicate):
            members = _members(shapes, value) if parameter in SHAPE_LIST_PARAMETERS else [value]
            for shape in members:
                if isinstance(shape, rdflib.Literal) or shape in defined:
                    continue
                undefined = UndefinedShape(str(referrer), parameter, str(shape))
                found.append(((referrer, predicate, value), undefined))
    return sorted(found, key=lambda ref: (ref[1].referrer, ref[1].parameter, ref[1].shape))


def _members(shapes: Any, head: Any) -> list[Any]:
    """The members of an RDF list; none when it is not one (pyshacl then says why)."""
    try:
        return list(shapes.items(head))
    except ValueError:  # a list whose rdf:rest loops
        return []


def undefined_shapes(shapes: Any) -> tuple[UndefinedShape, ...]:
    """The references of the shapes graph to shapes it never defines, once each."""
    return tuple(dict.fromkeys(undefined for _, undefined in _undefined_references(shapes)))


def _without(shapes: Any, references: list[_Reference]) -> Any:
    """A copy of the shapes graph with the references set aside."""
    import rdflib

    kept = rdflib.Graph()
    kept += shapes
    for triple, _ in references:
        kept.remove(triple)
    return kept


def _report(data: Any, shapes: Any) -> Any:
    """pyshacl's report graph; whatever pyshacl raises on the shapes is `ShapesUnusable`."""
    import pyshacl

    try:
        _conforms, report, _text = pyshacl.validate(
            data, shacl_graph=shapes, inference="none", abort_on_first=False, allow_warnings=True
        )
    except Exception as exc:  # pyshacl raises its own errors and plain ones (re.error, ...)
        detail = " ".join(str(exc).split()) or repr(exc)
        raise ShapesUnusable(f"pyshacl raised {type(exc).__name__}: {detail}") from None
    return report


def validate(data: Any, shapes: Any) -> list[ShapeViolation]:
    """Every SHACL validation result of the data graph against the shapes graph.

    References to shapes the shapes never define are set aside (`validation` lists them).
    Raises `ShapesUnusable` (an `Inconclusive`) when pyshacl cannot apply the shapes.
    """
    return list(validation(data, shapes).violations)


def validation(data: Any, shapes: Any) -> Validation:
    """The SHACL results, every reference to an undefined shape set aside, and those references.

    Raises `ShapesUnusable` (an `Inconclusive`) when pyshacl cannot apply what remains.
    """
    _refuse_remote_sparql(shapes)
    references = _undefined_references(shapes)
    applied = _without(shapes, references) if references else shapes
    set_aside = tuple(dict.fromkeys(undefined for _, undefined in references))
    return Validation(tuple(_violations(_report(data, applied))), set_aside)


def _violations(report: Any) -> list[ShapeViolation]:
    import rdflib

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


def set_aside_words(set_aside: Iterable[UndefinedShape]) -> str:
    """What a message adds when constraints were set aside ('' when none were)."""
    found = list(dict.fromkeys(set_aside))
    if not found:
        return ""
    more = f" (and {len(found) - 1} more, in the evidence)" if len(found) > 1 else ""
    return f"; {len(found)} constraint(s) of the shapes set aside: {found[0].describe()}{more}"
