"""Documents and answers the departmental tests hand to the checks and their helpers."""

from __future__ import annotations

from typing import Any

import requests

from conformance.client.http import Exchange


def minimal(version: str = "3.1.0", **extra: Any) -> dict[str, Any]:
    doc: dict[str, Any] = {"openapi": version, "info": {"title": "t", "version": "1"}}
    doc["paths"] = {}
    return doc | extra


def alias_bomb() -> bytes:
    lines = ['a0: &a0 ["x", "x", "x", "x", "x", "x", "x", "x", "x", "x"]']
    for level in range(1, 9):
        refs = ", ".join([f"*a{level - 1}"] * 10)
        lines.append(f"a{level}: &a{level} [{refs}]")
    return ("\n".join(lines) + "\nopenapi: 3.1.0\n").encode()


def answer_of(status: int, media_type: str, body: bytes) -> Exchange:
    headers: requests.structures.CaseInsensitiveDict[str] = requests.structures.CaseInsensitiveDict(
        {"Content-Type": media_type}
    )
    return Exchange("GET", "https://127.0.0.1:9/x", {}, None, status, headers, body, 0.01)
