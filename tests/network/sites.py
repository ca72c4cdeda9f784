"""A small plain-HTTP loopback site for the network tests (the `site` fixture of conftest.py)."""

from __future__ import annotations

import json
from typing import Any


class Site:
    """A catalogue, an OpenAPI document, and one answer to every other path."""

    def __init__(self) -> None:
        self.base_url = ""
        self.openapi: dict[str, Any] = {}
        self.fallback: tuple[int, dict[str, str]] = (404, {})

    def answer(self, path: str) -> tuple[int, dict[str, str], bytes]:
        if path == "/.well-known/api-catalog":
            links = {"service-desc": [{"href": f"{self.base_url}/openapi"}]}
            body = {"linkset": [{"anchor": f"{self.base_url}/api", **links}]}
            return 200, {"Content-Type": "application/linkset+json"}, json.dumps(body).encode()
        if path == "/openapi":
            return 200, {"Content-Type": "application/json"}, json.dumps(self.openapi).encode()
        status, headers = self.fallback
        problem = {"title": "error", "status": status}
        return (
            status,
            {"Content-Type": "application/problem+json", **headers},
            json.dumps(problem).encode(),
        )
