"""Shared fixtures: the reference agency on loopback, and paths to the shared corpora."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from conformance.inputs.target import Target

pytest_plugins = ["pytester"]

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"

# A developer's or CI's own CONFORMANCE_* settings (README, "Configuration") would reach every
# `conformance` the tests start; the tests say what they want themselves. --shard auto's
# CONFORMANCE_SHARD(S) included: the tests that need them set them.
for _name in [n for n in os.environ if n.startswith("CONFORMANCE_")]:
    del os.environ[_name]


@pytest.fixture(scope="session")
def reference_target() -> Iterator[Target]:
    """One conformant reference agency for the whole test session."""
    from conformance.reference import running_reference

    with running_reference() as target:
        yield target


@pytest.fixture
def shared_dir() -> Path:
    """../shared (the design, the spec and the corpora); skip when it is absent."""
    if not SHARED.is_dir():
        pytest.skip(
            f"{SHARED} is absent: the shared material is not checked out beside the project"
        )
    return SHARED
