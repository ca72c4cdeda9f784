"""What a target publishes about itself, fetched once per run and shared by every check."""

from __future__ import annotations

import json
import threading
from typing import Any

import yaml

from conformance.client.http import Exchange, HttpClient
from conformance.core.errors import Inconclusive, PreconditionMissing
from conformance.documents.linkset import LinkContext, parse_linkset
from conformance.documents.openapi import OpenApiDocument
from conformance.documents.service_levels import SERVICE_LEVEL, declared_rate


def parse_document(exchange: Exchange) -> Any:
    """A JSON (or, for YAML media types, YAML) body; ValueError when it is neither."""
    if "yaml" in exchange.media_type:
        try:
            return yaml.safe_load(exchange.body)
        except yaml.YAMLError as exc:
            raise ValueError(f"not YAML: {exc}") from None
    try:
        return json.loads(exchange.body)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ValueError(f"not JSON: {exc}") from None


class Discovery:
    """The target's api-catalog and OpenAPI documents, cached for the run."""

    def __init__(self, client: HttpClient) -> None:
        self.client = client
        self._lock = threading.RLock()
        self._apis: list[LinkContext] | Exception | None = None
        self._openapi: list[OpenApiDocument] | Exception | None = None

    def apis(self) -> list[LinkContext]:
        """The catalogue's link contexts; PreconditionMissing when it cannot be read."""
        with self._lock:
            if self._apis is None:
                self._apis = self._fetch_apis()
            if isinstance(self._apis, Exception):
                raise self._apis
            return self._apis

    def _fetch_apis(self) -> list[LinkContext] | Exception:
        try:
            exchange = self.client.get(self.client.target.catalog_path)
        except Inconclusive as exc:
            return exc
        if exchange.status != 200:
            return PreconditionMissing(f"the api-catalog answered {exchange.status}")
        try:
            apis = parse_linkset(parse_document(exchange), exchange.url)
        except ValueError as exc:
            return PreconditionMissing(f"the api-catalog is unusable: {exc}")
        rates = [declared_rate(api.extensions.get(SERVICE_LEVEL)) for api in apis]
        declared = [rate for rate in rates if rate is not None]
        if declared:
            lowest = min(declared, key=lambda rate: rate.rps)
            self.client.keep_under(lowest.rps, authenticated_only=lowest.per_client)
        return apis

    def openapi_documents(self) -> list[OpenApiDocument]:
        """Every service-desc document on the target's hosts, parsed (not validated)."""
        with self._lock:
            if self._openapi is None:
                self._openapi = self._fetch_openapi()
            if isinstance(self._openapi, Exception):
                raise self._openapi
            return self._openapi

    def _fetch_openapi(self) -> list[OpenApiDocument] | Exception:
        try:
            urls = [u for api in self.apis() for u in api.hrefs("service-desc")]
        except (PreconditionMissing, Inconclusive) as exc:
            return exc
        documents = []
        for url in urls:
            if not self.client.on_target(url):
                continue
            try:
                exchange = self.client.get(url)
                data = parse_document(exchange) if exchange.status == 200 else None
            except (Inconclusive, ValueError) as exc:
                return PreconditionMissing(f"the OpenAPI document {url} is unusable: {exc}")
            if not isinstance(data, dict):
                return PreconditionMissing(f"the OpenAPI document {url} is unusable")
            documents.append(OpenApiDocument(exchange.url, data))
        if not documents:
            return PreconditionMissing("the api-catalog links no OpenAPI document on the target")
        return documents
