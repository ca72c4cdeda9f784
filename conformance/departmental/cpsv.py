"""Public-service descriptions (CPSV-AP JSON-LD) read safely and checked against SHACL shapes.

The JSON is parsed and bounded before rdflib sees it; a remote `@context` is refused (never
fetched) by `conformance.documents.rdf`, with the reason DATA-RDF-01 gives too (its
`RemoteContext`). The shipped shapes live in profiles/shapes/.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from conformance.departmental.oas_validation import bounded
from conformance.documents import rdf
from conformance.inputs.profile import bundled_profiles_dir

CPSV = "http://purl.org/vocab/cpsv#"
PUBLIC_SERVICE = CPSV + "PublicService"
DEFAULT_SHAPES = "shapes/cpsv-ap-3-subset.ttl"


# The JSON-LD needs a context by URL, which the suite never fetches: the one class and reason
# of conformance.documents.rdf, shared with DATA-RDF-01.
RemoteContext = rdf.RemoteContext


def shapes_path(name: str, profile_dir: Path) -> Path:
    """A shapes file relative to the profile's folder, else to the bundled profiles."""
    candidate = Path(name)
    if candidate.is_absolute():
        return candidate
    for base in (profile_dir, bundled_profiles_dir()):
        if (base / candidate).is_file():
            return base / candidate
    raise FileNotFoundError(f"no shapes file {name!r} beside the profile or the bundled profiles")


def load_shapes(path: Path) -> Any:
    """The shapes graph of a Turtle file."""
    return rdf.parse_graph(path.read_bytes(), "text/turtle", path.as_uri())


def read_description(body: bytes, base: str, max_nodes: int) -> Any:
    """An rdflib graph of a JSON-LD body; RdfError (RemoteContext) saying why it cannot be."""
    try:
        document = json.loads(body)
    except RecursionError:
        raise rdf.RdfError("the JSON is nested too deeply to parse") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise rdf.RdfError(f"not JSON: {exc}") from None
    try:
        bounded(document, max_nodes)
    except ValueError as exc:
        raise rdf.RdfError(str(exc).replace(" (YAML aliases?)", "")) from None
    if not isinstance(document, dict | list):
        raise rdf.RdfError(f"a JSON {type(document).__name__}, not a JSON-LD object")
    return rdf.parse_graph(body, rdf.JSON_LD, base)


def services(graph: Any) -> list[str]:
    """The cpsv:PublicService nodes of the graph."""
    import rdflib

    return sorted(str(s) for s in graph.subjects(rdflib.RDF.type, rdflib.URIRef(PUBLIC_SERVICE)))
