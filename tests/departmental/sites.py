"""A small plain-HTTP loopback site publishing what a departmental test gives it (the `site`
fixture of conftest.py), and a Target on it."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from checks_support import loopback_http

from conformance.inputs.target import SafetyPolicy, Target

Response = tuple[int, str, bytes]  # status, content type, body


class Site:
    """Routes of a plain-HTTP loopback server: path → (status, content type, body), `fallback`
    for any other path; the paths asked for, in `hits`."""

    def __init__(self) -> None:
        self.routes: dict[str, Response] = {}
        self.fallback: Response = (404, "text/plain", b"not found")
        self.hits: list[str] = []
        self.base_url = ""

    def publish(self, openapi: bytes, media_type: str = "application/json") -> None:
        """A catalogue linking one service-desc, and that document."""
        catalog = {
            "linkset": [
                {
                    "anchor": f"{self.base_url}/api",
                    "service-desc": [{"href": f"{self.base_url}/openapi"}],
                    "service-doc": [{"href": f"{self.base_url}/docs"}],
                    "status": [{"href": f"{self.base_url}/health"}],
                }
            ]
        }
        body = json.dumps(catalog).encode()
        self.routes["/.well-known/api-catalog"] = (200, "application/linkset+json", body)
        self.routes["/openapi"] = (200, media_type, openapi)

    def catalog(self, **extra: Any) -> None:
        """Publish a linkset whose one API links /openapi, /docs, /health and /services."""
        entry = {
            "anchor": f"{self.base_url}/api",
            "service-desc": [{"href": f"{self.base_url}/openapi"}],
            "service-doc": [{"href": f"{self.base_url}/docs"}],
            "status": [{"href": f"{self.base_url}/health"}],
            "service-meta": [{"href": f"{self.base_url}/services", "type": "application/ld+json"}],
            **extra,
        }
        self.json("/.well-known/api-catalog", {"linkset": [entry]}, "application/linkset+json")

    def json(self, path: str, body: Any, media_type: str = "application/json") -> None:
        """Serve `body` as JSON at `path`."""
        self.routes[path] = (200, media_type, json.dumps(body).encode())


def serve(routes: Site) -> Iterator[Site]:
    """Run `routes` on 127.0.0.1 (for a fixture to `yield from`)."""

    def answer(path: str) -> tuple[int, dict[str, str], bytes]:
        routes.hits.append(path)
        status, media_type, body = routes.routes.get(path, routes.fallback)
        return status, {"Content-Type": media_type}, body

    with loopback_http(answer) as base_url:
        routes.base_url = base_url
        yield routes


def site_target(site: Site, **safety: Any) -> Target:
    """A Target named "site" on a loopback server, with `safety` limits."""
    return Target(name="site", base_url=site.base_url, safety=SafetyPolicy(**safety))
