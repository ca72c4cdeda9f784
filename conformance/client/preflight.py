"""Before a run: can the target be reached at all? For a lone target, no is a usage error
(exit 2); in a fleet, the engine reports that target's requirements as `error` and goes on."""

from __future__ import annotations

import socket
from urllib.parse import urlsplit

from conformance.core.errors import TargetError
from conformance.inputs.target import Target


def check_reachable(target: Target) -> None:
    """Open (and close) a TCP connection to the target's base URL, within its time limit."""
    parts = urlsplit(target.base_url)
    host = parts.hostname or ""
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        with socket.create_connection((host, port), timeout=min(target.safety.timeout_s, 10)):
            return
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise TargetError(
            f"target {target.name} ({target.base_url}) is unreachable: {reason}"
        ) from None
