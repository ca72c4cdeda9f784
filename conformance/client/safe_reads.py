"""A run's answers to safe requests, for the checks that need an answer, not a new request.

Several checks read the same thing: DATA-FMT-01, DATA-CL-01, DATA-ID-01 and DATA-CNEG-01 each
list the same collection and GET its first items; NET-HDR-01, NET-HSTS-01 and DEP-VER-01 read
headers of documents DEP-SLA-02 has just sampled. At an agency's rate cap each copy costs as much
as the first, and teaches nothing: a safe request (RFC 9110 §9.2.1) asks for the same answer.

So every answer to a GET or HEAD is remembered under the request that got it (method, URL,
headers, body, client certificate), and a caller that asks with `reuse=True` gets the remembered
answer instead of sending again. What a check must see afresh (a latency sample, a state read
after a write, a rate-limit counter) is asked for without `reuse`, and is sent.

Stricter than an HTTP cache (RFC 9111 §4.4 invalidates only the URIs a write names): any write
that may have succeeded (a non-error answer, or no answer at all) forgets every answer, since a
write to one resource may change what another one says. Only final answers are kept: no
redirect (its target is another request), no 5xx (a server error may pass).
"""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Callable, Hashable, Mapping

from conformance.client.exchange import REDIRECT_STATUSES, Exchange, record_exchange

#: methods whose answers are remembered (RFC 9110 §9.2.1; OPTIONS asks about, not for, content)
REMEMBERED = frozenset({"GET", "HEAD"})
#: methods that change nothing, so never make the remembered answers stale
SAFE = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})


def request_key(
    method: str,
    url: str,
    headers: Mapping[str, str],
    body: bytes | None,
    client_cert: bool,
) -> Hashable:
    """What makes two requests the same request (header names compared case-insensitively)."""
    fields = tuple(sorted((name.lower(), value) for name, value in headers.items()))
    return (method.upper(), url, fields, body, client_cert)


class SafeReads:
    """The remembered answers of one client (one target, one run)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._answers: dict[Hashable, Exchange] = {}

    def answer(
        self, key: Hashable, url: str, send: Callable[[], Exchange], *, reuse: bool
    ) -> Exchange:
        """With `reuse`, the remembered answer to `key` (recorded in the asking check's
        evidence); else, or when none is remembered, `send()`'s answer, remembered if it is
        `url`'s own final answer (not one reached by a redirect)."""
        if reuse:
            with self._lock:
                found = self._answers.get(key)
            if found is not None:
                reused = dataclasses.replace(found, reused=True)
                record_exchange(reused)
                return reused
        exchange = send()
        final = exchange.status < 500 and exchange.status not in REDIRECT_STATUSES
        if final and exchange.url == url:
            with self._lock:
                self._answers[key] = exchange
        return exchange

    def after_write(self, status: int | None) -> None:
        """A write was sent: forget every answer unless it was refused (`status` 4xx, RFC 9110
        §15.5; a 5xx or no answer at all (None) may have left it half applied)."""
        if status is None or not 400 <= status < 500:
            with self._lock:
                self._answers.clear()

    def __len__(self) -> int:
        return len(self._answers)
