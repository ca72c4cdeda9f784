"""Bounded bursts of concurrent requests (the `load` class): never more than the bound.

Each worker has its own connection pool; a shared counter hands out at most `total` requests, so
the bound holds whatever the timing. Only the target's hosts are contacted, with its CA bundle and
time limit. Headers passed in (a bearer token) are used, never recorded: the result keeps
statuses, latencies and error reasons only.
"""

from __future__ import annotations

import math
import threading
import time
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field

import requests

from conformance.client.deadline import Deadline, mount
from conformance.client.http import USER_AGENT, HttpClient
from conformance.core.errors import Inconclusive


@dataclass
class BurstResult:
    """What a burst gave: per request its status (or error), latencies, and the first 429."""

    sent: int = 0
    statuses: Counter[int] = field(default_factory=Counter)
    errors: Counter[str] = field(default_factory=Counter)
    latencies_s: list[float] = field(default_factory=list)
    duration_s: float = 0.0
    first_limited: dict[str, str] | None = None  # headers of the first 429 (no credentials)
    sent_before_limited: int = 0

    def percentile(self, p: float) -> float:
        """The p-th percentile of latencies (nearest rank), in seconds; 0 when none."""
        if not self.latencies_s:
            return 0.0
        ordered = sorted(self.latencies_s)
        return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]

    def rate(self) -> float:
        """Requests sent per second over the burst."""
        return self.sent / self.duration_s if self.duration_s > 0 else 0.0

    def evidence(self) -> dict[str, object]:
        """Counts and timings for a check's evidence."""
        return {
            "requests_sent": self.sent,
            "statuses": {str(k): v for k, v in sorted(self.statuses.items())},
            "connection_errors": dict(self.errors),
            "duration_s": round(self.duration_s, 3),
            "rate_per_s": round(self.rate(), 1),
            "latency_ms": {
                f"p{p}": round(self.percentile(p) * 1000, 1) for p in (50, 90, 95, 99, 100)
            },
        }


def burst(
    client: HttpClient,
    url: str,
    *,
    total: int,
    concurrency: int,
    headers: Mapping[str, str] | None = None,
    stop_at_status: int | None = None,
) -> BurstResult:
    """GET `url` at most `total` times from `concurrency` workers; stop early at a status."""
    if not client.on_target(url):
        raise Inconclusive(f"refused to load {url}: not one of the target's hosts")
    if total < 1 or concurrency < 1:
        raise Inconclusive(
            f"a burst needs at least one request and one worker ({total}, {concurrency})"
        )
    result = BurstResult()
    lock = threading.Lock()
    stop = threading.Event()
    target = client.target
    send_headers = {"User-Agent": USER_AGENT, **(headers or {})}

    def take() -> bool:
        with lock:
            if stop.is_set() or result.sent >= total:
                return False
            result.sent += 1
            return True

    def worker() -> None:
        session = requests.Session()
        session.verify = str(target.ca_bundle) if target.ca_bundle else True
        session.trust_env = False
        mount(session)
        try:
            while take():
                started = time.monotonic()
                try:
                    with Deadline(target.safety.timeout_s) as deadline:
                        response = session.get(
                            url,
                            headers=send_headers,
                            allow_redirects=False,
                            stream=True,
                            timeout=(target.safety.timeout_s, target.safety.timeout_s),
                        )
                        _drain(response, target.safety.max_response_bytes)
                    if deadline.expired:
                        raise requests.Timeout("the per-request time limit passed")
                except requests.RequestException as exc:
                    with lock:
                        result.errors[type(exc).__name__] += 1
                    continue
                elapsed = time.monotonic() - started
                with lock:
                    result.latencies_s.append(elapsed)
                    result.statuses[response.status_code] += 1
                    if response.status_code == stop_at_status and result.first_limited is None:
                        result.first_limited = {
                            k: v
                            for k, v in response.headers.items()
                            if k.lower() not in {"set-cookie", "authorization"}
                        }
                        result.sent_before_limited = sum(result.statuses.values())
                        stop.set()
        finally:
            session.close()

    workers = [
        threading.Thread(target=worker, name=f"load-{i}", daemon=True)
        for i in range(min(concurrency, total))
    ]
    started = time.monotonic()
    for thread in workers:
        thread.start()
    for thread in workers:
        thread.join()
    result.duration_s = time.monotonic() - started
    return result


def _drain(response: requests.Response, limit: int) -> None:
    """Read the answer (it is part of its latency), at most `limit` bytes of it."""
    size = 0
    try:
        for chunk in response.iter_content(64 * 1024):
            size += len(chunk)
            if size > limit:
                raise requests.exceptions.ContentDecodingError(
                    f"answer larger than the {limit}-byte limit"
                )
    finally:
        response.close()
