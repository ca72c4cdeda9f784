"""One self-contained OpenAPI document: every `$ref` to another document fetched and inlined.

Libraries that read OpenAPI (schemathesis among them) fetch a `$ref` to another document with
their own HTTP client, past the suite's host allow-list, rate cap and limits. The suite hands them
a bundle instead: each referenced document is fetched by the caller's `fetch` (the suite's client,
on the target's hosts only), placed under :data:`BUNDLE_KEY`, and every reference into it is
rewritten to point there. A reference that cannot be had is pointed at an entry that does not
exist, so the library reports that operation as unresolvable instead of fetching it; `externalValue`
examples are dropped for the same reason. What was left out is listed in the bundle's `missing`.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urldefrag, urljoin

from conformance.core.errors import Inconclusive
from conformance.documents.json_pointer import lookup

#: where the bundle keeps the documents it inlined (an extension member, ignored by OpenAPI)
BUNDLE_KEY = "x-conformance-bundled"
#: where references that could not be had point (never defined, so never resolved)
MISSING_KEY = "x-conformance-unavailable"
#: what could not be had, in the order MISSING_KEY's references count them: [{url, reason}]
UNRESOLVED_KEY = "x-conformance-unresolved"
#: at most this many other documents are inlined
MAX_DOCUMENTS = 50

Fetch = Callable[[str], Any]


class RefUnavailable(Exception):
    """A referenced document the fetcher could not, or would not, get (the reason)."""


@dataclass
class Bundle:
    """The self-contained document and what could not be inlined (document URL → reason)."""

    data: dict[str, Any]
    inlined: list[str] = field(default_factory=list)
    missing: dict[str, str] = field(default_factory=dict)


def bundle(document: dict[str, Any], url: str, fetch: Fetch) -> Bundle:
    """`document` (retrieved from `url`) with every reference to another document inlined."""
    root = copy.deepcopy(document)
    result = Bundle(root)
    prior = unresolved(root)  # a document bundled before keeps what it could not inline
    result.missing.update(prior)
    keys: dict[str, str] = {}
    earlier = root.get(BUNDLE_KEY)
    inlined: dict[str, Any] = dict(earlier) if isinstance(earlier, dict) else {}
    pending: list[tuple[Any, str]] = [(root, url)]
    while pending:
        node, base = pending.pop()
        for holder in _ref_holders(node):
            target = urljoin(base, str(holder["$ref"]))
            where, fragment = urldefrag(target)
            if where == urldefrag(url)[0] or not where:
                holder["$ref"] = "#" + fragment
                continue
            if where not in keys and where not in result.missing:
                content = _fetched(fetch, where, result, len(keys))
                if content is not None:
                    keys[where] = str(len(inlined))
                    inlined[keys[where]] = content
                    result.inlined.append(where)
                    pending.append((content, where))
            if where in keys:
                holder["$ref"] = f"#/{BUNDLE_KEY}/{keys[where]}{fragment}"
            else:
                holder["$ref"] = f"#/{MISSING_KEY}/{list(result.missing).index(where)}"
        _drop_external_values(node)
    if inlined:
        root[BUNDLE_KEY] = inlined
    if result.missing:
        root[UNRESOLVED_KEY] = [{"url": u, "reason": r} for u, r in result.missing.items()]
    return result


def _fetched(fetch: Fetch, where: str, result: Bundle, count: int) -> Any:
    if count >= MAX_DOCUMENTS:
        result.missing[where] = f"more than {MAX_DOCUMENTS} referenced documents"
        return None
    try:
        content = fetch(where)
    except (RefUnavailable, Inconclusive, ValueError) as exc:
        result.missing[where] = str(exc) or type(exc).__name__
        return None
    if not isinstance(content, dict | list):
        result.missing[where] = "it is not a JSON or YAML object"
        return None
    return copy.deepcopy(content)


def _mappings(
    node: Any, follow: Callable[[dict[str, Any]], Any] | None = None
) -> Iterator[dict[str, Any]]:
    """Every mapping under `node`, each once (shared or cyclic nodes too); with `follow`, also
    what `follow(mapping)` returns for each (e.g. where its `$ref` points)."""
    stack, seen = [node], set()
    while stack:
        item = stack.pop()
        if id(item) in seen:
            continue
        seen.add(id(item))
        if isinstance(item, dict):
            yield item  # the caller may change it before its values are walked
            if follow is not None:
                stack.append(follow(item))
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)


def _ref_holders(node: Any) -> list[dict[str, Any]]:
    """Every mapping under `node` whose `$ref` is a string, each once."""
    return [m for m in _mappings(node) if isinstance(m.get("$ref"), str)]


def _drop_external_values(node: Any) -> None:
    """Remove Example Objects' `externalValue` (a URL the reading library would fetch)."""
    for mapping in _mappings(node):
        if isinstance(mapping.get("externalValue"), str):  # not a property named so
            del mapping["externalValue"]


def unresolved(data: dict[str, Any]) -> dict[str, str]:
    """What a bundled document could not inline (document URL → reason), in reference order."""
    found = data.get(UNRESOLVED_KEY)
    if not isinstance(found, list):
        return {}
    return {str(e.get("url")): str(e.get("reason")) for e in found if isinstance(e, dict)}


def unavailable_reached(data: dict[str, Any], node: Any) -> str | None:
    """The first referenced document that could not be had which `node` reaches (through the
    bundled document `data`'s own references), or None: what it says cannot be judged without
    it."""
    missing = list(unresolved(data))
    if not missing:
        return None
    prefix = f"#/{MISSING_KEY}/"

    def pointed(mapping: dict[str, Any]) -> Any:
        ref = mapping.get("$ref")
        return lookup(data, ref[1:]) if isinstance(ref, str) and ref.startswith("#") else None

    for mapping in _mappings(node, follow=pointed):
        ref = mapping.get("$ref")
        if isinstance(ref, str) and ref.startswith(prefix):
            return missing[int(ref[len(prefix) :])]
    return None
