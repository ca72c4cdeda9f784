"""What an agency publishes about itself, read once for `conformance init`: its api-catalog and
OpenAPI documents (through `Discovery`, as the checks read them), what those documents say about
credentials and media types, and a sample of its collections.

Every request goes through the suite's client (rate cap, limits, the target's hosts only), and
only reads: GET the base URL, the catalogue, the OpenAPI documents (or, without a catalogue, a
few usual places), then a collection and one of its items per resource, at most
`MAX_SAMPLED` resources.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, field, replace
from typing import Any
from urllib.parse import quote, urljoin, urlsplit

from requests.utils import parse_header_links

from conformance.client.discovery import Discovery
from conformance.client.http import Exchange, HttpClient
from conformance.client.preflight import check_reachable
from conformance.core.errors import Inconclusive, PreconditionMissing, TargetError
from conformance.documents.json_pointer import pointer_to, resolve
from conformance.documents.linkset import LinkContext
from conformance.documents.openapi import OpenApiDocument
from conformance.documents.openapi_facts import (
    ResourceCandidate,
    SecurityFacts,
    media_types,
    resource_candidates,
    security_facts,
    write_operations,
)
from conformance.documents.rdf import BUILTIN_SHAPES
from conformance.documents.rdf import FORMATS as RDF_FORMATS
from conformance.inputs.target import Target

#: where OpenAPI documents usually are, relative to the base URL, tried in this order when the
#: agency has no api-catalog and its base URL links no service-desc (RFC 8631)
USUAL_PLACES = ("openapi.json", "openapi.yaml", "openapi", "v3/api-docs", "swagger.json")
#: resources sampled at most (each costs a GET of its collection and of one item)
MAX_SAMPLED = 3
#: item fields tried as the key after the template's own variable name
KEY_NAMES = ("id", "code", "key", "identifier", "name")
JSON = "application/json"
#: the names item arrays usually have in a collection's answer, and those of lists of links
ITEM_LISTS = ("items", "data", "results", "features", "records", "entries", "content")
LINK_LISTS = frozenset({"links", "_links"})
#: the relation (RFC 8288) of the catalogue's links to documents describing the API's data, and
#: the shipped shapes a DCAT document among them is checked with (DATA-RDF-01)
DESCRIBEDBY = "describedby"
DCAT = "http://www.w3.org/ns/dcat#"
DCAT_SHAPES = "dcat-ap-3.0.1-subset"


@dataclass(frozen=True, slots=True)
class SampledResource:
    """A resource whose collection listed items and whose first item answered 200."""

    name: str
    #: the value of `inputs.resources.<name>`
    spec: dict[str, Any]
    source: str


@dataclass
class Survey:
    """What `conformance init` found on a target, each fact with where it came from."""

    target: Target
    apis: list[LinkContext] = field(default_factory=list)
    #: why the api-catalog could not be used (None: it was)
    catalog_problem: str | None = None
    #: how the OpenAPI documents were found: "given", "catalog", or the probe that found them
    openapi_origin: str = ""
    documents: list[OpenApiDocument] = field(default_factory=list)
    openapi_problem: str | None = None
    security: SecurityFacts = field(default_factory=SecurityFacts)
    produced: list[str] = field(default_factory=list)
    consumed: list[str] = field(default_factory=list)
    writes: list[str] = field(default_factory=list)
    resources: list[SampledResource] = field(default_factory=list)
    #: candidates the survey did not sample, or whose sampling failed, and why
    unsampled: list[tuple[ResourceCandidate, str]] = field(default_factory=list)
    #: `inputs.signatures.responses` entries seen signed (RFC 9421), and where
    signed: list[tuple[dict[str, Any], str]] = field(default_factory=list)
    #: hosts the OpenAPI servers name that are not the target's
    foreign_hosts: list[str] = field(default_factory=list)
    #: `inputs.rdf` entries for the RDF documents the catalogue links, and where they are
    rdf: list[tuple[dict[str, Any], str]] = field(default_factory=list)

    def relative(self, url: str) -> str:
        """`url` as a path on the target when it is under the base URL, else as it is."""
        base = self.target.base_url.rstrip("/")
        if url == base or url.startswith(base + "/"):
            return url[len(base) :] or "/"
        return url

    def relation(self, name: str) -> list[str]:
        """The catalogue's links of one relation type, over every API."""
        return [href for api in self.apis for href in api.hrefs(name)]


