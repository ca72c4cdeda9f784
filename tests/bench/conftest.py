"""Fixtures of the bench: pygeoapi (installed from PyPI) running on loopback, plain and TLS."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from .pygeoapi_server import Pygeoapi, serve


@pytest.fixture(scope="module")
def pygeoapi_http(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Pygeoapi]:
    """pygeoapi over plain HTTP on 127.0.0.1, a free port, for the module that asks."""
    yield from serve(tmp_path_factory.mktemp("pygeoapi-http"), tls=False)


@pytest.fixture(scope="module")
def pygeoapi_https(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Pygeoapi]:
    """pygeoapi over TLS (a certificate for 127.0.0.1 from a CA made for the run)."""
    yield from serve(tmp_path_factory.mktemp("pygeoapi-https"), tls=True)
