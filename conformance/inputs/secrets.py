"""Credentials: read from environment variables or files, never written anywhere."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from conformance.core.errors import TargetError


@dataclass(frozen=True, slots=True)
class SecretRef:
    """Where a credential lives: an environment variable or a file. Its repr shows no value."""

    env: str | None = None
    file: Path | None = None

    def reveal(self) -> str:
        """The credential itself; only the HTTP layer calls this."""
        if self.env is not None:
            value = os.environ.get(self.env)
            if value is None:
                raise TargetError(f"credential environment variable {self.env} is not set")
            return value
        if self.file is not None:
            try:
                return self.file.read_text("utf-8").strip()
            except OSError as exc:
                raise TargetError(f"cannot read credential file {self.file}: {exc}") from None
        raise TargetError("a credential names neither env nor file")

    def describe(self) -> str:
        """Where the credential comes from, for messages (never the value)."""
        return f"env {self.env}" if self.env else f"file {self.file}"
