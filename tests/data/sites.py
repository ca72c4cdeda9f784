"""A tiny loopback server for what the reference agency never does, and a Target on it."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from checks_support import loopback_http

from conformance.inputs.target import SafetyPolicy, Target

Routes = dict[str, tuple[int, str, bytes]]


@contextmanager
def serving(routes: Routes) -> Iterator[tuple[str, list[str]]]:
    """Serve `routes` (path -> status, content type, body) on loopback; yield base URL and log."""
    seen: list[str] = []

    def answer(path: str) -> tuple[int, dict[str, str], bytes]:
        seen.append(path)
        status, media, body = routes.get(
            path.split("?")[0], (404, "application/problem+json", b"{}")
        )
        return status, {"Content-Type": media}, body

    with loopback_http(answer) as base_url:
        yield base_url, seen


def loopback_target(base_url: str, **fields: Any) -> Target:
    return Target(name="loopback", base_url=base_url, safety=SafetyPolicy(max_rps=500.0), **fields)
