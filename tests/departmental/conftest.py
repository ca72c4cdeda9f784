"""Fixtures of the departmental check tests: the conformant agency, and a loopback site."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from checks_support import clean  # noqa: F401 (imported, the fixture is registered here)

from .sites import Site, serve


@pytest.fixture
def site() -> Iterator[Site]:
    """A running Site on 127.0.0.1 (404 text/plain for anything not published)."""
    yield from serve(Site())
