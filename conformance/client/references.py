"""What an OpenAPI document refers to, fetched through the suite's client and inlined.

The documents a `$ref` names are fetched like any other answer: on the target's hosts only, at
the run's rate, within its time and size limits. A local document (named in the target file) may
refer to files in its own folder.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from conformance.client.discovery import parse_document, read_local_document
from conformance.client.http import HttpClient
from conformance.documents.openapi import OpenApiDocument
from conformance.documents.openapi_bundle import Bundle, RefUnavailable, bundle


def bundled(client: HttpClient, document: OpenApiDocument) -> Bundle:
    """`document` with every `$ref` to another document inlined (what could not be, listed)."""
    return bundle(document.data, document.url, _fetcher(client, document.url))


def _fetcher(client: HttpClient, document_url: str) -> Any:
    local_root = (
        Path(unquote(urlsplit(document_url).path)).parent
        if document_url.startswith("file:")
        else None
    )

    def fetch(url: str) -> Any:
        if url.startswith("file:"):
            path = Path(unquote(urlsplit(url).path)).resolve()
            if local_root is None or not path.is_relative_to(local_root.resolve()):
                raise RefUnavailable(
                    "a local file outside the folder of the local OpenAPI document"
                )
            if not path.is_file():
                raise RefUnavailable(f"no such file {path}")
            if path.stat().st_size > client.target.safety.max_response_bytes:
                raise RefUnavailable("larger than the run's size limit")
            return read_local_document(path.read_bytes(), path.suffix.lower())
        if not url.startswith(("http://", "https://")) or not client.on_target(url):
            raise RefUnavailable("not on the target's hosts, so not fetched")
        exchange = client.get(url)
        if exchange.status != 200:
            raise RefUnavailable(f"it answered {exchange.status}")
        return parse_document(exchange)

    return fetch
