"""Small agencies written for one case each, on loopback: nobody's reference implementation.

`agency(answer)` serves GET with a function of path and headers; `document` builds an OpenAPI
document for it; `run_check` runs one requirement of the bundled `data` profile on a target, with
parameters laid over the profile's.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from checks_support import Answer, loopback_server

from conformance.core.model import Result
from conformance.documents.openapi import OpenApiDocument
from conformance.engine import Engine
from conformance.inputs.profile import load_profile
from conformance.inputs.target import SafetyPolicy, Target


@contextmanager
def agency(
    answer: Callable[[str, dict[str, str]], Answer], host: str = "127.0.0.1"
) -> Iterator[tuple[str, list[str]]]:
    """A loopback HTTP server answering GET with `answer(path, headers)`; yields its base URL
    (on `host`) and the paths it was asked for."""
    seen: list[str] = []

    def logged(path: str, headers: dict[str, str]) -> Answer:
        seen.append(path)
        return answer(path, headers)

    with loopback_server(logged, host) as base_url:
        yield base_url, seen


def ok_json(body: Any) -> Answer:
    return 200, {"Content-Type": "application/json"}, json.dumps(body).encode()


def operation(schema: dict[str, Any], **extra: Any) -> dict[str, Any]:
    """A GET operation answering 200 with `schema`, and 4xx documented."""
    return {
        "operationId": extra.pop("operationId", "op"),
        "summary": "s",
        "responses": {
            "200": {"description": "ok", "content": {"application/json": {"schema": schema}}},
            "4XX": {"description": "refused"},
        },
        **extra,
    }


def document(base: str, paths: dict[str, Any], **extra: Any) -> OpenApiDocument:
    data = {
        "openapi": "3.1.0",
        "info": {"title": "t", "version": "1"},
        "servers": [{"url": base}],
        "paths": paths,
        **extra,
    }
    return OpenApiDocument(f"{base}/openapi.json", data)


def target(base: str, **fields: Any) -> Target:
    return Target(name="agency", base_url=base, safety=SafetyPolicy(max_rps=1000.0), **fields)


def run_check(requirement: str, tgt: Target, profile_name: str = "data", **params: Any) -> Result:
    """One requirement's result on `tgt`, with `params` over the profile's own."""
    profile = load_profile(profile_name)
    merged = {**profile.parameters, requirement: {**profile.params_for(requirement), **params}}
    report = Engine(
        dataclasses.replace(profile, parameters=merged), [tgt], only=[requirement]
    ).run()
    return next(r for r in report.results if r.requirement == requirement)