def survey(target: Target) -> Survey:
    """Read what `target` publishes; TargetError when its base URL cannot be read at all."""
    check_reachable(target)
    client = HttpClient(target)
    try:
        home = client.get(target.base_url, headers={"Accept": JSON})
    except Inconclusive as exc:
        hint = " (give its CA with --ca-bundle)" if "TLS" in exc.message else ""
        raise TargetError(f"cannot read {target.base_url}: {exc.message}{hint}") from None
    found = Survey(target)
    discovery = Discovery(client)
    try:
        found.apis = discovery.apis()
    except PreconditionMissing as exc:
        found.catalog_problem = exc.reason
    except Inconclusive as exc:  # what the catalogue answered cannot be read: init goes on
        found.catalog_problem = exc.message
    try:
        found.documents = discovery.openapi_documents()
        found.openapi_origin = "given" if target.openapi else "catalog"
    except (PreconditionMissing, Inconclusive) as exc:
        found.openapi_problem = getattr(exc, "reason", None) or getattr(exc, "message", str(exc))
    if not found.documents and not target.openapi:
        _probe(found, client, discovery, home)
    if found.documents and found.openapi_origin not in ("given", "catalog"):
        client.close()
        client = HttpClient(replace(target, openapi=(found.documents[0].url,)))
        with contextlib.suppress(PreconditionMissing, Inconclusive):
            found.documents = Discovery(client).openapi_documents()  # bundled, as checks see it
    try:
        _read_documents(found)
        _sample(found, client)
        _described(found, client)
    finally:
        client.close()
    return found


def _probe(found: Survey, client: HttpClient, discovery: Discovery, home: Exchange) -> None:
    """Look for an OpenAPI document where one usually is: a service-desc link of the base URL
    (RFC 8631 Link header, or an OGC API landing page's `links`), then `USUAL_PLACES`."""
    places: list[tuple[str, str]] = []
    for link in parse_header_links(home.header("Link") or ""):
        if link.get("rel") == "service-desc" and link.get("url"):
            places.append((urljoin(home.url, link["url"]), "the base URL's Link header"))
    with contextlib.suppress(ValueError, Inconclusive):  # not JSON, or nested too deep
        body = home.json() if home.status == 200 else None
        links = body.get("links") if isinstance(body, dict) else None
        for link in links if isinstance(links, list) else ():
            if isinstance(link, dict) and link.get("rel") == "service-desc" and link.get("href"):
                places.append((urljoin(home.url, str(link["href"])), "the base URL's links"))
    base = found.target.base_url.rstrip("/")
    places += [(f"{base}/{place}", "a usual place") for place in USUAL_PLACES]
    tried: list[str] = []
    for url, how in dict.fromkeys(places):
        if url in tried or not client.on_target(url):
            continue
        tried.append(url)
        try:
            document = discovery.read_openapi(url)
        except (ValueError, Inconclusive):
            continue
        if isinstance(document.data, dict) and "openapi" in document.data:
            found.documents = [document]
            found.openapi_origin = f"from {how}: GET {found.relative(url)} answered one"
            found.openapi_problem = None
            return
    found.openapi_problem = (found.openapi_problem or "no api-catalog") + (
        f"; none at {', '.join(found.relative(u) for u in tried)}"
    )


def _read_documents(found: Survey) -> None:
    produced: set[str] = set()
    consumed: set[str] = set()
    for document in found.documents:
        found.security.merge(security_facts(document))
        out, into = media_types(document)
        produced.update(out)
        consumed.update(into)
        found.writes += [w for w in write_operations(document) if w not in found.writes]
        host = urlsplit(document.server_url()).hostname or ""
        if host and host not in found.target.hosts and host not in found.foreign_hosts:
            found.foreign_hosts.append(host)
    found.produced, found.consumed = sorted(produced), sorted(consumed)


def _sample(found: Survey, client: HttpClient) -> None:
    """GET the collection and its first item of up to MAX_SAMPLED resource candidates."""
    candidates = [c for d in found.documents for c in resource_candidates(d)]
    for candidate in candidates:
        if len(found.resources) >= MAX_SAMPLED:
            found.unsampled.append((candidate, f"only {MAX_SAMPLED} resources are sampled"))
            continue
        if not client.on_target(candidate.collection):
            found.unsampled.append((candidate, "not on the target's hosts"))
            continue
        try:
            why = _sample_one(found, client, candidate)
        except Inconclusive as exc:
            why = exc.message
        if why is not None:
            found.unsampled.append((candidate, why))


