"""Non-ASCII text written and read back (DATA-ENC-01): what to compare, and how answers decode.

RFC 8259 §8.1: JSON exchanged between systems is UTF-8. A body written with Chinese (or any
non-ASCII) text must come back with the same code points, in the creation answer and on a later
read; a body must decode as strict UTF-8 and declare no other charset.
"""

from __future__ import annotations

from typing import Any

from conformance.client.http import Exchange
from conformance.documents.json_pointer import resolve as pointer_get


def non_ascii_strings(value: Any, pointer: str = "") -> dict[str, str]:
    """Every string leaf holding non-ASCII text, by JSON pointer."""
    if isinstance(value, dict):
        found: dict[str, str] = {}
        for key, item in value.items():
            token = str(key).replace("~", "~0").replace("/", "~1")
            found.update(non_ascii_strings(item, f"{pointer}/{token}"))
        return found
    if isinstance(value, list):
        found = {}
        for index, item in enumerate(value):
            found.update(non_ascii_strings(item, f"{pointer}/{index}"))
        return found
    if isinstance(value, str) and not value.isascii():
        return {pointer: value}
    return {}


def encoding_problem(exchange: Exchange) -> str:
    """Why the answer's body is not UTF-8 as declared ('' when it is)."""
    charset = exchange.charset
    if charset is not None and charset.lower() not in {"utf-8", "utf8"}:
        return f"Content-Type declares charset={charset}, expected UTF-8 (RFC 8259 §8.1)"
    try:
        exchange.body.decode("utf-8", errors="strict")
    except UnicodeDecodeError as exc:
        return f"the body is not UTF-8: byte {exc.start} is {exchange.body[exc.start]:#04x}"
    if exchange.body.startswith(b"\xef\xbb\xbf"):
        return "the body starts with a byte order mark (RFC 8259 §8.1: MUST NOT add one)"
    return ""


def differences(sent: dict[str, str], document: Any) -> list[tuple[str, str, Any]]:
    """(pointer, sent, got) for each sent string the answer carries changed; absent is skipped."""
    changed = []
    for pointer, value in sent.items():
        try:
            got = pointer_get(document, pointer)
        except LookupError:
            continue
        if got != value:
            changed.append((pointer, value, got))
    return changed


def present(sent: dict[str, str], document: Any) -> int:
    """How many of the sent pointers the answer carries."""
    count = 0
    for pointer in sent:
        try:
            pointer_get(document, pointer)
        except LookupError:
            continue
        count += 1
    return count


def code_points(text: Any) -> str:
    """The code points of a string, for evidence (U+5317 U+4EAC ...)."""
    if not isinstance(text, str):
        return repr(text)
    return " ".join(f"U+{ord(c):04X}" for c in text[:40])
