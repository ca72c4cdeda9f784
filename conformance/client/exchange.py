"""What the suite's client records of each request, and the plumbing every sender shares: the
exchange, the run-wide statistics, the rate limiter, the recorder that makes a check's evidence,
and the words for transport failures."""

from __future__ import annotations

import contextvars
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import requests

from conformance.client.deadline import Deadline
from conformance.core.errors import Inconclusive
from conformance.documents import nesting

#: the share of an agency's declared rate limit the suite's ordinary requests use at most
DECLARED_RATE_SHARE = 0.8
#: the statuses that send a client elsewhere with a Location (RFC 9110 §15.4)
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})


@dataclass(frozen=True, slots=True)
class Exchange:
    """One request and its response, as the suite saw them (before redaction)."""

    method: str
    url: str
    request_headers: Mapping[str, str]
    request_body: bytes | None
    status: int
    headers: requests.structures.CaseInsensitiveDict[str]
    body: bytes
    elapsed_s: float
    #: the run's earlier answer to the same safe request, handed out again (client.safe_reads)
    reused: bool = False

    @property
    def media_type(self) -> str:
        """The response media type without parameters, lower-case ('' when absent)."""
        return self.headers.get("Content-Type", "").split(";")[0].strip().lower()

    @property
    def charset(self) -> str | None:
        """The `charset` parameter of the response's Content-Type, as sent (None when absent)."""
        for part in self.headers.get("Content-Type", "").split(";")[1:]:
            name, _, value = part.strip().partition("=")
            if name.strip().lower() == "charset":
                return value.strip().strip('"')
        return None

    def header(self, name: str) -> str | None:
        """A response header, case-insensitively."""
        return self.headers.get(name)

    def text(self) -> str:
        """The body decoded as UTF-8 (undecodable bytes replaced)."""
        return self.body.decode("utf-8", errors="replace")

    def json(self) -> Any:
        """The body parsed as JSON; ValueError when it is not JSON, NestedTooDeep past the limit."""
        return nesting.loads(self.body)


@dataclass(slots=True)
class ExchangeStats:
    """Run-wide counts and timings of every exchange with a target (for service-level checks)."""

    latencies_s: list[float] = field(default_factory=list)
    server_errors: int = 0
    transport_errors: int = 0


class RateLimiter:
    """At most `rps` requests a second, shared by every thread that uses it."""

    def __init__(self, rps: float) -> None:
        self._interval = 1.0 / rps
        self._next = 0.0
        self._lock = threading.Lock()

    def wait(self) -> None:
        """Block until the next request may be sent."""
        with self._lock:
            now = time.monotonic()
            start = max(now, self._next)
            self._next = start + self._interval
        if start > now:
            time.sleep(start - now)


Recorder = Callable[[Exchange], None]
_recorder: contextvars.ContextVar[Recorder | None] = contextvars.ContextVar(
    "conformance_recorder", default=None
)


def record_exchange(exchange: Exchange) -> None:
    """Hand `exchange` to the recorder in force, if any (see :func:`recording`)."""
    record = _recorder.get()
    if record is not None:
        record(exchange)


@contextmanager
def recording(recorder: Recorder) -> Iterator[None]:
    """Send every exchange made inside the block to `recorder` (a check's evidence)."""
    token = _recorder.set(recorder)
    try:
        yield
    finally:
        _recorder.reset(token)


def within_deadline(deadline: Deadline, url: str) -> None:
    """Raise when `deadline` passed: whatever the read returned is cut short, not an answer."""
    if deadline.expired:
        raise Inconclusive(too_slow(url, deadline.seconds))


def too_slow(url: str, seconds: float) -> str:
    return f"answer from {url} took longer than {seconds:g} s (the per-request time limit)"


def transport_reason(exc: BaseException) -> str:
    """The innermost readable reason of a requests/urllib3 exception."""
    seen: BaseException | None = exc
    reason = str(exc)
    while seen is not None:
        reason = str(seen) or reason
        seen = seen.__cause__ or seen.__context__
        if isinstance(seen, ConnectionRefusedError):
            return "connection refused"
    return reason.split(": ", 1)[-1][:300]