def _described(found: Survey, client: HttpClient) -> None:
    """A DCAT catalogue the api-catalog links as `describedby` RDF: checked with the shipped
    DCAT-AP shapes (one GET of the first such link)."""
    links = [
        link
        for api in found.apis
        for link in api.links.get(DESCRIBEDBY, ())
        if client.on_target(link.href)
        and (not link.type or link.type.split(";")[0].strip().lower() in RDF_FORMATS)
    ]
    if not links or DCAT_SHAPES not in BUILTIN_SHAPES:
        return
    accept = links[0].type or "application/ld+json, text/turtle;q=0.9"
    try:
        exchange = client.get(links[0].href, headers={"Accept": accept})
    except Inconclusive:
        return
    if exchange.status == 200 and DCAT.encode() in exchange.body:
        where = found.relative(exchange.url)
        found.rdf.append(
            (
                {"relation": DESCRIBEDBY, "shapes": DCAT_SHAPES},
                f"the api-catalog's {DESCRIBEDBY} link {where} is DCAT ({exchange.media_type}): "
                f"checked with the shipped {DCAT_SHAPES} shapes",
            )
        )


def _array_at(body: Any, pointer: str | None, collection: str) -> str | None:
    """Where the items are in a collection's answer: `pointer` (from its schema) when it finds
    an array there; else the root when it is an array; else the top-level array named after
    the collection or as item lists usually are; else the first array of objects that is not
    a list of links."""
    if pointer is not None:
        with contextlib.suppress(LookupError, ValueError):
            if isinstance(resolve(body, pointer), list):
                return pointer
    if isinstance(body, list):
        return ""
    if not isinstance(body, dict):
        return None
    arrays = {str(k): v for k, v in body.items() if isinstance(v, list)}
    last = collection.rstrip("/").rsplit("/", 1)[-1]
    named = [n for n in (last, *ITEM_LISTS) if n in arrays]
    if not named:
        named = [
            n for n, v in arrays.items() if n not in LINK_LISTS and v and isinstance(v[0], dict)
        ]
    return pointer_to(named[0]) if named else None


def _key_names(candidate: ResourceCandidate, item: dict[str, Any]) -> list[str]:
    variable = candidate.variable
    stem = variable[:-2] if variable.lower().endswith("id") and len(variable) > 2 else variable
    spelt = [n for n in item if _bare(n) == _bare(variable)]  # paymentId names payment_id
    names = [variable, *spelt, *KEY_NAMES, stem.rstrip("_"), *candidate.item_properties]
    scalar = [
        n
        for n in names
        if isinstance(item.get(n), str | int) and not isinstance(item.get(n), bool)
        if str(item.get(n))
    ]
    return list(dict.fromkeys(scalar))[:2]


def _bare(name: str) -> str:
    return name.lower().replace("_", "").replace("-", "")


def _sample_one(found: Survey, client: HttpClient, candidate: ResourceCandidate) -> str | None:
    """Sample one candidate: None when it became a resource, else why it did not."""
    where = found.relative(candidate.collection)
    listing = client.get(candidate.collection, headers={"Accept": JSON})
    if listing.status != 200:
        credentials = " (without credentials)" if listing.status in (401, 403) else ""
        return f"GET {where} answered {listing.status}{credentials}"
    try:
        body = listing.json()
    except ValueError:
        return f"GET {where} did not answer JSON"
    pointer = _array_at(body, candidate.items, candidate.collection)
    items = resolve(body, pointer) if pointer is not None else None
    if not isinstance(items, list) or not items:
        return f"GET {where} listed no items"
    if not isinstance(items[0], dict):
        return f"the items GET {where} lists are not objects"
    for key in _key_names(candidate, items[0]):
        value = quote(str(items[0][key]), safe="")
        url = candidate.item.replace("{" + candidate.variable + "}", value)
        item = client.get(url, headers={"Accept": JSON})
        if item.status != 200:
            continue
        spec: dict[str, Any] = {
            "collection": where,
            "items": pointer,
            "item": found.relative(candidate.item),
            "key": pointer_to(key),
        }
        for name, url_found in (("xsd", candidate.xsd), ("schematron", candidate.schematron)):
            if url_found:
                spec[name] = found.relative(url_found)
        sampled = f"GET {where} listed {len(items)}, GET {found.relative(url)} answered 200"
        found.resources.append(
            SampledResource(candidate.name, spec, f"{candidate.source}; sampled: {sampled}")
        )
        for exchange, entry in ((listing, {"path": where}), (item, {"resource": candidate.name})):
            if exchange.header("Signature-Input") and exchange.header("Signature"):
                seen = f"GET {found.relative(exchange.url)} answered with Signature-Input"
                found.signed.append((entry, f"{seen} (RFC 9421)"))
        return None
    return f"no item of GET {where} answered 200 at {found.relative(candidate.item)}"
