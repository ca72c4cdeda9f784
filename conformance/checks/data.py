"""data level checks."""

from __future__ import annotations
