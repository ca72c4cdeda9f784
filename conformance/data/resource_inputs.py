"""The resources a profile's `inputs.resources` declares: list a collection, address its items.

Each resource names a collection URL, a JSON pointer to the array of items in its answer, an
item path template (`/v1/licenses/{code}`), and a JSON pointer into each item giving the
template's value; optionally an XSD and identifier fields (JSON pointer -> standard).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from conformance.client.http import Exchange, HttpClient
from conformance.core.errors import Inconclusive, PreconditionMissing
from conformance.documents.json_pointer import resolve as pointer_get
from conformance.inputs.shared import RESOURCES

if TYPE_CHECKING:
    from conformance.client.context import CheckContext

#: what an inspection of one item found wrong (one dict a problem) and how many values it checked
Inspect = Callable[["ResourceSpec", Exchange], tuple[list[dict[str, Any]], int]]


@dataclass(frozen=True, slots=True)
class ResourceSpec:
    """One declared resource type of the target."""

    name: str
    collection: str
    items: str
    item: str
    key: str
    xsd: str | None = None
    identifiers: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Listing:
    """The collection's answer and the item URLs built from it."""

    exchange: Exchange
    urls: tuple[str, ...]
    total: int


def declared_resources(ctx: CheckContext) -> list[ResourceSpec]:
    """The resources of `inputs.resources`, in declaration order."""
    found = []
    for name, raw in (RESOURCES.read(ctx) or {}).items():
        found.append(
            ResourceSpec(
                name=str(name),
                collection=str(raw["collection"]),
                items=str(raw["items"]),
                item=str(raw["item"]),
                key=str(raw["key"]),
                xsd=str(raw["xsd"]) if raw.get("xsd") else None,
                identifiers={str(k): str(v) for k, v in (raw.get("identifiers") or {}).items()},
            )
        )
    return found


def get_maybe_authorized(client: HttpClient, url: str, accept: str) -> Exchange:
    """GET `url`; if it answers 401 and the target has credentials, again with a bearer token."""
    exchange = client.get(url, headers={"Accept": accept}, reuse=True)
    if exchange.status != 401:
        return exchange
    try:
        return client.get(url, headers={"Accept": accept}, auth=True, reuse=True)
    except PreconditionMissing:
        return exchange


def list_items(client: HttpClient, spec: ResourceSpec, limit: int) -> Listing:
    """The URLs of up to `limit` items of the collection (Inconclusive if it cannot be listed)."""
    exchange = get_maybe_authorized(client, spec.collection, "application/json")
    evidence = [client.evidence(exchange, f"collection of {spec.name}")]
    if exchange.status != 200:
        raise Inconclusive(
            f"the {spec.name} collection {spec.collection} answered {exchange.status}, "
            "so its items cannot be listed",
            evidence=evidence,
        )
    try:
        items = pointer_get(exchange.json(), spec.items)
    except (ValueError, LookupError) as exc:
        raise Inconclusive(
            f"the {spec.name} collection has no item list at {spec.items}: {exc}", evidence=evidence
        ) from None
    if not isinstance(items, list):
        raise Inconclusive(
            f"{spec.items} of the {spec.name} collection is {type(items).__name__}, not an array",
            evidence=evidence,
        )
    if not items:
        raise PreconditionMissing(f"the {spec.name} collection {spec.collection} lists no items")
    urls = tuple(item_url(spec, item) for item in items[:limit])
    return Listing(exchange, urls, len(items))


def item_url(spec: ResourceSpec, item: Any) -> str:
    """The item's path: the template with its one variable set to the item's key value."""
    try:
        value = pointer_get(item, spec.key)
    except LookupError as exc:
        raise Inconclusive(f"an item of the {spec.name} collection has no key: {exc}") from None
    start, end = spec.item.find("{"), spec.item.find("}")
    if start < 0 or end < start:
        raise Inconclusive(f"the item template {spec.item!r} of {spec.name} has no {{variable}}")
    return spec.item[:start] + quote(str(value), safe="") + spec.item[end + 1 :]


def inspect_items(
    ctx: CheckContext, specs: list[ResourceSpec], limit: int, inspect: Inspect, what: str
) -> tuple[list[dict[str, Any]], int]:
    """GET up to `limit` listed items of each resource as JSON and gather what `inspect` finds
    wrong in each (and how many values it checked); cite every item with a problem, and keep a
    way to replay the first."""
    bad: list[dict[str, Any]] = []
    checked = 0
    for spec in specs:
        for url in list_items(ctx.client, spec, limit).urls:
            exchange = get_maybe_authorized(ctx.client, url, "application/json")
            found, count = inspect(spec, exchange)
            checked += count
            if found:
                ctx.cite(exchange, f"{spec.name}: {what}")
                ctx.reproduce = ctx.reproduce or ctx.client.curl(exchange)
                bad.extend(found)
    return bad, checked
