"""RFC 9264 linksets as published at /.well-known/api-catalog (RFC 9727)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin

CATALOG_MEDIA_TYPE = "application/linkset+json"
REQUIRED_RELATIONS = ("service-desc", "service-doc", "status")


@dataclass(frozen=True, slots=True)
class Link:
    """One target link of a link context."""

    href: str
    type: str = ""


@dataclass(frozen=True, slots=True)
class LinkContext:
    """One API of the catalogue: its anchor and its links by relation type."""

    anchor: str
    links: dict[str, tuple[Link, ...]]
    extensions: dict[str, Any]

    def hrefs(self, relation: str) -> list[str]:
        """The target URLs of one relation type."""
        return [link.href for link in self.links.get(relation, ())]


def parse_linkset(document: Any, base_url: str) -> list[LinkContext]:
    """Parse a linkset JSON document; relative hrefs resolve against `base_url`.

    Raises ValueError naming what is wrong.
    """
    if not isinstance(document, dict) or not isinstance(document.get("linkset"), list):
        raise ValueError('not a linkset: expected an object with a "linkset" array')
    contexts = []
    for i, entry in enumerate(document["linkset"]):
        if not isinstance(entry, dict):
            raise ValueError(f"linkset[{i}] is not an object")
        anchor = urljoin(base_url, str(entry.get("anchor", "")))
        links: dict[str, tuple[Link, ...]] = {}
        extensions: dict[str, Any] = {}
        for relation, targets in entry.items():
            if relation == "anchor":
                continue
            if not isinstance(targets, list) or not all(
                isinstance(t, dict) and isinstance(t.get("href"), str) for t in targets
            ):
                extensions[relation] = targets
                continue
            links[relation] = tuple(
                Link(urljoin(anchor or base_url, t["href"]), str(t.get("type", "")))
                for t in targets
            )
        contexts.append(LinkContext(anchor, links, extensions))
    if not contexts:
        raise ValueError("the linkset is empty: it describes no API")
    return contexts
