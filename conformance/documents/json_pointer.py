"""RFC 6901 JSON pointers: the one reader every module uses to find a value by its pointer."""

from __future__ import annotations

from typing import Any


def resolve(document: Any, pointer: str) -> Any:
    """The value at `pointer` ('' is the whole document); LookupError naming the missing step."""
    if pointer == "":
        return document
    if not pointer.startswith("/"):
        raise LookupError(f"{pointer!r} is not a JSON pointer (it must start with /)")
    node = document
    for raw in pointer[1:].split("/"):
        token = raw.replace("~1", "/").replace("~0", "~")
        if isinstance(node, dict) and token in node:
            node = node[token]
        elif isinstance(node, list) and token.isdigit() and int(token) < len(node):
            node = node[int(token)]
        else:
            raise LookupError(f"{pointer} does not exist (no {token!r})")
    return node


def lookup(document: Any, pointer: str) -> Any:
    """The value at `pointer`, or None when there is none."""
    try:
        return resolve(document, pointer)
    except LookupError:
        return None


def pointer_to(*keys: str) -> str:
    """The JSON pointer of the value under these keys, each escaped (`~` as ~0, `/` as ~1)."""
    return "".join("/" + key.replace("~", "~0").replace("/", "~1") for key in keys)
