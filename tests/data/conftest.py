"""Fixtures of the data check tests: the conformant and the faulted reference agencies."""

from __future__ import annotations

from checks_support import clean, faulted  # noqa: F401 (imported, the fixtures are registered here)
