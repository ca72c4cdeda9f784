"""Hardened XML: parse untrusted documents and XML Schemas without entities, DTDs or network.

A DOCTYPE is refused outright: an agency's payload has no business declaring entities, and a
billion-laughs bomb or an external entity pointing at a local file must be a finding, never an
expansion or a file read. Schema imports and includes are served only by a resolver the caller
gives (the target's own hosts through the suite's client, or files beside a local schema);
anything else gets a refusal document, so libxml2 never opens a URL or a file by itself.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from lxml import etree

UTF8_NAMES = frozenset({"utf-8", "utf8"})
_DECLARED_ENCODING = re.compile(
    rb"""\A(?:\xef\xbb\xbf)?\s*<\?xml[^>]*?encoding\s*=\s*["']([^"']+)"""
)
_REFUSAL = '<refused xmlns="urn:interop-conformance:refused"/>'
_LOCAL = threading.local()

# Given a resolved URL, return the bytes of the document to serve, or None to refuse it.
Fetch = Callable[[str], bytes | None]


class UnsafeXml(ValueError):
    """The document declares a DOCTYPE (DTD, entities): refused without expanding anything."""


class MalformedXml(ValueError):
    """The document is not well-formed XML; `line` and `column` locate the first error."""

    def __init__(self, message: str, line: int | None, column: int | None) -> None:
        super().__init__(message)
        self.line, self.column = line, column


@dataclass(frozen=True, slots=True)
class XsdError:
    """One XML Schema validation error, located by line and element path."""

    line: int
    path: str
    message: str

    def to_dict(self) -> dict[str, Any]:
        """The evidence form."""
        return {"line": self.line, "path": self.path, "message": self.message}


class _GuardedResolver(etree.Resolver):  # type: ignore[misc]  # lxml's Resolver is untyped
    """Serves what `fetch` returns for a URL; a refusal document for everything else."""

    def __init__(self, fetch: Fetch | None) -> None:
        super().__init__()
        self.fetch = fetch
        self.refused: list[str] = []

    def resolve(self, url: str, pubid: str | None, context: Any) -> Any:
        """Serve `url` through `fetch`, or refuse it (never fall back to libxml2's loader)."""
        data = self.fetch(url) if self.fetch is not None else None
        if data is None or has_doctype(data):
            self.refused.append(url)
            return self.resolve_string(_REFUSAL, context)
        return self.resolve_string(data, context, base_url=url)


def hardened_parser(fetch: Fetch | None = None) -> etree.XMLParser:
    """An lxml parser with entities, DTD loading, network and huge trees off."""
    parser = etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_pis=False,
    )
    parser.resolvers.add(_GuardedResolver(fetch))
    return parser


def shared_parser() -> etree.XMLParser:
    """This thread's hardened parser without a fetch (lxml parsers must not cross threads).

    Building a parser costs as much as parsing a small payload: reuse this one for documents
    that fetch nothing.
    """
    try:
        return _LOCAL.parser
    except AttributeError:
        parser = _LOCAL.parser = hardened_parser(None)
        return parser


def has_doctype(data: bytes) -> bool:
    """Whether the raw bytes carry a DOCTYPE declaration (any ASCII-compatible encoding)."""
    # find, not `in`: bytes.__contains__ first tries the needle as an int and raises (then
    # swallows) a TypeError, which costs as much as the search itself on a small payload
    return data.find(b"<!DOCTYPE") != -1


def declared_encoding(data: bytes) -> str | None:
    """The encoding named by the XML declaration, or None when there is none."""
    match = _DECLARED_ENCODING.match(data)
    return match.group(1).decode("ascii", "replace") if match else None


def parse(data: bytes, *, base_url: str | None = None, fetch: Fetch | None = None) -> Any:
    """Parse untrusted XML into an element tree; UnsafeXml for a DOCTYPE, MalformedXml if broken."""
    if has_doctype(data):
        raise UnsafeXml("the document declares a DOCTYPE (a DTD with possible entity definitions)")
    parser = shared_parser() if fetch is None else hardened_parser(fetch)
    try:
        root = etree.fromstring(data, parser, base_url=base_url)
    except etree.XMLSyntaxError as exc:
        line, column = exc.position if exc.position else (exc.lineno, None)
        raise MalformedXml(str(exc.msg or exc), line, column) from None
    tree = root.getroottree()
    # a DOCTYPE the byte check cannot see (UTF-16, UTF-32...): libxml2 records every DOCTYPE,
    # with or without an internal subset or an external identifier, as the internal subset
    if tree.docinfo.internalDTD is not None:
        raise UnsafeXml("the document declares a DOCTYPE (a DTD with possible entity definitions)")
    return tree


def load_schema(data: bytes, *, base_url: str, fetch: Fetch | None) -> etree.XMLSchema:
    """Compile an XSD parsed hardened; imports/includes only through `fetch`.

    Raises UnsafeXml, MalformedXml, or etree.XMLSchemaParseError (whose message names any
    import or include that was refused).
    """
    tree = parse(data, base_url=base_url, fetch=fetch)
    return etree.XMLSchema(tree)


def validate(schema: etree.XMLSchema, tree: Any) -> list[XsdError]:
    """Every validation error of `tree` against `schema`, with line and element path."""
    if schema.validate(tree):
        return []
    return [XsdError(int(e.line), str(e.path or ""), str(e.message)) for e in schema.error_log]
