"""What a target publishes about itself, fetched once per run and shared by every check."""

from __future__ import annotations

import json
import re
import threading
from pathlib import Path
from typing import Any

import yaml

from conformance.client.http import Exchange, HttpClient
from conformance.core.errors import Inconclusive, PreconditionMissing
from conformance.documents import nesting
from conformance.documents.linkset import LinkContext, parse_linkset
from conformance.documents.openapi import OpenApiDocument
from conformance.documents.service_levels import SERVICE_LEVEL, declared_rate

#: the registered media type of OpenAPI documents in YAML
OPENAPI_YAML = "application/vnd.oai.openapi"
#: what the suite asks for when it fetches an OpenAPI document
OPENAPI_ACCEPT = (
    "application/vnd.oai.openapi+json, application/json;q=0.9, "
    "application/vnd.oai.openapi;q=0.8, application/yaml;q=0.8, */*;q=0.1"
)


def parse_document(exchange: Exchange) -> Any:
    """A JSON (or, for YAML media types, YAML) body; ValueError when it is neither.

    `application/vnd.oai.openapi` is the registered media type of OpenAPI in YAML (its JSON form
    is `application/vnd.oai.openapi+json`, OpenAPI 3.1 Appendix E)."""
    if is_yaml(exchange.media_type):
        return load_yaml(exchange.body, "the document")
    try:
        return nesting.loads(exchange.body, "the document")
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ValueError(f"not JSON: {exc}") from None


def read_local_document(body: bytes, suffix: str) -> Any:
    """A local JSON or YAML file's content, by its suffix (.json, else YAML, which JSON is)."""
    if suffix == ".json":
        try:
            return nesting.loads(body, "the document")
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise ValueError(f"not JSON: {exc}") from None
    return load_yaml(body, "the document")


def is_yaml(media_type: str) -> bool:
    """Whether `media_type` (without parameters) names YAML, the OpenAPI YAML type included."""
    return "yaml" in media_type or media_type == OPENAPI_YAML


class _Yaml12Loader(yaml.SafeLoader):
    """PyYAML's safe loader with YAML 1.2's booleans (only true and false) and no timestamps.

    PyYAML reads YAML 1.1, where `NO`, `yes`, `on` and `off` are booleans: `enum: [NO, SE]`
    (Norway, Sweden) would become `[false, "SE"]` and blame the agency for a YAML 1.1 quirk.
    OpenAPI 3.1 documents are YAML 1.2 (its §4.3 Format)."""


# YAML 1.1 types YAML 1.2's core schema does not have: its booleans, and timestamps (a date
# stays the string JSON would carry)
_YAML11_ONLY = {"tag:yaml.org,2002:bool", "tag:yaml.org,2002:timestamp"}
_Yaml12Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag not in _YAML11_ONLY]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_Yaml12Loader.add_implicit_resolver(
    "tag:yaml.org,2002:bool",
    re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"),
    list("tTfF"),
)


def load_yaml(body: bytes, what: str) -> Any:
    """YAML (safe subset, YAML 1.2 booleans) from `body`, nesting bounded; ValueError when it
    is not YAML."""
    try:
        data = yaml.load(body, Loader=_Yaml12Loader)
    except yaml.YAMLError as exc:
        raise ValueError(f"not YAML: {exc}") from None
    except RecursionError:
        raise nesting.NestedTooDeep(f"{what} nests too deeply to parse") from None
    return nesting.bounded(data, what)


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
            exchange = self.client.get(self.client.target.catalog_url)
        except Inconclusive as exc:  # DEP-CAT-01 reports it; what reads the catalogue lacks it
            return PreconditionMissing(f"the api-catalog could not be read: {exc.message}")
        if exchange.status != 200:
            return PreconditionMissing(f"the api-catalog answered {exchange.status}")
        try:
            apis = parse_linkset(parse_document(exchange), exchange.url)
        except ValueError as exc:
            return PreconditionMissing(f"the api-catalog is unusable: {exc}")
        except Inconclusive as exc:  # nested past the parser's depth limit
            return PreconditionMissing(f"the api-catalog is unusable: {exc.message}")
        rates = [declared_rate(api.extensions.get(SERVICE_LEVEL)) for api in apis]
        declared = [rate for rate in rates if rate is not None]
        if declared:
            lowest = min(declared, key=lambda rate: rate.rps)
            self.client.keep_under(lowest.rps, authenticated_only=lowest.per_client)
        return apis

    def openapi_documents(self) -> list[OpenApiDocument]:
        """Every service-desc document on the target's hosts, parsed (not validated), each made
        self-contained: the documents its `$ref`s name are fetched through the client (target
        hosts only) and inlined, so no check and no library reads a reference it cannot see."""
        with self._lock:
            if self._openapi is None:
                self._openapi = self._fetch_openapi()
            if isinstance(self._openapi, Exception):
                raise self._openapi
            return self._openapi

    def openapi_sources(self) -> list[str]:
        """Where the OpenAPI documents are: the target's own `openapi:` list (URLs or local
        files) when it names one, else the api-catalog's service-desc links on its hosts."""
        named = self.client.target.openapi
        if named:
            return list(named)
        urls = [u for api in self.apis() for u in api.hrefs("service-desc")]
        on_target = list(dict.fromkeys(u for u in urls if self.client.on_target(u)))
        if not on_target:
            raise PreconditionMissing(
                "the api-catalog links no service-desc on the target's hosts (name the OpenAPI "
                "document with `openapi:` in the target file)"
            )
        return on_target

    def _fetch_openapi(self) -> list[OpenApiDocument] | Exception:
        try:
            sources = self.openapi_sources()
        except (PreconditionMissing, Inconclusive) as exc:
            return exc
        documents = []
        for source in sources:
            try:
                document = self.read_openapi(source)
            except (Inconclusive, ValueError) as exc:
                return PreconditionMissing(f"the OpenAPI document {source} is unusable: {exc}")
            if not isinstance(document.data, dict):
                return PreconditionMissing(f"the OpenAPI document {source} is unusable")
            from conformance.client.references import bundled  # it reads documents as we do

            whole = bundled(self.client, document).data
            document = OpenApiDocument(document.url, whole, base_url=document.base_url)
            documents.append(document)
            placement = document.api_key_scheme()
            if placement is not None:
                self.client.use_api_key_scheme(*placement)
        return documents

    def read_openapi(self, source: str) -> OpenApiDocument:
        """One OpenAPI document, from the target (a URL) or from a local file the target file
        names; ValueError when it is not JSON or YAML, Inconclusive when it cannot be had."""
        if source.startswith(("http://", "https://")):
            if not self.client.on_target(source):
                raise Inconclusive(
                    f"{source} is not on the target's hosts: add its host to allowed_hosts, or "
                    "download the document and name the file"
                )
            exchange = self.client.get(source, headers={"Accept": OPENAPI_ACCEPT})
            if exchange.status != 200:
                raise ValueError(f"it answered {exchange.status}")
            return OpenApiDocument(exchange.url, parse_document(exchange))
        path = Path(source)
        try:
            body = path.read_bytes()
        except OSError as exc:
            raise Inconclusive(f"cannot read {path}: {exc.strerror}") from None
        if len(body) > self.client.target.safety.max_response_bytes:
            raise Inconclusive(f"{path} is larger than the run's size limit")
        data = read_local_document(body, path.suffix.lower())
        return OpenApiDocument(path.as_uri(), data, base_url=self.client.target.base_url + "/")
