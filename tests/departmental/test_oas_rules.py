"""The rules read from an OpenAPI document (conformance/departmental/oas_rules.py): the version
in the path, as DEP-VER-02 reads it."""

from __future__ import annotations

import pytest

from conformance.departmental.oas_rules import version_findings
from conformance.documents.openapi import OpenApiDocument


@pytest.mark.parametrize(
    ("server", "path", "finding"),
    [
        ("https://a.example/v1", "/x", None),
        ("https://a.example/v1.4", "/x", "carries the full version 'v1.4'"),
        ("https://a.example/api", "/1.4/x", "carries the full version '1.4'"),
        ("https://a.example/api", "/x", "carries no version segment"),
        ("https://a.example/v2", "/x", "carries 'v2' but info.version is '1.4.0'"),
    ],
)
def test_version_in_path(server, path, finding):
    doc = OpenApiDocument(
        "https://a.example/openapi.json",
        {
            "openapi": "3.1.0",
            "info": {"title": "t", "version": "1.4.0"},
            "servers": [{"url": server}],
            "paths": {path: {"get": {"responses": {}}}},
        },
    )
    found = [defect for _, defect in version_findings(doc)]
    assert found == [] if finding is None else finding in found[0]
